import CloudSimulator
import Foundation
import Synchronization
import Testing

@testable import Deployment
import TestPredicates

/// Canary and linear deploys on the simulated cloud: traffic moves in weighted steps, each watched; any failure, alarm,
/// signal or `environment abort` sends all of it back; every run ends consistent with no invariant broken (among them
/// invariant 7: a failing build never gets more than its first step's share).
struct CanaryScenarioTests {
    let prod = SimulatedProd.prod
    let first = LockIdentity(holder: "alice@admin", command: "ce --env prod environment refresh --strategy canary", pid: 1)
    let second = LockIdentity(holder: "alice@admin", command: "ce --env prod environment recover", pid: 2)
    static let steps = TrafficSteps(percentages: [10, 50, 100], stepBakeSeconds: 120)

    func world(seed: UInt64 = 1) throws -> SimulatedCloud { try SimulatedProd.world(seed: seed, requestsPerSecond: 5) }

    func locked<T: Sendable>(
        _ cloud: SimulatedCloud, _ identity: LockIdentity, takeOver: Bool = false, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        try await SimulatedProd.locked(cloud, identity, takeOver: takeOver, body)
    }

    func deploy(
        _ cloud: SimulatedCloud, steps: TrafficSteps = Self.steps, strategy: String = "canary", interruption: Interruption = Interruption(),
        progress: @escaping @Sendable (DeployProgress) -> Void = { _ in }
    ) async throws -> StepReport {
        let prod = self.prod
        let identity = first
        return try await locked(cloud, identity) {
            try await BlueGreenRefresh(environment: prod, ports: cloud.patientPorts, identity: identity, interruption: interruption)
                .run(.fresh(.init(version: "v2", traffic: steps, strategyName: strategy)), progress: progress)
        }
    }

    func journal(_ cloud: SimulatedCloud) -> DeploymentJournal? { SimulatedProd.journal(cloud) }

    /// The new colour's share of each of prod's serving routes.
    func greenShares(_ cloud: SimulatedCloud) -> [Int] {
        cloud.routes().filter { $0.kind == .listenerDefault }.map { TrafficShift.percent(of: "arn:sim:targetgroup/Prod-Green", in: $0) }
    }

    func servingColor(_ cloud: SimulatedCloud) -> String? { SimulatedProd.servingColor(cloud) }

    @Test func aCanaryMovesTrafficStepByStepThenFinishesLikeASwitch() async throws {
        let cloud = try world()
        let seen = Mutex<[Int: [Int]]>([:])
        let report = try await deploy(cloud) { progress in
            if progress.stage == .step, let percent = progress.percent {
                seen.withLock { $0[percent] = greenShares(cloud) }
            }
        }
        #expect(seen.withLock { $0 } == [10: [10, 10], 50: [50, 50]], "every route carries the step's weights during its bake")
        #expect(report.steps.map(\.name).filter { $0 == "shift" || $0 == "step bake" } == ["shift", "step bake", "shift", "step bake"])
        let bakes = report.steps.filter { $0.name == "step bake" }.map(\.seconds)
        #expect(bakes.isNonEmptyAndAll { $0 >= 120 }, "each step is watched for its step bake")
        #expect(servingColor(cloud) == "green")
        #expect(cloud.routes().filter { $0.kind == .listenerDefault }.isNonEmptyAndAll { $0.forward?.usesForwardConfig == false || $0.forward?.targetGroups.count == 1 })
        #expect(cloud.parameter("/compiler-explorer/prod/active-color") == "green")
        #expect(journal(cloud)?.status == .done && journal(cloud)?.strategy == "canary")
        #expect(cloud.groupSize("prod-green")! == (2, 2, 24))
        #expect(cloud.checkEnd() == [])
        #expect(cloud.violations == [])
        let served = cloud.requests.filter { $0.environment == "prod" }
        #expect(served.contains { $0.version == "v2" } && served.contains { $0.version == "v1" })
    }

