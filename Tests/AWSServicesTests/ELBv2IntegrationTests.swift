import AWSCore
import AWSServices
import CETestSupport
import Foundation
import Testing
import TestPredicates

@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct ELBv2IntegrationTests {
    let elb = Moto.services.elbv2

    @Test func describesTheLayout() async throws {
        let layout = try Moto.layout("elb")
        let balancers = try await elb.describeLoadBalancers(.init(loadBalancerArns: [layout.loadBalancerArn]))
        #expect(balancers.map(\.loadBalancerName) == ["\(layout.prefix)GccExplorerApp"])
        #expect(balancers.first?.dnsName?.isEmpty == false)
        #expect(balancers.first?.type == "application")

        let listeners = try await elb.describeListeners(.init(loadBalancerArn: layout.loadBalancerArn))
        #expect(Set(listeners.compactMap(\.port)) == [80, 443])
        let prodBlue = layout.environments["prod"]!.targetGroups["blue"]!
        for listener in listeners {
            #expect(listener.defaultActions.map(\.forwardWeights) == [[prodBlue: 1]])
        }

        let rules = try await elb.describeRules(.init(listenerArn: layout.listenerArns["443"]!))
        let beta = try #require(rules.first { $0.conditions.flatMap(\.pathPatterns) == ["/beta*"] })
        #expect(beta.priority == "101")
        #expect(beta.actions.first?.targetGroupArn == layout.environments["beta"]!.targetGroups["blue"])
        #expect(rules.contains { $0.isDefault == true && $0.priority == "default" })

        let groups = try await elb.describeTargetGroups(.init(names: ["\(layout.prefix)Prod-Blue", "\(layout.prefix)Prod-Green"]))
        #expect(groups.count == 2)
        let blue = try #require(groups.first { $0.targetGroupArn == prodBlue })
        #expect(blue.healthCheckPath == "/healthcheck")
        #expect(blue.healthCheckIntervalSeconds == 10)
        #expect(blue.healthyThresholdCount == 2)
        #expect(blue.unhealthyThresholdCount == 3)
        #expect(Set(blue.loadBalancerArns) == [layout.loadBalancerArn])  // moto lists it once per listener

        let attributes = try await elb.describeTargetGroupAttributes(targetGroupArn: prodBlue)
        #expect(attributes.first { $0.key == "deregistration_delay.timeout_seconds" }?.value == "20")
    }

    @Test func paginatesWithMarkers() async throws {
        let layout = try Moto.layout("page", envs: ["prod", "beta", "staging", "gpu"])
        let all = try await elb.describeTargetGroups(.init(loadBalancerArn: nil, pageSize: 3))
        let ours = all.filter { $0.targetGroupName.hasPrefix(layout.prefix) }
        #expect(ours.count == 8)
        #expect(Set(all.map(\.targetGroupArn)).count == all.count, "no page repeated")
    }

    @Test func modifiesListenersWithWeightedForwardAndStickiness() async throws {
        let layout = try Moto.layout("fwd", envs: ["prod"])
        let blue = layout.environments["prod"]!.targetGroups["blue"]!
        let green = layout.environments["prod"]!.targetGroups["green"]!
        let listener = layout.listenerArns["443"]!

        let modified = try await elb.modifyListener(
            .init(listenerArn: listener, defaultActions: [.weightedForward([(blue, 90), (green, 10)], stickinessSeconds: 300)]))
        #expect(modified.first?.defaultActions.first?.forwardWeights == [blue: 90, green: 10])

        let readBack = try await elb.describeListeners(.init(listenerArns: [listener]))
        let action = try #require(readBack.first?.defaultActions.first)
        #expect(action.forwardWeights == [blue: 90, green: 10])
        #expect(action.forwardConfig?.targetGroupStickinessConfig?.enabled == true)
        #expect(action.forwardConfig?.targetGroupStickinessConfig?.durationSeconds == 300)

        _ = try await elb.modifyListener(.init(listenerArn: listener, defaultActions: [.forward(to: green)]))
        let switched = try await elb.describeListeners(.init(listenerArns: [listener]))
        #expect(switched.first?.defaultActions.first?.forwardWeights == [green: 1])
    }

    @Test func createsModifiesAndDeletesRules() async throws {
        let layout = try Moto.layout("rule", envs: ["prod", "beta"])
        let listener = layout.listenerArns["80"]!
        let betaGreen = layout.environments["beta"]!.targetGroups["green"]!
        let betaBlue = layout.environments["beta"]!.targetGroups["blue"]!

        let created = try await elb.createRule(
            .init(listenerArn: listener, conditions: [.pathPattern(["/preview-beta*"])], priority: 50,
                actions: [.forward(to: betaGreen)]))
        let rule = try #require(created.first)
        #expect(rule.priority == "50")
        #expect(rule.conditions.flatMap(\.pathPatterns) == ["/preview-beta*"])

        let modified = try await elb.modifyRule(
            .init(ruleArn: rule.ruleArn, actions: [.weightedForward([(betaBlue, 1), (betaGreen, 3)])]))
        #expect(modified.first?.actions.first?.forwardWeights == [betaBlue: 1, betaGreen: 3])
        let readBack = try await elb.describeRules(.init(ruleArns: [rule.ruleArn]))
        #expect(readBack.first?.actions.first?.forwardWeights == [betaBlue: 1, betaGreen: 3])

        try await elb.deleteRule(ruleArn: rule.ruleArn)
        await expectServiceError("RuleNotFound") { _ = try await elb.describeRules(.init(ruleArns: [rule.ruleArn])) }
    }

    @Test func registersAndDeregistersTargetsInBatches() async throws {
        let layout = try Moto.layout("tgt", envs: ["beta"])
        let green = layout.environments["beta"]!.targetGroups["green"]!
        let group = try await Moto.services.autoScaling.describeAutoScalingGroups(
            .init(autoScalingGroupNames: ["\(layout.prefix)beta-blue"]))
        let ids = group.flatMap(\.instances).map(\.instanceId)
        try #require(ids.count == 1)

        try await elb.registerTargets(targetGroupArn: green, targets: ids.map { TargetDescription(id: $0) })
        var health = try await elb.describeTargetHealth(targetGroupArn: green)
        #expect(health.map(\.target.id) == ids)
        #expect(health.first?.targetHealth.state != nil)

        try await elb.deregisterTargets(targetGroupArn: green, targets: ids.map { TargetDescription(id: $0) })
        health = try await elb.describeTargetHealth(targetGroupArn: green)
        // Gone (moto drops them at once) or draining (AWS): never still serving.
        #expect(!health.contains { ids.contains($0.target.id) && $0.targetHealth.state != "draining" })
    }

    @Test func describesTags() async throws {
        let layout = try Moto.layout("tags", envs: ["beta"])
        let arn = layout.environments["beta"]!.targetGroups["blue"]!
        let tags = try await elb.describeTags(resourceArns: [arn, layout.loadBalancerArn])
        #expect(Set(tags.map(\.resourceArn)) == [arn, layout.loadBalancerArn])
    }

    @Test func reportsTypedErrors() async throws {
        let error = await expectServiceError("TargetGroupNotFound") {
            _ = try await elb.describeTargetGroups(.init(names: ["no-such-group-anywhere"]))
        }
        #expect(error?.service == "ELBv2")
        #expect(error?.operation == "DescribeTargetGroups")
        #expect(error?.httpStatus == 400)
        #expect(error?.requestId?.isEmpty == false)
        #expect(error?.message.isEmpty == false)
        await expectServiceError("ListenerNotFound") {
            _ = try await elb.modifyListener(
                .init(
                    listenerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/nope/0/0",
                    defaultActions: [.forward(to: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/0")]))
        }
    }
}
