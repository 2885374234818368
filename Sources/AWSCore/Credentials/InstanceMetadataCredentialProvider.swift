import AWSSigner
/// Credentials of the instance's IAM role, from EC2 instance metadata (IMDSv2).
public struct InstanceMetadataCredentialProvider: OptionalCredentialProvider {
    public let metadata: InstanceMetadataClient
    public var name: String { "EC2 instance metadata" }

    public init(metadata: InstanceMetadataClient) {
        self.metadata = metadata
    }

    public func credentialsIfAvailable() async throws -> AWSCredentials? {
        if metadata.isDisabled { return nil }
        let base = "/latest/meta-data/iam/security-credentials/"
        let roles: String
        do {
            roles = try await metadata.get(base)
        } catch InstanceMetadataClient.Failure.unavailable {
            return nil
        } catch InstanceMetadataClient.Failure.status(404, _) {
            throw CredentialsError.sourceFailed(source: name, reason: "this instance has no IAM role attached")
        } catch InstanceMetadataClient.Failure.status(let status, let path) {
            throw CredentialsError.sourceFailed(source: name, reason: "HTTP \(status) for \(path)")
        }
        guard let role = roles.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
            throw CredentialsError.sourceFailed(source: name, reason: "this instance has no IAM role attached")
        }
        do {
            let document = try await metadata.get(base + role)
            return try TemporaryCredentialsDocument.parse(document.data(using: .utf8) ?? .init(), source: name)
        } catch let failure as InstanceMetadataClient.Failure {
            throw CredentialsError.sourceFailed(source: name, reason: "reading role \(role) failed: \(failure)")
        }
    }
}
