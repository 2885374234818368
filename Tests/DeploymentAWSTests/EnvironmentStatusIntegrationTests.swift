import AWSCore
import AWSServices
import CETestSupport
import Deployment
import DeploymentAWS
import Foundation
import Testing
import TestPredicates

@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct EnvironmentStatusIntegrationTests {
    func reader(_ layout: Moto.Layout, env: String, client: AWSClient, cache: (any LoadBalancerArnCache)? = nil) throws -> EnvironmentStatusReader {
        let configuration = try ConfigurationLoader.parse(layout.configYAML, file: "test.yaml")
        return EnvironmentStatusReader(
            environment: try configuration.environment(env), loadBalancer: AWSLoadBalancerReader(elbv2: ELBv2(client: client), arnCache: cache),
            scalingGroups: AWSScalingGroupReader(autoScaling: AutoScaling(client: client)),
            parameters: AWSParameterReader(ssm: SSM(client: client)))
    }

    @Test func prodAndBetaOnTheDesignDocumentLayout() async throws {
        let layout = try Moto.layout("st")
        let prod = try await reader(layout, env: "prod", client: Moto.client()).read()
        #expect(prod.activeColor == .blue)
        #expect(prod.albColor == .blue)
        #expect(!prod.drift, "\(prod.driftReasons)")
        #expect(prod.routes.map(\.route) == ["listener :80 default", "listener :443 default"])
        #expect(prod.color(.blue)?.instances == ["InService": 2])
        #expect(prod.color(.blue)?.targetHealth == ["healthy": 2])
        #expect(prod.color(.blue)?.targetGroupArn == layout.environments["prod"]!.targetGroups["blue"])
        #expect(prod.color(.green)?.desired == 0)

        let beta = try await reader(layout, env: "beta", client: Moto.client()).read()
        #expect(beta.albColor == .blue)
        #expect(beta.routes.map(\.route) == ["rule 101 on :443"], "one /beta* rule, on :443, as on Compiler Explorer's load balancer")
        #expect(beta.routes.isNonEmptyAndAll { $0.route.hasPrefix("rule ") })
        #expect(!beta.drift, "\(beta.driftReasons)")
    }

    @Test func driftWhenOneListenerMovesWithoutSSM() async throws {
        let layout = try Moto.layout("dr", envs: ["prod"])
        let green = layout.environments["prod"]!.targetGroups["green"]!
        _ = try await Moto.services.elbv2.modifyListener(.init(listenerArn: layout.listenerArns["443"]!, defaultActions: [.forward(to: green)]))
        let status = try await reader(layout, env: "prod", client: Moto.client()).read()
        #expect(status.drift)
        #expect(status.albColor == nil)
        #expect(status.driftReasons.contains { $0.hasPrefix("the listeners disagree") })
    }

    @Test func callCountDoesNotGrowWithInstances() async throws {
        let layout = try Moto.layout("cc", envs: ["prod"])
        let small = Moto.client()
        _ = try await reader(layout, env: "prod", client: small).read()
        try await Moto.services.autoScaling.updateAutoScalingGroup(
            .init(autoScalingGroupName: "\(layout.prefix)prod-blue", maxSize: 24, desiredCapacity: 12))
        let large = Moto.client()
        let status = try await reader(layout, env: "prod", client: large).read()
        #expect(status.color(.blue)?.instances == ["InService": 12])
        #expect(small.callCounters.calls == large.callCounters.calls)
        #expect(large.callCounters.calls == 9, "\(large.callCounters.byOperation)")
    }

    /// Remembers ARNs in memory.
    final class MemoryCache: LoadBalancerArnCache, @unchecked Sendable {
        var entries: [String: String] = [:]
        let lock = NSLock()
        func arn(forName name: String) -> String? { lock.withLock { entries[name] } }
        func remember(arn: String, forName name: String) { lock.withLock { entries[name] = arn } }
        func forget(name: String) { lock.withLock { entries[name] = nil } }
    }

    @Test func aSnapshotIsTwoRoundTripsOnceTheLoadBalancerIsKnown() async throws {
        let layout = try Moto.layout("rt", envs: ["prod", "beta"], crowded: true)
        let cache = MemoryCache()
        // 150 ms more per call, so that moto's own variation cannot make calls sent together look sequential.
        let cold = Moto.slowClient(delay: .milliseconds(150))
        _ = try await reader(layout, env: "beta", client: cold, cache: cache).snapshot()
        #expect(cold.callCounters.rounds == 3, "the load balancer looked up by name first: \(cold.callCounters)")
        #expect(cache.arn(forName: layout.prefix + "GccExplorerApp") == layout.loadBalancerArn)

        let warm = Moto.slowClient(delay: .milliseconds(150))
        let snapshot = try await reader(layout, env: "beta", client: warm, cache: cache).snapshot()
        #expect(warm.callCounters.rounds == 2, "listeners, groups, parameters at once; then rules and target health: \(warm.callCounters)")
        #expect(warm.callCounters.calls == 8)
        #expect(warm.callCounters.byOperation["ELBv2.DescribeLoadBalancers"] == nil)
        #expect(snapshot.status.albColor == .blue && !snapshot.status.drift)

        // A remembered ARN whose load balancer is gone (deleted and made again) is looked up again.
        cache.remember(arn: layout.loadBalancerArn.replacingOccurrences(of: "GccExplorerApp/", with: "GccExplorerApp/0"), forName: layout.prefix + "GccExplorerApp")
        let stale = Moto.client()
        #expect(try await reader(layout, env: "beta", client: stale, cache: cache).read().albColor == .blue)
        #expect(cache.arn(forName: layout.prefix + "GccExplorerApp") == layout.loadBalancerArn)
    }

    @Test func missingLoadBalancerAndGroups() async throws {
        let layout = try Moto.layout("mi", envs: ["beta"])
        var yaml = layout.configYAML.replacingOccurrences(of: "GccExplorerApp", with: "NoSuchBalancer")
        let noBalancer = EnvironmentStatusReader(
            environment: try ConfigurationLoader.parse(yaml, file: "t.yaml").environment("beta"),
            loadBalancer: AWSLoadBalancerReader(elbv2: Moto.services.elbv2),
            scalingGroups: AWSScalingGroupReader(autoScaling: Moto.services.autoScaling),
            parameters: AWSParameterReader(ssm: Moto.services.ssm))
        await #expect(throws: DeploymentError.missingLoadBalancer("\(layout.prefix)NoSuchBalancer")) { _ = try await noBalancer.read() }

        yaml = layout.configYAML + "environments:\n  beta:\n    routing: /beta*\n    targetGroups: {blue: \(layout.prefix)Beta-Blue, green: nope-green}\n"
        let status = try await EnvironmentStatusReader(
            environment: try ConfigurationLoader.parse(yaml, file: "t.yaml").environment("beta"),
            loadBalancer: AWSLoadBalancerReader(elbv2: Moto.services.elbv2),
            scalingGroups: AWSScalingGroupReader(autoScaling: Moto.services.autoScaling),
            parameters: AWSParameterReader(ssm: Moto.services.ssm)
        ).read()
        #expect(status.drift)
        #expect(status.driftReasons.contains("target group nope-green does not exist"))
        #expect(status.color(.blue)?.targetGroupArn != nil)
    }
}
