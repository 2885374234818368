/// A command run at a named point of a deploy (config `hooks:`): an argv array run without a shell, with a timeout,
/// the deploy's facts in its environment (`HookContext`), its output streamed with a prefix.
public struct Hook: Sendable, Equatable {
    /// The program and its arguments (the program found on PATH when it has no `/`).
    public var argv: [String]
    /// Killed (SIGTERM, then SIGKILL) when it runs longer.
    public var timeoutSeconds: Int
    /// `postSwitch` only: whether a failure rolls the deploy back (the default) or is reported and the deploy goes on.
    public var continueOnFailure: Bool
    /// The built-in check (`smoke:`) this hook is instead of a program (`argv` is then empty).
    public var smoke: SmokeCheck?

    public static let defaultTimeoutSeconds = 300

    public init(argv: [String], timeoutSeconds: Int = Self.defaultTimeoutSeconds, continueOnFailure: Bool = false) {
        self.argv = argv
        self.timeoutSeconds = timeoutSeconds
        self.continueOnFailure = continueOnFailure
    }

    /// The program's name, for short lines: `check` for `./bin/check --fast`.
    public var name: String {
        if smoke != nil { return "smoke" }
        return argv.first.map { String($0.split(separator: "/").last ?? Substring($0)) } ?? ""
    }

    /// The hook as the operator wrote it, for messages: `./bin/check --fast`, or the smoke check in words.
    public var commandLine: String { smoke?.description ?? argv.map(Invocation.quoted).joined(separator: " ") }

    /// A built-in smoke check.
    public init(smoke: SmokeCheck, timeoutSeconds: Int = 60, continueOnFailure: Bool = false) {
        self.init(argv: [], timeoutSeconds: timeoutSeconds, continueOnFailure: continueOnFailure)
        self.smoke = smoke
    }
}

/// Where in a deploy hooks run.
public enum HookPoint: String, Sendable, Equatable, CaseIterable, Codable {
    /// Under the lock, before the first change. A failure stops the deploy: nothing was changed.
    case preDeploy
    /// After the new colour passed its health gate, before traffic moves to it. A failure undoes the deploy as a
    /// failed gate does.
    case preSwitch
    /// Right after traffic moved. A failure rolls back (traffic goes back to the old colour) unless the hook says
    /// `onFailure: continue`.
    case postSwitch
    /// After a rollback or an abort brought traffic back. A failure is reported.
    case postRollback
    /// After the deploy finished. A failure is reported and the command exits 1 (the deploy itself stands).
    case postDeploy
    /// After a deploy that did not finish: failed, rolled back, or interrupted. A failure is reported.
    case onFailure

    /// Whether a failure here can still stop the deploy (the points before its outcome).
    public var decides: Bool {
        switch self {
        case .preDeploy, .preSwitch, .postSwitch: return true
        case .postRollback, .postDeploy, .onFailure: return false
        }
    }

    /// When it runs, in words (for `--dry-run` and the docs).
    public var when: String {
        switch self {
        case .preDeploy: return "before the first change"
        case .preSwitch: return "after the health gate, before traffic moves"
        case .postSwitch: return "right after traffic moved"
        case .postRollback: return "after traffic went back"
        case .postDeploy: return "after the deploy finished"
        case .onFailure: return "after a deploy that did not finish"
        }
    }
}

/// An environment's hooks, by point, in the order they run.
public struct HookSettings: Sendable, Equatable {
    public var byPoint: [HookPoint: [Hook]]

    public init(_ byPoint: [HookPoint: [Hook]] = [:]) { self.byPoint = byPoint.filter { !$0.value.isEmpty } }

    public subscript(point: HookPoint) -> [Hook] { byPoint[point] ?? [] }

    public var isEmpty: Bool { byPoint.isEmpty }
}
