import AWSCore
import AWSServices
import Deployment

/// `LoadBalancerReader` on ELBv2.
public struct AWSLoadBalancerReader: LoadBalancerReader {
    public let elbv2: ELBv2

    public init(elbv2: ELBv2) {
        self.elbv2 = elbv2
    }

    public func routes(loadBalancerName: String) async throws -> LoadBalancerRoutes? {
        let balancers: [LoadBalancer]
        do {
            balancers = try await elbv2.describeLoadBalancers(.init(names: [loadBalancerName]))
        } catch let error as AWSServiceError where error.code == "LoadBalancerNotFound" {
            return nil
        }
        guard let balancer = balancers.first else { return nil }
        let listeners = try await elbv2.describeListeners(.init(loadBalancerArn: balancer.loadBalancerArn))
        // One DescribeRules per listener, concurrently.
        let rules = try await withThrowingTaskGroup(of: (String, [Rule]).self) { group in
            for listener in listeners {
                group.addTask { (listener.listenerArn, try await elbv2.describeRules(.init(listenerArn: listener.listenerArn))) }
            }
            return try await group.reduce(into: [String: [Rule]]()) { $0[$1.0] = $1.1 }
        }
        var routes: [ForwardRoute] = []
        for listener in listeners.sorted(by: { ($0.port ?? 0) < ($1.port ?? 0) }) {
            routes.append(
                ForwardRoute(
                    kind: .listenerDefault, arn: listener.listenerArn, listenerPort: listener.port,
                    weights: Self.weights(listener.defaultActions)))
            for rule in rules[listener.listenerArn] ?? [] where rule.isDefault != true && rule.priority != "default" {
                routes.append(
                    ForwardRoute(
                        kind: .rule, arn: rule.ruleArn, listenerPort: listener.port, priority: rule.priority,
                        pathPatterns: rule.conditions.flatMap(\.pathPatterns), weights: Self.weights(rule.actions)))
            }
        }
        return LoadBalancerRoutes(loadBalancerArn: balancer.loadBalancerArn, routes: routes)
    }

    /// The forward action's weights (the last action of a list is the one that routes).
    static func weights(_ actions: [Action]) -> [String: Int] {
        actions.sorted { ($0.order ?? 0) < ($1.order ?? 0) }.last(where: { $0.type == "forward" })?.forwardWeights ?? [:]
    }

    public func targetGroups(names: [String]) async throws -> [String: TargetGroupSnapshot] {
        var found: [TargetGroup]
        do {
            found = try await elbv2.describeTargetGroups(.init(names: names))
        } catch let error as AWSServiceError where error.code == "TargetGroupNotFound" {
            // The batch fails as a whole when one name is missing: ask for each to learn which exist.
            found = []
            if names.count > 1 {
                for name in names {
                    do {
                        found += try await elbv2.describeTargetGroups(.init(names: [name]))
                    } catch let error as AWSServiceError where error.code == "TargetGroupNotFound" {
                        continue
                    }
                }
            }
        }
        var result: [String: TargetGroupSnapshot] = [:]
        for group in found where result[group.targetGroupName] == nil {
            result[group.targetGroupName] = TargetGroupSnapshot(
                name: group.targetGroupName, arn: group.targetGroupArn, healthCheckPath: group.healthCheckPath,
                healthCheckPort: group.healthCheckPort, loadBalancerArns: Array(Set(group.loadBalancerArns)).sorted())
        }
        return result
    }

    public func targetHealth(targetGroupArn: String) async throws -> [TargetSnapshot] {
        try await elbv2.describeTargetHealth(targetGroupArn: targetGroupArn).map {
            TargetSnapshot(id: $0.target.id, state: $0.targetHealth.state ?? "unknown", reason: $0.targetHealth.reason)
        }
    }
}
