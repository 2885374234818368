import CETestSupport
import Foundation
import Testing

@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct ValidateAndCapacityCommandTests {
    let keys = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"]

    func run(_ layout: Moto.Layout, yaml: String? = nil, _ arguments: [String]) throws -> CLI.Result {
        let home = try CLI.temporaryHome()
        try (yaml ?? layout.configYAML).write(toFile: home + "/ce.yaml", atomically: true, encoding: .utf8)
        return try CLI.run(["--config", home + "/ce.yaml", "--endpoint-url", Moto.endpoint!] + arguments, environment: CLI.environment(home: home, keys))
    }

    @Test func validatePassesOnTheLayoutAndFailsOnAMissingTargetGroup() throws {
        let layout = try Moto.layout("val", envs: ["prod", "beta"])
        let good = try run(layout, ["--env", "beta", "environment", "validate"])
        #expect(good.status == 0, "\(good.all)")
        #expect(good.stdout.hasSuffix("Valid.\n"))

        let yaml = layout.configYAML + "environments:\n  beta:\n    routing: /beta*\n    targetGroups: {blue: \(layout.prefix)Beta-Blue, green: \(layout.prefix)Beta-Gone}\n"
        let bad = try run(layout, yaml: yaml, ["--env", "beta", "environment", "validate", "--output", "json"])
        #expect(bad.status == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [String: Any])
        #expect(document["passed"] as? Bool == false)
        let failed = (document["checks"] as? [[String: String]] ?? []).filter { $0["outcome"] == "fail" }.map { $0["name"] ?? "" }
        #expect(failed.contains("target group green"))
    }

    @Test func designDocumentSpellings() async throws {
        let layout = try Moto.layout("doc", envs: ["beta"])
        let validate = try run(layout, ["--env", "beta", "environment", "test-blue-green", "--validate"])
        #expect(validate.status == 0, "\(validate.all)")
        #expect(validate.stdout.hasSuffix("Valid.\n"))
        let health = try run(layout, ["--env", "beta", "environment", "health-check"])
        #expect(health.status == 0, "\(health.all)")
        #expect(health.stdout.contains("beta: blue serves, 1/1 target(s) healthy"))
        let wrongTarget = try run(layout, ["--env", "beta", "environment", "refresh", "--strategy=blue-green", "--target=blue"])
        #expect(wrongTarget.status == 2)
        #expect(wrongTarget.stderr.contains("--target blue is the colour serving beta"))
        // (A failing health-check cannot be staged on moto: scaled-in instances stay registered as healthy.)
    }

    @Test func cleanupStopAndStartOnBeta() async throws {
        let layout = try Moto.layout("cap", envs: ["beta"])
        try await Moto.services.autoScaling.updateAutoScalingGroup(
            .init(autoScalingGroupName: layout.prefix + "beta-green", minSize: 1, maxSize: 24, desiredCapacity: 1))
        let before = try await Moto.world(layout)
        let dry = try run(layout, ["--env", "beta", "environment", "cleanup", "--dry-run"])
        #expect(dry.stdout.contains("UpdateAutoScalingGroup AutoScalingGroupName=\(layout.prefix)beta-green MinSize=0\n"))
        #expect(try await Moto.world(layout) == before)

        #expect(try run(layout, ["--env", "beta", "environment", "cleanup"]).status == 0)
        #expect(try await Moto.world(layout).contains("asg \(layout.prefix)beta-green 0/0/24"))
        #expect(try await Moto.world(layout).contains("asg \(layout.prefix)beta-blue 1/1/24"), "the serving colour is untouched")

        #expect(try run(layout, ["--env", "beta", "environment", "stop"]).status == 0)
        #expect(try await Moto.world(layout).contains("asg \(layout.prefix)beta-blue 0/0/24"))
        #expect(try run(layout, ["--env", "beta", "environment", "start"]).status == 0)
        #expect(try await Moto.world(layout).contains("asg \(layout.prefix)beta-blue 1/1/24"))
    }

    @Test func cleanupRefusesWhenTrafficIsSplit() async throws {
        let layout = try Moto.layout("spl", envs: ["beta"])
        let env = layout.environments["beta"]!
        _ = try await Moto.services.elbv2.modifyRule(
            .init(ruleArn: env.rules["443"]!, actions: [.weightedForward([(env.targetGroups["blue"]!, 50), (env.targetGroups["green"]!, 50)])]))
        let before = try await Moto.world(layout)
        let result = try run(layout, ["--env", "beta", "environment", "cleanup"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("refused: cleanup: the load balancer does not send all of beta's traffic to one colour"))
        #expect(try await Moto.world(layout) == before)
    }
}
