/// A deploy of any strategy, as the command asks for it: refused from a read before the lock, described for a dry
/// run, or run. Everything strategy-specific comes from the registry (`DeployStrategy.implementation`); neither
/// this nor the command matches on strategies.
public enum Deploy {
    /// A fresh deploy with a strategy, or the continuation of the unfinished one the journal records.
    public enum Request: Sendable, Equatable {
        case fresh(DeployStrategy, DeployOptions)
        case resume(DeploymentJournal)
        /// An environment with one target group (instance switching): `switch` / `rollback` register the warm
        /// colour's running instances, gate on their health, then deregister the serving colour's.
        case switchInstances(to: Color, from: Color?, force: Bool)
    }

    /// The strategy that runs.
    public static func strategy(of request: Request, in environment: EnvironmentConfiguration) throws -> DeployStrategy {
        switch request {
        case .fresh(let strategy, _): return strategy
        case .switchInstances: return .instances
        case .resume(let journal):
            guard let strategy = DeployStrategy(journal: journal) else {
                throw Refusal("The unfinished deployment \(journal.id) is a '\(journal.strategy)' deploy, which this ce does not know. Nothing changed; run '\(environment.command("environment recover"))'.")
            }
            return strategy
        }
    }

    /// Refuses a fresh deploy from `snapshot` (read before the lock), so that a refused deploy never takes it;
    /// everything is checked again under the lock.
    public static func preflight(_ snapshot: EnvironmentSnapshot, _ request: Request) throws {
        switch request {
        case .fresh(let strategy, let options): try strategy.implementation.preflight(snapshot, options: options)
        case .switchInstances(let target, let from, let force): _ = try InstanceSwitch.switchPlan(snapshot, to: target, from: from, force: force)
        case .resume: return
        }
    }

    /// What the deploy will do, a line each, for the operator confirming it: the build (old → new), the colours
    /// and their instance counts, the strategy — or, resuming, the deploy and the steps it has left.
    public static func summary(_ snapshot: EnvironmentSnapshot, _ request: Request) throws -> [String] {
        let env = snapshot.environment
        let strategy = try strategy(of: request, in: env)
        switch request {
        case .resume(let journal):
            return [
                "resume     \(journal.id): \(journal.version), \(journal.from.rawValue) → \(journal.to.rawValue), started by \(journal.by)",
                "steps left \(strategy.stepsLeft(journal).joined(separator: " → "))",
            ]
        case .switchInstances(let target, let from, let force):
            let plan = try InstanceSwitch.switchPlan(snapshot, to: target, from: from, force: force)
            return [
                "build      \(snapshot.values[env.parameters.version(of: plan.live)] ?? "-") → \(plan.version) (the build \(plan.target.rawValue) runs)",
                "colours    \(plan.live.rawValue) serves (\(plan.liveTargets.count) registered) → \(plan.target.rawValue) (\(plan.capacity) warm instance(s)), in \(env.targetGroupNames.blue)",
                "strategy   instances: register \(plan.target.rawValue)'s instances, gate on their health, then deregister \(plan.live.rawValue)'s",
            ]
        case .fresh(_, let options):
            let approval = options.approval.map { settings in
                ["approval   pauses before traffic moves\(options.traffic == nil ? "" : " and before each later step") until 'environment promote' or 'environment abort'; after \(DurationText.of(Double(settings.timeoutSeconds))) it will \(settings.atTimeout)"]
            } ?? []
            return try freshSummary(snapshot, strategy: strategy, options: options) + approval
        }
    }

    /// The summary of a fresh deploy, without its pauses.
    static func freshSummary(_ snapshot: EnvironmentSnapshot, strategy: DeployStrategy, options: DeployOptions) throws -> [String] {
        let env = snapshot.environment
        switch strategy {
        case .blueGreen, .canary, .linear:
            let plan = try BlueGreenRefresh.plan(snapshot, options: options)
            let old = snapshot.values[env.parameters.version(of: plan.live)] ?? "-"
            let bake = options.bakeSeconds ?? env.bakeSeconds
            let moves = options.traffic.map { "\(strategy.rawValue): \($0.description(stepBake: env.watchText($0.stepBakeSeconds)))" } ?? "blue-green: all traffic at once"
            return [
                "build      \(old) → \(plan.version)",
                "colours    \(plan.live.rawValue) serves (\(plan.liveGroup.desiredCapacity) instance(s)) → \(plan.target.rawValue) (\(plan.capacity) instance(s))",
                "strategy   \(moves), then \(bake > 0 ? "a bake of \(env.watchText(bake))" : "no bake")",
            ]
        case .rolling:
            let (live, group, build) = try RollingRefresh.preflight(snapshot, options: .init(deploy: options))
            return [
                "build      \(snapshot.values[env.parameters.version(of: live)] ?? "-") → \(build)",
                "instances  \(group.desiredCapacity) of \(live.rawValue) (\(group.name)) replaced in place, \(RollingRefresh.Preferences(minHealthy: options.minHealthyPercentage).describe(desired: group.desiredCapacity))",
                "strategy   rolling: old and new builds serve side by side while it runs",
            ]
        case .instances:
            let plan = try InstanceSwitch.plan(snapshot, options: options)
            return [
                "build      \(snapshot.values[env.parameters.version(of: plan.live)] ?? "-") → \(plan.version)",
                "colours    \(plan.live.rawValue) serves (\(plan.liveTargets.count) registered) → \(plan.target.rawValue) (\(plan.capacity) instance(s)), in \(env.targetGroupNames.blue)",
                "strategy   instances: register the new instances, gate on their health, deregister the old ones (both builds serve meanwhile)",
            ]
        }
    }

