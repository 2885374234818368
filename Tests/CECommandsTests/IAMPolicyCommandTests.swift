import DeploymentAWS
import Foundation
import Testing

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
        #expect(statements.allSatisfy { Set($0.keys) == ["Sid", "Effect", "Action", "Resource"] && $0["Effect"] as? String == "Allow" })
        let actions = Set(statements.flatMap { $0["Action"] as? [String] ?? [] })
        #expect(actions == IAMPolicy.actions)
        let resources = statements.flatMap { $0["Resource"] as? [String] ?? [] }
        #expect(resources.contains("arn:aws:ssm:eu-west-1:123456789012:parameter/compiler-explorer/beta/*"))
        #expect(!resources.contains { $0.contains("/prod") }, "only beta's")
        let all = try ce(["iam-policy", "-o", "json"])
        #expect(all.status == 0 && all.stdout.contains("autoScalingGroupName/aarch64staging-green"), "every environment without --env")
    }

    @Test func badInputIsNamed() throws {
        let account = try ce(["iam-policy", "--account", "12345"])
        #expect(account.status == 64 && account.stderr.contains("--account must be a 12-digit AWS account id"))
        let unknown = try ce(["iam-policy", "--env", "prdo"])
        #expect(unknown.status == 2 && unknown.stderr.contains("Did you mean 'prod'?"), "\(unknown.all)")
    }
}
