/// A deploy of any strategy, as the command asks for it: refused from a read before the lock, described for a dry
/// run, or run. Which machine runs, which steps are planned and how a deploy resumes come from the registry
/// (`DeployStrategy`); the command dispatches nothing.
public enum Deploy {
    /// A fresh deploy with a strategy, or the continuation of the unfinished one the journal records.
    public enum Request: Sendable, Equatable {
        case fresh(DeployStrategy, DeployOptions)
        case resume(DeploymentJournal)
    }

    /// The strategy that runs.
    public static func strategy(of request: Request) throws -> DeployStrategy {
        switch request {
        case .fresh(let strategy, _): return strategy
        case .resume(let journal):
            guard let strategy = DeployStrategy(journal: journal) else {
                throw Refusal("The unfinished deployment \(journal.id) is a '\(journal.strategy)' deploy, which this ce does not know. Nothing changed; run 'environment recover'.")
            }
            return strategy
        }
    }

    /// Refuses a fresh deploy from `snapshot` (read before the lock), so that a refused deploy never takes it;
    /// everything is checked again under the lock.
    public static func preflight(_ snapshot: EnvironmentSnapshot, _ request: Request) throws {
        guard case .fresh(let strategy, let options) = request else { return }
        switch strategy {
        case .blueGreen, .canary, .linear: _ = try BlueGreenRefresh.plan(snapshot, options: options)
        case .rolling: _ = try RollingRefresh.preflight(snapshot, options: .init(deploy: options))
        }
    }

    /// What a dry run shows: a first line for a resumed deploy, and the steps.
    public static func plannedSteps(_ snapshot: EnvironmentSnapshot, _ request: Request) throws -> (resuming: String?, steps: [PlannedStep]) {
        let strategy = try strategy(of: request)
        switch request {
        case .fresh(_, let options):
            switch strategy {
            case .blueGreen, .canary, .linear:
                return (nil, try BlueGreenRefresh.plannedSteps(snapshot, plan: try BlueGreenRefresh.plan(snapshot, options: options), options: options))
            case .rolling:
                return (nil, try RollingRefresh.plannedSteps(snapshot, options: .init(deploy: options)))
            }
        case .resume(let journal):
            let resuming = "would resume the \(journal.strategy) deploy \(journal.id) (\(journal.version), \(journal.from.rawValue) → \(journal.to.rawValue)) at step '\(journal.step)'"
                + (journal.recordedPercent.map { " (\($0)% on \(journal.to.rawValue))" } ?? "")
                + (journal.refreshId.map { ", following instance refresh \($0)" } ?? "")
            switch strategy {
            case .blueGreen, .canary, .linear:
                guard let step = BlueGreenMachine.Phase(rawValue: journal.step), let plan = BlueGreenRefresh.Plan(journal: journal, snapshot: snapshot) else {
                    throw Refusal("The journal's step '\(journal.step)' cannot be resumed. Nothing changed; run 'environment recover'.")
                }
                return (resuming, try BlueGreenRefresh.plannedSteps(
                    snapshot, plan: plan, options: .init(journal: journal), resumeAt: step, resumeStep: journal.trafficStep ?? 0))
            case .rolling:
                return (resuming, RollingRefresh.plannedSteps(resuming: journal, environment: snapshot.environment))
            }
        }
    }

    /// Runs the deploy on `ports` under the caller's lock: the strategy's machine on the one runner.
    public static func run(
        _ request: Request, environment: EnvironmentConfiguration, ports: CloudPorts, identity: LockIdentity,
        interruption: Interruption = Interruption(), progress: @escaping @Sendable (DeployProgress) -> Void = { _ in }
    ) async throws -> StepReport {
        let runner = DeployRunner(environment: environment, ports: ports, interruption: interruption, progress: progress)
        switch (try strategy(of: request), request) {
        case (.blueGreen, .fresh(_, let options)), (.canary, .fresh(_, let options)), (.linear, .fresh(_, let options)):
            return try await runner.run(BlueGreenMachine(environment: environment, mode: .fresh(options), identity: identity))
        case (.blueGreen, .resume), (.canary, .resume), (.linear, .resume):
            return try await runner.run(BlueGreenMachine(environment: environment, mode: .resume, identity: identity))
        case (.rolling, .fresh(_, let options)):
            return try await runner.run(RollingMachine(environment: environment, mode: .fresh(.init(deploy: options)), identity: identity))
        case (.rolling, .resume):
            return try await runner.run(RollingMachine(environment: environment, mode: .resume, identity: identity))
        }
    }
}
