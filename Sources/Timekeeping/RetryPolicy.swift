/// The one backoff of the package: exponential, with full jitter, bounded attempts. The AWS client retries each
/// call with it, the simulator retries its simulated calls with it, and a mutating command's ports use the patient
/// form to keep going through a throttled minute (a half-done deploy is worse than a slow one).
///
/// Which failures are worth another attempt is the caller's to say (throttling codes, 429 and 5xx answers,
/// connection failures, timeouts); other errors fail at once.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included; 1 means no retry.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(20)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    public static let none = RetryPolicy(maxAttempts: 1)

    /// For the calls of a mutating command: about a minute and a half of transient failures (12 attempts, waits
    /// growing to 15 s) before giving up.
    public static let patient = RetryPolicy(maxAttempts: 12, baseDelay: .milliseconds(200), maxDelay: .seconds(15))

    /// The longest one call can spend waiting between its attempts (every retry drawing its ceiling): about 85 s for
    /// `patient`. What a deploy's bound (`Deploy.longestRun`) allows each of its calls.
    public var longestWait: Duration {
        .nanoseconds(Int64((1..<maxAttempts).reduce(0.0) { $0 + delay(beforeRetry: $1, unit: 1).timeInterval } * 1e9))
    }

    /// The wait before retry number `retry` (1 for the first retry): uniformly random in
    /// `0 ... min(maxDelay, baseDelay · 2^(retry-1))`, with `unit` in `0..<1` supplying the randomness.
    public func delay(beforeRetry retry: Int, unit: Double) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let ceiling = min(maxDelay.timeInterval, baseDelay.timeInterval * Double(1 << exponent))
        return .nanoseconds(Int64(ceiling * min(max(unit, 0), 1) * 1e9))
    }

    /// Runs `body`, again after each failure `isRetryable` accepts, waiting on `clock` between attempts.
    /// - Parameter retrying: told of each failure about to be retried, with the attempt number and the wait.
    public func run<T>(
        clock: any WallClock, random: any RandomSource, isRetryable: (any Error) -> Bool,
        retrying: (any Error, Int, Duration) -> Void = { _, _, _ in }, _ body: () async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch {
                guard attempt < maxAttempts, isRetryable(error) else { throw error }
                let delay = delay(beforeRetry: attempt, unit: random.nextUnitInterval())
                retrying(error, attempt, delay)
                try await clock.sleep(for: delay)
                attempt += 1
            }
        }
    }
}

extension Duration {
    /// In seconds.
    public var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
