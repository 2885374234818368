import Foundation

/// Instance switching (`strategy: instances`): the design document's recommended way for an environment that keeps
/// one target group. The two colours' Auto Scaling groups are not attached to the group while they stand by; a
/// deploy moves *instances*, not routes.
///
/// Steps, each journalled in `{prefix}deployment` before its changes:
/// 1. `preflight`: the serving colour is the one whose instances are registered; refuse (nothing changed) on an
///    unfinished deploy, drift (both colours registered, SSM disagreeing), an idle colour with capacity.
/// 2. `protect`: the serving colour's min is raised to its desired size; the idle colour's group is detached from
///    the target group if it was attached (a standing-by colour is never in the group).
/// 3. `deploy`: the idle colour's `{color}/version` (and `version` when given).
/// 4. `scale`: the idle colour pinned at the capacity (min = desired = max).
/// 5. `launch`: wait until that many of its instances are `InService` (nothing registered yet: no traffic).
/// 5a. `approval` (`--approve` only): wait for `environment promote` (go on) or `environment abort` (undo).
/// 6. `register`: its instances into the group, in batches of 20, the batches concurrently.
/// 7. `health gate`: wait until every new target is `healthy` (the group is in use, so the load balancer checks
///    them) and stays so for `health.stable`. From the first healthy new target both builds serve: the overlap.
/// 8. `deregister`: the new colour's group is attached to the target group (its scale-outs and replacements
///    register themselves from now on), the old colour's detached, and the old instances deregistered in batches,
///    concurrently; then SSM `active-color` and `active-target-group-arn`.
/// 9. `drain`: wait out the group's deregistration delay (read from its attributes): in-flight requests finish on
///    the old build, which takes no new ones. The overlap window ends here.
/// 10. `finalize`: the new colour's min to the live floor and its original max; the old colour's min to 0, kept warm.
///
/// A failure before `deregister` deregisters the new instances (if any were registered) and undoes the sizes and
/// versions: the old colour never stopped serving. `environment recover` does the same from the journal, or finishes
/// the deploy when the journal is at `deregister` or later.
public enum InstanceSwitch {
    /// The journalled steps, in order; `rollback` only after a failed bake.
    public enum Phase: String, Sendable, CaseIterable {
        case protect, deploy, scale, launch
        /// `--approve`: the new instances run, none registered; waiting for `environment promote` / `abort`.
        case approval
        case register, healthGate = "health gate", deregister, drain, bake, finalize, rollback

        /// The steps of a deploy that succeeds without a pause (the dry run's, the crash points').
        public static let flow: [Phase] = allCases.filter { $0 != .rollback && $0 != .approval }
    }

    /// What a deploy will do, worked out in preflight.
    public struct Plan: Sendable, Equatable {
        public var live: Color
        public var target: Color
        public var version: String
        public var capacity: Int
        public var liveGroup: ScalingGroupSnapshot
        public var targetGroup: ScalingGroupSnapshot
        public var targetGroupArn: String
        /// The old colour's instances registered in the group now.
        public var liveTargets: [String]
        /// Whether the idle colour's group is attached to the target group (it is detached at `protect`).
        public var targetAttached: Bool
        /// Whether the serving colour's group is attached to the target group (detaching it deregisters its instances).
        public var liveAttached: Bool
    }

