import Foundation

/// The domain's source of time: every timestamp and wait goes through one, so tests and the simulator run on
/// virtual time. The live one is in `CECommands`.
public protocol DeploymentClock: Sendable {
    func now() -> Date
    func sleep(for duration: Duration) async throws
}
