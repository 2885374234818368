/// A reading of a deploy in progress, for live display: the health gate, a canary step bake, the bake period, or a
/// rolling deploy's instance refresh.
public struct DeployProgress: Sendable, Equatable {
    public enum Stage: String, Sendable {
        case healthGate = "health gate", step = "step bake", bake, instanceRefresh = "instance refresh"
        /// Instance switching: the new colour's instances starting, not yet registered.
        case launch
        /// Traffic has just moved: `percent` of every serving route now goes to `color`.
        case moved
        /// `--approve`: waiting for `environment promote` / `abort`; `percent` is the share `color` has meanwhile.
        case approval
    }

    /// A pause for approval: the commands that answer it, and what happens when nobody does.
    public struct Approval: Sendable, Equatable {
        /// The commands that answer it (`nil` in the sandbox, where nothing can).
        public var promote: String?
        public var abort: String?
        /// Both, in words (`EnvironmentConfiguration.approvalAnswers`).
        public var answers: String
        public var deadline: String
        /// `promote` or `abort`.
        public var atTimeout: String
        public init(promote: String?, abort: String?, answers: String, deadline: String, atTimeout: String) {
            self.promote = promote
            self.abort = abort
            self.answers = answers
            self.deadline = deadline
            self.atTimeout = atTimeout
        }
    }
    public var stage: Stage
    public var color: Color
    public var inService: Int
    public var healthy: Int
    public var wanted: Int
    public var elapsedSeconds: Double
    /// The gate's timeout, or the bake period's length.
    public var limitSeconds: Double
    /// How long every instance has been healthy (gate), `nil` when not all are.
    public var stableSeconds: Double?
    public var neededStableSeconds: Double
    public var alarmsFiring: [String] = []
    /// A canary step's share of traffic on the new colour; an instance refresh's percentage complete.
    public var percent: Int? = nil
    /// An instance refresh: its id and status (`InProgress`, …).
    public var refresh: InstanceRefreshStatus? = nil
    /// The health gate: what each instance not yet ready is waiting for (`i-0abc Pending`).
    public var waiting: [String] = []
    /// A pause for approval.
    public var approval: Approval? = nil

    /// Traffic has just moved: `percent` of every serving route to `color`.
    public static func moved(to color: Color, percent: Int) -> DeployProgress {
        DeployProgress(
            stage: .moved, color: color, inService: 0, healthy: 0, wanted: 0, elapsedSeconds: 0, limitSeconds: 0, stableSeconds: nil,
            neededStableSeconds: 0, percent: percent)
    }
}

