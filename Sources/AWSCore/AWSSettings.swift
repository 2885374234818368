import AWSSigner
import Foundation

/// What the operator chose on the command line, plus the process environment.
public struct AWSSettings: Sendable {
    public var region: String?
    public var profile: String?
    public var endpointURL: String?
    public var environment: [String: String]
    public var retryPolicy: RetryPolicy
    public var timeouts: Timeouts

    public init(
        region: String? = nil, profile: String? = nil, endpointURL: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        retryPolicy: RetryPolicy = RetryPolicy(), timeouts: Timeouts = Timeouts()
    ) {
        self.region = region
        self.profile = profile
        self.endpointURL = endpointURL
        self.environment = environment
        self.retryPolicy = retryPolicy
        self.timeouts = timeouts
    }
}

/// The effective AWS configuration: region (and where it came from), profile, credential chain and endpoints.
public struct AWSConfiguration: Sendable {
    public var region: String
    public var regionSource: String
    public var profileName: String
    public var credentialChain: CredentialProviderChain
    public var endpoints: EndpointResolver
    public var settings: AWSSettings

    /// Resolves the configuration the way the AWS CLI does.
    ///
    /// - Region: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, instance metadata.
    /// - Credentials: environment variables (skipped when `--profile` is given), the shared files' profile,
    ///   the container endpoint, instance metadata.
    /// - Throws: `CredentialsError` for an unknown profile or a malformed file; `AWSClientError.missingRegion`.
    public static func resolve(
        _ settings: AWSSettings, transport: any HTTPTransport, roleAssumer: (any RoleAssumer)?,
        clock: any WallClock = LiveClock()
    ) async throws -> AWSConfiguration {
        let environment = settings.environment
        let files = try SharedConfigFiles.load(environment: environment)
        let envProfile = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["AWS_DEFAULT_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        let profileName = settings.profile ?? envProfile ?? "default"
        let explicitlySelected = settings.profile != nil || envProfile != nil
        if explicitlySelected && files.profile(profileName) == nil {
            throw CredentialsError.unknownProfile(profileName)
        }
        let profileSettings = files.profile(profileName) ?? [:]

        let metadata = InstanceMetadataClient(environment: environment, transport: transport)
        let (region, regionSource) = try await resolveRegion(
            settings: settings, profileRegion: profileSettings["region"], profileName: profileName, metadata: metadata)

        let environmentProvider = EnvironmentCredentialProvider(environment: environment)
        let containerProvider = ContainerCredentialProvider(environment: environment, transport: transport)
        let metadataProvider = InstanceMetadataCredentialProvider(metadata: metadata)
        let profileProvider = ProfileCredentialProvider(
            profileName: profileName, explicitlySelected: explicitlySelected, files: files, roleAssumer: roleAssumer,
            region: region,
            namedSources: [
                "Environment": environmentProvider, "EcsContainer": containerProvider,
                "Ec2InstanceMetadata": metadataProvider,
            ],
            clock: clock)
        var providers: [any OptionalCredentialProvider] = []
        // As in the AWS CLI, an explicit --profile wins over key variables in the environment.
        if settings.profile == nil { providers.append(environmentProvider) }
        providers += [profileProvider, containerProvider, metadataProvider]

        let endpoints = EndpointResolver(commandLineURL: settings.endpointURL, environment: environment)
        // A bad --endpoint-url or AWS_ENDPOINT_URL* is reported once, before any call.
        for service in AWSServiceDescriptor.all { _ = try endpoints.endpoint(for: service, region: region) }

        return AWSConfiguration(
            region: region, regionSource: regionSource, profileName: profileName,
            credentialChain: CredentialProviderChain(providers: providers, clock: clock),
            endpoints: endpoints, settings: settings)
    }

    static func resolveRegion(
        settings: AWSSettings, profileRegion: String?, profileName: String, metadata: InstanceMetadataClient
    ) async throws -> (String, String) {
        let candidates: [(String?, String)] = [
            (settings.region, "--region"),
            (settings.environment["AWS_REGION"], "AWS_REGION"),
            (settings.environment["AWS_DEFAULT_REGION"], "AWS_DEFAULT_REGION"),
            (profileRegion, "profile \(profileName)"),
        ]
        for case (let value?, let source) in candidates where !value.isEmpty {
            guard EndpointResolver.isValidRegion(value) else {
                throw AWSClientError.invalidEndpoint(value, reason: "'\(value)' from \(source) is not a valid region name")
            }
            return (value, source)
        }
        if !metadata.isDisabled, let region = try? await metadata.get("/latest/meta-data/placement/region"),
            EndpointResolver.isValidRegion(region)
        {
            return (region, "EC2 instance metadata")
        }
        throw AWSClientError.missingRegion
    }
}
