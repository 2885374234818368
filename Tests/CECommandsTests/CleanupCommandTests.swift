import AWSServices
import CETestSupport
import Foundation
import Testing

/// `cleanup` on moto, through the binary: moto's CloudWatch returns what a test puts, so both outcomes of the proof
/// that the idle colour serves nothing can be shown — requests counted refuse (exit 2, nothing changed), none let
/// it scale the colour down; `--force` skips the proof.
@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct CleanupCommandTests {
    let keys = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"]

    /// prod and beta on moto, blue serving beta and green left running (desired 1) by an earlier deploy.
    func greenLeftRunning(_ name: String) async throws -> (Moto.Layout, (_ arguments: [String]) throws -> CLI.Result) {
        let layout = try Moto.layout(name, envs: ["prod", "beta"], crowded: true)
        let home = try CLI.temporaryHome()
        try layout.config().write(toFile: home + "/ce.yaml", atomically: true, encoding: .utf8)
        try await Moto.services.autoScaling.updateAutoScalingGroup(.init(autoScalingGroupName: layout.prefix + "beta-green", minSize: 0, desiredCapacity: 1))
        let keys = self.keys
        return (layout, { arguments in
            try CLI.run(["--config", home + "/ce.yaml", "--endpoint-url", Moto.endpoint!, "--env", "beta"] + arguments, environment: CLI.environment(home: home, keys))
        })
    }

    func greenDesired(_ layout: Moto.Layout) async throws -> Int {
        try #require(try await Moto.services.autoScaling.describeAutoScalingGroups(.init(autoScalingGroupNames: [layout.prefix + "beta-green"])).first).desiredCapacity
    }

    @Test func cleanupRefusesWhileCloudWatchCountsRequestsToTheIdleColour() async throws {
        let (layout, ce) = try await greenLeftRunning("clean")
        // Requests to green's target group, counted by CloudWatch two minutes ago.
        let greenArn = layout.environments["beta"]!.targetGroups["green"]!
        let loadBalancer = String(layout.loadBalancerArn[layout.loadBalancerArn.range(of: "loadbalancer/")!.upperBound...])
        let targetGroup = String(greenArn[greenArn.range(of: "targetgroup/")!.lowerBound...])
        try await Moto.services.cloudWatch.putMetricData(namespace: "AWS/ApplicationELB", metricData: [
            MetricDatum(
                metricName: "RequestCount", dimensions: [.init(name: "LoadBalancer", value: loadBalancer), .init(name: "TargetGroup", value: targetGroup)],
                value: 17, unit: "Count", timestamp: Date().addingTimeInterval(-120))
        ])
        let refused = try ce(["environment", "cleanup", "--yes"])
        #expect(refused.status == 2, "\(refused.all)")
        #expect(refused.stderr.contains("17 request(s) reached \(layout.prefix)Beta-Green since"), "\(refused.stderr)")
        #expect(try await greenDesired(layout) == 1, "nothing changed")
        let dryRun = try ce(["environment", "cleanup", "--dry-run"])
        #expect(dryRun.status == 2 && dryRun.stderr.contains("17 request(s)"), "a dry run makes the same proof: \(dryRun.all)")

        let forced = try ce(["environment", "cleanup", "--yes", "--force"])
        #expect(forced.status == 0, "\(forced.all)")
        #expect(forced.stdout.contains("--force: scaling green down without proof that it serves nothing"), "\(forced.stdout)")
        #expect(try await greenDesired(layout) == 0)
    }

    @Test func cleanupScalesTheIdleColourDownWhenCloudWatchCountedNothing() async throws {
        let (layout, ce) = try await greenLeftRunning("quiet")
        let cleanup = try ce(["environment", "cleanup", "--yes"])
        #expect(cleanup.status == 0, "\(cleanup.all)")
        #expect(cleanup.stdout.contains("proof") && cleanup.stdout.contains("CloudWatch counted 0 requests to it since"), "\(cleanup.stdout)")
        #expect(try await greenDesired(layout) == 0)
    }

    @Test func rightAfterADeployItIsTooSoonToProve() async throws {
        let (_, ce) = try await greenLeftRunning("soon")
        #expect(try ce(["environment", "cleanup", "--yes"]).status == 0)
        #expect(try ce(["environment", "refresh", "--version", "v2"]).status == 0)
        let early = try ce(["environment", "cleanup", "--yes"])
        #expect(early.status == 2 && early.stderr.contains("CloudWatch shows a target group's requests up to 240 s late"), "\(early.all)")
    }
}
