import Foundation

/// Instance switching in one target group (`InstanceSwitch`, `InstanceSwitchMachine`).
public enum InstanceSwitchStrategy: Strategy {
    public static func preflight(_ snapshot: EnvironmentSnapshot, options: DeployOptions) throws {
        _ = try InstanceSwitch.plan(snapshot, options: options)
    }

    public static func plannedSteps(_ snapshot: EnvironmentSnapshot, options: DeployOptions) throws -> [PlannedStep] {
        try InstanceSwitch.plannedSteps(snapshot, options: options)
    }

    public static func plannedSteps(resuming journal: DeploymentJournal, snapshot: EnvironmentSnapshot) throws -> [PlannedStep] {
        guard let step = InstanceSwitch.Phase(rawValue: journal.step) else {
            throw Refusal("The journal's step '\(journal.step)' cannot be resumed. Nothing changed; run '\(snapshot.environment.command("environment recover"))'.")
        }
        // Every step is idempotent: a resume runs the journal's step again, then the rest.
        return (step == .rollback ? [.rollback] : InstanceSwitch.Phase.flow.filter { $0 >= step }).map {
            PlannedStep(name: $0.rawValue, calls: [], wait: $0 == step ? "run again from a fresh read (every step is idempotent)" : nil)
        }
    }

    public static func machine(environment: EnvironmentConfiguration, options: DeployOptions?, identity: LockIdentity) -> InstanceSwitchMachine {
        InstanceSwitchMachine(environment: environment, mode: options.map { .fresh($0) } ?? .resume, identity: identity)
    }

    public static func resumeProblem(_ journal: DeploymentJournal, snapshot: EnvironmentSnapshot) -> String? {
        guard InstanceSwitch.Phase(rawValue: journal.step) != nil else { return "the step '\(journal.step)' is not one of this strategy's" }
        guard snapshot.environment.sharesOneTargetGroup else { return "the environment no longer has one target group" }
        guard let arn = snapshot.targetGroups[snapshot.environment.targetGroupNames.blue]?.arn, arn == journal.targetGroupArn else {
            return "the target group is not the journal's \(journal.targetGroupArn)"
        }
        return nil
    }

    /// Launch, registration and the gate (a timeout each), a pause with `--approve`, the drain, the bake as watched
    /// (and a minute's grace without a reading), and the way back: the old colour's gate and its drain.
    public static func longestWait(_ environment: EnvironmentConfiguration, options: DeployOptions, drainSeconds: Double) -> Double {
        let timeout = Double(environment.health.timeoutSeconds)
        let bake = Double(environment.watchSeconds(options.bakeSeconds ?? environment.bakeSeconds))
        let approval = options.approval.map { Double($0.timeoutSeconds) } ?? 0
        return 3 * timeout + approval + drainSeconds + (bake + 60) + (timeout + drainSeconds)
    }

    /// Instance switching keeps every route on its one target group: targets drain for the deregistration delay instead.
    public static func mayHaveMovedRoutes(_ journal: DeploymentJournal) -> Bool { false }

