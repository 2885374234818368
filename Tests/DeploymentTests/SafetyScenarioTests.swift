import CloudSimulator
import Foundation
import Testing

@testable import Deployment
import TestPredicates

/// The deploy under faults, on the simulated cloud: every run must end consistent, with no invariant broken.
struct SafetyScenarioTests {
    static let configuration = SimulatedProd.configuration
    let prod = SimulatedProd.prod
    let first = LockIdentity(holder: "alice@admin", command: "ce --env prod environment refresh", pid: 1)
    let second = LockIdentity(holder: "alice@admin", command: "ce --env prod environment recover", pid: 2)

    func world(seed: UInt64 = 1) throws -> SimulatedCloud { try SimulatedProd.world(seed: seed, requestsPerSecond: 2) }

    func locked<T: Sendable>(
        _ cloud: SimulatedCloud, _ identity: LockIdentity, takeOver: Bool = false, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        try await SimulatedProd.locked(cloud, identity, takeOver: takeOver, body)
    }

    func deploy(
        _ cloud: SimulatedCloud, interruption: Interruption = Interruption(), force: Bool = false,
        progress: @escaping @Sendable (DeployProgress) -> Void = { _ in }
    ) async throws -> StepReport {
        let prod = self.prod
        let identity = first
        return try await locked(cloud, identity) {
            try await BlueGreenRefresh(environment: prod, ports: cloud.patientPorts, identity: identity, interruption: interruption)
                .run(.fresh(.init(version: "v2", force: force)), progress: progress)
        }
    }

