import AWSCore
import AWSServices
import Deployment

/// `LoadBalancerReader` on ELBv2.
///
/// The routes are read in two rounds when the load balancer's ARN is remembered (`arnCache`): its listeners, then
/// every listener's rules concurrently; three the first time (the ARN looked up by name first).
public struct AWSLoadBalancerReader: LoadBalancerReader {
    public let elbv2: ELBv2
    public let arnCache: (any LoadBalancerArnCache)?

    public init(elbv2: ELBv2, arnCache: (any LoadBalancerArnCache)? = nil) {
        self.elbv2 = elbv2
        self.arnCache = arnCache
    }

    public func routes(loadBalancerName: String) async throws -> LoadBalancerRoutes? {
        var found: (arn: String, listeners: [Listener])?
        if let cached = arnCache?.arn(forName: loadBalancerName), Self.name(ofLoadBalancerArn: cached) == loadBalancerName {
            do {
                found = (cached, try await elbv2.describeListeners(.init(loadBalancerArn: cached)))
            } catch is AWSServiceError {
                arnCache?.forget(name: loadBalancerName)
            }
        }
        if found == nil {
            let balancers: [LoadBalancer]
            do {
                balancers = try await elbv2.describeLoadBalancers(.init(names: [loadBalancerName]))
            } catch let error as AWSServiceError where error.code == "LoadBalancerNotFound" {
                return nil
            }
            guard let balancer = balancers.first else { return nil }
            arnCache?.remember(arn: balancer.loadBalancerArn, forName: loadBalancerName)
            found = (balancer.loadBalancerArn, try await elbv2.describeListeners(.init(loadBalancerArn: balancer.loadBalancerArn)))
        }
        let (balancerArn, listeners) = found!
        let elbv2 = self.elbv2
        let rules = try await FanOut.mapThrowing(listeners) { listener in
            try await elbv2.describeRules(.init(listenerArn: listener.listenerArn))
        }
        var routes: [Route] = []
        for (listener, listenerRules) in zip(listeners, rules).sorted(by: { ($0.0.port ?? 0) < ($1.0.port ?? 0) }) {
            routes.append(Route(listener: listener))
            let ordered = listenerRules.filter { $0.isDefault != true && $0.priority != "default" }
                .sorted { (Int($0.priority ?? "") ?? .max) < (Int($1.priority ?? "") ?? .max) }
            for rule in ordered {
                routes.append(Route(rule: rule, listenerArn: listener.listenerArn, listenerPort: listener.port))
            }
        }
        return LoadBalancerRoutes(loadBalancerArn: balancerArn, routes: routes)
    }

    /// `GccExplorerApp` from `arn:aws:elasticloadbalancing:…:loadbalancer/app/GccExplorerApp/50dc6c495c0c9188`.
    static func name(ofLoadBalancerArn arn: String) -> String? {
        let parts = arn.split(separator: "/")
        return parts.count >= 3 ? String(parts[parts.count - 2]) : nil
    }

    public func reread(_ routes: [Route]) async throws -> [Route] {
        let listenerArns = Array(Set(routes.filter { $0.kind == .listenerDefault }.map(\.arn))).sorted()
        let ruleArns = Array(Set(routes.filter { $0.kind == .rule }.map(\.arn))).sorted()
        let elbv2 = self.elbv2
        async let listenersRead = listenerArns.isEmpty ? [] : elbv2.describeListeners(.init(listenerArns: listenerArns))
        async let rulesRead = ruleArns.isEmpty ? [] : elbv2.describeRules(.init(ruleArns: ruleArns))
        let (listeners, rules) = (try await listenersRead, try await rulesRead)
        var result = listeners.map(Route.init(listener:))
        for rule in rules {
            guard let original = routes.first(where: { $0.arn == rule.ruleArn }) else { continue }
            result.append(Route(rule: rule, listenerArn: original.listenerArn, listenerPort: original.listenerPort))
        }
        return result
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

    public func deregistrationDelaySeconds(targetGroupArn: String) async throws -> Int {
        let attributes = try await elbv2.describeTargetGroupAttributes(targetGroupArn: targetGroupArn)
        // AWS's default when the attribute is not reported.
        return attributes.first { $0.key == "deregistration_delay.timeout_seconds" }?.value.flatMap { Int($0) } ?? 300
    }

    public func targetHealth(targetGroupArn: String) async throws -> [TargetSnapshot] {
        try await elbv2.describeTargetHealth(targetGroupArn: targetGroupArn).map {
            TargetSnapshot(id: $0.target.id, state: .parse($0.targetHealth.state ?? "unknown"), reason: $0.targetHealth.reason)
        }
    }
}