    /// Before the hand-over (`deregister`) the old colour never stopped serving: the new instances are deregistered
    /// and everything is put back as the journal found it. From the hand-over on the deploy is finished: the new
    /// colour's group attached, the old one's detached and its instances deregistered, SSM, the final sizes.
    public static func recoveryPlan(
        _ journal: DeploymentJournal, snapshot: EnvironmentSnapshot, now: Date, by: String, refresh: InstanceRefreshStatus?
    ) throws -> Recovery.Plan {
        let env = snapshot.environment
        guard let step = InstanceSwitch.Phase(rawValue: journal.step) else {
            throw Refusal("The journal \(journal.id) is at '\(journal.step)', not a step of instance switching. Nothing changed.")
        }
        let arn = journal.targetGroupArn
        let targets = snapshot.targetHealth[arn] ?? []
        func registered(_ color: Color) -> [String] {
            let ids = Set(snapshot.groups[env.autoScalingGroupNames[color]]?.instances.map(\.id) ?? [])
            return targets.filter { ids.contains($0.id) && $0.state != .draining }.map(\.id)
        }
        func attached(_ color: Color) -> Bool { snapshot.groups[env.autoScalingGroupNames[color]]?.targetGroupArns.contains(arn) == true }
        // A colour leaves the group: detaching its group deregisters its instances; one not attached has them
        // deregistered one by one (in batches).
        func leave(_ color: Color) -> [Mutation] {
            attached(color)
                ? [.detachTargetGroup(group: env.autoScalingGroupNames[color], targetGroupArn: arn)] : Mutation.deregister(registered(color), from: arn)
        }
        var mutations: [Mutation] = []
        let summary: String
        let newServesAlone = registered(journal.from).isEmpty && !registered(journal.to).isEmpty
        let oldRunning = snapshot.groups[env.autoScalingGroupNames[journal.from]]?.instances.filter { $0.lifecycleState == .inService }.count ?? 0
        // The way back, as the deploy takes it: the old colour's instances registered again and gated before they take
        // the group back, which a one-shot plan cannot wait for.
        func wayBack(_ why: String) -> Recovery.Plan {
            var back = journal
            back.step = InstanceSwitch.Phase.rollback.rawValue
            back.note = why
            let summary = "\(why): \(journal.from.rawValue)'s instances are registered again, gated and take \(env.targetGroupNames.blue) back, then \(journal.to.rawValue) leaves it and goes back to its original size (the deploy's own way back)"
            return Recovery.Plan(summary: summary, mutations: [], journal: nil, continuation: back)
        }
        if step == .rollback {
            // A failed bake's way back: finished here at once when the old colour's instances are registered and healthy
            // again; otherwise the deploy's own way back registers them and waits.
            let fromIds = Set(registered(journal.from))
            let healthy = targets.filter { fromIds.contains($0.id) && $0.state == .healthy }.count
            guard !fromIds.isEmpty, healthy == fromIds.count else {
                guard oldRunning > 0 else {
                    throw Refusal("The deploy \(journal.id) was rolling back (\(journal.note ?? "its bake failed")) but no instance of \(journal.from.rawValue) is in service to take \(env.targetGroupNames.blue) back. Nothing changed; check '\(env.command("environment status"))'.")
                }
                return wayBack(journal.note ?? "its bake failed")
            }
            mutations.append(.attachTargetGroup(group: env.autoScalingGroupNames[journal.from], targetGroupArn: arn))
            mutations += leave(journal.to)
            let names = env.parameters
            if snapshot.values[names.activeColor] != journal.from.rawValue { mutations.append(.putParameter(name: names.activeColor, value: journal.from.rawValue)) }
            if let original = journal.originalGroup(journal.to) {
                mutations.append(.resizeGroup(name: original.name, minSize: original.min, desiredCapacity: original.desired, maxSize: original.max))
            }
            if let original = journal.originalGroup(journal.from) {
                mutations.append(.resizeGroup(name: original.name, minSize: max(original.min, env.liveFloor), desiredCapacity: nil, maxSize: nil))
            }
            mutations += Recovery.restoredValues(journal, snapshot)
            summary = "\(journal.from.rawValue) serves again, as before the deploy \(journal.id) (its bake failed); \(journal.to.rawValue) is out of the group and back to its original size"
        } else if step >= .deregister && step < .finalize && journal.bakeSeconds > 0 && journal.switchOnly != true && oldRunning >= env.liveFloor {
            // The hand-over happened but the bake never passed: the new build is not proven, the old colour still runs.
            return wayBack("the bake of \(journal.version) never passed (stopped at '\(journal.step)')")
        } else if step >= .deregister || newServesAlone {
            if !attached(journal.to) { mutations.append(.attachTargetGroup(group: env.autoScalingGroupNames[journal.to], targetGroupArn: arn)) }
            mutations += leave(journal.from)
            let names = env.parameters
            if snapshot.values[names.activeColor] != journal.to.rawValue { mutations.append(.putParameter(name: names.activeColor, value: journal.to.rawValue)) }
            if snapshot.values[names.activeTargetGroupArn] != arn { mutations.append(.putParameter(name: names.activeTargetGroupArn, value: arn)) }
            mutations += names.booting(journal.version, current: names.bootObject.flatMap { snapshot.values[$0] })
            let max = Swift.max(journal.originalGroup(journal.to)?.max ?? journal.capacity, journal.capacity)
            mutations += InstanceSwitch.finalize(env, journal.to, journal.from, targetMax: max)
            summary = "\(journal.to.rawValue) (\(journal.version)) serves alone: the deploy \(journal.id) is finished; \(journal.from.rawValue) is out of the group, kept warm"
        } else {
            if registered(journal.from).isEmpty {
                throw Refusal("The deploy \(journal.id) stopped at '\(journal.step)' but no instance of \(journal.from.rawValue) is registered in \(env.targetGroupNames.blue) any more. Nothing changed; check '\(env.command("environment status"))'.")
            }
            mutations += leave(journal.to)
            if let original = journal.originalGroup(journal.to) {
                mutations.append(.resizeGroup(name: original.name, minSize: original.min, desiredCapacity: original.desired, maxSize: original.max))
            }
            if let original = journal.originalGroup(journal.from), snapshot.groups[original.name]?.minSize != original.min {
                mutations.append(.resizeGroup(name: original.name, minSize: original.min, desiredCapacity: nil, maxSize: nil))
            }
            mutations += Recovery.restoredValues(journal, snapshot)
            summary = "\(journal.from.rawValue) serves as before the deploy \(journal.id); \(journal.to.rawValue)'s instances are out of the group and it is back to its original size"
        }
        return Recovery.Plan(summary: summary, mutations: mutations, journal: Recovery.recovered(journal, by: by, now: now, summary: summary))
    }
}