    /// prod-green already runs one instance of an older build (v0), warm: a deploy onto it must be forced, and goes
    /// through the `clear` step.
    func makeGreenStale(_ cloud: SimulatedCloud) async throws {
        cloud.setParameter("/compiler-explorer/prod/green/version", "v0")
        try await cloud.apply(.resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: 1, maxSize: 24))
        try await cloud.clock.sleep(for: .seconds(120))
        #expect(cloud.instanceVersions("prod-green") == ["v0"])
    }

    func journal(_ cloud: SimulatedCloud) -> DeploymentJournal? { SimulatedProd.journal(cloud) }

    func servingColor(_ cloud: SimulatedCloud) -> String? { SimulatedProd.servingColor(cloud) }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func thirtyPercentThrottlingStillDeploys(seed: UInt64) async throws {
        let cloud = try world(seed: seed)
        cloud.setFaults(Faults(throttleRate: 0.3))
        _ = try await deploy(cloud)
        #expect(servingColor(cloud) == "green")
        #expect(cloud.events.filter { $0.contains("Throttling") }.count > 10, "the calls really were throttled")
        #expect(cloud.checkEnd() == [])
        #expect(cloud.violations == [])
    }

    /// A build that was rolled back is not deployed again by a plain refresh (the next build still names it): the
    /// refusal says how to name it explicitly, and naming it deploys it, saying so.
    @Test func aRolledBackBuildIsDeployedAgainOnlyWhenNamed() async throws {
        let cloud = try world()
        cloud.setParameter("/compiler-explorer/prod/version", "v2")
        let prod = self.prod
        let identity = first
        func refresh(version: String?, progress: @escaping @Sendable (DeployProgress) -> Void = { _ in }) async throws -> StepReport {
            try await locked(cloud, identity) {
                try await BlueGreenRefresh(environment: prod, ports: cloud.patientPorts, identity: identity)
                    .run(.fresh(.init(version: version)), progress: progress)
            }
        }
        await #expect(throws: DeployFailure.self) {
            _ = try await refresh(version: nil) { progress in
                if progress.stage == .bake { cloud.forceAlarm("prod-green-5xx", "ALARM") }
            }
        }
        cloud.forceAlarm("prod-green-5xx", nil)
        #expect(journal(cloud)?.status == .rolledBack && cloud.parameter("/compiler-explorer/prod/version") == "v2")
        let status = try await cloud.statusReader(for: prod).read()
        #expect(status.rolledBackBuild?.version == "v2")
        do {
            _ = try await refresh(version: nil)
            Issue.record("a plain refresh must refuse the rolled-back build")
        } catch let refusal as Refusal {
            #expect(refusal.reason.hasPrefix("The next build, v2, was rolled back by d-"))
            #expect(refusal.reason.contains("'ce --env prod environment refresh --version v2'"))
        }
        #expect(cloud.groupSize("prod-green")!.desired == 0, "nothing changed")
        let again = try await refresh(version: "v2")
        #expect(again.steps.first?.detail.hasPrefix("deploy v2 (named again: d-") == true, "\(again.steps.first?.detail ?? "")")
        #expect(servingColor(cloud) == "green")
    }

    @Test func anAlarmDuringTheBakeRollsBack() async throws {
        let cloud = try world()
        do {
            _ = try await deploy(cloud) { progress in
                if progress.stage == .bake && progress.elapsedSeconds >= 20 { cloud.forceAlarm("prod-green-5xx", "ALARM") }
            }
            Issue.record("expected a rollback")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .rolledBack)
            #expect(failure.cause == "alarm in ALARM: prod-green-5xx")
            #expect(failure.report.steps.map(\.name).suffix(5) == ["bake", "switch", "verify", "record", "rollback"])
        }
        #expect(servingColor(cloud) == "blue")
        #expect(cloud.parameter("/compiler-explorer/prod/active-color") == "blue")
        #expect(cloud.groupSize("prod-green")! == (0, 0, 24))
        #expect(cloud.groupSize("prod-blue")! == (2, 2, 24))
        #expect(cloud.parameter("/compiler-explorer/prod/green/version") == "v1")
        #expect(journal(cloud)?.status == .rolledBack)
        #expect(cloud.requests.contains { $0.environment == "prod" && $0.version == "v2" }, "v2 served during the bake")
        let rolledBackAt = cloud.now
        try await cloud.clock.sleep(for: .seconds(30))
        let after = cloud.requests.filter { $0.environment == "prod" && $0.time > rolledBackAt }
        #expect(after.count == 60 && after.isNonEmptyAndAll { $0.version == "v1" && $0.status == 200 })
        #expect(cloud.checkEnd() == [])
        #expect(cloud.violations == [])
    }

    @Test func aBuildServingErrorsTripsItsAlarmAndIsRolledBack() async throws {
        let cloud = try world()
        cloud.setBehaviour(version: "v2", .erroring(0.3, startSeconds: 20))
        await #expect(throws: DeployFailure.self) { _ = try await deploy(cloud) }
        #expect(journal(cloud)?.status == .rolledBack)
        #expect(journal(cloud)?.note == "rolled back: alarm in ALARM: prod-green-5xx")
        #expect(servingColor(cloud) == "blue")
        #expect(cloud.checkEnd() == [])
        #expect(cloud.violations == [])
    }

    @Test func aFlappingBuildIsNeverStableAndNeverGetsTraffic() async throws {
        let cloud = try world()
        cloud.setBehaviour(version: "v2", .flapping(up: 8, down: 8))
        do {
            _ = try await deploy(cloud)
            Issue.record("expected the gate to fail")
        } catch let failure as DeployFailure {
            #expect(failure.step == "health gate" && failure.cause.hasPrefix("timed out after 600 s"))
        }
        #expect(!cloud.requests.contains { $0.version == "v2" })
        #expect(cloud.groupSize("prod-green")! == (0, 0, 24))
        #expect(cloud.checkEnd() == [])
        #expect(cloud.violations == [])
    }

    @Test func aSlowBootHitsTheTimeoutAndIsCleanedUp() async throws {
        let cloud = try world()
        cloud.setBootSeconds(900)
        await #expect(throws: DeployFailure.self) { _ = try await deploy(cloud) }
        #expect(cloud.groupSize("prod-green")! == (0, 0, 24))
        #expect(journal(cloud)?.status == .failed && journal(cloud)?.note?.hasPrefix("health gate: timed out") == true)
        #expect(cloud.checkEnd() == [])
        #expect(cloud.violations == [])
    }

    @Test(arguments: SoakScenario.crashSteps)
    func aCrashAtEveryStepThenResumeFinishesTheDeploy(step: String) async throws {
        let cloud = try world()
        if step == "clear" { try await makeGreenStale(cloud) }
        cloud.setFaults(Faults(crashAtStep: step))
        await #expect(throws: (any Error).self) { _ = try await deploy(cloud, force: step == "clear") }
        #expect(cloud.isCrashed)
        #expect(journal(cloud)?.step == step && journal(cloud)?.status == .inProgress)
        #expect(cloud.parameter("/compiler-explorer/prod/deploy-lock") != nil, "the dead process still holds the lock")

        cloud.restartTool()
        let prod = self.prod
        let identity = second
        let report = try await locked(cloud, identity, takeOver: true) {
            try await BlueGreenRefresh(environment: prod, ports: cloud.patientPorts, identity: identity).run(.resume)
        }
        #expect(report.steps.first?.detail.hasSuffix("at \(step)") == true)
        #expect(servingColor(cloud) == "green")
        #expect(cloud.groupSize("prod-green")! == (2, 2, 24))
        #expect(cloud.instanceVersions("prod-green") == ["v2", "v2"], "every instance of the new colour runs the new build")
        #expect(journal(cloud)?.status == .done)
        #expect(cloud.checkEnd() == [])
        #expect(cloud.violations == [])
    }

    @Test(arguments: SoakScenario.crashSteps)
    func aCrashAtEveryStepThenRecoverEndsConsistent(step: String) async throws {
        let cloud = try world()
        if step == "clear" { try await makeGreenStale(cloud) }
        cloud.setFaults(Faults(crashAtStep: step))
        await #expect(throws: (any Error).self) { _ = try await deploy(cloud, force: step == "clear") }
        cloud.restartTool()
        let prod = self.prod
        let (plan, _) = try await locked(cloud, second, takeOver: true) {
            try await Recovery(environment: prod, ports: cloud.patientPorts).run(by: "alice@admin")
        }
        // Finished only once its bake has passed; stopped in the bake, the unproven green goes and blue serves again.
        let switched = step == "finalize"
        #expect(servingColor(cloud) == (switched ? "green" : "blue"), "\(plan.summary)")
        if switched {
            #expect(cloud.groupSize("prod-green")! == (2, 2, 24))
            #expect(cloud.groupSize("prod-blue")! == (0, 2, 24), "kept warm")
        } else if step == "clear" {
            #expect(cloud.groupSize("prod-green")! == (0, 1, 24), "back to its original size")
            #expect(cloud.parameter("/compiler-explorer/prod/green/version") == "v0")
        } else {
            #expect(cloud.groupSize("prod-green")! == (0, 0, 24), "the half-deployed colour is scaled back down")
            #expect(cloud.groupSize("prod-blue")! == (2, 2, 24))
            #expect(cloud.parameter("/compiler-explorer/prod/green/version") == "v1", "the build recorded for green is put back (or never written)")
        }
        #expect(journal(cloud)?.status == .recovered)
        #expect(cloud.checkEnd() == [])
        #expect(cloud.violations == [])
    }

    @Test func aStopRequestBeforeTheSwitchUndoesAndDuringTheBakeSendsTrafficBack() async throws {
        let before = try world()
        let early = Interruption()
        do {
            _ = try await deploy(before, interruption: early) { progress in
                if progress.stage == .healthGate && progress.elapsedSeconds >= 30 { early.request("SIGINT") }
            }
            Issue.record("expected a stop")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .interrupted && failure.step == "health gate" && failure.cause == "interrupted by SIGINT")
        }
        #expect(servingColor(before) == "blue" && before.groupSize("prod-green")! == (0, 0, 24))
        #expect(journal(before)?.status == .interrupted)
        #expect(before.checkEnd() == [] && before.violations == [])

        let during = try world()
        let late = Interruption()
        do {
            _ = try await deploy(during, interruption: late) { progress in
                if progress.stage == .bake && progress.elapsedSeconds >= 10 { late.request("SIGTERM") }
            }
            Issue.record("expected a stop")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .interrupted && failure.cause == "interrupted by SIGTERM during the bake")
        }
        // Not proven by its bake: blue, still warm, serves again and green goes back to its original size.
        #expect(servingColor(during) == "blue")
        #expect(during.groupSize("prod-green")! == (0, 0, 24) && during.groupSize("prod-blue")! == (2, 2, 24))
        #expect(journal(during)?.status == .interrupted)
        #expect(during.checkEnd() == [] && during.violations == [])
    }

    @Test func recoverSendsSplitRoutesBackToTheOldColour() async throws {
        let cloud = try world()
        cloud.setFaults(Faults(crashAtStep: "switch"))
        await #expect(throws: (any Error).self) { _ = try await deploy(cloud) }
        cloud.restartTool()
        // As if the crash had come between the two listeners' changes.
        let listener = cloud.routes().first { $0.kind == .listenerDefault }!
        try await cloud.apply(.forward(route: listener, targetGroupArn: "arn:sim:targetgroup/Prod-Green"))
        let snapshot = try await cloud.statusReader(for: prod).snapshot()
        let plan = try Recovery.plan(snapshot, now: cloud.now, by: "alice@admin")
        #expect(plan.summary.hasPrefix("blue serves as before the deploy"))
        guard case .forward(let route, let arn) = plan.mutations.first else { Issue.record("expected a route change first"); return }
        #expect(route.arn == listener.arn && arn == "arn:sim:targetgroup/Prod-Blue")
        let prod = self.prod
        _ = try await locked(cloud, second, takeOver: true) { try await Recovery(environment: prod, ports: cloud.ports).run(by: "alice@admin") }
        #expect(servingColor(cloud) == "blue")
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    /// A switch whose second route change is refused puts the first one back: no split is left (found by the
    /// fault-injection suite: a manual switch denied half-way left the listeners disagreeing).
    @Test func aSwitchFailingHalfWayPutsEveryRouteBack() async throws {
        let cloud = try world()
        try await cloud.apply(.resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: 2, maxSize: 24))
        try await cloud.clock.sleep(for: .seconds(120))
        let listeners = cloud.routes().filter { $0.kind == .listenerDefault }.sorted { ($0.listenerPort ?? 0) < ($1.listenerPort ?? 0) }
        cloud.setFaults(Faults(denied: ["ELBv2 ModifyListener \(listeners[1].arn)"]))
        let plan = try TrafficSwitch(snapshot: try await cloud.statusReader(for: prod).snapshot()).plan(to: .green)
        let runner = SwitchRunner(environment: prod, ports: cloud.patientPorts)
        await #expect(throws: SwitchRunner.SwitchPutBack.self) { _ = try await runner.runAllOrNothing(plan) }
        cloud.setFaults(Faults())
        #expect(cloud.routes().filter { $0.kind == .listenerDefault }.isNonEmptyAndAll { $0.forwardsOnly(to: "arn:sim:targetgroup/Prod-Blue") })
        #expect(cloud.parameter("/compiler-explorer/prod/active-color") == "blue")
        #expect(cloud.violations == [])
    }

    /// A switch killed after moving every route but before the floors: recover (no journal) sets them.
    @Test func recoverWithoutAJournalSetsTheFloorsOfTheServingColour() async throws {
        let cloud = try world()
        try await cloud.apply(.resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: 2, maxSize: 24))
        try await cloud.clock.sleep(for: .seconds(120))
        for route in cloud.routes().filter({ $0.kind == .listenerDefault }) {
            try await cloud.apply(.forward(route: route, targetGroupArn: "arn:sim:targetgroup/Prod-Green"))
        }
        let plan = try Recovery.plan(try await cloud.statusReader(for: prod).snapshot(), now: cloud.now, by: "a")
        #expect(plan.summary == "SSM and the colours' floors reconciled with the load balancer: green serves")
        #expect(plan.mutations.contains(.resizeGroup(name: "prod-green", minSize: 2, desiredCapacity: nil, maxSize: nil)))
        #expect(plan.mutations.contains(.resizeGroup(name: "prod-blue", minSize: 0, desiredCapacity: nil, maxSize: nil)))
    }

    @Test func recoverWithoutAJournalOnlyReconcilesSSM() async throws {
        let cloud = try world()
        cloud.setParameter("/compiler-explorer/prod/active-color", "green")
        let plan = try Recovery.plan(try await cloud.statusReader(for: prod).snapshot(), now: cloud.now, by: "a")
        #expect(plan.summary == "SSM reconciled with the load balancer: blue serves")
        #expect(plan.mutations.isNonEmptyAndAll { if case .putParameter = $0 { true } else { false } } && plan.journal == nil)
        cloud.setParameter("/compiler-explorer/prod/active-color", "blue")
        #expect(try Recovery.plan(try await cloud.statusReader(for: prod).snapshot(), now: cloud.now, by: "a").mutations == [])
    }
}
