import Deployment
import Foundation
import Testing

@testable import CloudSimulator

/// A command that never ends is reported with its seed instead of hanging the soak.
struct ToolBoundTests {
    func cloud() throws -> SimulatedCloud {
        try SimulatedCloud.designDocument(environments: ["prod"], configuration: Soak.configuration, seed: 3)
    }

    @Test func aToolPollingWithoutWaitingIsStoppedAndReported() async throws {
        let cloud = try cloud()
        cloud.bindTool("deploy", seconds: 600)
        var calls = 0
        await #expect(throws: SimulatedCrash.self) {
            while true {
                _ = try await cloud.groups(names: ["prod-blue"])
                calls += 1
            }
        }
        #expect(calls == 5_000)
        #expect(cloud.isCrashed)
        #expect(cloud.violations.count == 1)
        #expect(cloud.violations.first?.contains("the tool's deploy made 5001 calls without any virtual time passing") == true)
    }

    @Test func aToolWaitingPastItsBoundIsStoppedAndReported() async throws {
        let cloud = try cloud()
        cloud.bindTool("resume", seconds: 60)
        try await cloud.clock.sleep(for: .seconds(50))
        await #expect(throws: SimulatedCrash.self) { try await cloud.clock.sleep(for: .seconds(20)) }
        #expect(cloud.violations.first?.contains("the tool's resume would still be waiting after its bound of 60 s") == true)
        // Lifted, the world goes on (the soak's settling time after the last command).
        cloud.restartTool()
        cloud.bindTool(nil)
        try await cloud.clock.sleep(for: .seconds(300))
    }

    @Test func everyDeployHasAFiniteBoundThatGrowsWithWhatItWaitsFor() throws {
        let prod = try Soak.configuration.environment("prod")
        let blueGreen = try Deploy.longestRun(.fresh(.blueGreen, DeployOptions(version: "v2")), environment: prod, drainSeconds: 20)
        let canary = try Deploy.longestRun(
            .fresh(.canary, DeployOptions(version: "v2", traffic: TrafficSteps(percentages: [10, 50, 100], stepBakeSeconds: 300))),
            environment: prod, drainSeconds: 20)
        var approving = DeployOptions(version: "v2")
        approving.approval = ApprovalSettings(timeoutSeconds: 1800)
        let approved = try Deploy.longestRun(.fresh(.blueGreen, approving), environment: prod, drainSeconds: 20)
        #expect(blueGreen.isFinite && blueGreen > Double(prod.health.timeoutSeconds * 2))
        // Two splits more: two step bakes as watched, each with a timeout's grace, and their calls.
        #expect(canary - blueGreen >= Double(2 * (prod.watchSeconds(300) + prod.health.timeoutSeconds)))
        #expect(approved - blueGreen == 1800)
        let rolling = try Deploy.longestRun(.fresh(.rolling, DeployOptions(version: "v2", strategyName: "rolling")), environment: prod, drainSeconds: 20)
        #expect(rolling.isFinite && rolling > 3600)
    }
}
