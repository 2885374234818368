import AWSCore
import Deployment

/// Throttling and 5xx answers that outlasted the client's retries are still worth another round in a deploy.
extension AWSServiceError: TransientFailure {
    public var isTransient: Bool { isRetryable }
}

/// A connection that failed or timed out is worth another round; a bad URL or an unreadable answer is not.
extension AWSClientError: TransientFailure {
    public var isTransient: Bool { isRetryable }
}
