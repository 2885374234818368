import ArgumentParser
import Deployment
import Foundation

/// Exit codes: 0 done; 1 failed (the message says what state it left); 2 refused before any change; 3 rolled back
/// by the bake period; 128 + N stopped by signal N (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
enum ExitStatus {
    static let failed = ExitCode(1)
    static let refused = ExitCode(2)
    static let rolledBack = ExitCode(3)
}

/// A command stopped by a signal after bringing the environment to a consistent state.
struct StoppedBySignal: Error {
    var code: Int32
    var error: (any Error)?
}

/// Shared by the commands that change things: confirmation on prod, dry-run, error reporting by exit code.
enum Mutating {
    /// Mutating commands on prod ask the operator to type the environment name; `--yes` skips it. Without a terminal
    /// and without `--yes` they refuse at once rather than wait.
    /// - Parameter everyEnvironment: ask on every environment, not only prod (e.g. breaking a lock).
    /// - Parameter details: what will happen, a line each (shown before the question).
    static func confirm(environment: String, action: String, details: [String] = [], yes: Bool, everyEnvironment: Bool = false) throws {
        guard needsConfirmation(environment: environment, yes: yes, everyEnvironment: everyEnvironment) else { return }
        guard isatty(STDIN_FILENO) == 1 else {
            let base = action.hasSuffix(",") ? String(action.dropLast()) : action
            let what = base.contains(" \(environment) ") || base.hasSuffix(" \(environment)") ? base : "\(base) on \(environment)"
            throw Refusal("\(what) needs confirmation, and there is no terminal to ask: pass --yes. Nothing changed.")
        }
        let lines = details.isEmpty ? "\(action) on \(environment)." : "\(action):\n" + details.map { "  \($0)\n" }.joined()
        FileHandle.standardError.write(Data("\(lines)\(details.isEmpty ? " " : "")Type the environment name to continue: ".utf8))
        let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces)
        guard answer == environment else { throw Refusal("Not confirmed. Nothing changed.") }
    }

    /// Whether `confirm` would ask (or refuse for want of a terminal).
    static func needsConfirmation(environment: String, yes: Bool, everyEnvironment: Bool = false) -> Bool {
        (everyEnvironment || environment == "prod") && !yes
    }

    /// Prints the plan as the AWS calls it would make.
    static func printDryRun(_ plan: [Mutation]) {
        if plan.isEmpty {
            Console.say("dry run: nothing to do")
            return
        }
        let concurrent = plan.contains { $0.routeChange != nil }
        Console.say("dry run: would make these AWS calls, in this order\(concurrent ? " (route changes concurrently and read back, then the rest, concurrently for different resources)" : ""):")
        for mutation in plan { Console.say("  \(mutation)") }
    }

    static func printReport(_ report: StepReport) { Console.steps(report) }

    /// Runs `body`, mapping refusals to exit 2, rollbacks to 3, signals to 128 + N and other failures to exit 1,
    /// each as one line on standard error.
    /// - Parameter output: under `--output json` everything said goes to standard error and one document closes
    ///   the command on standard output (see `Console`).
    static func run(output: OutputFormat = .text, _ body: () async throws -> Void) async throws {
        Console.begin(format: output)
        do {
            try await body()
            Console.finish(exitCode: 0, error: nil)
        } catch let error as ValidationError {
            throw error
        } catch {
            let code = report(error)
            Console.finish(exitCode: code.rawValue, error: code.rawValue == 0 ? nil : String(describing: error))
            throw code
        }
    }

    /// Says what went wrong on standard error (one line, then details), and gives the exit code.
    static func report(_ error: any Error) -> ExitCode {
        func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
        switch error {
        case let stop as StoppedBySignal:
            if let lock = stop.error as? LockNotReleased {
                if let underlying = lock.underlying, !(underlying is ExitCode) { say("stopped: \(underlying)") }
                say("error: \(lock)")
            } else if let error = stop.error, !(error is ExitCode) {
                say("stopped: \(error)")
            } else {
                say("stopped by a signal after the command finished its work.")
            }
        case let lock as LockNotReleased:
            if let underlying = lock.underlying { _ = report(underlying) }
            say("error: \(lock)")
        case let failure as DeployFailure:
            say("error: " + failure.lines.joined(separator: "\n"))
            // Then the steps, the failed one included, with their durations (kept for --output json too).
            Console.record(failure.report)
            for step in failure.report.steps {
                say("  \(step.name.padding(toLength: max(11, step.name.count), withPad: " ", startingAt: 0)) \(String(format: "%7.2f", step.seconds)) s  \(step.detail)")
            }
        case let refusal as Refusal:
            say("refused: \(refusal)")
        case let error as DeploymentError:
            say("refused: \(error)")
        case is ExitCode:
            break
        default:
            say("error: \(error)")
        }
        return exitCode(of: error)
    }

    /// The exit code an error gives (see the README's table): 128 + N after signal N, 3 rolled back, 2 refused,
    /// 1 failed (a lock that could not be released fails even after a success).
    static func exitCode(of error: any Error) -> ExitCode {
        switch error {
        case let stop as StoppedBySignal: return ExitCode(stop.code)
        case let lock as LockNotReleased:
            let code = lock.underlying.map(exitCode) ?? ExitStatus.failed
            return code == .success ? ExitStatus.failed : code
        case let failure as DeployFailure: return failure.kind == .rolledBack ? ExitStatus.rolledBack : ExitStatus.failed
        case is Refusal, is DeploymentError: return ExitStatus.refused
        case let exit as ExitCode: return exit
        default: return ExitStatus.failed
        }
    }
}

