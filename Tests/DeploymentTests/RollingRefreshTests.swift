import CloudSimulator
import Foundation
import Synchronization
import Testing

@testable import Deployment

struct RollingRefreshTests {
    func rolling(_ cloud: SimulatedCloud, env: String = "prod") throws -> RollingRefresh {
        RollingRefresh(environment: try DeploymentConfiguration.builtIn.environment(env), ports: cloud.ports, identity: .init(holder: "a@h", command: "ce", pid: 1))
    }

    func journal(_ cloud: SimulatedCloud) -> DeploymentJournal? {
        cloud.parameter("/compiler-explorer/prod/deployment").flatMap(DeploymentJournal.decode)
    }

    @Test func replacesTheLiveColourLaunchingBeforeTerminatingWithoutSwitching() async throws {
        let cloud = try SimulatedCloud.designDocument()
        let report = try await rolling(cloud).run(options: .init(version: "v2", minHealthyPercentage: 100))
        #expect(report.steps.map(\.name) == ["preflight", "deploy", "start", "wait"])
        #expect(report.steps.first?.detail.contains("at least 2 of 2 in service (MinHealthyPercentage 100, MaxHealthyPercentage 200") == true)
        #expect(cloud.instanceVersions("prod-blue") == ["v2", "v2"])
        #expect(cloud.parameter("/compiler-explorer/prod/blue/version") == "v2")
        #expect(cloud.parameter("/compiler-explorer/prod/version") == "v2")
        #expect(cloud.parameter("/compiler-explorer/prod/active-color") == "blue", "no switch")
        // The replacements were launched before the instances they replace went: no user saw an error.
        let prod = cloud.requests.filter { $0.environment == "prod" }
        #expect(prod.count > 100 && !prod.contains { $0.status >= 500 })
        #expect(prod.contains { $0.version == "v1" } && prod.contains { $0.version == "v2" }, "rolling serves both builds meanwhile")
        #expect(cloud.groupSize("prod-blue")?.desired == 2 && cloud.read { $0.groups["prod-blue"]!.surge } == nil)
        let recorded = try #require(journal(cloud))
        #expect(recorded.strategy == "rolling" && recorded.status == .done && recorded.step == "wait" && recorded.refreshId == "refresh-1")
        #expect(recorded.minHealthyPercentage == 100 && recorded.from == .blue && recorded.to == .blue)
    }

    /// Found by a newcomer's trial (issue 19 §3): beta at one instance, "at least 75% healthy", had its only instance
    /// terminated at once — 350 of 675 requests failed, and the deploy said "done". Replacements now come first.
    @Test func aOneInstanceEnvironmentKeepsServingThroughARollingRefresh() async throws {
        let cloud = try SimulatedCloud.designDocument(environments: ["prod", "beta"], requestsPerSecond: 5)
        _ = try await rolling(cloud, env: "beta").run(options: .init(version: "v2"))
        let beta = cloud.requests.filter { $0.environment == "beta" }
        #expect(beta.count > 300 && !beta.contains { $0.status >= 500 }, "\(beta.filter { $0.status >= 500 }.count) failed")
        #expect(cloud.instanceVersions("beta-blue") == ["v2"])
        #expect(cloud.violations == [])
    }

    @Test func preferencesThatCannotKeepTheFloorAreRefusedUnlessForced() async throws {
        let cloud = try SimulatedCloud.designDocument()
        do {
            _ = try await rolling(cloud).run(options: .init(version: "v2", minHealthyPercentage: 50))
            Issue.record("expected a refusal")
        } catch let refusal as Refusal {
            #expect(refusal.reason.contains("keeps 1 of its 2 instance(s) in service, below prod's live floor of 2"), "\(refusal)")
            #expect(refusal.reason.contains("pass --min-healthy-percent 100 (or more), or --force"))
        }
        #expect(journal(cloud) == nil && cloud.parameter("/compiler-explorer/prod/blue/version") == "v1", "nothing changed")
        let forced = try await rolling(cloud).run(options: .init(version: "v2", minHealthyPercentage: 50, force: true))
        #expect(forced.steps.last?.name == "wait")
    }

