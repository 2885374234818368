import Deployment
import DeploymentAWS
import Foundation
import Testing
import TestPredicates

/// `ce iam-policy` through the binary: a policy document IAM accepts the shape of, for the configuration's
/// environments; bad input named.
struct IAMPolicyCommandTests {
    func ce(_ arguments: [String]) throws -> CLI.Result {
        try CLI.run(arguments, environment: CLI.environment(home: try CLI.temporaryHome()))
    }

    @Test func thePolicyIsOneDocumentOfTheConfiguredEnvironments() throws {
        let result = try ce(["iam-policy", "--env", "beta", "--region", "eu-west-1", "--account", "123456789012"])
        #expect(result.status == 0, "\(result.all)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["Version"] as? String == "2012-10-17")
        let statements = try #require(document["Statement"] as? [[String: Any]])
        #expect(statements.isNonEmptyAndAll { Set($0.keys) == ["Sid", "Effect", "Action", "Resource"] && $0["Effect"] as? String == "Allow" }, "no Condition unless one is needed")
        let actions = Set(statements.flatMap { $0["Action"] as? [String] ?? [] })
        #expect(
            actions == IAMPolicy.actions.subtracting(IAMPolicy.metricActions + IAMPolicy.buildObjectActions + IAMPolicy.buildBucketActions),
            "PutMetricData only when metricsNamespace is configured, S3 only when builds live there")
        let resources = statements.flatMap { $0["Resource"] as? [String] ?? [] }
        #expect(resources.contains("arn:aws:ssm:eu-west-1:123456789012:parameter/compiler-explorer/beta/*"))
        #expect(!resources.contains { $0.contains("/prod") }, "only beta's")
        let all = try ce(["iam-policy", "-o", "json"])
        #expect(all.status == 0 && all.stdout.contains("autoScalingGroupName/aarch64staging-green"), "every environment without --env")

        // With metricsNamespace: PutMetricData, held to that namespace by a condition.
        let config = NSTemporaryDirectory() + "ce-iam-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: config) }
        try "defaults:\n  metricsNamespace: CompilerExplorer/Deploy\n".write(toFile: config, atomically: true, encoding: .utf8)
        let metrics = try ce(["--config", config, "iam-policy", "--env", "beta"])
        let published = try #require(try JSONSerialization.jsonObject(with: Data(metrics.stdout.utf8)) as? [String: Any])
        let grant = try #require((published["Statement"] as? [[String: Any]])?.first { $0["Sid"] as? String == "PublishDeployMetrics" })
        #expect(grant["Action"] as? [String] == ["cloudwatch:PutMetricData"] && grant["Resource"] as? [String] == ["*"])
        #expect((grant["Condition"] as? [String: [String: [String]]]) == ["StringEquals": ["cloudwatch:namespace": ["CompilerExplorer/Deploy"]]])

        // Builds in S3: the objects of the environment and the bucket, nothing else.
        try "defaults:\n  builds: \"s3://ce-builds/{env}/{color}\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let s3 = try ce(["--config", config, "iam-policy", "--env", "beta"])
        let s3Statements = try #require((try JSONSerialization.jsonObject(with: Data(s3.stdout.utf8)) as? [String: Any])?["Statement"] as? [[String: Any]])
        let objects = try #require(s3Statements.first { $0["Sid"] as? String == "BuildObjects" })
        #expect(objects["Action"] as? [String] == ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"])
        #expect(objects["Resource"] as? [String] == ["arn:aws:s3:::ce-builds/beta/*"])
        let buckets = try #require(s3Statements.first { $0["Sid"] as? String == "BuildBuckets" })
        #expect(buckets["Action"] as? [String] == ["s3:GetBucketVersioning", "s3:ListBucket", "s3:ListBucketVersions"] && buckets["Resource"] as? [String] == ["arn:aws:s3:::ce-builds"])

        // One object per environment for both colours: exactly each environment's object (prod's by its branch).
        try "defaults:\n  builds: s3://compiler-explorer/version/{branch}\n  branches: {prod: release}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let shared = try ce(["--config", config, "iam-policy"])
        let sharedStatements = try #require((try JSONSerialization.jsonObject(with: Data(shared.stdout.utf8)) as? [String: Any])?["Statement"] as? [[String: Any]])
        let sharedObjects = try #require(sharedStatements.first { $0["Sid"] as? String == "BuildObjects" })
        let objectArns = try #require(sharedObjects["Resource"] as? [String])
        #expect(objectArns.contains("arn:aws:s3:::compiler-explorer/version/release") && objectArns.contains("arn:aws:s3:::compiler-explorer/version/beta"))
        #expect(!objectArns.contains("arn:aws:s3:::compiler-explorer/version/prod") && objectArns.count == DeploymentConfiguration.compilerExplorerEnvironments.count, "\(objectArns)")
    }

    @Test func badInputIsNamed() throws {
        let account = try ce(["iam-policy", "--account", "12345"])
        #expect(account.status == 64 && account.stderr.contains("--account must be a 12-digit AWS account id"))
        let unknown = try ce(["iam-policy", "--env", "prdo"])
        #expect(unknown.status == 2 && unknown.stderr.contains("Did you mean 'prod'?"), "\(unknown.all)")
    }
}
