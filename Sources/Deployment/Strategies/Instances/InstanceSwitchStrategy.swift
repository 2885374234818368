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
        if step == .rollback {
            // A failed bake's way back: finished here only once the old colour's instances are registered and
            // healthy again; waiting for that is the deploy's own job.
            let fromIds = Set(registered(journal.from))
            let healthy = targets.filter { fromIds.contains($0.id) && $0.state == .healthy }.count
            guard !fromIds.isEmpty, healthy == fromIds.count else {
                throw Refusal("The deploy \(journal.id) was rolling back (\(journal.note ?? "its bake failed")) and \(journal.from.rawValue)'s instances are not all registered and healthy yet. Nothing changed; run '\(env.command("environment refresh --resume"))' to finish the way back (it registers them and waits), then recover if needed.")
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
        } else if step >= .deregister || newServesAlone {
            if !attached(journal.to) { mutations.append(.attachTargetGroup(group: env.autoScalingGroupNames[journal.to], targetGroupArn: arn)) }
            mutations += leave(journal.from)
            let names = env.parameters
            if snapshot.values[names.activeColor] != journal.to.rawValue { mutations.append(.putParameter(name: names.activeColor, value: journal.to.rawValue)) }
            if snapshot.values[names.activeTargetGroupArn] != arn { mutations.append(.putParameter(name: names.activeTargetGroupArn, value: arn)) }
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