    /// Refuses (nothing changed) or plans a fresh deploy.
    public static func plan(_ snapshot: EnvironmentSnapshot, options: DeployOptions) throws -> Plan {
        let env = snapshot.environment
        let status = snapshot.status
        guard env.sharesOneTargetGroup else {
            throw Refusal("\(env.name) has a target group per colour (\(env.targetGroupNames.blue), \(env.targetGroupNames.green)); instance switching moves instances within one group. Nothing changed; use --strategy blue-green, or give the environment 'targetGroup:' and 'strategy: instances' in the config.")
        }
        if let journal = status.deployment, journal.isUnfinished { throw journal.refusal(in: env) }
        if let shown = status.unreadableJournal { throw DeploymentJournal.unreadableRefusal(shown, in: env) }
        guard let group = snapshot.targetGroups[env.targetGroupNames.blue] else {
            throw DeploymentError.missingTargetGroup(env.targetGroupNames.blue)
        }
        guard let live = status.albColor ?? (options.force ? status.activeColor : nil) else {
            throw Refusal("No single colour's instances serve \(env.name) (\(status.driftReasons.joined(separator: "; "))). Nothing changed; run '\(env.command("environment recover"))' to settle it.")
        }
        if status.drift && !options.force {
            throw Refusal("\(env.name) has drift: \(status.driftReasons.joined(separator: "; ")). Nothing changed; fix it or pass --force.")
        }
        let (target, liveGroup, targetGroup) = try DeployPreflight.colours(snapshot, live: live, options: options)
        if targetGroup.desiredCapacity > 0 || !targetGroup.instances.isEmpty {
            throw Refusal("The inactive colour \(target.rawValue) (\(targetGroup.name)) already has capacity (desired \(targetGroup.desiredCapacity), \(targetGroup.instances.count) instance(s)). Nothing changed; run '\(env.command("environment cleanup"))' first.")
        }
        let version = try BuildName.toDeploy(options.version, snapshot: snapshot)
        try DeployPreflight.checkBakeAlarms(env, target: target, status: status, bakeSeconds: options.bakeSeconds ?? env.bakeSeconds)
        let capacity = try DeployPreflight.capacity(options, liveGroup: liveGroup, env: env)
        let liveIds = Set(liveGroup.instances.map(\.id))
        let liveTargets = (snapshot.targetHealth[group.arn] ?? []).filter { liveIds.contains($0.id) && $0.state != .draining }.map(\.id)
        return Plan(
            live: live, target: target, version: version, capacity: capacity, liveGroup: liveGroup, targetGroup: targetGroup,
            targetGroupArn: group.arn, liveTargets: liveTargets, targetAttached: targetGroup.targetGroupArns.contains(group.arn),
            liveAttached: liveGroup.targetGroupArns.contains(group.arn))
    }

    /// A switch (or rollback) to `target`'s running instances: they are registered, gated on target health, and the
    /// serving colour's deregistered — the steps of a deploy from `register` on.
    public static func switchPlan(_ snapshot: EnvironmentSnapshot, to target: Color, from expected: Color? = nil, force: Bool) throws -> Plan {
        let env = snapshot.environment
        let status = snapshot.status
        if let journal = status.deployment, journal.isUnfinished { throw journal.refusal(in: env) }
        if let shown = status.unreadableJournal { throw DeploymentJournal.unreadableRefusal(shown, in: env) }
        guard let group = snapshot.targetGroups[env.targetGroupNames.blue] else { throw DeploymentError.missingTargetGroup(env.targetGroupNames.blue) }
        guard let live = status.albColor ?? (force ? target.other : nil) else {
            throw Refusal("No single colour's instances serve \(env.name) (\(status.driftReasons.joined(separator: "; "))). Nothing changed; run '\(env.command("environment recover"))' to settle it, or pass --force to switch to \(target.rawValue) anyway.")
        }
        if let expected, expected != live {
            throw Refusal("--from \(expected.rawValue), but \(live.rawValue) serves \(env.name). Nothing changed.")
        }
        guard live != target else { throw Refusal("\(target.rawValue) already serves \(env.name): its instances are the ones registered in \(group.name). Nothing changed.") }
        if !force, let refusal = TrafficSwitch.unprovenTarget(target, status: status, environment: env) { throw refusal }
        guard let liveGroup = snapshot.groups[env.autoScalingGroupNames[live]] else { throw DeploymentError.missingAutoScalingGroup(env.autoScalingGroupNames[live]) }
        guard let targetGroup = snapshot.groups[env.autoScalingGroupNames[target]] else { throw DeploymentError.missingAutoScalingGroup(env.autoScalingGroupNames[target]) }
        let running = targetGroup.instances.filter { $0.lifecycleState == .inService }.count
        if running < env.liveFloor && !(force && running > 0) {
            throw Refusal("\(target.rawValue) (\(targetGroup.name)) has \(running) instance(s) in service, below \(env.name)'s live floor of \(env.liveFloor): there is nothing warm to switch to. Nothing changed; deploy with '\(env.command("environment refresh --version VERSION"))'\(running > 0 ? ", or pass --force" : "").")
        }
        let liveIds = Set(liveGroup.instances.map(\.id))
        let liveTargets = (snapshot.targetHealth[group.arn] ?? []).filter { liveIds.contains($0.id) && $0.state != .draining }.map(\.id)
        return Plan(
            live: live, target: target, version: snapshot.values[env.parameters.version(of: target)] ?? "-", capacity: running,
            liveGroup: liveGroup, targetGroup: targetGroup, targetGroupArn: group.arn, liveTargets: liveTargets,
            targetAttached: targetGroup.targetGroupArns.contains(group.arn), liveAttached: liveGroup.targetGroupArns.contains(group.arn))
    }

