import Foundation

/// The blue-green deploy of `environment refresh --strategy blue-green`.
///
/// Steps, each recorded with its duration and journalled in `{prefix}deployment` before it changes anything:
/// 1. `preflight`: resolve everything; refuse (nothing changed) if an unfinished deploy is journalled, the inactive
///    colour already has capacity, SSM and the load balancer disagree (unless forced), or a watched alarm is missing.
/// 2. `protect`: the live colour's min is raised to its desired size, so it cannot shrink but can still grow.
/// 3. `clear` (only when forced onto a colour that has instances): scale it to 0 and wait until its instances are
///    gone — they may run another build, and every instance of the deployed colour must run the deployed one.
/// 3. `deploy`: write the inactive colour's `{color}/version` (and `version` when given) before it boots.
/// 4. `scale`: pin the inactive colour at the capacity (min = desired = max).
/// 5. `health gate`: wait until every new instance is `InService` and healthy — by the load balancer's target
///    health when a listener or rule uses the group, else by an HTTP check of each instance — and has stayed so for
///    `health.stable`, within one timeout, polling at most `pollSeconds` apart and backing off after failed reads.
/// 6. `switch`: every route at once, read back, then SSM (see `SwitchRunner`).
/// 7. `bake`: watch the new colour's target health and the configured alarms; on a failure switch back to the warm
///    old colour (`rollback`) and undo.
/// 8. `finalize`: the new live colour gets min = max(1, minimum) and its original max; the old colour's min goes to
///    0 but it keeps running, warm for rollback.
public struct BlueGreenRefresh: Sendable {
    public typealias Options = DeployOptions

    /// What a deploy will do, worked out in preflight (or from the journal when resuming).
    public struct Plan: Sendable, Equatable {
        public var live: Color
        public var target: Color
        public var version: String
        public var capacity: Int
        /// The groups as they were before the deploy.
        public var liveGroup: ScalingGroupSnapshot
        public var targetGroup: ScalingGroupSnapshot
        /// Whether the load balancer health-checks the target group (a rule uses it); otherwise HTTP checks.
        public var targetGroupInUse: Bool
        public var targetGroupArn: String

        /// Whether the colour deployed to already has instances (a forced deploy): they may run another build, so
        /// the `clear` step scales it to 0 before the new build is written and the colour started afresh.
        public var clearsTarget: Bool { targetGroup.desiredCapacity > 0 || !targetGroup.instances.isEmpty }
    }

    public let environment: EnvironmentConfiguration
    public let ports: CloudPorts
    public let identity: LockIdentity
    public let interruption: Interruption

    public init(
        environment: EnvironmentConfiguration, ports: CloudPorts, identity: LockIdentity = .unknown,
        interruption: Interruption = Interruption()
    ) {
        self.environment = environment
        self.ports = ports
        self.identity = identity
        self.interruption = interruption
    }

    public var reader: EnvironmentStatusReader { ports.statusReader(for: environment) }
    var clock: any WallClock { ports.clock }

    // MARK: - Preflight

    public static func plan(_ snapshot: EnvironmentSnapshot, options: Options) throws -> Plan {
        let env = snapshot.environment
        let status = snapshot.status
        if let journal = status.deployment, journal.isUnfinished { throw journal.refusal(in: env) }
        if let shown = status.unreadableJournal { throw DeploymentJournal.unreadableRefusal(shown, in: env) }
        guard let live = status.albColor ?? (options.force ? status.activeColor : nil) else {
            throw Refusal("The load balancer does not send all of \(env.name)'s traffic to one colour (\(status.driftReasons.joined(separator: "; "))). Nothing changed; fix it with '\(env.command("environment switch --to COLOR"))'.")
        }
        if status.drift && !options.force {
            throw Refusal("\(env.name) has drift: \(status.driftReasons.joined(separator: "; ")). Nothing changed; fix it (environment switch) or pass --force.")
        }
        let (target, liveGroup, targetGroup) = try DeployPreflight.colours(snapshot, live: live, options: options)
        guard let targetTG = snapshot.targetGroups[env.targetGroupNames[target]] else {
            throw DeploymentError.missingTargetGroup(env.targetGroupNames[target])
        }
        if !options.force && (targetGroup.desiredCapacity > 0 || !targetGroup.instances.isEmpty) {
            throw Refusal("The inactive colour \(target.rawValue) (\(targetGroup.name)) already has capacity (desired \(targetGroup.desiredCapacity), \(targetGroup.instances.count) instance(s)). Nothing changed; run '\(env.command("environment cleanup"))' first, or pass --force.")
        }
        let version = try BuildName.toDeploy(options.version, snapshot: snapshot)
        try DeployPreflight.checkBakeAlarms(env, target: target, status: status, bakeSeconds: options.bakeSeconds ?? env.bakeSeconds)
        let capacity = try DeployPreflight.capacity(options, liveGroup: liveGroup, env: env)
        return Plan(
            live: live, target: target, version: version, capacity: capacity, liveGroup: liveGroup, targetGroup: targetGroup,
            targetGroupInUse: snapshot.isInUse(targetTG), targetGroupArn: targetTG.arn)
    }