extension Mutating {
    /// Who this process is, for the deploy lock: `user@host`, the command line, the pid.
    static func lockIdentity() -> LockIdentity {
        let environment = ProcessInfo.processInfo.environment
        // USER or LOGNAME, else the account the process runs as (never "unknown": the lock must name someone).
        let account = getpwuid(getuid()).flatMap { $0.pointee.pw_name.map { String(cString: $0) } }
        let user = environment["USER"] ?? environment["LOGNAME"] ?? account ?? "uid\(getuid())"
        let command = (["ce"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        return LockIdentity(
            holder: "\(user)@\(ProcessInfo.processInfo.hostName)", command: String(command.prefix(200)),
            pid: Int(ProcessInfo.processInfo.processIdentifier))
    }

    /// Whether `lock` was left by a process that is provably gone: on this host, as this user, and no process
    /// with its pid exists any more.
    static func holderIsGone(_ lock: DeployLock, ours: LockIdentity) -> Bool {
        guard lock.holder == ours.holder, lock.pid != ours.pid, lock.pid > 0 else { return false }
        return kill(pid_t(lock.pid), 0) != 0 && errno == ESRCH
    }

    /// Whether the command holding the lock `value` provably runs no more: no lock, a lock no longer extended (past
    /// its expiry), one left by a process of ours on this host that is gone, or — in the sandbox, where one command runs
    /// at a time — any lock at all. An unreadable lock counts as held.
    static func lockHolderStopped(_ value: String?, sandbox: Bool, now: Date) -> Bool {
        guard let value else { return true }
        if sandbox { return true }
        guard let lock = DeployLock.decode(value) else { return false }
        if let expires = lock.expires, expires < now { return true }
        return holderIsGone(lock, ours: lockIdentity())
    }

    /// Runs `body` holding the environment's deploy lock (`{prefix}deploy-lock`), with SIGINT, SIGTERM and SIGHUP
    /// trapped: the first asks `body` to stop (its `Interruption`), the lock is released, and the command then
    /// exits 128 + the signal. A dry run needs neither. `takeOver`: a lock left by a process that is gone is
    /// taken over (`recover`, `refresh --resume`).
    static func locked<T: Sendable>(
        _ environment: EnvironmentConfiguration, backend: Backend, takeOver: Bool = false,
        _ body: @Sendable (Interruption) async throws -> T
    ) async throws -> T {
        let trap = SignalTrap(recoverCommand: environment.command("environment recover")) { try? backend.sandbox?.save() }
        defer { trap.cancel() }
        let ports = backend.persistentPorts
        let identity = lockIdentity()
        var manager = LockManager(environment: environment, store: ports.documents, clock: ports.clock)
        manager.holderIsGone = { holderIsGone($0, ours: identity) }
        let result: T
        let started = ports.clock.now()
        do {
            result = try await manager.withLock(identity, keepAlive: backend.keepAlive, takeOver: takeOver) {
                // Under the lock, whatever the outcome: the command's record in the environment's history.
                do {
                    let value = try await body(trap.interruption)
                    await recordHistory(environment, backend: backend, identity: identity, started: started, error: nil)
                    return value
                } catch {
                    await recordHistory(environment, backend: backend, identity: identity, started: started, error: error)
                    throw error
                }
            }
        } catch {
            if let code = trap.exitCode { throw StoppedBySignal(code: code, error: error) }
            // A simulated crash: one message, what status says, instead of the failures the dead process would not see.
            if let crash = backend.sandbox?.crash(of: environment) { throw crash }
            throw error
        }
        if let code = trap.exitCode { throw StoppedBySignal(code: code, error: nil) }
        return result
    }
}
