import CloudSimulator
import Foundation
import Synchronization
import Testing

@testable import Deployment

struct RollingRefreshTests {
    func rolling(_ cloud: SimulatedCloud, env: String = "prod") throws -> RollingRefresh {
        let environment = try DeploymentConfiguration.builtIn.environment(env)
        return RollingRefresh(
            environment: environment,
            reader: cloud.statusReader(for: environment),
            applier: cloud, refresher: cloud, clock: cloud.clock)
    }

    @Test func replacesTheLiveColourInBatchesWithoutSwitching() async throws {
        let cloud = try SimulatedCloud.designDocument()
        let seen = Mutex<[Int]>([])
        let report = try await rolling(cloud).run(options: .init(version: "v2", minHealthyPercentage: 50)) { status in
            seen.withLock { $0.append(status.percentComplete ?? -1) }
        }
        #expect(report.steps.map(\.name) == ["preflight", "deploy", "start", "wait"])
        #expect(cloud.instanceVersions("prod-blue") == ["v2", "v2"])
        #expect(cloud.parameter("/compiler-explorer/prod/blue/version") == "v2")
        #expect(cloud.parameter("/compiler-explorer/prod/version") == "v2")
        #expect(cloud.parameter("/compiler-explorer/prod/active-color") == "blue", "no switch")
        #expect(seen.withLock { $0 }.contains(50), "one instance at a time: half-way the versions were mixed")
    }

    @Test func aBuildThatNeverGetsHealthyFailsTheRefresh() async throws {
        let cloud = try SimulatedCloud.designDocument()
        cloud.setBehaviour(version: "bad", .neverHealthy)
        do {
            _ = try await rolling(cloud).run(options: .init(version: "bad"))
            Issue.record("expected a failure")
        } catch let failure as BlueGreenRefresh.Failure {
            #expect(failure.step == "wait")
            #expect(failure.cause == "the instance refresh ended Failed: replacement instances did not pass health checks")
        }
    }

    @Test func aRefreshThatCannotStartPutsTheVersionBack() async throws {
        let cloud = try SimulatedCloud.designDocument()
        _ = try await cloud.startRefresh(group: "prod-blue", minHealthyPercentage: 90, instanceWarmupSeconds: 60)
        do {
            _ = try await rolling(cloud).run(options: .init(version: "v2"))
            Issue.record("expected a failure")
        } catch let failure as BlueGreenRefresh.Failure {
            #expect(failure.step == "start")
            #expect(failure.cause.contains("InstanceRefreshInProgress"))
            #expect(failure.state.contains("/compiler-explorer/prod/blue/version is back to v1"))
        }
        #expect(cloud.parameter("/compiler-explorer/prod/blue/version") == "v1")
    }
}
