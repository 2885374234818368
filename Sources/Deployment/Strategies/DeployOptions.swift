/// What a deploy is asked to do, for every strategy (each uses the settings that are its own): the build, the
/// colours' sizes and overrides (blue-green, canary, linear), the traffic steps (canary, linear), the minimum
/// healthy share (rolling).
public struct DeployOptions: Sendable, Equatable {
    public var version: String?
    public var capacity: Int?
    public var force = false
    public var keepFailed = false
    /// The colour to deploy to; must be the inactive one (`--target`, as in the design document's test plan).
    public var target: Color?
    /// The bake period; `nil` takes the environment's.
    public var bakeSeconds: Int?
    /// Canary or linear: traffic moves in these weighted steps instead of at once (`nil`: blue-green).
    public var traffic: TrafficSteps?
    /// The strategy's name, as the journal records it.
    public var strategyName: String
    /// Rolling: the share of instances kept in service.
    public var minHealthyPercentage: Int
    /// How long the old colour stays warm after the deploy (`--keep-old-for`; default: the config's `keepOldFor`).
    public var keepOldForSeconds: Int?
    /// `--approve`: pause for `environment promote` / `abort` before traffic moves (`nil`: no pause).
    public var approval: ApprovalSettings?
    public init(
        version: String? = nil, capacity: Int? = nil, force: Bool = false, keepFailed: Bool = false, target: Color? = nil,
        bakeSeconds: Int? = nil, traffic: TrafficSteps? = nil, strategyName: String? = nil, minHealthyPercentage: Int = 75
    ) {
        self.minHealthyPercentage = minHealthyPercentage
        self.traffic = traffic
        self.strategyName = strategyName ?? (traffic == nil ? "blue-green" : "canary")
        self.target = target
        self.version = version
        self.capacity = capacity
        self.force = force
        self.keepFailed = keepFailed
        self.bakeSeconds = bakeSeconds
    }

    /// The settings a journalled deploy was started with (`--resume`).
    public init(journal: DeploymentJournal) {
        self.init(
            version: journal.setsVersion ? journal.version : nil, capacity: journal.capacity, force: true,
            keepFailed: journal.keepFailed, target: journal.to, bakeSeconds: journal.bakeSeconds, traffic: journal.traffic,
            strategyName: journal.strategy, minHealthyPercentage: journal.minHealthyPercentage ?? 75)
        keepOldForSeconds = journal.keepOldForSeconds
        approval = journal.approval
    }

    /// The strategy, from its name.
    public var strategy: DeployStrategy { DeployStrategy(rawValue: strategyName) ?? .blueGreen }
}
