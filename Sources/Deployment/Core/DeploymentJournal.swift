import Foundation

/// The crash-safe record of a deploy, kept in `{prefix}deployment` and written before each step's changes, so that
/// a deploy stopped by anything (a crash, a lost laptop, `kill -9`) can be continued (`refresh --resume`) or undone
/// (`environment recover`) by whoever comes next. Small enough for a standard SSM parameter (4 KB).
public struct DeploymentJournal: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Running, or stopped without finishing: `--resume` or `recover`.
        case inProgress = "in-progress"
        case done
        /// Failed before the switch and undone: consistent.
        case failed
        /// The bake period failed and traffic went back: consistent.
        case rolledBack = "rolled-back"
        /// Stopped by a signal and brought to a consistent state.
        case interrupted
        /// Finished by `environment recover`.
        case recovered
    }

    /// A group's settings before the deploy touched it.
    public struct GroupSettings: Sendable, Equatable, Codable {
        public var name: String
        public var min: Int
        public var desired: Int
        public var max: Int
        public init(name: String, min: Int, desired: Int, max: Int) {
            self.name = name
            self.min = min
            self.desired = desired
            self.max = max
        }

        public init(_ group: ScalingGroupSnapshot) {
            self.init(name: group.name, min: group.minSize, desired: group.desiredCapacity, max: group.maxSize)
        }
    }

    public var id: String
    public var strategy: String
    public var from: Color
    public var to: Color
    public var version: String
    public var capacity: Int
    /// The step about to run or running (a `BlueGreenMachine.Phase` name).
    public var step: String
    public var status: Status
    /// Both colours' groups as they were before the deploy, by colour.
    public var original: [String: GroupSettings]
    /// SSM values the deploy overwrites, as they were (absent: the parameter did not exist).
    public var originalValues: [String: String]
    public var targetGroupArn: String
    public var keepFailed: Bool
    public var bakeSeconds: Int
    public var setsVersion: Bool
    public var startedAt: String
    public var updatedAt: String
    /// `user@host`.
    public var by: String
    public var command: String
    /// How it ended, or why it stopped.
    public var note: String?
    /// Rolling strategy: the instance refresh being followed, and its minimum healthy percentage.
    public var refreshId: String?
    public var minHealthyPercentage: Int?
    /// Canary and linear strategies: the steps, the one about to run or running (an index into
    /// `traffic.percentages`), and when its step bake began.
    public var traffic: TrafficSteps?
    public var trafficStep: Int?
    public var stepStartedAt: String?
    /// Instance switching: a switch or rollback to the warm colour's running instances (no deploy, no launch).
    public var switchOnly: Bool?
    /// How long the old colour stays warm after the deploy (`keepOldFor`, `--keep-old-for`).
    public var keepOldForSeconds: Int?
    /// `--approve`: the deploy pauses for `environment promote` / `abort` before traffic moves (and before each
    /// canary step); while it waits (step `approval`), until when.
    public var approval: ApprovalSettings?
    public var approvalDeadline: String?
    /// The deploy failed before traffic moved and putting everything back did not finish: the journal stays unfinished
    /// for `recover`, and `--resume` refuses — going on would send traffic to a colour whose recorded build the undo may
    /// already have put back.
    public var undoIncomplete: Bool?

    public init(
        id: String, strategy: String, from: Color, to: Color, version: String, capacity: Int, step: String, status: Status,
        original: [String: GroupSettings], originalValues: [String: String], targetGroupArn: String, keepFailed: Bool,
        bakeSeconds: Int, setsVersion: Bool, startedAt: String, updatedAt: String, by: String, command: String, note: String? = nil,
        refreshId: String? = nil, minHealthyPercentage: Int? = nil, traffic: TrafficSteps? = nil, trafficStep: Int? = nil
    ) {
        self.id = id
        self.strategy = strategy
        self.from = from
        self.to = to
        self.version = version
        self.capacity = capacity
        self.step = step
        self.status = status
        self.original = original
        self.originalValues = originalValues
        self.targetGroupArn = targetGroupArn
        self.keepFailed = keepFailed
        self.bakeSeconds = bakeSeconds
        self.setsVersion = setsVersion
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.by = by
        self.command = command
        self.note = note
        self.refreshId = refreshId
        self.minHealthyPercentage = minHealthyPercentage
        self.traffic = traffic
        self.trafficStep = trafficStep
    }

    public var isUnfinished: Bool { status == .inProgress }

    /// The share of traffic on the new colour the journal's step expects: `nil` when the deploy does not split
    /// traffic, or has not reached its first split.
    public var recordedPercent: Int? {
        guard let traffic, let trafficStep, traffic.percentages.indices.contains(trafficStep) else { return nil }
        return traffic.percentages[trafficStep]
    }

    /// The new colour's share before the step `trafficStep` moves it (0 before a canary's first step, and for a
    /// deploy that does not split traffic): what it has while the deploy waits for approval of that step.
    public var percentBeforeStep: Int {
        guard let traffic, let trafficStep, trafficStep > 0, traffic.percentages.indices.contains(trafficStep - 1) else { return 0 }
        return traffic.percentages[trafficStep - 1]
    }

    public func originalGroup(_ color: Color) -> GroupSettings? { original[color.rawValue] }

    /// The version parameters a deploy to `color` overwrites (`{color}/version`, and `version` when it sets it), with
    /// their values in `snapshot` (absent when unset), for putting them back — and a shared boot object, with the
    /// serving colour's build.
    public static func versionValues(
        deployingTo color: Color, setsVersion: Bool, in snapshot: EnvironmentSnapshot
    ) -> [String: String] {
        let names = snapshot.environment.parameters
        let written = [names.version(of: color)] + (setsVersion ? [names.version] : [])
        var values = snapshot.values.filter { written.contains($0.key) }
        if let boot = names.bootObject, let build = servingBuild(snapshot) { values[boot] = build }
        return values
    }

    /// What a shared boot object should be put back to: the build of the colour serving in `snapshot` (what it
    /// should name, drifted or not), else what it named.
    public static func servingBuild(_ snapshot: EnvironmentSnapshot) -> String? {
        let names = snapshot.environment.parameters
        let serving = snapshot.status.albColor ?? snapshot.status.activeColor
        return serving.flatMap { snapshot.values[names.version(of: $0)] } ?? names.bootObject.flatMap { snapshot.values[$0] }
    }

    /// A new deploy's refusal while `{prefix}deployment` holds something that is not a journal.
    public static func unreadableRefusal(_ shown: String, in environment: EnvironmentConfiguration) -> Refusal {
        Refusal("The journal \(environment.parameters.deployment) cannot be read (\(shown)): a deploy may have stopped half-way. Nothing changed; run '\(environment.command("environment recover"))' to check the environment and clear it.")
    }

    /// A new deploy's refusal while this one is unfinished.
    public func refusal(in environment: EnvironmentConfiguration) -> Refusal {
        let what = "An unfinished deployment is recorded in \(environment.parameters.deployment): \(id) (\(strategy), \(version), \(from.rawValue) → \(to.rawValue))"
        if undoIncomplete == true {
            return Refusal("\(what) failed at '\(step)', by \(by), and putting everything back did not finish. Nothing changed; run '\(environment.command("environment recover"))' to finish that.")
        }
        return Refusal("\(what) stopped at '\(step)', by \(by). Nothing changed; run '\(environment.command("environment refresh --resume"))' to finish it or '\(environment.command("environment recover"))' to undo it.")
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// `nil` for a value that is not a journal.
    public static func decode(_ text: String) -> DeploymentJournal? {
        try? JSONDecoder().decode(DeploymentJournal.self, from: Data(text.utf8))
    }

    static func timestamp(_ date: Date) -> String { DeployLock.format(date) }

    /// "d-20261127T145500Z-4242": when and by which process.
    static func makeId(_ date: Date, pid: Int) -> String {
        let text = timestamp(date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        return "d-\(text)-\(pid)"
    }
}
