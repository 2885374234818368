import Foundation
import Testing

@testable import Deployment

/// `builds:` — where an environment's builds are named: SSM parameters, or S3 objects.
struct BuildStoreTests {
    @Test func theNamesFollowTheStore() throws {
        let ssm = try ConfigurationLoader.parse("defaults: {}", file: "ce.yaml").environment("beta").parameters
        #expect(ssm.version == "/compiler-explorer/beta/version" && ssm.version(of: .green) == "/compiler-explorer/beta/green/version")
        let yaml = "defaults:\n  builds: \"s3://ce-builds/{env}/{color}\"\nenvironments:\n  prod: {routing: default, builds: \"s3://ce-prod/builds/{color}.txt\"}\n  beta: {routing: \"/beta*\"}\n"
        let configuration = try ConfigurationLoader.parse(yaml, file: "ce.yaml")
        let beta = try configuration.environment("beta").parameters
        #expect(beta.version == "s3://ce-builds/beta/current" && beta.version(of: .blue) == "s3://ce-builds/beta/blue")
        let prod = try configuration.environment("prod").parameters
        #expect(prod.version(of: .green) == "s3://ce-prod/builds/green.txt" && prod.deployment == "/compiler-explorer/prod/deployment", "the journal stays in SSM")
        #expect(BuildStore.s3Object("s3://ce-builds/beta/green")! == ("ce-builds", "beta/green"))
        #expect(BuildStore.s3Object("/compiler-explorer/beta/version") == nil)
        #expect(Mutation.putParameter(name: beta.version(of: .green), value: "v2").description == "S3 PutObject Bucket=ce-builds Key=beta/green Body=v2")
    }

    @Test(arguments: ["s3://Bad_Bucket/{color}", "s3://ce-builds", "s3://ce-builds/", "gcs://x/{color}", "s3://ce-builds//{color}"])
    func aBadSettingIsNamedAtItsKey(setting: String) {
        do {
            _ = try ConfigurationLoader.parse("defaults:\n  builds: \"\(setting)\"\n", file: "ce.yaml")
            Issue.record("expected \(setting) to be refused")
        } catch {
            #expect(String(describing: error).contains("defaults.builds: must be ssm, s3://bucket/key-pattern with {color}"), "\(error)")
        }
    }
}
