import AWSServices
import CETestSupport
import Deployment
import Foundation
import Testing

/// Instance switching on moto, through the real binary: beta keeps one target group (the design document's current
/// architecture) on Compiler Explorer's crowded load balancer. A deploy, a rollback and a switch move instances in and
/// out of the group — read back with DescribeTargetHealth and DescribeAutoScalingGroups — and change no listener or
/// rule at all.
@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct InstanceSwitchCommandTests {
    let keys = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"]

    func registered(_ layout: Moto.Layout) async throws -> Set<String> {
        let arn = layout.environments["beta"]!.targetGroups["blue"]!
        return Set(try await Moto.services.elbv2.describeTargetHealth(targetGroupArn: arn).filter { $0.targetHealth.state != "draining" }.map(\.target.id))
    }

    func group(_ layout: Moto.Layout, _ color: String) async throws -> AutoScalingGroup {
        try #require(try await Moto.services.autoScaling.describeAutoScalingGroups(.init(autoScalingGroupNames: [layout.prefix + "beta-\(color)"])).first)
    }

    @Test func aDeployRollbackAndSwitchMoveInstancesAndNoRoute() async throws {
        let layout = try Moto.layout("inst", envs: ["prod", "beta"], crowded: true, instances: ["beta"], drainSeconds: 1)
        let home = try CLI.temporaryHome()
        let config = layout.config() + """
            environments:
              prod: {routing: default, minInstances: 2}
              beta: {routing: "/beta*", strategy: instances, targetGroup: "\(layout.prefix)Beta"}

            """
        try config.write(toFile: home + "/ce.yaml", atomically: true, encoding: .utf8)
        func ce(_ arguments: [String]) throws -> CLI.Result {
            try CLI.run(["--config", home + "/ce.yaml", "--endpoint-url", Moto.endpoint!, "--env", "beta"] + arguments, environment: CLI.environment(home: home, keys))
        }
        let routesBefore = try await RawLoadBalancer.members(loadBalancerArn: layout.loadBalancerArn)
        let blue = Set(try await group(layout, "blue").instances.map(\.instanceId))
        #expect(try await registered(layout) == blue && blue.count == 1)

        let status = try ce(["environment", "status"])
        #expect(status.status == 0, "\(status.all)")
        #expect(status.stdout.contains("active       SSM: blue   registered: blue") && status.stdout.contains("strategy     instances"), "\(status.stdout)")
        let validate = try ce(["environment", "validate"])
        #expect(validate.status == 0, "\(validate.all)")

        let dryRun = try ce(["environment", "refresh", "--version", "v2", "--dry-run"])
        #expect(dryRun.stdout.contains("ELBv2 RegisterTargets TargetGroupArn=\(layout.environments["beta"]!.targetGroups["blue"]!) Targets=[NEW-1]"), "\(dryRun.all)")
        #expect(try await registered(layout) == blue, "a dry run changes nothing")

        let refresh = try ce(["environment", "refresh", "--version", "v2"])
        #expect(refresh.status == 0, "\(refresh.all)")
        let green = Set(try await group(layout, "green").instances.map(\.instanceId))
        let afterDeploy = try await registered(layout)
        #expect(green.count == 1 && afterDeploy == green, "only green's instances are in the group")
        #expect(try await group(layout, "green").targetGroupARNs == [layout.environments["beta"]!.targetGroups["blue"]!])
        #expect(try await group(layout, "blue").targetGroupARNs.isEmpty, "the standing-by colour is out of the group")
        #expect(try await Moto.services.ssm.getParameter(name: layout.environments["beta"]!.ssmPrefix + "active-color").value == "green")

        let rollback = try ce(["environment", "rollback"])
        #expect(rollback.status == 0, "\(rollback.all)")
        #expect(try await registered(layout) == blue, "the warm colour is back in the group, green out")
        #expect(try await group(layout, "blue").targetGroupARNs == [layout.environments["beta"]!.targetGroups["blue"]!])

        let switched = try ce(["environment", "switch", "--to", "green"])
        #expect(switched.status == 0, "\(switched.all)")
        #expect(try await registered(layout) == green)
        let again = try ce(["environment", "switch", "--to", "green"])
        #expect(again.status == 2 && again.stderr.contains("green already serves beta"), "\(again.all)")

        // Instances moved; not one listener or rule changed, of beta or of anyone else.
        #expect(try await RawLoadBalancer.members(loadBalancerArn: layout.loadBalancerArn) == routesBefore)
        let after = try ce(["environment", "status"])
        #expect(after.status == 0 && after.stdout.contains("registered: green"), "\(after.all)")
    }
}
