import AWSServices
import CETestSupport
import Foundation
import Testing

@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct RefreshCommandTests {
    let keys = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"]

    /// A `/preview*` rule using Prod-Green makes the load balancer health-check it, so the gate reads target
    /// health and the binary never probes moto's fake instance addresses.
    func layoutWithPreviewRule(_ tag: String) async throws -> (Moto.Layout, String) {
        let layout = try Moto.layout(tag, envs: ["prod"])
        _ = try await Moto.services.elbv2.createRule(
            .init(listenerArn: layout.listenerArns["80"]!, conditions: [.pathPattern(["/preview*"])], priority: 90,
                actions: [.forward(to: layout.environments["prod"]!.targetGroups["green"]!)]))
        let home = try CLI.temporaryHome()
        try layout.configYAML.write(toFile: home + "/ce.yaml", atomically: true, encoding: .utf8)
        return (layout, home)
    }

    func ce(_ home: String, _ arguments: [String]) throws -> CLI.Result {
        try CLI.run(["--config", home + "/ce.yaml", "--endpoint-url", Moto.endpoint!] + arguments, environment: CLI.environment(home: home, keys))
    }

    /// moto has no instance refreshes (HTTP 500): the rolling strategy must say so and put the version back.
    @Test func rollingStrategyOnMotoFailsCleanly() async throws {
        let layout = try Moto.layout("rol", envs: ["beta"])
        let home = try CLI.temporaryHome()
        try layout.configYAML.write(toFile: home + "/ce.yaml", atomically: true, encoding: .utf8)
        let dry = try ce(home, ["--env", "beta", "environment", "refresh", "--strategy", "rolling", "--dry-run"])
        #expect(dry.stdout.contains("StartInstanceRefresh AutoScalingGroupName=\(layout.prefix)beta-blue Preferences={MinHealthyPercentage=75"))
        let result = try ce(home, ["--env", "beta", "environment", "refresh", "--strategy", "rolling", "--version", "b9", "--max-attempts", "1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("rolling refresh failed at start: AutoScaling StartInstanceRefresh failed: InternalFailure"))
        #expect(result.stderr.contains("is back to v1"))
        #expect(try await Moto.services.ssm.getParameter(name: layout.environments["beta"]!.ssmPrefix + "blue/version").value == "v1")
        #expect(try await Moto.services.ssm.getParameter(name: layout.environments["beta"]!.ssmPrefix + "version").value == "v1")
    }

    @Test func prodRefreshThroughTheBinary() async throws {
        let (layout, home) = try await layoutWithPreviewRule("rfc")
        let result = try ce(home, ["--env", "prod", "environment", "refresh", "--strategy", "blue-green", "--version", "v2", "--yes"])
        #expect(result.status == 0, "\(result.all)")
        #expect(result.stdout.contains("health gate: green InService 2/2, healthy 2/2"))
        for step in ["preflight", "protect", "deploy", "scale", "health gate", "switch", "verify", "record", "finalize"] {
            #expect(result.stdout.contains("  \(step) "), "summary lists \(step)")
        }
        let status = try ce(home, ["--env", "prod", "environment", "status", "--output", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(document["activeColor"] as? String == "green")
        #expect(document["albColor"] as? String == "green")
        #expect((document["colors"] as? [String: [String: Any]])?["green"]?["version"] as? String == "v2")
        #expect(try await Moto.world(layout).contains("asg \(layout.prefix)prod-blue 0/2/24"))

        // Green now live; blue is warm: a second refresh refuses until cleanup.
        let before = try await Moto.world(layout)
        let refused = try ce(home, ["--env", "prod", "environment", "refresh", "--yes"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("The inactive colour blue"))
        #expect(try await Moto.world(layout) == before)
    }
}
