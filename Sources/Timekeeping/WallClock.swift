import Foundation

/// The one source of the current time and of waiting for the whole package: the AWS client, the deployment domain
/// and the simulator all take one, so that tests and the simulator run every wait and retry on virtual time.
public protocol WallClock: Sendable {
    func now() -> Date
    func sleep(for duration: Duration) async throws
}

/// The one source of randomness (jitter) for the whole package: uniformly distributed numbers in `0..<1`, injected
/// so that backoff is reproducible in tests and simulated runs repeat exactly.
public protocol RandomSource: Sendable {
    func nextUnitInterval() -> Double
}
