/// Keeps a deploy going through transient failures that outlast the AWS client's own retries (a throttled account,
/// a minute of 5xx): each call is tried again after 1, 2, 4, … s with full jitter, on the injected clock, up to
/// `attempts` rounds. A half-done deploy is worse than a slow one; errors that are not transient fail at once.
public struct Persistence: Sendable {
    public var attempts: Int
    public var baseSeconds: Double
    public var maxSeconds: Double
    public let clock: any DeploymentClock
    public let random: any DeploymentRandom

    public init(
        clock: any DeploymentClock, random: any DeploymentRandom, attempts: Int = 5, baseSeconds: Double = 1, maxSeconds: Double = 15
    ) {
        self.clock = clock
        self.random = random
        self.attempts = max(1, attempts)
        self.baseSeconds = baseSeconds
        self.maxSeconds = maxSeconds
    }

    /// Runs `body`, again after transient failures.
    public func run<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch where error.isTransientFailure && attempt < attempts {
                let ceiling = min(maxSeconds, baseSeconds * Double(1 << min(attempt - 1, 20)))
                try await clock.sleep(for: .milliseconds(Int64(ceiling * random.nextUnit() * 1000)))
                attempt += 1
            }
        }
    }
}
