import AWSCore

/// One live client per run and the typed services on it.
public struct AWSServices: Sendable {
    public let configuration: AWSConfiguration
    public let client: AWSClient

    public var elbv2: ELBv2 { ELBv2(client: client) }
    public var autoScaling: AutoScaling { AutoScaling(client: client) }
    public var ssm: SSM { SSM(client: client) }
    public var cloudWatch: CloudWatch { CloudWatch(client: client) }
    public var ec2: EC2 { EC2(client: client) }
    public var sts: STS { STS(client: client) }
    public var s3: S3 { S3(client: client) }

    public init(configuration: AWSConfiguration, client: AWSClient) {
        self.configuration = configuration
        self.client = client
    }

    /// The same services retrying with `policy` (see `AWSClient.retrying(with:)`).
    public func retrying(with policy: RetryPolicy) -> AWSServices {
        AWSServices(configuration: configuration, client: client.retrying(with: policy))
    }

    /// Resolves region, credentials and endpoints from `settings` and the environment, and connects over HTTP.
    public static func live(
        _ settings: AWSSettings, transport: (any HTTPTransport)? = nil, clock: any WallClock = LiveClock(),
        random: any RandomSource = LiveRandomSource()
    ) async throws -> AWSServices {
        let transport = transport ?? AsyncHTTPClientTransport(connectTimeout: settings.timeouts.connect)
        let endpoints = EndpointResolver(commandLineURL: settings.endpointURL, environment: settings.environment)
        let configuration = try await AWSConfiguration.resolve(
            settings, transport: transport,
            roleAssumer: STSRoleAssumer(transport: transport, endpoints: endpoints, retryPolicy: settings.retryPolicy, clock: clock),
            clock: clock)
        let client = AWSClient(
            region: configuration.region, credentialProvider: configuration.credentialChain,
            endpoints: configuration.endpoints, transport: transport, retryPolicy: settings.retryPolicy,
            timeouts: settings.timeouts, clock: clock, random: random)
        return AWSServices(configuration: configuration, client: client)
    }
}