    @Test(arguments: ["deploy", "start", "wait"])
    func aCrashThenResumeFinishesTheRollingDeploy(step: String) async throws {
        let cloud = try SimulatedCloud.designDocument()
        cloud.setFaults(Faults(crashAtStep: step))
        await #expect(throws: (any Error).self) { _ = try await rolling(cloud).run(options: .init(version: "v2")) }
        #expect(journal(cloud)?.step == step && journal(cloud)?.isUnfinished == true)
        cloud.restartTool()
        // A new deploy of either strategy refuses meanwhile.
        await #expect(throws: Refusal.self) { _ = try await rolling(cloud).run(options: .init(version: "v3")) }
        let report = try await rolling(cloud).resume()
        #expect(report.steps.last?.name == "wait")
        #expect(cloud.instanceVersions("prod-blue") == ["v2", "v2"])
        #expect(journal(cloud)?.status == .done)
        #expect(journal(cloud)?.note == nil && journal(cloud)?.refreshId == "refresh-1")
    }

    @Test func recoverClosesARollingDeployOnlyOnceItsRefreshHasEnded() async throws {
        let cloud = try SimulatedCloud.designDocument()
        let prod = try DeploymentConfiguration.builtIn.environment("prod")
        cloud.setFaults(Faults(crashAtStep: "wait"))
        await #expect(throws: (any Error).self) { _ = try await rolling(cloud).run(options: .init(version: "v2")) }
        cloud.restartTool()
        let recovery = Recovery(environment: prod, ports: cloud.ports)
        await #expect(throws: Refusal.self) { _ = try await recovery.run(by: "a@h") }
        try await cloud.clock.sleep(for: .seconds(1800))
        let (plan, _) = try await recovery.run(by: "a@h")
        #expect(plan.summary.contains("ended Successful"))
        #expect(journal(cloud)?.status == .recovered)

        // Crashed before any refresh started: recover puts the version back.
        let early = try SimulatedCloud.designDocument()
        early.setFaults(Faults(crashAtStep: "start"))
        await #expect(throws: (any Error).self) { _ = try await rolling(early).run(options: .init(version: "v2")) }
        early.restartTool()
        let (undone, _) = try await Recovery(environment: prod, ports: early.ports).run(by: "a@h")
        #expect(undone.summary.contains("never started an instance refresh"))
        #expect(early.parameter("/compiler-explorer/prod/blue/version") == "v1")
        #expect(early.parameter("/compiler-explorer/prod/version") == "v1")
    }

    @Test func aBuildThatNeverGetsHealthyFailsTheRefresh() async throws {
        let cloud = try SimulatedCloud.designDocument()
        cloud.setBehaviour(version: "bad", .neverHealthy)
        do {
            _ = try await rolling(cloud).run(options: .init(version: "bad"))
            Issue.record("expected a failure")
        } catch let failure as DeployFailure {
            #expect(failure.step == "wait")
            #expect(failure.cause == "the instance refresh ended Failed: replacement instances did not pass health checks")
        }
    }

    @Test func aRefreshThatCannotStartPutsTheVersionBack() async throws {
        let cloud = try SimulatedCloud.designDocument()
        _ = try await cloud.startRefresh(group: "prod-blue", minHealthyPercentage: 90, maxHealthyPercentage: 190, instanceWarmupSeconds: 60)
        do {
            _ = try await rolling(cloud).run(options: .init(version: "v2"))
            Issue.record("expected a failure")
        } catch let failure as DeployFailure {
            #expect(failure.step == "start")
            #expect(failure.cause.contains("InstanceRefreshInProgress"))
            #expect(failure.state.contains("/compiler-explorer/prod/blue/version is back to v1"))
        }
        #expect(cloud.parameter("/compiler-explorer/prod/blue/version") == "v1")
    }
}
