extension RetryPolicy {
    /// Whether an error from one attempt of an AWS call is worth another attempt: throttling codes, HTTP 429 and
    /// 5xx, connection failures and timeouts; not other 4xx answers.
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
