import AWSCore
import AWSServices
import Foundation

/// Access to the moto server that `.ci/run` (through `scripts/test.sh`) starts on 127.0.0.1 and names in
/// `CE_MOTO_ENDPOINT`. Without it the integration suites are skipped, and `.ci/run` fails on skipped suites.
public enum Moto {
    public static let endpoint: String? = {
        guard let value = ProcessInfo.processInfo.environment["CE_MOTO_ENDPOINT"], !value.isEmpty else { return nil }
        precondition(
            URL(string: value)?.host == "127.0.0.1",
            "CE_MOTO_ENDPOINT must point at 127.0.0.1, not \(value)")
        return value
    }()

    public static var isAvailable: Bool { endpoint != nil }

    public static let credentials = AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing")

    public static func client(retry: RetryPolicy = .none, region: String = "us-east-1") -> AWSClient {
        AWSClient(
            region: region, credentialProvider: StaticCredentialProvider(credentials),
            endpoints: EndpointResolver(commandLineURL: endpoint!, environment: [:]),
            transport: AsyncHTTPClientTransport(), retryPolicy: retry, timeouts: Timeouts(request: .seconds(30)))
    }

    public static var services: (elbv2: ELBv2, autoScaling: AutoScaling, ssm: SSM, cloudWatch: CloudWatch, ec2: EC2, sts: STS, s3: S3) {
        let client = client()
        return (ELBv2(client: client), AutoScaling(client: client), SSM(client: client), CloudWatch(client: client),
            EC2(client: client), STS(client: client), S3(client: client))
    }

    /// A unique name prefix, so that tests sharing one moto server never see each other's resources.
    public static func uniquePrefix(_ tag: String) -> String {
        "\(tag)\(UInt32.random(in: 0..<UInt32.max) % 100_000)-"
    }

    public struct Layout: Decodable, Sendable {
        public struct Environment: Decodable, Sendable {
            public var targetGroups: [String: String]
            /// The environment's serving rule by listener port (`443`); none for prod (the default actions).
            public var rules: [String: String]
            /// `--crowded`: the preview rule of each colour.
            public var previews: [String: String]
            public var ssmPrefix: String
        }
        public var prefix: String
        public var vpcId: String
        public var loadBalancerArn: String
        public var launchTemplateId: String
        public var listenerArns: [String: String]
        public var environments: [String: Environment]
        /// `--crowded`: other services' target groups and rules, by name.
        public var otherTargetGroups: [String: String]
        public var otherRules: [String: String]

        /// A `ce` config file for this layout's prefixed names. moto answers at once and waits are real in the
        /// binary, so by default no bake period and no stability window.
        public var configYAML: String { config() }

        public func config(bake: String = "0", health: String = "{stable: 0s}", alarms: [String] = []) -> String {
            """
            defaults:
              loadBalancer: "\(prefix)GccExplorerApp"
              targetGroupPattern: "\(prefix){Env}-{Color}"
              asgPattern: "\(prefix){env}-{color}"
              ssmPrefix: "/\(prefix)compiler-explorer/{env}/"
              bake: \(bake)
              health: \(health)
              alarms: [\(alarms.map { "\"\($0)\"" }.joined(separator: ", "))]

            """
        }
    }

    public struct LayoutError: Error, CustomStringConvertible {
        public var description: String { "scripts/moto_layout.py failed" }
    }

    /// Builds Compiler Explorer's layout with `scripts/moto_layout.py` (boto3) under a fresh prefix; `crowded` adds
    /// other services' rules, preview rules and authenticate actions.
    /// `instances`: environments laid out for instance switching (one target group `{Env}`, green's group not attached).
    public static func layout(
        _ tag: String, envs: [String] = ["prod", "beta", "staging"], crowded: Bool = false, instances: [String] = [], drainSeconds: Int = 20
    ) throws -> Layout {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/moto_layout.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", script.path, "--endpoint", endpoint!, "--prefix", uniquePrefix(tag), "--envs",
            envs.joined(separator: ","),
        ] + (crowded ? ["--crowded"] : []) + (instances.isEmpty ? [] : ["--instances", instances.joined(separator: ","), "--drain", String(drainSeconds)])
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw LayoutError() }
        return try JSONDecoder().decode(Layout.self, from: data)
    }
}

