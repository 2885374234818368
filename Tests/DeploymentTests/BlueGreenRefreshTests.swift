import CloudSimulator
import Foundation
import Synchronization
import Testing

@testable import Deployment
import TestPredicates

/// The blue-green deploy on the simulated cloud, on virtual time.
struct BlueGreenRefreshTests {
    func refresh(_ cloud: SimulatedCloud, env: String = "prod", bake: Int = 60) throws -> BlueGreenRefresh {
        var environment = try DeploymentConfiguration.builtIn.environment(env)
        environment.bakeSeconds = bake
        return BlueGreenRefresh(environment: environment, ports: cloud.ports)
    }

    func serving(_ cloud: SimulatedCloud, _ name: String) -> Set<String> {
        Set(cloud.routes().filter { $0.kind == .listenerDefault }.flatMap { $0.weights.filter { $0.value > 0 }.keys }.map { String($0.split(separator: "/").last!) })
    }

    @Test func happyPathDeploysSwitchesAndKeepsTheOldColourWarm() async throws {
        let cloud = try SimulatedCloud.designDocument()
        cloud.setParameter("/compiler-explorer/prod/version", "v2")
        cloud.setBehaviour(version: "v2", .healthy(startSeconds: 30))
        let started = cloud.now
        let seen = Mutex<[DeployProgress]>([])
        let report = try await refresh(cloud).run(options: .init()) { progress in seen.withLock { $0.append(progress) } }

        #expect(report.steps.map(\.name) == ["preflight", "protect", "deploy", "scale", "health gate", "switch", "verify", "record", "bake", "finalize"])
        #expect(serving(cloud, "prod") == ["Prod-Green"])
        #expect(cloud.parameter("/compiler-explorer/prod/active-color") == "green")
        #expect(cloud.parameter("/compiler-explorer/prod/active-target-group-arn") == "arn:sim:targetgroup/Prod-Green")
        #expect(cloud.parameter("/compiler-explorer/prod/green/version") == "v2")
        #expect(cloud.instanceVersions("prod-green") == ["v2", "v2"], "instances booted the new colour's version")
        #expect(cloud.instanceVersions("prod-blue") == ["v1", "v1"])
        #expect(cloud.groupSize("prod-green")! == (2, 2, 24))
        #expect(cloud.groupSize("prod-blue")! == (0, 2, 24), "old colour warm, min 0")
        // Boot 60 s + start 30 s + stable 10 s, polled every 5 s, then a 60 s bake: about 160 s of virtual time.
        let elapsed = cloud.now.timeIntervalSince(started)
        #expect(elapsed >= 160 && elapsed <= 170, "\(elapsed)")
        let gate = seen.withLock { $0 }.filter { $0.stage == .healthGate }
        #expect(gate.last?.healthy == 2 && gate.last?.stableSeconds == 10)
        #expect(gate.isNonEmptyAndAll { $0.wanted == 2 && $0.limitSeconds == 600 })
        #expect(gate.count >= 20)
        #expect(seen.withLock { $0 }.filter { $0.stage == .bake }.count >= 12)
        let journal = try #require(cloud.parameter("/compiler-explorer/prod/deployment").flatMap(DeploymentJournal.decode))
        #expect(journal.status == .done && journal.step == "finalize" && journal.version == "v2" && journal.from == .blue && journal.to == .green)
        #expect(cloud.violations == [])
        // Beta and staging were not touched.
        #expect(cloud.parameter("/compiler-explorer/beta/active-color") == "blue")
    }

