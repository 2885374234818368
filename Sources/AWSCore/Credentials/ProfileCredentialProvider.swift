import AWSSigner
import Foundation

/// Credentials from a profile of the shared files: static keys, or `role_arn` with `source_profile` (or
/// `credential_source`) through STS AssumeRole, following chains of profiles.
public struct ProfileCredentialProvider: OptionalCredentialProvider {
    public let profileName: String
    /// Whether the profile was asked for (`--profile`, `AWS_PROFILE`): then a missing profile is an error.
    public let explicitlySelected: Bool
    public let files: SharedConfigFiles
    public let roleAssumer: (any RoleAssumer)?
    /// The region for STS calls when the profile names none.
    public let region: String?
    /// For `credential_source = Environment | Ec2InstanceMetadata | EcsContainer`.
    public let namedSources: [String: any OptionalCredentialProvider]
    let clock: any WallClock

    public init(
        profileName: String, explicitlySelected: Bool, files: SharedConfigFiles, roleAssumer: (any RoleAssumer)?,
        region: String?, namedSources: [String: any OptionalCredentialProvider] = [:], clock: any WallClock = LiveClock()
    ) {
        self.profileName = profileName
        self.explicitlySelected = explicitlySelected
        self.files = files
        self.roleAssumer = roleAssumer
        self.region = region
        self.namedSources = namedSources
        self.clock = clock
    }

    public var name: String { "shared config files (profile \(profileName))" }

    public func credentialsIfAvailable() async throws -> AWSCredentials? {
        guard files.profile(profileName) != nil else {
            if explicitlySelected { throw CredentialsError.unknownProfile(profileName) }
            return nil
        }
        return try await resolve(profileName, visited: [])
    }

    private func resolve(_ name: String, visited: [String]) async throws -> AWSCredentials {
        guard !visited.contains(name) else { throw CredentialsError.profileCycle(visited + [name]) }
        guard let settings = files.profile(name) else { throw CredentialsError.unknownProfile(name) }

        if let roleArn = settings["role_arn"], !roleArn.isEmpty {
            let source: AWSCredentials
            if let sourceProfile = settings["source_profile"], !sourceProfile.isEmpty {
                // A profile naming itself as its source uses its own static keys for the AssumeRole call.
                source =
                    sourceProfile == name
                    ? try staticCredentials(settings, profile: name)
                    : try await resolve(sourceProfile, visited: visited + [name])
            } else if let named = settings["credential_source"], !named.isEmpty {
                guard let provider = namedSources[named] else {
                    throw CredentialsError.incompleteProfile(
                        profile: name,
                        reason: "credential_source '\(named)' is not one of Environment, Ec2InstanceMetadata, EcsContainer")
                }
                guard let credentials = try await provider.credentialsIfAvailable() else {
                    throw CredentialsError.sourceFailed(source: provider.name, reason: "no credentials available there")
                }
                source = credentials
            } else {
                throw CredentialsError.incompleteProfile(
                    profile: name, reason: "role_arn needs source_profile or credential_source")
            }
            guard let roleAssumer else {
                throw CredentialsError.sourceFailed(source: "profile \(name)", reason: "assuming roles is not available here")
            }
            guard let stsRegion = settings["region"] ?? region else { throw AWSClientError.missingRegion }
            let sessionName = settings["role_session_name"] ?? "ce-\(Int(clock.now().timeIntervalSince1970))"
            do {
                return try await roleAssumer.assumeRole(
                    roleArn: roleArn, sessionName: sessionName, externalId: settings["external_id"],
                    durationSeconds: settings["duration_seconds"].flatMap(Int.init), using: source, region: stsRegion)
            } catch let error as AWSServiceError {
                throw CredentialsError.sourceFailed(source: "STS AssumeRole of \(roleArn) (profile \(name))", reason: error.description)
            }
        }
        return try staticCredentials(settings, profile: name)
    }

    private func staticCredentials(_ settings: [String: String], profile: String) throws -> AWSCredentials {
        let key = settings["aws_access_key_id"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = settings["aws_secret_access_key"].flatMap { $0.isEmpty ? nil : $0 }
        guard let key, let secret else {
            let missing = key == nil ? "aws_access_key_id" : "aws_secret_access_key"
            if key == nil && secret == nil && (settings["sso_start_url"] != nil || settings["sso_session"] != nil) {
                throw CredentialsError.incompleteProfile(
                    profile: profile, reason: "it uses AWS SSO, which ce does not read; run 'aws configure export-credentials' or use keys")
            }
            throw CredentialsError.incompleteProfile(profile: profile, reason: "\(missing) is missing")
        }
        let token = settings["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
        return AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: token)
    }
}
