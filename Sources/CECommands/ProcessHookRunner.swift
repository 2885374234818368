import Deployment
import Foundation
import Subprocess
import Timekeeping

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs a hook as a process (swift-subprocess): its argv without a shell, in its own session so that everything it
/// starts can be stopped with it, the deploy's `CE_*` variables added to `ce`'s environment, its output and errors
/// streamed to standard error a line at a time with a `[point program]` prefix. On its timeout, or when `ce` is asked
/// to stop, its process group gets SIGTERM and, 5 seconds later, SIGKILL.
struct ProcessHookRunner: HookRunner {
    /// Whether `ce` runs against the sandbox (`CE_SANDBOX=1`).
    var sandbox: Bool
    var clock: any WallClock = LiveClock()
    /// Where the hook's lines go (standard error; a test's collector).
    var write: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    /// How long a hook asked to stop has before it is killed.
    static let gracePeriod: Duration = .seconds(5)

    /// Who won the race between the process, its timeout and a stop request.
    enum Race: Sendable {
        case finished(HookResult.Ending)
        case timedOut
        case interrupted
    }

    func run(_ hook: Hook, point: HookPoint, context: HookContext, interruption: Interruption) async -> HookResult {
        let started = clock.now()
        let program = hook.argv[0]
        let prefix = "[\(point.rawValue) \((program as NSString).lastPathComponent)] "
        var variables = context.variables(point: point)
        variables["CE_SANDBOX"] = sandbox ? "1" : "0"
        let write = self.write
        write("\(prefix)started: \(hook.commandLine)")

        let race = await withTaskGroup(of: Race.self) { group -> Race in
            group.addTask { [variables] in await Self.launch(hook.argv, variables: variables, prefix: prefix, write: write) }
            group.addTask { [clock] in
                let completed = (try? await interruption.sleep(on: clock, for: .seconds(hook.timeoutSeconds))) ?? false
                return completed ? .timedOut : .interrupted
            }
            // The first to end decides; the others are cancelled (the process then gets its teardown sequence).
            let first = await group.next() ?? .interrupted
            group.cancelAll()
            while await group.next() != nil {}
            return first
        }
        let ending: HookResult.Ending
        switch race {
        case .finished(let end): ending = end
        case .timedOut: ending = .timedOut(seconds: hook.timeoutSeconds)
        case .interrupted: ending = .interrupted
        }
        let result = HookResult(ending: ending, seconds: clock.now().timeIntervalSince(started))
        switch ending {
        case .exited, .signalled: write("\(prefix)\(result) after \(String(format: "%.1f", result.seconds)) s")
        case .timedOut, .interrupted, .couldNotStart, .checkFailed, .checkPassed: write("\(prefix)\(result)")
        }
        return result
    }

    /// Runs `argv` to its end (or until the task is cancelled: then its teardown sequence), streaming its lines.
    static func launch(_ argv: [String], variables: [String: String], prefix: String, write: @escaping @Sendable (String) -> Void) async -> Race {
        let environment = Environment.inherit.updating(Dictionary(uniqueKeysWithValues: variables.map { (Environment.Key(stringLiteral: $0.key), Optional($0.value)) }))
        let executable: Executable = argv[0].contains("/") ? .path(FilePath(argv[0])) : .name(argv[0])
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: gracePeriod)]
        do {
            let result = try await Subprocess.run(
                executable, arguments: Arguments(Array(argv.dropFirst())), environment: environment, platformOptions: options,
                input: .none, output: .sequence, error: .combinedWithOutput
            ) { execution in
                for try await line in execution.standardOutput.strings() { write(prefix + line) }
            }
            switch result.terminationStatus {
            case .exited(let code): return .finished(.exited(code))
            case .signaled(let signal): return .finished(.signalled(signal))
            }
        } catch is CancellationError {
            return .interrupted
        } catch {
            return Task.isCancelled ? .interrupted : .finished(.couldNotStart(describe(error)))
        }
    }

    /// A launch failure in a few words: `no such program: ./check` rather than the library's error dump.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("No such file") || text.contains("not found") || text.contains("executableNotFound") { return "no such program (or not executable)" }
        if text.contains("ermission") { return "permission denied" }
        return text
    }
}