    @Test func aLinearDeployTakesEqualSteps() async throws {
        let cloud = try world()
        let steps = try TrafficSteps.linear(step: 25, stepBakeSeconds: 60)
        #expect(steps.percentages == [25, 50, 75, 100])
        let report = try await deploy(cloud, steps: steps, strategy: "linear")
        #expect(report.steps.filter { $0.name == "shift" }.count == 3)
        #expect(journal(cloud)?.strategy == "linear" && journal(cloud)?.status == .done)
        #expect(servingColor(cloud) == "green")
        #expect(cloud.violations == [])
    }

    @Test func aBuildWhose5xxRisesAtTenPercentIsAbortedAndNeverGetsMore() async throws {
        let cloud = try world()
        cloud.setBehaviour(version: "v2", .erroring(0.3, startSeconds: 20))
        do {
            _ = try await deploy(cloud)
            Issue.record("expected an abort")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .rolledBack && failure.step == "step bake")
            #expect(failure.cause == "alarm in ALARM: prod-green-5xx")
            #expect(failure.state.hasPrefix("All traffic is back on blue (read back)."))
        }
        #expect(servingColor(cloud) == "blue" && greenShares(cloud) == [0, 0])
        #expect(journal(cloud)?.status == .rolledBack)
        #expect(cloud.groupSize("prod-green")! == (0, 2, 2), "nothing scaled down: left running for inspection, unpinned")
        #expect(cloud.groupSize("prod-blue")! == (2, 2, 24))
        #expect(cloud.checkEnd() == [])
        #expect(cloud.violations == [], "invariant 7: the failing build never got more than 10%")
        let v2 = cloud.requests.filter { $0.environment == "prod" && $0.version == "v2" }.count
        let all = cloud.requests.filter { $0.environment == "prod" }.count
        #expect(v2 > 0 && v2 * 5 < all)
    }

    @Test func anAlarmAtTheSecondStepSendsEverythingBack() async throws {
        let cloud = try world()
        do {
            _ = try await deploy(cloud) { progress in
                if progress.stage == .step && progress.percent == 50 && progress.elapsedSeconds >= 30 { cloud.forceAlarm("prod-green-5xx", "ALARM") }
            }
            Issue.record("expected an abort")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .rolledBack && failure.cause == "alarm in ALARM: prod-green-5xx")
            #expect(failure.report.steps.filter { $0.name == "shift" }.count == 2)
        }
        cloud.forceAlarm("prod-green-5xx", nil)
        #expect(servingColor(cloud) == "blue" && greenShares(cloud) == [0, 0])
        #expect(cloud.parameter("/compiler-explorer/prod/active-color") == "blue")
        #expect(cloud.checkEnd() == [])
        #expect(cloud.violations == [])
    }

    @Test func aSignalMidStepSendsEverythingBack() async throws {
        let cloud = try world()
        let stop = Interruption()
        do {
            _ = try await deploy(cloud, interruption: stop) { progress in
                if progress.stage == .step && progress.elapsedSeconds >= 30 { stop.request("SIGINT") }
            }
            Issue.record("expected a stop")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .interrupted && failure.cause == "interrupted by SIGINT")
        }
        #expect(servingColor(cloud) == "blue")
        #expect(journal(cloud)?.status == .interrupted)
        #expect(cloud.checkEnd() == [])
        #expect(cloud.violations == [])
    }

    @Test func stickinessHoldsWhileSplitAndIsSwitchedOffAtTheEnd() async throws {
        let cloud = try world()
        let sticky = Mutex<[ForwardAction.Stickiness?]>([])
        let steps = TrafficSteps(percentages: [10, 100], stepBakeSeconds: 60, stickinessSeconds: 3600)
        _ = try await deploy(cloud, steps: steps) { progress in
            if progress.stage == .step {
                sticky.withLock { $0 = cloud.routes().filter { $0.kind == .listenerDefault }.map { $0.forward?.stickiness } }
            }
        }
        #expect(sticky.withLock { $0 } == [.init(enabled: true, durationSeconds: 3600), .init(enabled: true, durationSeconds: 3600)])
        #expect(cloud.routes().filter { $0.kind == .listenerDefault }.isNonEmptyAndAll { $0.forward?.effectiveStickiness == nil })
        #expect(servingColor(cloud) == "green")
        #expect(cloud.violations == [])
    }

    /// The simulator honours stickiness as the load balancer's cookie does: while the split is sticky every user stays
    /// on one build; without it, users meet both.
    @Test func aStickySplitKeepsEachUserOnOneBuild() async throws {
        func buildsPerUser(sticky: Int?) async throws -> [Int: Set<String>] {
            let cloud = try world()
            _ = try await deploy(cloud, steps: TrafficSteps(percentages: [30, 100], stepBakeSeconds: 240, stickinessSeconds: sticky))
            var seen: [Int: Set<String>] = [:]
            for request in cloud.requests where request.environment == "prod" && request.user != nil {
                seen[request.user!, default: []].insert(request.version ?? "-")
            }
            return seen
        }
        let sticky = try await buildsPerUser(sticky: 3600)
        #expect(sticky.count > 20, "many users came during the split")
        #expect(sticky.values.isNonEmptyAndAll { $0.count == 1 }, "\(sticky.filter { $0.value.count > 1 })")
        #expect(Set(sticky.values.flatMap { $0 }) == ["v1", "v2"], "some users on each build")
        let loose = try await buildsPerUser(sticky: nil)
        #expect(loose.isEmpty, "without stickiness users are not even told apart")
    }

    @Test func promoteSkipsTheRemainingStepBakes() async throws {
        let cloud = try world()
        let asked = Mutex(false)
        let report = try await deploy(cloud) { progress in
            guard progress.stage == .step, !asked.withLock({ $0 }), let id = journal(cloud)?.id else { return }
            asked.withLock { $0 = true }
            cloud.setParameter("/compiler-explorer/prod/deployment-request", DeploymentRequest(kind: .promote, deployment: id, by: "bob@admin", at: cloud.now).json())
        }
        let bakes = report.steps.filter { $0.name == "step bake" }
        #expect(bakes.count == 1 && bakes[0].seconds < 120 && bakes[0].detail.hasPrefix("promoted"), "\(bakes)")
        #expect(report.steps.contains { $0.name == "shift" && $0.detail.hasPrefix("10%") })
        #expect(!report.steps.contains { $0.name == "shift" && $0.detail.hasPrefix("50%") }, "promoted: the rest of the steps go at once")
        #expect(cloud.parameter("/compiler-explorer/prod/deployment-request") == nil, "the request is taken")
        #expect(servingColor(cloud) == "green")
        #expect(cloud.violations == [])
    }

    @Test func abortSendsEverythingBackAndARequestForAnotherDeployIsIgnored() async throws {
        let cloud = try world()
        cloud.setParameter("/compiler-explorer/prod/deployment-request", DeploymentRequest(kind: .abort, deployment: "d-old", by: "bob@admin", at: cloud.now).json())
        let asked = Mutex(false)
        do {
            _ = try await deploy(cloud) { progress in
                guard progress.stage == .step, progress.percent == 50, !asked.withLock({ $0 }), let id = journal(cloud)?.id else { return }
                asked.withLock { $0 = true }
                cloud.setParameter("/compiler-explorer/prod/deployment-request", DeploymentRequest(kind: .abort, deployment: id, by: "bob@admin", at: cloud.now).json())
            }
            Issue.record("expected an abort")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .rolledBack && failure.cause == "aborted by 'environment abort'")
        }
        #expect(servingColor(cloud) == "blue")
        #expect(cloud.checkEnd() == [])
        #expect(cloud.violations == [])
    }

    @Test(arguments: [("step bake", 10), ("step bake 2", 50)])
    func statusShowsACanaryInProgressNotDrift(point: String, percent: Int) async throws {
        let cloud = try world()
        cloud.setFaults(Faults(crashAtStep: point))
        await #expect(throws: (any Error).self) { _ = try await deploy(cloud) }
        cloud.restartTool()
        let status = try await cloud.statusReader(for: prod).read()
        #expect(!status.drift, "\(status.driftReasons)")
        #expect(status.canary?.percent == percent && status.canary?.step == "step bake" && status.canary?.splits == 2)
        #expect(status.canary?.split == (percent == 10 ? 1 : 2) && status.canary?.stepStartedAt != nil)
        #expect(status.albColor == nil && status.hasUnfinishedDeploy)
    }

    @Test func aSplitWithoutACanaryJournalIsDrift() async throws {
        let cloud = try world()
        let route = cloud.routes().first { $0.kind == .listenerDefault }!
        try await cloud.apply(.setForward(route: route, forward: route.forward!.splitting(["arn:sim:targetgroup/Prod-Blue": 90, "arn:sim:targetgroup/Prod-Green": 10])))
        let status = try await cloud.statusReader(for: prod).read()
        #expect(status.drift && status.canary == nil)
        #expect(status.driftReasons.contains { $0.contains("does not send all traffic to one colour (blue 90%, green 10%)") })
    }

    /// The journalled steps of a canary with two splits: where a crash can land.
    static let crashPoints = ["protect", "deploy", "scale", "health gate", "shift", "step bake", "shift 2", "step bake 2", "switch", "bake", "finalize"]

    @Test(arguments: crashPoints)
    func aCrashAtEveryStepThenResumeFinishesTheDeploy(point: String) async throws {
        let cloud = try world()
        cloud.setFaults(Faults(crashAtStep: point))
        await #expect(throws: (any Error).self) { _ = try await deploy(cloud) }
        #expect(cloud.isCrashed)
        cloud.restartTool()
        let prod = self.prod
        let identity = second
        let report = try await locked(cloud, identity, takeOver: true) {
            try await BlueGreenRefresh(environment: prod, ports: cloud.patientPorts, identity: identity).run(.resume)
        }
        #expect(report.steps.first?.detail.contains("at \(Faults.parseCrashPoint(point).step)") == true)
        #expect(servingColor(cloud) == "green")
        #expect(cloud.instanceVersions("prod-green") == ["v2", "v2"])
        #expect(journal(cloud)?.status == .done)
        #expect(cloud.checkEnd() == [])
        #expect(cloud.violations == [])
    }

    @Test(arguments: crashPoints)
    func aCrashAtEveryStepThenRecoverEndsConsistent(point: String) async throws {
        let cloud = try world()
        cloud.setFaults(Faults(crashAtStep: point))
        await #expect(throws: (any Error).self) { _ = try await deploy(cloud) }
        let split = greenShares(cloud)
        cloud.restartTool()
        let prod = self.prod
        let (plan, _) = try await locked(cloud, second, takeOver: true) {
            try await Recovery(environment: prod, ports: cloud.patientPorts).run(by: "alice@admin")
        }
        // Once the last step's bake has passed recover finishes; before, all weight goes back to the warm blue.
        let finished = point == "finalize"
        #expect(split.isNonEmptyAndAll { $0 == 100 } == ["bake", "finalize"].contains(point), "all traffic on green from the last step on")
        #expect(servingColor(cloud) == (finished ? "green" : "blue"), "\(point): \(plan.summary)")
        #expect(cloud.routes().filter { $0.kind == .listenerDefault }.isNonEmptyAndAll { ($0.forward?.weights.count ?? 0) == 1 })
        #expect(journal(cloud)?.status == .recovered)
        #expect(cloud.checkEnd() == [])
        #expect(cloud.violations == [])
    }

    @Test func resumeRefusesWhenTheRoutesNoLongerCarryTheRecordedWeights() async throws {
        let cloud = try world()
        cloud.setFaults(Faults(crashAtStep: "step bake"))
        await #expect(throws: (any Error).self) { _ = try await deploy(cloud) }
        cloud.restartTool()
        // Someone put everything back on blue by hand meanwhile.
        for route in cloud.routes().filter({ $0.kind == .listenerDefault }) {
            try await cloud.apply(.forward(route: route, targetGroupArn: "arn:sim:targetgroup/Prod-Blue"))
        }
        let prod = self.prod
        let identity = second
        await #expect(throws: Refusal.self) {
            _ = try await locked(cloud, identity, takeOver: true) {
                try await BlueGreenRefresh(environment: prod, ports: cloud.patientPorts, identity: identity).run(.resume)
            }
        }
        #expect(journal(cloud)?.status == .inProgress, "nothing changed")
    }
}