    // MARK: - Running

    /// A fresh deploy; see `run(_:progress:)`.
    public func run(options: Options, progress: @escaping @Sendable (DeployProgress) -> Void = { _ in }) async throws -> StepReport {
        try await run(.fresh(options), progress: progress)
    }

    /// Runs a blue-green, canary or linear deploy (`BlueGreenMachine`) on the runner.
    public func run(_ mode: BlueGreenMachine.Mode, progress: @escaping @Sendable (DeployProgress) -> Void = { _ in }) async throws -> StepReport {
        try await DeployRunner(environment: environment, ports: ports, interruption: interruption, progress: progress)
            .run(BlueGreenMachine(environment: environment, mode: mode, identity: identity))
    }
}

extension BlueGreenRefresh.Plan {
    /// The plan of a journalled deploy, with the groups' original settings.
    public init?(journal: DeploymentJournal, snapshot: EnvironmentSnapshot) {
        guard let from = journal.originalGroup(journal.from), let to = journal.originalGroup(journal.to) else { return nil }
        func group(_ settings: DeploymentJournal.GroupSettings) -> ScalingGroupSnapshot {
            let current = snapshot.groups[settings.name]
            return ScalingGroupSnapshot(
                name: settings.name, minSize: settings.min, desiredCapacity: settings.desired, maxSize: settings.max,
                instances: current?.instances ?? [], targetGroupArns: current?.targetGroupArns ?? [], tags: current?.tags ?? [:])
        }
        let targetGroupName = snapshot.environment.targetGroupNames[journal.to]
        self.init(
            live: journal.from, target: journal.to, version: journal.version, capacity: journal.capacity, liveGroup: group(from),
            targetGroup: group(to), targetGroupInUse: snapshot.targetGroups[targetGroupName].map(snapshot.isInUse) ?? false,
            targetGroupArn: journal.targetGroupArn)
    }
}

extension BlueGreenRefresh {
    /// The changes a phase makes, used by the state machine and by `--dry-run` alike.
    /// - protect: the live colour's min up to its desired size;
    /// - deploy: the inactive colour's version (and `version` when given);
    /// - scale: the inactive colour pinned at the capacity;
    /// - finalize: the new live colour gets min = max(1, minimum) and its original max (at least the capacity); the
    ///   old colour's min goes to 0 while it keeps running.
    public static func mutations(
        for phase: BlueGreenMachine.Phase, plan: Plan, environment env: EnvironmentConfiguration, options: Options
    ) -> [Mutation] {
        switch phase {
        case .protect:
            let group = plan.liveGroup
            return group.minSize < group.desiredCapacity
                ? [.resizeGroup(name: group.name, minSize: group.desiredCapacity, desiredCapacity: nil, maxSize: nil)] : []
        case .clear:
            return [.resizeGroup(name: plan.targetGroup.name, minSize: 0, desiredCapacity: 0, maxSize: nil)]
        case .deploy:
            var mutations = env.parameters.recording(plan.version, for: plan.target)
            if options.version != nil { mutations.append(.putParameter(name: env.parameters.version, value: plan.version)) }
            return mutations
        case .scale:
            return [.resizeGroup(name: plan.targetGroup.name, minSize: plan.capacity, desiredCapacity: plan.capacity, maxSize: plan.capacity)]
        case .finalize:
            // (A forced deploy below the floor is raised to it now that it serves.)
            return [
                .resizeGroup(
                    name: plan.targetGroup.name, minSize: env.liveFloor, desiredCapacity: plan.capacity < env.liveFloor ? env.liveFloor : nil,
                    maxSize: max(plan.targetGroup.maxSize, plan.capacity, env.liveFloor)),
                .resizeGroup(name: plan.liveGroup.name, minSize: 0, desiredCapacity: nil, maxSize: nil),
            ]
        case .preflight, .healthGate, .switchTraffic, .bake, .rollback, .done, .shift, .stepBake, .abort, .approval:
            return []
        }
    }
}
