import Foundation

/// The fallback strategy: an Auto Scaling instance refresh of the live colour (old and new instances serve side by
/// side while it runs, which is what blue-green avoids). Its steps are `RollingMachine`'s.
public struct RollingRefresh: Sendable {
    /// The steps it journals: `deploy` (the build written), `start` (the instance refresh), `wait` (followed).
    public static let steps = ["deploy", "start", "wait"]

    public struct Options: Sendable, Equatable {
        public var version: String?
        public var minHealthyPercentage: Int
        /// Go ahead although the refresh would keep fewer instances in service than the live floor.
        public var force: Bool
        public init(version: String? = nil, minHealthyPercentage: Int = 75, force: Bool = false) {
            self.version = version
            self.minHealthyPercentage = minHealthyPercentage
            self.force = force
        }

        /// The rolling settings of a deploy's options.
        public init(deploy options: DeployOptions) {
            self.init(version: options.version, minHealthyPercentage: options.minHealthyPercentage, force: options.force)
        }
    }

    /// The instance refresh's preferences: `MinHealthyPercentage` as asked, and `MaxHealthyPercentage` as far above
    /// 100 as AWS allows (at most 200, at most the minimum + 100), so that Auto Scaling launches each replacement
    /// before it terminates the instance it replaces: capacity never drops below the minimum's share.
    public struct Preferences: Sendable, Equatable {
        public var minHealthyPercentage: Int
        public var maxHealthyPercentage: Int

        public init(minHealthy: Int) {
            minHealthyPercentage = minHealthy
            maxHealthyPercentage = min(200, minHealthy + 100)
        }

        /// The instances kept in service of a group of `desired` (AWS rounds the minimum's share up).
        public func keptInService(desired: Int) -> Int { (desired * minHealthyPercentage + 99) / 100 }

        /// "at least 2 of 2 in service (MinHealthyPercentage 75, MaxHealthyPercentage 175: new instances launched
        /// before old ones go)".
        public func describe(desired: Int) -> String {
            "at least \(keptInService(desired: desired)) of \(desired) in service (MinHealthyPercentage \(minHealthyPercentage), MaxHealthyPercentage \(maxHealthyPercentage): new instances launched before old ones go)"
        }
    }

    /// The steps of a fresh rolling deploy, as data (the dry run).
    public static func plannedSteps(_ snapshot: EnvironmentSnapshot, options: Options) throws -> [PlannedStep] {
        let env = snapshot.environment
        let (live, group, build) = try preflight(snapshot, options: options)
        var writes = env.parameters.recording(build, for: live)
        if options.version != nil { writes.append(.putParameter(name: env.parameters.version, value: build)) }
        return [
            PlannedStep(name: "deploy", calls: writes.map(\.description)),
            PlannedStep(
                name: "start",
                calls: [Self.startCall(group.name, Preferences(minHealthy: options.minHealthyPercentage))]),
            PlannedStep(name: "wait", wait: "follow the instance refresh until it ends (at most an hour); old and new builds serve side by side meanwhile"),
        ]
    }

    /// The StartInstanceRefresh call, as the dry run prints it.
    static func startCall(_ group: String, _ preferences: Preferences) -> String {
        "AutoScaling StartInstanceRefresh AutoScalingGroupName=\(group) Preferences={MinHealthyPercentage=\(preferences.minHealthyPercentage), MaxHealthyPercentage=\(preferences.maxHealthyPercentage), InstanceWarmup=60}"
    }

