import AWSCore
import AWSServices
import CETestSupport
import Deployment
import DeploymentAWS
import Foundation
import Synchronization
import Testing
import TestPredicates

/// Every instance "lives" at the local health server: the HTTP gate never probes moto's fake private addresses.
struct LoopbackDirectory: InstanceDirectory {
    func addresses(instanceIds: [String]) async throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: instanceIds.map { ($0, "127.0.0.1") })
    }
}

/// Virtual time against a static moto: waits are instant.
final class InstantClock: WallClock {
    let now_ = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    func now() -> Date { now_.withLock { $0 } }
    func sleep(for duration: Duration) async throws {
        now_.withLock { $0 += Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
    }
}

/// Jitter without randomness.
struct MidpointRandom: RandomSource {
    func nextUnitInterval() -> Double { 0.5 }
}

@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct RefreshIntegrationTests {
    func refresh(_ layout: Moto.Layout, env: String, healthPort: Int) throws -> BlueGreenRefresh {
        let yaml = layout.config(health: "{port: \(healthPort), timeout: 60s, poll: 5s, stable: 0s}")
        let environment = try ConfigurationLoader.parse(yaml, file: "t.yaml").environment(env)
        return BlueGreenRefresh(environment: environment, ports: Self.ports())
    }

    /// The ports on moto, with every instance at the local health server and waits on virtual time.
    static func ports() -> CloudPorts {
        let client = Moto.client()
        return CloudPorts(
            loadBalancer: AWSLoadBalancerReader(elbv2: ELBv2(client: client)), scalingGroups: AWSScalingGroupReader(autoScaling: AutoScaling(client: client)),
            parameters: AWSParameterReader(ssm: SSM(client: client)),
            applier: AWSMutationApplier(elbv2: ELBv2(client: client), ssm: SSM(client: client), autoScaling: AutoScaling(client: client)),
            documents: SSMDocumentStore(ssm: SSM(client: client)), alarms: CloudWatchAlarmReader(cloudWatch: CloudWatch(client: client)),
            instances: LoopbackDirectory(), prober: HTTPHealthProber(transport: AsyncHTTPClientTransport()),
            refresher: AWSInstanceRefresher(autoScaling: AutoScaling(client: client)), clock: InstantClock(), random: MidpointRandom())
    }

    @Test func prodRefreshMovesBothListeners() async throws {
        let layout = try Moto.layout("rf", envs: ["prod", "beta"])
        let server = try LocalHealthServer()
        let report = try await refresh(layout, env: "prod", healthPort: server.port).run(options: .init(version: "v2"))
        #expect(report.steps.first { $0.name == "health gate" }?.detail == "2/2 healthy (HTTP /healthcheck)")
        let green = layout.environments["prod"]!.targetGroups["green"]!
        for listener in layout.listenerArns.values {
            #expect(try await Moto.services.elbv2.describeListeners(.init(listenerArns: [listener])).first!.defaultActions.map(\.forwardWeights) == [[green: 1]])
        }
        let world = try await Moto.world(layout)
        #expect(world.contains("asg \(layout.prefix)prod-green 2/2/24"))
        #expect(world.contains("asg \(layout.prefix)prod-blue 0/2/24"))
        #expect(world.contains("ssm /\(layout.prefix)compiler-explorer/prod/active-color=green"))
        #expect(world.contains("ssm /\(layout.prefix)compiler-explorer/prod/green/version=v2"))
        #expect(world.contains("ssm /\(layout.prefix)compiler-explorer/beta/active-color=blue v1"), "beta untouched")
    }

    @Test func betaRefreshMovesOnlyItsRules() async throws {
        let layout = try Moto.layout("rfb", envs: ["prod", "beta", "staging"])
        let server = try LocalHealthServer()
        let before = try await Moto.world(layout).split(separator: "\n")
        _ = try await refresh(layout, env: "beta", healthPort: server.port).run(options: .init(version: "b2"))
        let after = try await Moto.world(layout).split(separator: "\n")
        let changedRoutes = zip(before, after).filter { $0 != $1 && ($1.hasPrefix("rule") || $1.hasPrefix("listener")) }.map(\.1)
        let betaGreen = layout.environments["beta"]!.targetGroups["green"]!
        #expect(changedRoutes.count == 1, "the one /beta* rule, on :443: \(changedRoutes)")
        #expect(changedRoutes.isNonEmptyAndAll { $0.contains("/beta*") && $0.contains(betaGreen) })
    }

    @Test func anUnhealthyBuildIsRolledBackBeforeAnyTrafficMoves() async throws {
        let layout = try Moto.layout("rfu", envs: ["beta"])
        let server = try LocalHealthServer(status: 503)
        let before = try await Moto.world(layout)
        do {
            _ = try await refresh(layout, env: "beta", healthPort: server.port).run(options: .init())
            Issue.record("expected a failure")
        } catch let failure as DeployFailure {
            #expect(failure.step == "health gate")
            #expect(failure.cause.contains("timed out after 60 s: 1/1 InService, 0/1 healthy"))
        }
        let after = try await Moto.world(layout)
        let changed = after.split(separator: "\n").filter { !before.split(separator: "\n").contains($0) && !$0.contains("/deployment=") }
        // Routes and sizes are as before; the green version parameter was written before boot and put back
        // (a new SSM version, same value), and the journal records the failure.
        #expect(changed.count == 1 && changed[0].contains("/beta/green/version=v1 v3"), "\(changed)")
        let journal = try #require(after.split(separator: "\n").first { $0.contains("/beta/deployment=") })
        #expect(journal.contains(#""status":"failed""#))
    }
}
