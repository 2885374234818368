import Foundation

/// A strategy's deploy as a state machine: each `next(_:now:)` takes what the last action produced and returns the
/// next action. It performs no I/O and reads no clock, so every transition is testable on its own; `DeployRunner`
/// is the one runner that performs the actions of every strategy's machine.
public protocol DeployMachine: Sendable {
    mutating func next(_ event: DeployEvent, now: Date) -> DeployAction
    /// Whether a stop request may take the place of the action just returned (never while the journal is written or
    /// traffic moves).
    var acceptsInterruption: Bool { get }
    /// The latest reading worth showing (the gate, a bake, an instance refresh), if any.
    var progress: DeployProgress? { get }
}
