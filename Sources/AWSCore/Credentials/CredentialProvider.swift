import AWSSigner
/// One source of AWS credentials.
public protocol CredentialProvider: Sendable {
    /// Where the credentials come from, for `ce doctor` (never the secret itself).
    var sourceDescription: String { get async }
    /// The credentials to sign with. Throws `CredentialsError` when there are none or a source is broken.
    func credentials() async throws -> AWSCredentials
}

/// A source that may have nothing to offer.
public protocol OptionalCredentialProvider: Sendable {
    /// A short name: `environment variables`, `shared config files (profile dev)`, …
    var name: String { get }
    /// The credentials, `nil` when this source has none to offer (the chain then tries the next source).
    /// Throws `CredentialsError` when the source is configured but broken.
    func credentialsIfAvailable() async throws -> AWSCredentials?
}

/// Fixed credentials, for tests and for credentials obtained elsewhere.
public struct StaticCredentialProvider: CredentialProvider, OptionalCredentialProvider {
    public let value: AWSCredentials
    public let name: String
    public init(_ credentials: AWSCredentials, name: String = "static") {
        value = credentials
        self.name = name
    }
    public var sourceDescription: String { name }
    public func credentials() async throws -> AWSCredentials { value }
    public func credentialsIfAvailable() async throws -> AWSCredentials? { value }
}
