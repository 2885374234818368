/// Failures on the client side of a call: the request could not be made or its answer could not be read.
public enum AWSClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No region from `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile or instance metadata.
    case missingRegion
    /// The endpoint URL is not a usable http(s) URL.
    case invalidEndpoint(String, reason: String)
    /// The connection failed or timed out.
    case transport(service: String, operation: String, endpoint: String, reason: String)
    /// The service answered with something this client cannot read.
    case malformedResponse(service: String, operation: String, httpStatus: Int, reason: String)
    /// A paginated call returned the same token twice.
    case paginationLoop(service: String, operation: String)

    public var description: String {
        switch self {
        case .missingRegion:
            return "No AWS region is set. Pass --region, set AWS_REGION, or set region in your AWS profile."
        case .invalidEndpoint(let url, let reason):
            return "The endpoint URL '\(url)' is not usable (\(reason)). Pass an http:// or https:// URL, e.g. http://127.0.0.1:5000."
        case .transport(let service, let operation, let endpoint, let reason):
            return "\(service) \(operation) could not reach \(endpoint): \(reason). Check the endpoint URL and your network."
        case .malformedResponse(let service, let operation, let status, let reason):
            return "\(service) \(operation) returned a response that could not be read (HTTP \(status)): \(reason)."
        case .paginationLoop(let service, let operation):
            return "\(service) \(operation) returned the same pagination token twice; stopped to avoid looping."
        }
    }

    /// Connection failures and timeouts are worth retrying.
    public var isRetryable: Bool {
        if case .transport = self { return true }
        return false
    }
}
