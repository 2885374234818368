import Foundation

/// The source of the current time and of waiting. Every wait and every timestamp in the client goes through one,
/// so tests and the simulator can run on virtual time.
public protocol WallClock: Sendable {
    func now() -> Date
    func sleep(for duration: Duration) async throws
}

/// A source of uniformly distributed numbers in `0..<1`, injected so that jittered backoff is reproducible in tests.
public protocol RandomSource: Sendable {
    func nextUnitInterval() -> Double
}
