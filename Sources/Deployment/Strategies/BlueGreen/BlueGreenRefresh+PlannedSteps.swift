/// One step of a deploy as data: the journal write that opens it, the AWS calls it makes, and what it then waits
/// for. The one description of a deploy's steps, for `--dry-run` and for tests.
public struct PlannedStep: Sendable, Equatable {
    /// The journal's step name.
    public var name: String
    /// The AWS calls, in order (route changes run concurrently).
    public var calls: [String]
    /// What the step then waits for, in words; `nil` when it only makes its calls.
    public var wait: String?

    public init(name: String, calls: [String] = [], wait: String? = nil) {
        self.name = name
        self.calls = calls
        self.wait = wait
    }
}

extension BlueGreenRefresh {
    /// The steps a blue-green, canary or linear deploy takes from `snapshot`, each with its calls — from the start,
    /// or from `resumeAt` (the journal's step) for a resumed deploy.
    public static func plannedSteps(
        _ snapshot: EnvironmentSnapshot, plan: Plan, options: Options, resumeAt: BlueGreenMachine.Phase? = nil, resumeStep: Int = 0
    ) throws -> [PlannedStep] {
        let env = snapshot.environment
        let strategy = DeployStrategy(rawValue: options.strategyName) ?? .blueGreen
        var phases = strategy.journalledSteps.compactMap(BlueGreenMachine.Phase.init(rawValue:))
        if !plan.clearsTarget { phases.removeAll { $0 == .clear } }
        var firstTrafficStep = 0
        if let resumeAt {
            let next: BlueGreenMachine.Phase = options.traffic.map { resumeStep >= $0.percentages.count - 1 ? .switchTraffic : .shift } ?? .switchTraffic
            let from: BlueGreenMachine.Phase = resumeAt == .rollback ? .bake : resumeAt == .abort ? .switchTraffic : resumeAt == .approval ? next : resumeAt
            guard let index = phases.firstIndex(of: from) else { return [] }
            phases = Array(phases[index...])
            firstTrafficStep = resumeStep
        }
        let bakeSeconds = options.bakeSeconds ?? env.bakeSeconds
        let alarms = env.alarmNames(for: plan.target)
        let watched = "target health\(alarms.isEmpty ? "" : ", alarms \(alarms.joined(separator: ", "))")"
        var steps: [PlannedStep] = []
        /// `--approve`: the pause before traffic moves, `percent` being the new colour's share meanwhile.
        func approval(_ percent: Int) {
            guard let approval = options.approval else { return }
            steps.append(.init(
                name: BlueGreenMachine.Phase.approval.rawValue,
                wait: "pause (\(plan.target.rawValue) at \(percent)%) until \(env.approvalAnswers()), at most \(approval.timeoutSeconds) s; then \(approval.atTimeout)"))
        }
        for phase in phases {
            switch phase {
            case .clear:
                steps.append(.init(
                    name: phase.rawValue, calls: mutations(for: phase, plan: plan, environment: env, options: options).map(\.description),
                    wait: "wait until \(plan.targetGroup.name) has no instance left (they may run another build)"))
            case .healthGate:
                steps.append(.init(
                    name: phase.rawValue,
                    wait: "wait for \(plan.capacity) healthy instance(s) of \(plan.target.rawValue) (\(plan.targetGroupInUse ? "load balancer target health" : "HTTP \(env.health.path) on each instance"), stable for \(env.health.stableSeconds) s, timeout \(env.health.timeoutSeconds) s)"))
            case .shift, .stepBake:
                // Each split is a shift and its step bake. A deploy resumed at a step bake first finishes that one.
                guard let traffic = options.traffic, phase == .shift || resumeAt == .stepBake else { continue }
                var index = resumeAt == nil ? 0 : firstTrafficStep
                func stepBake(_ percent: Int) -> PlannedStep {
                    .init(
                        name: BlueGreenMachine.Phase.stepBake.rawValue,
                        wait: "watch \(plan.target.rawValue) at \(percent)% for \(env.watchSeconds(traffic.stepBakeSeconds)) s (\(watched)\(env.lengthenedNote(traffic.stepBakeSeconds))); on a failure, an alarm, a signal or '\(env.command("environment abort"))' all traffic goes back to \(plan.live.rawValue) (exit 3); '\(env.command("environment promote"))' skips the remaining step bakes")
                }
                if phase == .stepBake, traffic.splits.indices.contains(index) {
                    steps.append(stepBake(traffic.splits[index]))
                    index += 1
                }
                while traffic.splits.indices.contains(index) {
                    let percent = traffic.splits[index]
                    approval(index > 0 ? traffic.splits[index - 1] : 0)
                    let calls = try TrafficShift.plan(snapshot, live: plan.live, target: plan.target, percent: percent, stickinessSeconds: traffic.stickinessSeconds)
                    steps.append(.init(name: BlueGreenMachine.Phase.shift.rawValue, calls: calls.map(\.description)))
                    steps.append(stepBake(percent))
                    index += 1
                }
            case .switchTraffic:
                approval(options.traffic?.splits.last ?? 0)
                let calls = try TrafficSwitch(snapshot: snapshot).plan(
                    to: plan.target, force: true, settleCapacity: false, unsticky: options.traffic?.stickinessSeconds != nil
                // A shared boot object already names the new build from the deploy step on: the switch writes none.
                ).filter { $0.parameterName == nil || $0.parameterName != env.parameters.bootObject }
                steps.append(.init(name: phase.rawValue, calls: calls.map(\.description)))
            case .bake:
                guard bakeSeconds > 0 else { continue }
                steps.append(.init(
                    name: phase.rawValue,
                    wait: "watch \(plan.target.rawValue) for \(env.watchSeconds(bakeSeconds)) s (\(watched)\(env.lengthenedNote(bakeSeconds))); on a failure switch back to \(plan.live.rawValue) and undo (exit 3)"))
            case .protect, .deploy, .scale, .finalize:
                steps.append(.init(name: phase.rawValue, calls: mutations(for: phase, plan: plan, environment: env, options: options).map(\.description)))
            case .preflight, .rollback, .abort, .done, .approval:
                continue
            }
        }
        return steps
    }
}
