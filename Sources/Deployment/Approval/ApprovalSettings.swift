/// `--approve`: the deploy pauses once its new colour has passed the health gate, before any traffic moves — and,
/// for canary and linear, before each later step — until `environment promote` (go on) or `environment abort` (undo)
/// is run, from another terminal or CI. Journalled with the deploy, so a deploy resumed after a crash pauses again.
public struct ApprovalSettings: Sendable, Equatable, Codable {
    /// How long one pause waits for an answer (`--approve-timeout`).
    public var timeoutSeconds: Int
    /// At the timeout, go on instead of undoing (`--auto-promote`).
    public var autoPromote: Bool

    public init(timeoutSeconds: Int = ApprovalSettings.defaultTimeoutSeconds, autoPromote: Bool = false) {
        self.timeoutSeconds = timeoutSeconds
        self.autoPromote = autoPromote
    }

    /// One hour: long enough for a person to look, short enough that a forgotten deploy does not hold the lock all day.
    public static let defaultTimeoutSeconds = 3600

    /// What happens when nobody answers, in words.
    public var atTimeout: String { autoPromote ? "promote" : "abort" }
}

extension EnvironmentConfiguration {
    /// What answers a pause for approval, in words: the two commands — or, in the sandbox (one command at a time),
    /// that nothing can, so the pause runs to its timeout.
    /// A command that answers a pause, or `nil` in the sandbox.
    public func answerCommand(_ rest: String) -> String? { invocation.isSandbox ? nil : command(rest) }

    public func approvalAnswers() -> String {
        invocation.isSandbox
            ? "an answer (none can come in the sandbox, which runs one command at a time: the pause runs to its timeout)"
            : "'\(command("environment promote"))' (go on) or '\(command("environment abort"))' (undo)"
    }
}
