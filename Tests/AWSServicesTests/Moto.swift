import AWSCore
import AWSServices
import Foundation
import Testing

/// Access to the moto server that `.ci/run` (through `scripts/test.sh`) starts on 127.0.0.1 and names in
/// `CE_MOTO_ENDPOINT`. Without it the integration suites are skipped, and `.ci/run` fails on skipped suites.
enum Moto {
    static let endpoint: String? = {
        guard let value = ProcessInfo.processInfo.environment["CE_MOTO_ENDPOINT"], !value.isEmpty else { return nil }
        precondition(
            URL(string: value)?.host == "127.0.0.1",
            "CE_MOTO_ENDPOINT must point at 127.0.0.1, not \(value)")
        return value
    }()

    static var isAvailable: Bool { endpoint != nil }

    static let credentials = AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing")

    static func client(retry: RetryPolicy = .none, region: String = "us-east-1") -> AWSClient {
        AWSClient(
            region: region, credentialProvider: StaticCredentialProvider(credentials),
            endpoints: EndpointResolver(commandLineURL: endpoint!, environment: [:]),
            transport: AsyncHTTPClientTransport(), retryPolicy: retry, timeouts: Timeouts(request: .seconds(30)))
    }

    static var services: (elbv2: ELBv2, autoScaling: AutoScaling, ssm: SSM, cloudWatch: CloudWatch, ec2: EC2, sts: STS) {
        let client = client()
        return (ELBv2(client: client), AutoScaling(client: client), SSM(client: client), CloudWatch(client: client),
            EC2(client: client), STS(client: client))
    }

    /// A unique name prefix, so that tests sharing one moto server never see each other's resources.
    static func uniquePrefix(_ tag: String) -> String {
        "\(tag)\(UInt32.random(in: 0..<UInt32.max) % 100_000)-"
    }

    struct Layout: Decodable {
        struct Environment: Decodable {
            var targetGroups: [String: String]
            var rules: [String: String]
            var ssmPrefix: String
        }
        var prefix: String
        var vpcId: String
        var loadBalancerArn: String
        var launchTemplateId: String
        var listenerArns: [String: String]
        var environments: [String: Environment]
    }

    /// Builds the design document's layout with `scripts/moto_layout.py` (boto3) under a fresh prefix.
    static func layout(_ tag: String, envs: [String] = ["prod", "beta", "staging"]) throws -> Layout {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/moto_layout.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", script.path, "--endpoint", endpoint!, "--prefix", uniquePrefix(tag), "--envs",
            envs.joined(separator: ","),
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "scripts/moto_layout.py failed")
        return try JSONDecoder().decode(Layout.self, from: data)
    }
}

/// Asserts that `body` throws an `AWSServiceError` with `code`, and returns it.
@discardableResult
func expectServiceError(
    _ code: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> AWSServiceError? {
    do {
        try await body()
        Issue.record("expected \(code), but the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as AWSServiceError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected AWSServiceError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