    /// What a dry run shows: a first line for a resumed deploy, and the steps.
    public static func plannedSteps(_ snapshot: EnvironmentSnapshot, _ request: Request) throws -> (resuming: String?, steps: [PlannedStep]) {
        let implementation = try strategy(of: request, in: snapshot.environment).implementation
        switch request {
        case .fresh(_, let options):
            return (nil, try implementation.plannedSteps(snapshot, options: options))
        case .switchInstances(let target, let from, let force):
            let plan = try InstanceSwitch.switchPlan(snapshot, to: target, from: from, force: force)
            return (nil, InstanceSwitch.plannedSwitchSteps(snapshot, plan: plan))
        case .resume(let journal):
            let resuming = "would resume the \(journal.strategy) deploy \(journal.id) (\(journal.version), \(journal.from.rawValue) → \(journal.to.rawValue)) at step '\(journal.step)'"
                + (journal.recordedPercent.map { " (\($0)% on \(journal.to.rawValue))" } ?? "")
                + (journal.refreshId.map { ", following instance refresh \($0)" } ?? "")
            return (resuming, try implementation.plannedSteps(resuming: journal, snapshot: snapshot))
        }
    }

    /// The longest a deploy can run before it ends, in seconds: its strategy's waits (`Strategy.longestWait`), and for
    /// each of its journalled steps three calls retried for as long as `retry` lets one call retry (a journal write, a
    /// change, a read). Finite for every request: a deploy never runs on without end. The soak holds every scenario
    /// to it.
    /// - Parameter drainSeconds: the target group's deregistration delay (instance switching drains it).
    public static func longestRun(
        _ request: Request, environment: EnvironmentConfiguration, drainSeconds: Double, retry: RetryPolicy = .patient
    ) throws -> Double {
        let strategy = try strategy(of: request, in: environment)
        let options: DeployOptions
        switch request {
        case .fresh(_, let fresh): options = fresh
        case .resume(let journal): options = DeployOptions(journal: journal)
        case .switchInstances: options = DeployOptions(strategyName: DeployStrategy.instances.rawValue)
        }
        let steps = Double(strategy.journalledSteps.count + 2 * max(0, (options.traffic?.percentages.count ?? 1) - 1) + 2)
        return strategy.implementation.longestWait(environment, options: options, drainSeconds: drainSeconds)
            + steps * 3 * retry.longestWait.timeInterval
    }

    /// Runs the deploy on `ports` under the caller's lock: the strategy's machine on the one runner.
    public static func run(
        _ request: Request, environment: EnvironmentConfiguration, ports: CloudPorts, identity: LockIdentity,
        interruption: Interruption = Interruption(), progress: @escaping @Sendable (DeployProgress) -> Void = { _ in }
    ) async throws -> StepReport {
        let runner = DeployRunner(environment: environment, ports: ports, interruption: interruption, progress: progress)
        if case .switchInstances(let target, let from, let force) = request {
            return try await runner.run(InstanceSwitchMachine(environment: environment, mode: .switchTo(target, from: from, force: force), identity: identity))
        }
        let options: DeployOptions?
        if case .fresh(_, let fresh) = request { options = fresh } else { options = nil }
        let implementation = try strategy(of: request, in: environment).implementation
        // The process that stopped may have moved a route just before: capacity behind either colour waits.
        if case .resume(let journal) = request, implementation.mayHaveMovedRoutes(journal) {
            ports.propagation.routesMayHaveMoved(environment, at: ports.clock.now())
        }
        return try await run(implementation, runner: runner, environment: environment, options: options, identity: identity)
    }

    static func run<S: Strategy>(
        _ strategy: S.Type, runner: DeployRunner, environment: EnvironmentConfiguration, options: DeployOptions?, identity: LockIdentity
    ) async throws -> StepReport {
        try await runner.run(strategy.machine(environment: environment, options: options, identity: identity))
    }
}
