import CloudSimulator
import Foundation
import Testing

@testable import Deployment

/// `environment test-blue-green` on the simulated cloud: the design document's beta test cycle, its timings judged
/// against the document's success criteria, the simulated users' requests counted for 5xx.
struct BlueGreenTestCycleTests {
    let prod = SimulatedProd.prod
    let identity = LockIdentity(holder: "alice@admin", command: "ce --env prod environment test-blue-green", pid: 1)

    func cycle(
        _ cloud: SimulatedCloud, version: String = "v2", progress: @escaping @Sendable (DeployProgress) -> Void = { _ in }
    ) async throws -> BlueGreenTestCycle.Result {
        let prod = self.prod
        let identity = self.identity
        return try await SimulatedProd.locked(cloud, identity) {
            try await BlueGreenTestCycle(environment: prod, ports: cloud.patientPorts, identity: identity)
                .run(DeployOptions(version: version, strategyName: "blue-green"), watch: cloud, progress: progress)
        }
    }

    @Test func theCycleDeploysSwitchesAndSwitchesBackWithinTheCriteria() async throws {
        let cloud = try SimulatedProd.world(requestsPerSecond: 5)
        let result = try await cycle(cloud)
        #expect(result.passed, "\(result.checks)")
        #expect(result.checks.map(\.name) == ["test deployment", "health checks", "switch time", "rollback time", "5xx errors"])
        #expect(result.from == .blue && result.to == .green && result.version == "v2")
        #expect(result.switchSeconds < 2 && result.rollbackSeconds < 60)
        #expect(result.traffic.requests > 500 && result.traffic.serverErrors == 0, "\(result.traffic)")
        #expect((result.traffic.byStatus["200"] ?? 0) == result.traffic.requests)
        #expect(result.deploy.steps.contains { $0.name == "bake" } && !result.rollback.steps.isEmpty)
        // Back where it began: blue serves, green (the tested build) kept warm.
        #expect(SimulatedProd.servingColor(cloud) == "blue" && cloud.parameter("/compiler-explorer/prod/active-color") == "blue")
        #expect(cloud.instanceVersions("prod-green") == ["v2", "v2"])
        #expect(SimulatedProd.journal(cloud)?.status == .done)
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func aSlowSwitchMissesItsCriterion() async throws {
        let cloud = try SimulatedProd.world(requestsPerSecond: 5)
        // Every AWS call takes 1.5 s from the moment the gate passes: the switch is slow.
        let result = try await cycle(cloud) { progress in
            if progress.stage == .healthGate, let stable = progress.stableSeconds, stable >= progress.neededStableSeconds {
                cloud.setFaults(Faults(latencySeconds: 1.5))
            }
        }
        #expect(!result.passed)
        let missed = result.checks.filter { !$0.passed }.map(\.name)
        #expect(missed == ["switch time"], "\(result.checks)")
        #expect(result.checks.first { $0.name == "switch time" }?.target == "< 2.00 s")
        #expect(SimulatedProd.servingColor(cloud) == "blue")
    }

    @Test func aBuildServingErrorsIsRolledBackByTheBakeAndTheCycleStops() async throws {
        let cloud = try SimulatedProd.world(requestsPerSecond: 5)
        cloud.setBehaviour(version: "v2", .erroring(0.3, startSeconds: 20))
        do {
            _ = try await cycle(cloud)
            Issue.record("expected the bake to roll back")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .rolledBack)
        }
        #expect(SimulatedProd.servingColor(cloud) == "blue")
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func anEnvironmentThatIsNotReadyIsRefusedAndNothingChanges() async throws {
        let cloud = try SimulatedProd.world()
        cloud.setParameter("/compiler-explorer/prod/active-color", "green")
        let before = cloud.routes()
        await #expect(throws: Refusal.self) { _ = try await cycle(cloud) }
        do {
            _ = try await cycle(cloud)
        } catch let refusal as Refusal {
            #expect(refusal.reason.hasPrefix("prod is not ready for the test: ") && refusal.reason.contains("'ce --env prod environment validate'"), "\(refusal)")
        }
        #expect(cloud.routes() == before && cloud.groupSize("prod-green")?.desired == 0)
        #expect(SimulatedProd.journal(cloud) == nil)
    }
}
