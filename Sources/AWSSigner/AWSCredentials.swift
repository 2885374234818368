import Foundation

/// A set of AWS credentials. `description` never reveals the secret or the session token.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; `nil` for long-term keys.
    public var expiration: Date?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// The access key id with all but its last four characters hidden, safe to print.
    public var redactedAccessKeyId: String {
        guard accessKeyId.count > 4 else { return "****" }
        return String(repeating: "*", count: accessKeyId.count - 4) + accessKeyId.suffix(4)
    }

    public var description: String {
        "AWSCredentials(accessKeyId: \(redactedAccessKeyId), secretAccessKey: <redacted>\(sessionToken == nil ? "" : ", sessionToken: <redacted>"))"
    }

    public var debugDescription: String { description }
}
