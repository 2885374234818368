/// A deploy of any strategy that stopped: the step, the cause, and what state it left. The one failure type of the
/// engine: its text is what the operator reads, never rewritten by the command.
public struct DeployFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Something failed; `state` says what was undone or is left.
        case failed
        /// A stop was requested (a signal) and the environment was brought to a consistent state.
        case interrupted
        /// The bake period (or a canary's step) failed and traffic went back to the old colour.
        case rolledBack = "rolled back"
    }
    public var step: String
    public var cause: String
    public var state: String
    public var report: StepReport
    public var kind: Kind = .failed
    /// What stopped, as the operator calls it: `refresh`, `rolling refresh`.
    public var operation = "refresh"

    public init(step: String, cause: String, state: String, report: StepReport, kind: Kind = .failed, operation: String = "refresh") {
        self.step = step
        self.cause = cause
        self.state = state
        self.report = report
        self.kind = kind
        self.operation = operation
    }

    public var description: String {
        switch kind {
        case .failed: return "\(operation) failed at \(step): \(cause). \(state)"
        case .interrupted: return "\(operation) stopped at \(step): \(cause). \(state)"
        case .rolledBack: return "\(operation) rolled back: \(cause). \(state)"
        }
    }
}