    @Test func aVersionThatNeverGetsHealthyNeverGetsTraffic() async throws {
        let cloud = try SimulatedCloud.designDocument()
        cloud.setParameter("/compiler-explorer/prod/version", "bad")
        cloud.setBehaviour(version: "bad", .neverHealthy)
        do {
            _ = try await refresh(cloud).run(options: .init())
            Issue.record("expected a failure")
        } catch let failure as DeployFailure {
            #expect(failure.step == "health gate")
            #expect(failure.cause.contains("timed out after 600 s: 2/2 InService, 0/2 healthy"))
            #expect(failure.state.hasPrefix("Traffic was not touched (blue still serves)."))
        }
        #expect(serving(cloud, "prod") == ["Prod-Blue"])
        #expect(cloud.parameter("/compiler-explorer/prod/active-color") == "blue")
        #expect(cloud.groupSize("prod-green")! == (0, 0, 24), "scaled back to 0")
        #expect(cloud.groupSize("prod-blue")! == (2, 2, 24), "live colour's settings restored")
        #expect(cloud.parameter("/compiler-explorer/prod/green/version") == "v1", "the version parameter put back")
        #expect(!cloud.calls.contains { $0.hasPrefix("ELBv2 Modify") }, "no route was ever changed")
        #expect(cloud.parameter("/compiler-explorer/prod/deployment").flatMap(DeploymentJournal.decode)?.status == .failed)
        #expect(cloud.requests.isNonEmptyAndAll { $0.version == "v1" }, "no request ever reached the bad build")
        #expect(cloud.violations == [])
    }

    @Test func slowBootHitsTheTimeoutAndKeepFailedLeavesItForInspection() async throws {
        let cloud = try SimulatedCloud.designDocument()
        cloud.setBootSeconds(900)
        do {
            _ = try await refresh(cloud).run(options: .init(version: "v2", keepFailed: true))
            Issue.record("expected a failure")
        } catch let failure as DeployFailure {
            #expect(failure.cause.contains("0/2 InService"))
            #expect(failure.state.contains("kept at 2 for inspection"))
        }
        #expect(cloud.groupSize("prod-green")! == (2, 2, 2))
        #expect(serving(cloud, "prod") == ["Prod-Blue"])
    }

    @Test func aLostInstanceIsReplacedAndFollowed() async throws {
        let cloud = try SimulatedCloud.designDocument()
        cloud.loseInstance(of: "prod-green", at: cloud.now.addingTimeInterval(70))
        _ = try await refresh(cloud).run(options: .init(version: "v2"))
        #expect(serving(cloud, "prod") == ["Prod-Green"])
        #expect(cloud.instanceVersions("prod-green") == ["v2", "v2"])
    }

    @Test func refusalsChangeNothing() async throws {
        let cloud = try SimulatedCloud.designDocument()
        try await cloud.apply(.resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: 1, maxSize: nil))
        await #expect(throws: Refusal.self) { _ = try await refresh(cloud).run(options: .init(version: "v2")) }
        #expect(cloud.groupSize("prod-green")! == (0, 1, 24))

