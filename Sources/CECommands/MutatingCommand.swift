import AWSServices
import ArgumentParser
import Deployment
import DeploymentAWS
import Foundation

/// Exit codes: 0 done; 1 failed (the message says what state it left); 2 refused before any change.
enum ExitStatus {
    static let failed = ExitCode(1)
    static let refused = ExitCode(2)
}

/// Shared by the commands that change things: confirmation on prod, dry-run, error reporting by exit code.
enum Mutating {
    /// Mutating commands on prod ask the operator to type the environment name; `--yes` skips it. Without a terminal
    /// and without `--yes` they refuse at once rather than wait.
    /// - Parameter everyEnvironment: ask on every environment, not only prod (e.g. breaking a lock).
    static func confirm(environment: String, action: String, yes: Bool, everyEnvironment: Bool = false) throws {
        guard everyEnvironment || environment == "prod", !yes else { return }
        guard isatty(STDIN_FILENO) == 1 else {
            throw Refusal("\(action) on \(environment) needs confirmation, and there is no terminal to ask: pass --yes. Nothing changed.")
        }
        FileHandle.standardError.write(Data("\(action) on \(environment). Type the environment name to continue: ".utf8))
        let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces)
        guard answer == environment else { throw Refusal("Not confirmed. Nothing changed.") }
    }

    /// Prints the plan as the AWS calls it would make.
    static func printDryRun(_ plan: [Mutation]) {
        if plan.isEmpty {
            print("dry run: nothing to do")
            return
        }
        let concurrent = plan.contains { if case .forward = $0 { true } else { false } }
        print("dry run: would make these AWS calls, in this order\(concurrent ? " (route changes concurrently)" : ""):")
        for mutation in plan { print("  \(mutation)") }
    }

    static func printReport(_ report: StepReport) {
        for step in report.steps {
            print(String(format: "  %-8@ %6.2f s  %@", step.name as NSString, step.seconds, step.detail as NSString))
        }
    }

    /// Runs `body`, mapping refusals to exit 2 and other failures to exit 1, each as one line on standard error.
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let refusal as Refusal {
            FileHandle.standardError.write(Data("refused: \(refusal)\n".utf8))
            throw ExitStatus.refused
        } catch let error as DeploymentError {
            FileHandle.standardError.write(Data("refused: \(error)\n".utf8))
            throw ExitStatus.refused
        } catch let exit as ExitCode {
            throw exit
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitStatus.failed
        }
    }
}

extension AWSServices {
    var mutationApplier: AWSMutationApplier { AWSMutationApplier(elbv2: elbv2, ssm: ssm, autoScaling: autoScaling) }
}

extension Mutating {
    /// Who this process is, for the deploy lock: `user@host`, the command line, the pid.
    static func lockIdentity() -> LockIdentity {
        let environment = ProcessInfo.processInfo.environment
        let user = environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
        let command = (["ce"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        return LockIdentity(
            holder: "\(user)@\(ProcessInfo.processInfo.hostName)", command: String(command.prefix(200)),
            pid: Int(ProcessInfo.processInfo.processIdentifier))
    }

    /// Runs `body` holding the environment's deploy lock, or without it for a dry run (which changes nothing).
    static func lockedUnlessDryRun(
        _ dryRun: Bool, _ environment: EnvironmentConfiguration, aws: AWSServices, _ body: @Sendable () async throws -> Void
    ) async throws {
        if dryRun { try await body() } else { try await locked(environment, aws: aws, body) }
    }

    /// Runs `body` holding the environment's deploy lock (`{prefix}deploy-lock`).
    static func locked<T: Sendable>(
        _ environment: EnvironmentConfiguration, aws: AWSServices, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let manager = LockManager(environment: environment, store: SSMLockStore(ssm: aws.ssm), clock: LiveDeploymentClock())
        return try await manager.withLock(lockIdentity(), keepAlive: LiveDeploymentClock(), body)
    }
}
