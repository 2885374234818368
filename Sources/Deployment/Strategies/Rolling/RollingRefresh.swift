import Foundation

/// The fallback strategy: an Auto Scaling instance refresh of the live colour (old and new instances serve side by
/// side while it runs, which is what blue-green avoids). Its steps are `RollingMachine`'s.
public struct RollingRefresh: Sendable {
    /// The steps it journals: `deploy` (the build written), `start` (the instance refresh), `wait` (followed).
    public static let steps = ["deploy", "start", "wait"]

    public struct Options: Sendable, Equatable {
        public var version: String?
        public var minHealthyPercentage: Int
        public init(version: String? = nil, minHealthyPercentage: Int = 75) {
            self.version = version
            self.minHealthyPercentage = minHealthyPercentage
        }

        /// The rolling settings of a deploy's options.
        public init(deploy options: DeployOptions) {
            self.init(version: options.version, minHealthyPercentage: options.minHealthyPercentage)
        }
    }

    /// The steps of a fresh rolling deploy, as data (the dry run).
    public static func plannedSteps(_ snapshot: EnvironmentSnapshot, options: Options) throws -> [PlannedStep] {
        let env = snapshot.environment
        let (live, group, build) = try preflight(snapshot, options: options)
        var writes = [Mutation.putParameter(name: env.parameters.version(of: live), value: build)]
        if options.version != nil { writes.append(.putParameter(name: env.parameters.version, value: build)) }
        return [
            PlannedStep(name: "deploy", calls: writes.map(\.description)),
            PlannedStep(
                name: "start",
                calls: ["AutoScaling StartInstanceRefresh AutoScalingGroupName=\(group.name) Preferences={MinHealthyPercentage=\(options.minHealthyPercentage), InstanceWarmup=60}"]),
            PlannedStep(name: "wait", wait: "follow the instance refresh until it ends (at most an hour); old and new builds serve side by side meanwhile"),
        ]
    }

    /// The steps left of an unfinished rolling deploy.
    public static func plannedSteps(resuming journal: DeploymentJournal, environment env: EnvironmentConfiguration) -> [PlannedStep] {
        let group = journal.originalGroup(journal.from)?.name ?? "?"
        var writes = [Mutation.putParameter(name: env.parameters.version(of: journal.from), value: journal.version)]
        if journal.setsVersion { writes.append(.putParameter(name: env.parameters.version, value: journal.version)) }
        let deploy = PlannedStep(name: "deploy", calls: writes.map(\.description))
        let start = PlannedStep(
            name: "start",
            calls: ["AutoScaling StartInstanceRefresh AutoScalingGroupName=\(group) Preferences={MinHealthyPercentage=\(journal.minHealthyPercentage ?? 75), InstanceWarmup=60} (unless one is already running: it is followed)"])
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
