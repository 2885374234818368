import CloudSimulator
import Foundation
import Synchronization
import Testing

@testable import Deployment
import TestPredicates

/// `--approve` on the simulated cloud: a deploy pauses once the new colour has passed the health gate (and before each
/// later canary step) until `environment promote` or `environment abort` — written here as the command writes it, to
/// `{prefix}deployment-request` — or until its timeout. Nothing moves while it waits; every run ends consistent.
struct ApprovalScenarioTests {
    let prod = SimulatedProd.prod
    let first = LockIdentity(holder: "alice@admin", command: "ce --env prod environment refresh --approve", pid: 1)
    let second = LockIdentity(holder: "alice@admin", command: "ce --env prod environment refresh --resume", pid: 2)
    static let requestName = "/compiler-explorer/prod/deployment-request"
    static let green = "arn:sim:targetgroup/Prod-Green"

    func world() throws -> SimulatedCloud { try SimulatedProd.world(requestsPerSecond: 5) }

    func deploy(
        _ cloud: SimulatedCloud, approval: ApprovalSettings = .init(), traffic: TrafficSteps? = nil, interruption: Interruption = Interruption(),
        progress: @escaping @Sendable (DeployProgress) -> Void = { _ in }
    ) async throws -> StepReport {
        let prod = self.prod
        let identity = first
        var options = DeployOptions(version: "v2", traffic: traffic, strategyName: traffic == nil ? "blue-green" : "canary")
        options.approval = approval
        let frozen = options
        return try await SimulatedProd.locked(cloud, identity) {
            try await BlueGreenRefresh(environment: prod, ports: cloud.patientPorts, identity: identity, interruption: interruption)
                .run(.fresh(frozen), progress: progress)
        }
    }

    /// Answers each pause once, `after` seconds into it, as `environment promote`/`abort` from another terminal would.
    final class Answerer: Sendable {
        let cloud: SimulatedCloud
        let answers: Mutex<[DeploymentRequest.Kind]>
        let after: Double
        /// The new colour's share of every serving route, and the journal's step, at each pause.
        let seen = Mutex<[(shares: [Int], step: String?, deadline: String?)]>([])
        let answered = Mutex<Set<String>>([])

        init(_ cloud: SimulatedCloud, _ answers: [DeploymentRequest.Kind], after: Double = 30) {
            self.cloud = cloud
            self.answers = Mutex(answers)
            self.after = after
        }

        func callAsFunction(_ progress: DeployProgress) {
            guard progress.stage == .approval, let approval = progress.approval, progress.elapsedSeconds >= after,
                answered.withLock({ $0.insert(approval.deadline).inserted })
            else { return }
            let journal = SimulatedProd.journal(cloud)
            let shares = cloud.routes().filter { $0.kind == .listenerDefault }.map { TrafficShift.percent(of: ApprovalScenarioTests.green, in: $0) }
            seen.withLock { $0.append((shares, journal?.step, journal?.approvalDeadline)) }
            guard let kind = answers.withLock({ $0.isEmpty ? nil : $0.removeFirst() }), let id = journal?.id else { return }
            cloud.setParameter(ApprovalScenarioTests.requestName, DeploymentRequest(kind: kind, deployment: id, by: "bob@admin", at: cloud.now).json())
        }
    }

