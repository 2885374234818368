import AWSSigner
import Foundation

/// Exchanges credentials for a role's temporary credentials (STS AssumeRole). Implemented in `AWSServices` on STS,
/// so that this target does not depend on the typed services.
public protocol RoleAssumer: Sendable {
    func assumeRole(
        roleArn: String, sessionName: String, externalId: String?, durationSeconds: Int?,
        using credentials: AWSCredentials, region: String
    ) async throws -> AWSCredentials
}