    /// The steps left of an unfinished rolling deploy.
    public static func plannedSteps(resuming journal: DeploymentJournal, environment env: EnvironmentConfiguration) -> [PlannedStep] {
        let group = journal.originalGroup(journal.from)?.name ?? "?"
        var writes = env.parameters.recording(journal.version, for: journal.from)
        if journal.setsVersion { writes.append(.putParameter(name: env.parameters.version, value: journal.version)) }
        let deploy = PlannedStep(name: "deploy", calls: writes.map(\.description))
        let start = PlannedStep(
            name: "start",
            calls: [Self.startCall(group, Preferences(minHealthy: journal.minHealthyPercentage ?? 75)) + " (unless one is already running: it is followed)"])
        let follow = PlannedStep(name: "wait", wait: "follow the instance refresh until it ends (at most an hour)")
        switch journal.step {
        case "deploy": return [deploy, start, follow]
        case "start": return [start, follow]
        default: return [follow]
        }
    }

    public let environment: EnvironmentConfiguration
    public let ports: CloudPorts
    public let identity: LockIdentity
    public let interruption: Interruption
    /// The longest a refresh is followed.
    public var limitSeconds: Double = 3600

    public init(
        environment: EnvironmentConfiguration, ports: CloudPorts, identity: LockIdentity = .unknown,
        interruption: Interruption = Interruption()
    ) {
        self.environment = environment
        self.ports = ports
        self.identity = identity
        self.interruption = interruption
    }

    /// What a fresh rolling deploy would do, or why it is refused (nothing changed): the live colour, its group, the
    /// build.
    public static func preflight(_ snapshot: EnvironmentSnapshot, options: Options) throws -> (live: Color, group: ScalingGroupSnapshot, version: String) {
        let env = snapshot.environment
        if let journal = snapshot.status.deployment, journal.isUnfinished { throw journal.refusal(in: env) }
        if let shown = snapshot.status.unreadableJournal { throw DeploymentJournal.unreadableRefusal(shown, in: env) }
        guard let live = snapshot.status.albColor else {
            throw Refusal("The load balancer does not send all of \(env.name)'s traffic to one colour (\(snapshot.status.driftReasons.joined(separator: "; "))). Nothing changed.")
        }
        guard let group = snapshot.groups[env.autoScalingGroupNames[live]] else {
            throw DeploymentError.missingAutoScalingGroup(env.autoScalingGroupNames[live])
        }
        // Capacity never drops below the live floor: replacements are launched first, and the minimum's share of the
        // group stays in service meanwhile — which must be the floor at least.
        let preferences = Preferences(minHealthy: options.minHealthyPercentage)
        let kept = preferences.keptInService(desired: group.desiredCapacity)
        if kept < env.liveFloor && !options.force {
            let needed = min(100, (env.liveFloor * 100 + group.desiredCapacity - 1) / max(1, group.desiredCapacity))
            throw Refusal("A rolling refresh of \(group.name) at --min-healthy-percent \(options.minHealthyPercentage) keeps \(kept) of its \(group.desiredCapacity) instance(s) in service, below \(env.name)'s live floor of \(env.liveFloor). Nothing changed; pass --min-healthy-percent \(needed) (or more), or --force to accept it.")
        }
        return (live, group, try BuildName.toDeploy(options.version, snapshot: snapshot))
    }

    /// A fresh rolling deploy, on the runner (`RollingMachine`).
    public func run(options: Options, progress: @escaping @Sendable (DeployProgress) -> Void = { _ in }) async throws -> StepReport {
        try await run(.fresh(options), progress: progress)
    }

    /// Continues the unfinished rolling deploy in the journal: from `deploy` or `start` it starts the refresh (or
    /// adopts the one already running), from `wait` it follows the recorded refresh.
    public func resume(progress: @escaping @Sendable (DeployProgress) -> Void = { _ in }) async throws -> StepReport {
        try await run(.resume, progress: progress)
    }

    public func run(_ mode: RollingMachine.Mode, progress: @escaping @Sendable (DeployProgress) -> Void = { _ in }) async throws -> StepReport {
        try await DeployRunner(environment: environment, ports: ports, interruption: interruption, progress: progress)
            .run(RollingMachine(environment: environment, mode: mode, identity: identity, limitSeconds: limitSeconds))
    }
}
