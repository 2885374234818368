import Testing

@testable import Deployment
import TestPredicates

struct ValidatorAndCapacityTests {
    let beta = try! DeploymentConfiguration.builtIn.environment("beta")

    func snapshot(
        routes: [Route]? = nil, greenGroupArns: [String] = ["arn:green"], greenPath: String? = "/healthcheck",
        withGreenTargetGroup: Bool = true, blue: (Int, Int) = (1, 1), green: (Int, Int) = (0, 1), environment: EnvironmentConfiguration? = nil,
        others: [Route] = [], dropValues: [String] = []
    ) -> EnvironmentSnapshot {
        let beta = environment ?? self.beta
        let listeners: [Route] = [
            .init(kind: .listenerDefault, arn: "l80", listenerPort: 80, weights: ["arn:prod": 1]),
            .init(kind: .listenerDefault, arn: "l443", listenerPort: 443, weights: ["arn:prod": 1]),
        ]
        let betaRoutes = routes ?? [
            .init(kind: .rule, arn: "r80", listenerPort: 80, priority: "101", pathPatterns: ["/beta*"], weights: ["arn:blue": 1]),
            .init(kind: .rule, arn: "r443", listenerPort: 443, priority: "101", pathPatterns: ["/beta*"], weights: ["arn:blue": 1]),
        ]
        var groups: [String: TargetGroupSnapshot] = [
            "Beta-Blue": .init(name: "Beta-Blue", arn: "arn:blue", healthCheckPath: "/healthcheck", healthCheckPort: nil, loadBalancerArns: [])
        ]
        if withGreenTargetGroup {
            groups["Beta-Green"] = .init(name: "Beta-Green", arn: "arn:green", healthCheckPath: greenPath, healthCheckPort: nil, loadBalancerArns: [])
        }
        let asgs: [String: ScalingGroupSnapshot] = [
            "beta-blue": .init(name: "beta-blue", minSize: blue.0, desiredCapacity: blue.1, maxSize: 4, instances: [], targetGroupArns: ["arn:blue"], tags: ["Color": "blue"]),
            "beta-green": .init(name: "beta-green", minSize: green.0, desiredCapacity: green.1, maxSize: 4, instances: [], targetGroupArns: greenGroupArns, tags: ["Color": "green"]),
        ]
        var values = [
            "/compiler-explorer/beta/active-color": "blue", "/compiler-explorer/beta/active-target-group-arn": "arn:blue",
            "/compiler-explorer/beta/version": "v1", "/compiler-explorer/beta/blue/version": "v1", "/compiler-explorer/beta/green/version": "v1",
        ]
        for name in dropValues { values[name] = nil }
        let all = LoadBalancerRoutes(loadBalancerArn: "lb", routes: listeners + betaRoutes + others)
        let status = EnvironmentStatusReader.status(
            environment: beta, classified: all.classify(for: beta), targetGroups: groups, groups: asgs, health: [:], values: values)
        return EnvironmentSnapshot(environment: beta, status: status, loadBalancer: all, targetGroups: groups, groups: asgs, values: values)
    }

    func failures(_ snapshot: EnvironmentSnapshot) -> [String] {
        EnvironmentValidator.checks(snapshot).filter { $0.outcome == .fail }.map { "\($0.name): \($0.detail)" }
    }

    @Test func aGoodLayoutValidates() {
        let checks = EnvironmentValidator.checks(snapshot())
        #expect(checks.isNonEmptyAndAll { $0.outcome == .pass }, "\(checks.filter { $0.outcome != .pass })")
        #expect(checks.count > 15)
    }