    /// The steps of a switch to the warm colour, with their calls.
    public static func plannedSwitchSteps(_ snapshot: EnvironmentSnapshot, plan: Plan) -> [PlannedStep] {
        let ids = plan.targetGroup.instances.filter { $0.lifecycleState == .inService }.map(\.id)
        return [
            PlannedStep(name: Phase.protect.rawValue, calls: protect(plan)),
            PlannedStep(name: Phase.register.rawValue, calls: Mutation.register(ids, in: plan.targetGroupArn)),
            PlannedStep(
                name: Phase.healthGate.rawValue, calls: [Mutation](),
                then: "wait until every one is healthy in the group for \(snapshot.environment.health.stableSeconds) s; on a failure they are deregistered — \(plan.live.rawValue) never stops serving"),
        ] + stepsFromHandOver(snapshot.environment, plan, bakeSeconds: 0, switchOnly: true)
    }

    /// The steps from the hand-over on, the same for a deploy and a switch (which does not bake).
    /// - Parameter switchOnly: a switch to the warm colour, which writes no build: a shared boot object is set at the
    ///   hand-over (a deploy set it at its `deploy` step).
    static func stepsFromHandOver(_ env: EnvironmentConfiguration, _ plan: Plan, bakeSeconds: Int, switchOnly: Bool = false) -> [PlannedStep] {
        let names = env.parameters
        var steps = [
            PlannedStep(
                name: Phase.deregister.rawValue,
                calls: handOver(
                    to: plan.targetGroup.name, from: plan.liveGroup.name, liveTargets: plan.liveTargets, liveAttached: plan.liveAttached,
                    targetGroupArn: plan.targetGroupArn) + [
                    .putParameter(name: names.activeColor, value: plan.target.rawValue),
                    .putParameter(name: names.activeTargetGroupArn, value: plan.targetGroupArn),
                ] + (switchOnly ? names.booting(plan.version) : [])),
            PlannedStep(
                name: Phase.drain.rawValue, calls: [Mutation](),
                then: "wait out the group's deregistration delay (its attribute): the old instances finish their requests and take no new ones"),
        ]
        if bakeSeconds > 0 { steps.append(PlannedStep(name: Phase.bake.rawValue, calls: [Mutation](), then: bakeText(env, plan, seconds: bakeSeconds))) }
        steps.append(PlannedStep(name: Phase.finalize.rawValue, calls: finalize(env, plan.target, plan.live, targetMax: max(plan.targetGroup.maxSize, plan.capacity))))
        return steps
    }

    /// The changes of `protect`: the live colour cannot shrink; the idle colour is out of the group.
    static func protect(_ plan: Plan) -> [Mutation] {
        var changes: [Mutation] = []
        if plan.liveGroup.minSize < plan.liveGroup.desiredCapacity {
            changes.append(.resizeGroup(name: plan.liveGroup.name, minSize: plan.liveGroup.desiredCapacity, desiredCapacity: nil, maxSize: nil))
        }
        if plan.targetAttached { changes.append(.detachTargetGroup(group: plan.targetGroup.name, targetGroupArn: plan.targetGroupArn)) }
        return changes
    }

