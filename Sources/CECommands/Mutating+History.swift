import ArgumentParser
import Deployment
import Foundation

extension Mutating {
    /// Appends this command's record to the environment's history in AWS (see `History`), unless it was refused.
    /// Failing to write it is said on standard error and changes nothing else: the command's own outcome stands.
    static func recordHistory(
        _ environment: EnvironmentConfiguration, backend: Backend, identity: LockIdentity, started: Date, error: (any Error)?
    ) async {
        let ports = backend.persistentPorts
        let (code, outcome) = outcome(of: error)
        // A refusal changed nothing, and leaves nothing (not even a record).
        guard code != ExitStatus.refused.rawValue else { return }
        // A process killed (the sandbox's simulated crash) writes nothing more.
        if backend.sandbox?.cloud.isCrashed == true { return }
        var steps = Console.shownSteps
        if let failure = error as? DeployFailure { steps = failure.report.steps }
        // The deployment this command wrote, if it wrote one (the journal changed since it started).
        // (One read for both.)
        let names = environment.parameters
        let values = (try? await ports.parameters.values(names: [names.deployment, names.activeColor, names.version])) ?? [:]
        let journal = values[names.deployment].flatMap(DeploymentJournal.decode)
        // (A deployment's id ends with the pid of the process that started it.)
        let ours = journal?.id.hasSuffix("-\(identity.pid)") ?? false
        let serving = values[names.activeColor]
        let operation = operation()
        // `builds set-current` writes no journal: its build is the one it set.
        let build = ours ? journal?.version : operation.hasPrefix("builds set") && code == 0 ? values[names.version] : nil
        let record = HistoryRecord(
            at: DeployLock.format(started), by: identity.holder, identity: await backend.callerArn(), operation: operation,
            environment: environment.name, outcome: outcome, exitCode: code, seconds: ports.clock.now().timeIntervalSince(started),
            deployment: ours ? journal?.id : nil, strategy: ours ? journal?.strategy : nil, from: ours ? journal?.from.rawValue : nil,
            to: ours ? journal?.to.rawValue : nil, build: build, serving: serving,
            steps: steps.map { .init(name: $0.name, seconds: $0.seconds) },
            error: error.map { String(String(describing: $0).split(separator: "\n").first ?? "") })
        do {
            try await History(environment: environment, store: ports.documents).append(record, pid: identity.pid)
        } catch {
            FileHandle.standardError.write(Data("note: the history record of this command could not be written to \(environment.parameters.history)/ (\(error)); the command's outcome stands.\n".utf8))
        }
        let metrics = DeployMetrics.of(record)
        if let namespace = environment.metricsNamespace, !metrics.isEmpty {
            do {
                try await ports.deployMetrics.publish(
                    namespace: namespace, metrics: metrics, dimensions: DeployMetrics.dimensions(record, environment: environment), at: ports.clock.now())
            } catch {
                FileHandle.standardError.write(Data("note: the metrics of this command could not be published to CloudWatch namespace \(namespace) (\(error)); the command's outcome stands.\n".utf8))
            }
        }
    }

    /// The exit code and outcome an error gives (`exitCode(of:)`), without saying anything.
    static func outcome(of error: (any Error)?) -> (Int32, String) {
        guard let error else { return (0, "done") }
        let code = exitCode(of: error).rawValue
        if (error as? DeployFailure)?.kind == .interrupted { return (code, "interrupted") }
        switch code {
        case 0: return (code, "done")
        case ExitStatus.refused.rawValue: return (code, "refused")
        case ExitStatus.rolledBack.rawValue: return (code, "rolled back")
        default: return (code, "failed")
        }
    }

    /// The command as its name: `refresh`, `switch`, `builds set-current`, …
    static func operation() -> String {
        let words = Array(CommandLine.arguments.dropFirst())
        for group in ["environment", "builds"] {
            if let index = words.firstIndex(of: group), index + 1 < words.count {
                return group == "builds" ? "builds \(words[index + 1])" : words[index + 1]
            }
        }
        return words.first { !$0.hasPrefix("-") } ?? "ce"
    }
}