    @Test func missingTargetGroupCrossAttachmentAndMissingRule() {
        #expect(failures(snapshot(withGreenTargetGroup: false)).contains("target group green: Beta-Green does not exist"))
        #expect(failures(snapshot(greenGroupArns: ["arn:green", "arn:blue"])).contains {
            $0.hasPrefix("asg green: beta-green is attached to the blue target group too")
        })
        let warnings = EnvironmentValidator.checks(snapshot(greenPath: "/ready")).filter { $0.outcome == .warn }
        #expect(warnings.map(\.detail) == ["Beta-Green checks /ready but the config's health path is /healthcheck"])
        #expect(failures(snapshot(routes: [])) == ["routing: no rules with exactly path /beta*", "drift: no listener or rule routes this environment (rules with exactly path /beta*)"])
    }

    @Test func theRuleOnOneListenerIsEnoughUnlessListenersArePinned() {
        // Compiler Explorer's layout: the environments' rules are on :443 only.
        let only443 = [Route(kind: .rule, arn: "r443", listenerPort: 443, priority: "101", pathPatterns: ["/beta*"], weights: ["arn:blue": 1])]
        #expect(failures(snapshot(routes: only443)) == [])
        var pinned = beta
        pinned.routing.listenerPorts = [80, 443]
        #expect(failures(snapshot(routes: only443, environment: pinned)) == ["routing: nothing on pinned listener :80"])
        pinned.routing.pinnedRules = [.priority(101), .arn("r-gone")]
        #expect(failures(snapshot(routes: only443, environment: pinned)).first == "routing: nothing on pinned listener :80; no rule r-gone on the environment's listeners")
    }

    @Test func theServingColourNeedsItsFloorAndANeverDeployedColourIsInformation() {
        #expect(failures(snapshot(blue: (0, 1))) == [
            "asg blue floor: beta-blue serves with min 0, below the live floor 1: it could be scaled in under the traffic; 'ce --env beta environment start' raises it"
        ])
        let checks = EnvironmentValidator.checks(snapshot(dropValues: ["/compiler-explorer/beta/green/version"]))
        #expect(checks.filter { $0.outcome == .fail }.isEmpty)
        #expect(checks.first { $0.name == "ssm green/version" }?.outcome == .info)
    }

    @Test func previewsAndOtherRulesAreShownNotFailed() {
        let others: [Route] = [
            Route(kind: .rule, arn: "p-blue", listenerArn: "listener:443", listenerPort: 443, priority: "99",
                conditions: [.pathPattern(["/beta*"]), .httpHeader(name: "x-deployment-color", values: ["Blue"])], actions: [.forward(to: "arn:blue")]),
            Route(kind: .rule, arn: "p-green", listenerArn: "listener:443", listenerPort: 443, priority: "100",
                conditions: [.httpHeader(name: "X-Deployment-Color", values: ["green"]), .pathPattern(["/beta*"])], actions: [.forward(to: "arn:blue")]),
            Route(kind: .rule, arn: "host", listenerArn: "listener:443", listenerPort: 443, priority: "95",
                conditions: [.pathPattern(["/beta*"]), .hostHeader(["beta.internal.example"])], actions: [.forward(to: "arn:other")]),
        ]
        let snapshot = snapshot(others: others)
        #expect(failures(snapshot) == [])
        #expect(snapshot.classified.previews.map(\.color) == [.blue, .green])
        #expect(snapshot.classified.other.map(\.arn) == ["l80", "l443", "host"])
        let checks = EnvironmentValidator.checks(snapshot)
        #expect(checks.first { $0.name == "preview blue" }?.outcome == .info)
        #expect(checks.first { $0.name == "preview green" }?.outcome == .warn, "it forwards to blue's group")
        #expect(snapshot.status.previews[1].note == "forwards to blue, not to green's target group")
        #expect(snapshot.status.previews[0].note == nil, "before the serving rule (99 < 101): reached")

        // Behind the serving rule (a higher priority number) a preview is never reached: noted, and a smoke hook that
        // relies on it fails validate.
        var behind = others
        behind[0].priority = "120"
        var hooked = self.snapshot(others: behind)
        #expect(hooked.status.previews[0].note == "never reached: rule 101 on :443 (path /beta*) takes its requests first; give it a lower priority number than rule 101 on :443")
        #expect(EnvironmentValidator.checks(hooked).first { $0.name == "preview blue" }?.outcome == .warn)
        hooked.environment.hooks = HookSettings([.preSwitch: [Hook(smoke: SmokeCheck(url: "https://example.com", paths: ["/beta/"]))]])
        #expect(EnvironmentValidator.checks(hooked).first { $0.name == "preview blue" }?.outcome == .fail)
        #expect(!snapshot.status.drift, "\(snapshot.status.driftReasons)")
    }

    @Test func cleanupScalesTheIdleColourMinFirst() throws {
        let plan = try CapacityPlanner(snapshot: snapshot()).cleanup()
        #expect(plan == [.resizeGroup(name: "beta-green", minSize: nil, desiredCapacity: 0, maxSize: nil)])
        #expect(try CapacityPlanner(snapshot: snapshot(green: (1, 1))).cleanup() == [
            .resizeGroup(name: "beta-green", minSize: 0, desiredCapacity: nil, maxSize: nil),
            .resizeGroup(name: "beta-green", minSize: nil, desiredCapacity: 0, maxSize: nil),
        ])
        #expect(try CapacityPlanner(snapshot: snapshot(green: (0, 0))).cleanup().isEmpty)
    }

    @Test func cleanupDecidesFromTheLoadBalancerNotSSM() throws {
        let split = [Route(kind: .rule, arn: "r80", listenerPort: 80, priority: "1", pathPatterns: ["/beta*"], weights: ["arn:blue": 1, "arn:green": 1])]
        #expect(throws: Refusal.self) { try CapacityPlanner(snapshot: snapshot(routes: split)).cleanup() }
        // SSM says blue, but the load balancer serves green: the idle colour is blue.
        let green = [Route(kind: .rule, arn: "r80", listenerPort: 80, priority: "1", pathPatterns: ["/beta*"], weights: ["arn:green": 1])]
        #expect(try CapacityPlanner(snapshot: snapshot(routes: green, blue: (1, 1), green: (1, 1))).cleanup().isNonEmptyAndAll {
            if case .resizeGroup(let name, _, _, _) = $0 { name == "beta-blue" } else { false }
        })
    }

    @Test func startAndStopTheLiveColour() throws {
        #expect(try CapacityPlanner(snapshot: snapshot(blue: (0, 0))).start() == [.resizeGroup(name: "beta-blue", minSize: 1, desiredCapacity: 1, maxSize: nil)])
        #expect(try CapacityPlanner(snapshot: snapshot(blue: (1, 2))).start().isEmpty)
        #expect(try CapacityPlanner(snapshot: snapshot(blue: (1, 2))).stop() == [.resizeGroup(name: "beta-blue", minSize: 0, desiredCapacity: 0, maxSize: nil)])
        #expect(try CapacityPlanner(snapshot: snapshot(blue: (0, 0))).stop().isEmpty)
    }
}