    /// The changes of `deregister` that precede SSM, made concurrently: the new colour's group takes over the target
    /// group; the old colour's leaves it — detaching a group deregisters its instances, so they are deregistered one by
    /// one (in batches) only when it was not attached (a layout whose instances were registered by hand).
    static func handOver(to target: String, from live: String, liveTargets: [String], liveAttached: Bool, targetGroupArn: String) -> [Mutation] {
        [.attachTargetGroup(group: target, targetGroupArn: targetGroupArn)]
            + (liveAttached ? [.detachTargetGroup(group: live, targetGroupArn: targetGroupArn)] : Mutation.deregister(liveTargets, from: targetGroupArn))
    }

    /// The steps of a fresh deploy, with their calls: the dry run.
    public static func plannedSteps(_ snapshot: EnvironmentSnapshot, options: DeployOptions) throws -> [PlannedStep] {
        let plan = try plan(snapshot, options: options)
        let env = snapshot.environment
        let names = env.parameters
        var versions = names.recording(plan.version, for: plan.target)
        if options.version != nil { versions.append(.putParameter(name: names.version, value: plan.version)) }
        let newIds = (0..<plan.capacity).map { "NEW-\($0 + 1)" }
        return [
            PlannedStep(name: Phase.protect.rawValue, calls: protect(plan)),
            PlannedStep(name: Phase.deploy.rawValue, calls: versions),
            PlannedStep(name: Phase.scale.rawValue, calls: [
                .resizeGroup(name: plan.targetGroup.name, minSize: plan.capacity, desiredCapacity: plan.capacity, maxSize: plan.capacity),
            ]),
            PlannedStep(
                name: Phase.launch.rawValue, calls: [Mutation](),
                then: "wait until \(plan.capacity) instance(s) of \(plan.targetGroup.name) are InService (timeout \(env.health.timeoutSeconds) s); nothing is registered yet, so no traffic reaches them"),
        ] + (options.approval.map { approval in
            [PlannedStep(
                name: Phase.approval.rawValue, calls: [Mutation](),
                then: "pause (nothing registered) until \(env.approvalAnswers()), at most \(approval.timeoutSeconds) s; then \(approval.atTimeout)")]
        } ?? []) + [
            // NEW-n: the instances launched; the calls go concurrently.
            PlannedStep(name: Phase.register.rawValue, calls: Mutation.register(newIds, in: plan.targetGroupArn)),
            PlannedStep(
                name: Phase.healthGate.rawValue, calls: [Mutation](),
                then: "wait until every new target is healthy in the group for \(env.health.stableSeconds) s (timeout \(env.health.timeoutSeconds) s); on a failure the new instances are deregistered and everything undone — \(plan.live.rawValue) never stops serving. Both builds serve from the first healthy new target"),
        ] + stepsFromHandOver(env, plan, bakeSeconds: options.bakeSeconds ?? env.bakeSeconds)
    }

    /// What the bake does, in words.
    static func bakeText(_ env: EnvironmentConfiguration, _ plan: Plan, seconds: Int) -> String {
        guard seconds > 0 else { return "no bake (bake: 0)" }
        let alarms = env.alarmNames(for: plan.target)
        return "watch \(plan.target.rawValue) for \(env.watchSeconds(seconds)) s (target health\(alarms.isEmpty ? "" : ", alarms \(alarms.joined(separator: ", "))")\(env.lengthenedNote(seconds))); on a failure \(plan.live.rawValue)'s instances (still running) are registered again, gated, and \(plan.target.rawValue)'s deregistered (exit 3)"
    }

    /// The sizes after a deploy: the new colour at the live floor and its original max, the old one unpinned, warm.
    static func finalize(_ env: EnvironmentConfiguration, _ target: Color, _ live: Color, targetMax: Int) -> [Mutation] {
        [
            .resizeGroup(name: env.autoScalingGroupNames[target], minSize: env.liveFloor, desiredCapacity: nil, maxSize: targetMax),
            .resizeGroup(name: env.autoScalingGroupNames[live], minSize: 0, desiredCapacity: nil, maxSize: nil),
        ]
    }
}

extension PlannedStep {
    init(name: String, calls: [Mutation], then wait: String? = nil) {
        self.init(name: name, calls: calls.map(\.description), wait: wait)
    }
}
