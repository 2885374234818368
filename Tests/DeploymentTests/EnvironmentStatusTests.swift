import Testing

@testable import Deployment

struct EnvironmentStatusTests {
    let prod = try! DeploymentConfiguration.builtIn.environment("prod")
    let groups: [String: TargetGroupSnapshot] = [
        "Prod-Blue": .init(name: "Prod-Blue", arn: "arn:blue", healthCheckPath: "/healthcheck", healthCheckPort: nil, loadBalancerArns: []),
        "Prod-Green": .init(name: "Prod-Green", arn: "arn:green", healthCheckPath: "/healthcheck", healthCheckPort: nil, loadBalancerArns: []),
    ]
    let asgs: [String: ScalingGroupSnapshot] = [
        "prod-blue": .init(
            name: "prod-blue", minSize: 2, desiredCapacity: 3, maxSize: 24,
            instances: [
                .init(id: "i-1", lifecycleState: "InService", healthStatus: "Healthy"),
                .init(id: "i-2", lifecycleState: "InService", healthStatus: "Healthy"),
                .init(id: "i-3", lifecycleState: "Pending", healthStatus: "Healthy"),
            ], targetGroupArns: ["arn:blue"], tags: [:]),
        "prod-green": .init(name: "prod-green", minSize: 0, desiredCapacity: 0, maxSize: 24, instances: [], targetGroupArns: ["arn:green"], tags: [:]),
    ]
    var values: [String: String] {
        [
            "/compiler-explorer/prod/active-color": "blue", "/compiler-explorer/prod/active-target-group-arn": "arn:blue",
            "/compiler-explorer/prod/version": "v2", "/compiler-explorer/prod/blue/version": "v1",
            "/compiler-explorer/prod/green/version": "v0",
        ]
    }

    func routes(_ w80: [String: Int], _ w443: [String: Int]) -> [Route] {
        [
            .init(kind: .listenerDefault, arn: "l80", listenerPort: 80, weights: w80),
            .init(kind: .listenerDefault, arn: "l443", listenerPort: 443, weights: w443),
        ]
    }

    func status(routes: [Route], values: [String: String]? = nil, asgs: [String: ScalingGroupSnapshot]? = nil) -> EnvironmentStatus {
        EnvironmentStatusReader.status(
            environment: prod, routes: routes, targetGroups: groups, groups: asgs ?? self.asgs,
            health: [.blue: [.init(id: "i-1", state: "healthy", reason: nil), .init(id: "i-2", state: "healthy", reason: nil), .init(id: "i-3", state: "initial", reason: "Elb.RegistrationInProgress")]],
            values: values ?? self.values)
    }

    @Test func consistentEnvironment() {
        let s = status(routes: routes(["arn:blue": 1], ["arn:blue": 1]))
        #expect(s.activeColor == .blue)
        #expect(s.albColor == .blue)
        #expect(!s.drift, "\(s.driftReasons)")
        #expect(s.nextVersion == "v2")
        let blue = s.color(.blue)!
        #expect((blue.min, blue.desired, blue.max) == (2, 3, 24))
        #expect(blue.instances == ["InService": 2, "Pending": 1])
        #expect(blue.targetHealth == ["healthy": 2, "initial": 1])
        #expect(blue.version == "v1")
        #expect(blue.trafficPercent == 100)
        #expect(s.color(.green)!.trafficPercent == 0)
        #expect(s.color(.green)!.instances.isEmpty)
    }

    @Test func ssmDisagreeingWithTheLoadBalancerIsDrift() {
        let s = status(routes: routes(["arn:green": 1], ["arn:green": 1]))
        #expect(s.albColor == .green)
        #expect(s.drift)
        #expect(s.driftReasons.contains("SSM says blue but the load balancer sends traffic to green"))
    }

    @Test func listenersDisagreeing() {
        let s = status(routes: routes(["arn:blue": 1], ["arn:green": 1]))
        #expect(s.albColor == nil)
        #expect(s.drift)
        #expect(s.driftReasons.contains { $0.hasPrefix("the listeners disagree") })
    }

    @Test func weightedSplitIsNotOneColour() {
        let s = status(routes: routes(["arn:blue": 90, "arn:green": 10], ["arn:blue": 90, "arn:green": 10]))
        #expect(s.albColor == nil)
        #expect(s.routes.first?.percent == ["blue": 90, "green": 10])
        #expect(s.color(.green)!.trafficPercent == 10)
        #expect(s.driftReasons.contains { $0.contains("does not send all traffic to one colour (blue 90%, green 10%)") })
    }

    @Test func forwardingElsewhereMissingParametersAndGroups() {
        var values = self.values
        values["/compiler-explorer/prod/active-color"] = nil
        var asgs = self.asgs
        asgs["prod-green"] = nil
        let s = status(routes: routes(["arn:old-prod": 1], ["arn:old-prod": 1]), values: values, asgs: asgs)
        #expect(s.activeColor == nil)
        #expect(s.albColor == nil)
        #expect(s.driftReasons.contains("/compiler-explorer/prod/active-color is not set"))
        #expect(s.driftReasons.contains("Auto Scaling group prod-green does not exist"))
        #expect(s.routes.first?.percent == ["other": 100])
        #expect(status(routes: []).driftReasons.contains { $0.hasPrefix("no listener or rule routes") })
    }

    @Test func staleActiveTargetGroupArn() {
        var values = self.values
        values["/compiler-explorer/prod/active-target-group-arn"] = "arn:green"
        let s = status(routes: routes(["arn:blue": 1], ["arn:blue": 1]), values: values)
        #expect(s.driftReasons == ["/compiler-explorer/prod/active-target-group-arn is not the blue target group's ARN"])
    }
}