    @Test func aBlueGreenDeployWaitsAfterTheGateUntilPromoted() async throws {
        let cloud = try world()
        let answer = Answerer(cloud, [.promote], after: 90)
        let report = try await deploy(cloud) { answer($0) }
        let seen = answer.seen.withLock { $0 }
        #expect(seen.count == 1 && seen[0].shares == [0, 0] && seen[0].step == "approval" && seen[0].deadline != nil, "nothing moved while it waited")
        let names = report.steps.map(\.name)
        #expect(names.firstIndex(of: "health gate")! < names.firstIndex(of: "approval")!)
        #expect(names.firstIndex(of: "approval")! < names.firstIndex(of: "switch")!)
        let pause = report.steps.first { $0.name == "approval" }!
        #expect(pause.detail.hasPrefix("approved by bob@admin after 9") && pause.seconds >= 90)
        #expect(SimulatedProd.servingColor(cloud) == "green")
        #expect(SimulatedProd.journal(cloud)?.status == .done && SimulatedProd.journal(cloud)?.approvalDeadline == nil)
        #expect(cloud.parameter(Self.requestName) == nil, "the answer is taken")
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func abortWhileWaitingUndoesTheDeployAndTrafficNeverMoves() async throws {
        let cloud = try world()
        let answer = Answerer(cloud, [.abort])
        do {
            _ = try await deploy(cloud) { answer($0) }
            Issue.record("expected an abort")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .rolledBack && failure.step == "approval")
            #expect(failure.cause == "aborted by bob@admin ('environment abort') while waiting for approval")
            #expect(failure.state.hasPrefix("Traffic was not touched (blue still serves)."), "\(failure.state)")
        }
        #expect(SimulatedProd.servingColor(cloud) == "blue")
        #expect(SimulatedProd.journal(cloud)?.status == .rolledBack)
        #expect(cloud.read { $0.groups["prod-green"]?.desiredCapacity } == 0, "the new colour is scaled back")
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func nobodyAnsweringUndoesTheDeployAtTheTimeout() async throws {
        let cloud = try world()
        do {
            _ = try await deploy(cloud, approval: .init(timeoutSeconds: 600))
            Issue.record("expected the timeout to abort")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .rolledBack && failure.cause == "no approval within 600 s (--approve-timeout)")
            let pause = failure.report.steps.first { $0.name == "approval" }
            #expect(pause.map { $0.seconds >= 600 && $0.seconds < 603 } == true, "\(String(describing: pause))")
        }
        #expect(SimulatedProd.servingColor(cloud) == "blue")
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func autoPromoteGoesOnAtTheTimeout() async throws {
        let cloud = try world()
        let report = try await deploy(cloud, approval: .init(timeoutSeconds: 120, autoPromote: true))
        let pause = report.steps.first { $0.name == "approval" }
        #expect(pause?.detail.hasSuffix("promoted (--auto-promote)") == true && (pause?.seconds ?? 0) >= 120)
        #expect(SimulatedProd.servingColor(cloud) == "green")
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func aCanaryPausesBeforeEachStep() async throws {
        let cloud = try world()
        let answer = Answerer(cloud, [.promote, .promote, .promote])
        let report = try await deploy(cloud, traffic: CanaryScenarioTests.steps) { answer($0) }
        #expect(answer.seen.withLock { $0.map(\.shares) } == [[0, 0], [10, 10], [50, 50]], "paused before 10%, before 50% and before 100%")
        #expect(report.steps.map(\.name).filter { ["approval", "shift", "switch"].contains($0) } == ["approval", "shift", "approval", "shift", "approval", "switch"])
        #expect(report.steps.filter { $0.name == "step bake" }.isNonEmptyAndAll { $0.seconds >= 120 }, "approving a step does not shorten its bake")
        #expect(SimulatedProd.servingColor(cloud) == "green")
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func abortAtALaterCanaryPauseSendsEverythingBack() async throws {
        let cloud = try world()
        let answer = Answerer(cloud, [.promote, .abort])
        do {
            _ = try await deploy(cloud, traffic: CanaryScenarioTests.steps) { answer($0) }
            Issue.record("expected an abort")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .rolledBack && failure.step == "approval")
            #expect(failure.state.hasPrefix("All traffic is back on blue (read back)."), "\(failure.state)")
        }
        #expect(answer.seen.withLock { $0.map(\.shares) } == [[0, 0], [10, 10]])
        #expect(SimulatedProd.servingColor(cloud) == "blue")
        #expect(SimulatedProd.journal(cloud)?.status == .rolledBack)
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func aSignalWhileWaitingUndoesTheDeploy() async throws {
        let cloud = try world()
        let stop = Interruption()
        do {
            _ = try await deploy(cloud, interruption: stop) { progress in
                if progress.stage == .approval && progress.elapsedSeconds >= 10 { stop.request("SIGINT") }
            }
            Issue.record("expected a stop")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .interrupted && failure.cause == "interrupted by SIGINT while waiting for approval")
        }
        #expect(SimulatedProd.servingColor(cloud) == "blue")
        #expect(SimulatedProd.journal(cloud)?.status == .interrupted)
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func aCrashWhileWaitingResumesWaitingUntilTheSameDeadline() async throws {
        let cloud = try world()
        cloud.setFaults(Faults(crashAtStep: "approval"))
        await #expect(throws: (any Error).self) { _ = try await deploy(cloud, approval: .init(timeoutSeconds: 1800)) }
        #expect(cloud.isCrashed)
        let recorded = try #require(SimulatedProd.journal(cloud))
        #expect(recorded.step == "approval" && recorded.approval == ApprovalSettings(timeoutSeconds: 1800))
        let deadline = try #require(recorded.approvalDeadline)
        cloud.restartTool()
        try await cloud.clock.sleep(for: .seconds(300))
        let prod = self.prod

        // While stopped, status says who must act and that nobody waits; a request is refused (the lock is gone).
        let status = try await FanOut.$sequential.withValue(true) { try await cloud.statusReader(for: prod).read() }
        #expect(status.approval?.deadline == deadline && status.approval?.by == "alice@admin" && status.approval?.percent == 0)
        #expect(DeployStrategy.blueGreen.stepsLeft(recorded) == ["approval", "switch", "bake", "finalize"])

        let answer = Answerer(cloud, [.promote], after: 10)
        let identity = second
        let report = try await SimulatedProd.locked(cloud, identity, takeOver: true) {
            try await BlueGreenRefresh(environment: prod, ports: cloud.patientPorts, identity: identity).run(.resume) { answer($0) }
        }
        #expect(answer.seen.withLock { $0.map(\.deadline) } == [deadline], "the resumed pause keeps the recorded deadline")
        #expect(report.steps.contains { $0.name == "approval" && $0.detail.hasPrefix("approved by bob@admin") })
        #expect(SimulatedProd.servingColor(cloud) == "green")
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func aCrashWhileWaitingThenRecoverUndoes() async throws {
        let cloud = try world()
        cloud.setFaults(Faults(crashAtStep: "approval"))
        await #expect(throws: (any Error).self) { _ = try await deploy(cloud) }
        cloud.restartTool()
        let prod = self.prod
        let identity = second
        _ = try await SimulatedProd.locked(cloud, identity, takeOver: true) {
            try await Recovery(environment: prod, ports: cloud.patientPorts).run(by: identity.holder)
        }
        #expect(SimulatedProd.servingColor(cloud) == "blue")
        #expect(SimulatedProd.journal(cloud)?.status == .recovered)
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func aRequestIsRefusedWhileABlueGreenDeployIsNotAtItsPause() async throws {
        let cloud = try world()
        cloud.setFaults(Faults(crashAtStep: "health gate"))
        await #expect(throws: (any Error).self) { _ = try await deploy(cloud) }
        cloud.restartTool()
        let snapshot = try await FanOut.$sequential.withValue(true) { try await cloud.statusReader(for: prod).snapshot() }
        #expect(throws: Refusal.self) { try DeploymentRequest.make(.promote, snapshot: snapshot, by: "bob@admin", now: cloud.now) }
        do {
            _ = try DeploymentRequest.make(.promote, snapshot: snapshot, by: "bob@admin", now: cloud.now)
        } catch let refusal as Refusal {
            #expect(refusal.reason.contains("pauses for approval only between its health gate and moving traffic; it is at 'health gate' now"))
        }
    }

    @Test func theDryRunShowsEachPause() async throws {
        let cloud = try world()
        let snapshot = try await FanOut.$sequential.withValue(true) { try await cloud.statusReader(for: prod).snapshot() }
        var options = DeployOptions(version: "v2", traffic: CanaryScenarioTests.steps, strategyName: "canary")
        options.approval = .init(timeoutSeconds: 900)
        let steps = try BlueGreenStrategy.plannedSteps(snapshot, options: options)
        #expect(steps.map(\.name).filter { ["approval", "shift", "switch"].contains($0) } == ["approval", "shift", "approval", "shift", "approval", "switch"])
        let pause = try #require(steps.first { $0.name == "approval" })
        #expect(pause.wait == "pause (green at 0%) until 'ce --env prod environment promote' (go on) or 'ce --env prod environment abort' (undo), at most 900 s; then abort")
        options.approval = nil
        #expect(!(try BlueGreenStrategy.plannedSteps(snapshot, options: options)).contains { $0.name == "approval" })
    }

    // MARK: - Instance switching: the pause is after launch, before any new instance is registered.

    func instancesDeploy(_ cloud: SimulatedCloud, progress: @escaping @Sendable (DeployProgress) -> Void) async throws -> StepReport {
        let scenario = InstanceSwitchScenarioTests()
        var options = DeployOptions(version: "v2", strategyName: "instances")
        options.approval = .init(timeoutSeconds: 900)
        let frozen = options
        let identity = scenario.first
        return try await scenario.locked(cloud, identity) {
            try await Deploy.run(
                .fresh(.instances, frozen), environment: InstanceSwitchScenarioTests.beta, ports: cloud.patientPorts, identity: identity,
                progress: progress)
        }
    }

    /// Answers beta's pause once, noting how many of green's instances were registered meanwhile.
    final class Seen: Sendable {
        let counts = Mutex<[Int]>([])
    }

    static func answerBeta(_ cloud: SimulatedCloud, _ kind: DeploymentRequest.Kind, registered: Seen) -> @Sendable (DeployProgress) -> Void {
        { progress in
            guard progress.stage == .approval, progress.elapsedSeconds >= 20,
                let journal = cloud.parameter("/compiler-explorer/beta/deployment").flatMap(DeploymentJournal.decode)
            else { return }
            let count = InstanceSwitchScenarioTests().registered(cloud, "beta-green")
            let first = registered.counts.withLock { seen in
                defer { seen.append(count) }
                return seen.isEmpty
            }
            if first {
                cloud.setParameter(
                    "/compiler-explorer/beta/deployment-request", DeploymentRequest(kind: kind, deployment: journal.id, by: "bob@admin", at: cloud.now).json())
            }
        }
    }

    @Test func instanceSwitchingPausesBeforeRegisteringThenGoesOn() async throws {
        let cloud = try InstanceSwitchScenarioTests().world()
        let registered = Seen()
        let report = try await instancesDeploy(cloud, progress: Self.answerBeta(cloud, .promote, registered: registered))
        let counts = registered.counts.withLock { $0 }
        #expect(!counts.isEmpty && counts.isNonEmptyAndAll { $0 == 0 }, "nothing registered while paused: \(counts)")
        #expect(report.steps.map(\.name).filter { ["launch", "approval", "register"].contains($0) } == ["launch", "approval", "register"])
        #expect(cloud.read { $0.servingColor("beta") } == "green")
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }

    @Test func instanceSwitchingAbortedWhilePausedUndoesWithoutRegistering() async throws {
        let cloud = try InstanceSwitchScenarioTests().world()
        let registered = Seen()
        do {
            _ = try await instancesDeploy(cloud, progress: Self.answerBeta(cloud, .abort, registered: registered))
            Issue.record("expected an abort")
        } catch let failure as DeployFailure {
            #expect(failure.kind == .rolledBack && failure.state.hasPrefix("Traffic was not touched (blue still serves)."), "\(failure)")
        }
        #expect(cloud.read { $0.servingColor("beta") } == "blue")
        #expect(cloud.parameter("/compiler-explorer/beta/deployment").flatMap(DeploymentJournal.decode)?.status == .rolledBack)
        #expect(cloud.checkEnd() == [] && cloud.violations == [])
    }
}