        let drifted = try SimulatedCloud.designDocument()
        drifted.setParameter("/compiler-explorer/prod/active-color", "green")
        await #expect(throws: Refusal.self) { _ = try await refresh(drifted).run(options: .init(version: "v2")) }
        #expect(drifted.parameter("/compiler-explorer/prod/green/version") == "v1", "nothing written")
        _ = try await refresh(drifted).run(options: .init(version: "v2", force: true))
        #expect(serving(drifted, "prod") == ["Prod-Green"])
    }

    @Test func targetMustBeTheInactiveColour() async throws {
        let cloud = try SimulatedCloud.designDocument()
        await #expect(throws: Refusal.self) { _ = try await refresh(cloud).run(options: .init(version: "v2", target: .blue)) }
        #expect(cloud.parameter("/compiler-explorer/prod/blue/version") == "v1")
        _ = try await refresh(cloud).run(options: .init(version: "v2", target: .green))
        #expect(serving(cloud, "prod") == ["Prod-Green"])
    }

    @Test func betaRefreshMovesOnlyItsRulesWithTheHTTPGate() async throws {
        let cloud = try SimulatedCloud.designDocument()
        let report = try await refresh(cloud, env: "beta").run(options: .init(version: "b2", capacity: 1))
        #expect(report.steps.first { $0.name == "health gate" }?.detail.contains("HTTP /healthcheck") == true)
        let betaRules = cloud.routes().filter { $0.pathPatterns == ["/beta*"] }
        #expect(betaRules.count == 1 && betaRules.isNonEmptyAndAll { $0.weights == ["arn:sim:targetgroup/Beta-Green": 1] }, "one rule, on :443, as on Compiler Explorer's load balancer")
        #expect(cloud.routes().filter { $0.pathPatterns == ["/staging*"] }.isNonEmptyAndAll { $0.weights == ["arn:sim:targetgroup/Staging-Blue": 1] })
        #expect(serving(cloud, "prod") == ["Prod-Blue"])
        #expect(cloud.groupSize("beta-green")! == (1, 1, 24))
    }

    @Test func theHTTPGateLooksUpEachInstanceOnceNotOnEveryPoll() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["beta"])
        cloud.setBehaviour(version: "b2", .healthy(startSeconds: 60))
        _ = try await refresh(cloud, env: "beta").run(options: .init(version: "b2"))
        #expect(cloud.calls.filter { $0.hasPrefix("HTTP GET") }.count > 5, "the gate polled many times")
        #expect(cloud.calls.filter { $0 == "EC2 DescribeInstances" }.count == 1)
    }

    @Test func aGroupUsedByARuleIsGatedOnTargetHealth() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["beta"])
        cloud.addRoute(.init(kind: .rule, arn: "arn:sim:rule/preview", listenerPort: 443, priority: "50", pathPatterns: ["/preview-beta*"], weights: ["arn:sim:targetgroup/Beta-Green": 1]))
        let report = try await refresh(cloud, env: "beta").run(options: .init(version: "b2"))
        #expect(report.steps.first { $0.name == "health gate" }?.detail.contains("load balancer target health") == true)
    }

    @Test func aForcedDeployOntoAColourRunningAnotherBuildReplacesEveryInstance() async throws {
        // The trial's defect: green already ran v1 instances; `refresh --force` kept them, and after the switch v1
        // served all traffic while status said v2.
        let cloud = try SimulatedCloud.designDocument(environments: ["prod", "beta"], requestsPerSecond: 5)
        try await cloud.apply(.resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: 2, maxSize: 24))
        try await cloud.clock.sleep(for: .seconds(90))
        #expect(cloud.instanceVersions("prod-green") == ["v1", "v1"])
        await #expect(throws: Refusal.self) { _ = try await refresh(cloud).run(options: .init(version: "v2")) }

        let report = try await refresh(cloud).run(options: .init(version: "v2", force: true))
        #expect(report.steps.map(\.name).contains("clear"))
        #expect(report.steps.first { $0.name == "clear" }?.detail == "prod-green scaled from 2 to 0 first: its 2 instance(s) may run another build")
        #expect(serving(cloud, "prod") == ["Prod-Green"])
        #expect(cloud.instanceVersions("prod-green") == ["v2", "v2"])
        let afterSwitch = cloud.requests.filter { $0.environment == "prod" && $0.color == "green" }
        #expect(!afterSwitch.isEmpty && afterSwitch.isNonEmptyAndAll { $0.version == "v2" })
        #expect(cloud.violations == [])
    }

    @Test func aCrowdedLoadBalancerKeepsEveryRuleThatIsNotTheEnvironments() async throws {
        let cloud = try SimulatedCloud.designDocument(
            environments: DeploymentConfiguration.compilerExplorerEnvironments.map(\.name), requestsPerSecond: 2, neighbours: true)
        let before = cloud.routes()
        for env in ["staging", "prod"] {
            _ = try await refresh(cloud, env: env).run(options: .init(version: "v2"))
            let environment = try DeploymentConfiguration.builtIn.environment(env)
            let serving = Set(LoadBalancerRoutes(loadBalancerArn: "lb", routes: before).routes(for: environment).map(\.arn))
            let after = cloud.routes()
            #expect(after.count == before.count)
            for (old, new) in zip(before, after) where !serving.contains(old.arn) {
                if env == "prod", old.arn.contains("staging") { continue }  // staging's rule moved in the first deploy
                #expect(old == new, "\(old.label) changed by a deploy of \(env)")
            }
        }
        // Staging's rule authenticates before a sticky forward: both are kept, only the forward's group moved.
        let staging = try #require(cloud.routes().first { $0.arn == "arn:sim:rule/443/staging" })
        #expect(staging.orderedActions.map(\.type) == ["authenticate-cognito", "forward"])
        #expect(staging.forward?.stickiness == .init(enabled: true, durationSeconds: 300))
        #expect(staging.weights == ["arn:sim:targetgroup/Staging-Green": 1])
        #expect(serving(cloud, "prod") == ["Prod-Green"])
        #expect(cloud.violations == [])
    }
}
