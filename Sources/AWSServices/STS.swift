import AWSCore
import Foundation

/// STS: who the credentials belong to, and role assumption.
public struct STS: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    public func getCallerIdentity() async throws -> CallerIdentity {
        try await client.call(AWSOperation<EmptyInput, CallerIdentity>(.sts, "GetCallerIdentity"), EmptyInput())
    }

    public func assumeRole(_ input: AssumeRoleInput) async throws -> AssumeRoleOutput {
        try await client.call(AWSOperation<AssumeRoleInput, AssumeRoleOutput>(.sts, "AssumeRole"), input)
    }
}

/// An operation input with no fields.
public struct EmptyInput: Encodable, Sendable {
    public init() {}
}

public struct CallerIdentity: Decodable, Sendable, Hashable {
    public var account: String?
    public var arn: String?
    public var userId: String?
}

public struct AssumeRoleInput: Encodable, Sendable {
    public var roleArn: String
    public var roleSessionName: String
    public var externalId: String?
    public var durationSeconds: Int?
    public init(roleArn: String, roleSessionName: String, externalId: String? = nil, durationSeconds: Int? = nil) {
        self.roleArn = roleArn
        self.roleSessionName = roleSessionName
        self.externalId = externalId
        self.durationSeconds = durationSeconds
    }
}

public struct AssumeRoleOutput: Decodable, Sendable {
    public var credentials: Credentials
    public var assumedRoleUser: AssumedRoleUser?

    public struct Credentials: Decodable, Sendable {
        public var accessKeyId: String
        public var secretAccessKey: String
        public var sessionToken: String
        public var expiration: Date
    }

    public struct AssumedRoleUser: Decodable, Sendable {
        public var assumedRoleId: String?
        public var arn: String?
    }
}

/// Assumes roles for profiles with `role_arn`, calling STS with the source profile's credentials.
public struct STSRoleAssumer: RoleAssumer {
    let transport: any HTTPTransport
    let endpoints: EndpointResolver
    let retryPolicy: RetryPolicy
    let clock: any WallClock

    public init(transport: any HTTPTransport, endpoints: EndpointResolver, retryPolicy: RetryPolicy = RetryPolicy(), clock: any WallClock = LiveClock()) {
        self.transport = transport
        self.endpoints = endpoints
        self.retryPolicy = retryPolicy
        self.clock = clock
    }

    public func assumeRole(
        roleArn: String, sessionName: String, externalId: String?, durationSeconds: Int?,
        using credentials: AWSCredentials, region: String
    ) async throws -> AWSCredentials {
        let client = AWSClient(
            region: region, credentialProvider: StaticCredentialProvider(credentials, name: "source profile"),
            endpoints: endpoints, transport: transport, retryPolicy: retryPolicy, clock: clock)
        let output = try await STS(client: client).assumeRole(
            AssumeRoleInput(roleArn: roleArn, roleSessionName: sessionName, externalId: externalId, durationSeconds: durationSeconds))
        return AWSCredentials(
            accessKeyId: output.credentials.accessKeyId, secretAccessKey: output.credentials.secretAccessKey,
            sessionToken: output.credentials.sessionToken, expiration: output.credentials.expiration)
    }
}
