/// Exponential backoff with full jitter, bounded attempts.
///
/// Retried: throttling codes, HTTP 429 and 5xx, connection failures and timeouts. Not retried: other 4xx answers.
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

    /// The wait before retry number `retry` (1 for the first retry): uniformly random in
    /// `0 ... min(maxDelay, baseDelay · 2^(retry-1))`, with `unit` in `0..<1` supplying the randomness.
    public func delay(beforeRetry retry: Int, unit: Double) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let ceiling = min(maxDelay.timeInterval, baseDelay.timeInterval * Double(1 << exponent))
        return .nanoseconds(Int64(ceiling * min(max(unit, 0), 1) * 1e9))
    }

    /// Whether an error from one attempt is worth another attempt.
    public static func isRetryable(_ error: any Error) -> Bool {
        switch error {
        case let error as AWSServiceError: return error.isRetryable
        case let error as AWSClientError: return error.isRetryable
        default: return false
        }
    }
}

/// Timeouts for calls to AWS.
public struct Timeouts: Sendable, Equatable {
    /// For the TCP/TLS connection.
    public var connect: Duration
    /// For one attempt, from sending to the end of the answer.
    public var request: Duration

    public init(connect: Duration = .seconds(3), request: Duration = .seconds(20)) {
        self.connect = connect
        self.request = request
    }
}
