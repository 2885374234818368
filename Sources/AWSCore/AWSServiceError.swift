/// An error answer from an AWS service: the request reached the service, which refused it.
public struct AWSServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The service's short name, e.g. `ELBv2`.
    public var service: String
    public var operation: String
    public var httpStatus: Int
    /// The AWS error code, e.g. `TargetGroupNotFound`, `ParameterNotFound`, `Throttling`.
    public var code: String
    public var message: String
    public var requestId: String?

    public init(service: String, operation: String, httpStatus: Int, code: String, message: String, requestId: String?) {
        self.service = service
        self.operation = operation
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.requestId = requestId
    }

    /// Codes AWS uses for rate limiting; such calls are retried with backoff.
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded", "TooManyRequestsException",
        "TooManyUpdates", "RequestThrottled", "RequestThrottledException", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException", "BandwidthLimitExceeded",
    ]

    public var isThrottling: Bool { Self.throttlingCodes.contains(code) || httpStatus == 429 }

    /// Throttling and server-side failures are worth retrying; other client errors are not.
    public var isRetryable: Bool { isThrottling || httpStatus >= 500 }

    public var description: String {
        var text = "\(service) \(operation) failed: \(code)"
        if !message.isEmpty { text += ": \(message)" }
        text += " (HTTP \(httpStatus)"
        if let requestId, !requestId.isEmpty { text += ", request id \(requestId)" }
        text += ")"
        if let hint { text += ". \(hint)" }
        return text
    }

    /// What the operator can do about the common codes.
    public var hint: String? {
        switch code {
        case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation":
            return "Check the IAM permissions of the credentials in use (ce doctor shows which)"
        case "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "AuthFailure",
            "IncompleteSignature":
            return "Check the access key and secret, or the profile, in use (ce doctor shows which)"
        case "ExpiredToken", "ExpiredTokenException", "RequestExpired":
            return "Refresh the session credentials and run the command again"
        case _ where isThrottling:
            return "AWS is rate-limiting this account; wait a little and run the command again"
        case _ where httpStatus >= 500:
            return "AWS had a server-side problem; run the command again"
        default:
            return nil
        }
    }
}
