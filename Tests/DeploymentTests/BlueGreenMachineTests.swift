import Foundation
import Testing

@testable import Deployment

/// Transitions of the refresh state machine, without any runner.
struct BlueGreenMachineTests {
    let prod: EnvironmentConfiguration = {
        var env = try! DeploymentConfiguration.builtIn.environment("prod")
        env.health.stableSeconds = 0
        env.bakeSeconds = 0
        return env
    }()
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let alice = LockIdentity(holder: "alice@admin", command: "ce --env prod environment refresh", pid: 42)

    func snapshot(greenDesired: Int = 0, routesTo: String = "arn:blue", journal: DeploymentJournal? = nil, alarms: [String: String] = [:]) -> EnvironmentSnapshot {
        let groups: [String: TargetGroupSnapshot] = [
            "Prod-Blue": .init(name: "Prod-Blue", arn: "arn:blue", healthCheckPath: "/healthcheck", healthCheckPort: nil, loadBalancerArns: ["lb"]),
            "Prod-Green": .init(name: "Prod-Green", arn: "arn:green", healthCheckPath: "/healthcheck", healthCheckPort: nil, loadBalancerArns: []),
        ]
        let asgs: [String: ScalingGroupSnapshot] = [
            "prod-blue": .init(name: "prod-blue", minSize: 2, desiredCapacity: 3, maxSize: 24, instances: [], targetGroupArns: ["arn:blue"], tags: [:]),
            "prod-green": .init(name: "prod-green", minSize: 0, desiredCapacity: greenDesired, maxSize: 24, instances: [], targetGroupArns: ["arn:green"], tags: [:]),
        ]
        let routes = [Route(kind: .listenerDefault, arn: "l80", listenerPort: 80, weights: [routesTo: 1])]
        var values = [
            "/compiler-explorer/prod/active-color": routesTo == "arn:blue" ? "blue" : "green",
            "/compiler-explorer/prod/active-target-group-arn": routesTo,
            "/compiler-explorer/prod/version": "v2", "/compiler-explorer/prod/green/version": "v1",
        ]
        if let journal { values["/compiler-explorer/prod/deployment"] = journal.json() }
        var status = EnvironmentStatusReader.status(environment: prod, routes: routes, targetGroups: groups, groups: asgs, health: [:], values: values)
        status.alarms = alarms
        return EnvironmentSnapshot(
            environment: prod, status: status, loadBalancer: .init(loadBalancerArn: "lb", routes: routes),
            targetGroups: groups, groups: asgs, values: values)
    }

    /// The next action, with every journal write acknowledged; the written journals are collected.
    func next(_ machine: inout BlueGreenMachine, _ event: DeployEvent, _ seconds: Double = 0, journals: inout [DeploymentJournal]) -> DeployAction {
        var action = machine.next(event, now: t0.addingTimeInterval(seconds))
        while case .record(let journal) = action {
            journals.append(journal)
            action = machine.next(.recorded, now: t0.addingTimeInterval(seconds))
        }
        return action
    }

    func mutations(_ action: DeployAction) -> [Mutation]? {
        switch action {
        case .apply(let m), .undo(let m): return m
        default: return nil
        }
    }

    @Test func walksThePhasesInOrderJournallingEachBeforeItsChanges() {
        var machine = BlueGreenMachine(environment: prod, options: .init(), identity: alice)
        var journals: [DeploymentJournal] = []
        guard case .readSnapshot = machine.next(.start, now: t0) else { Issue.record("expected a read"); return }
        // The journal of protect comes before protect's change.
        guard case .record(let first) = machine.next(.snapshot(snapshot()), now: t0) else { Issue.record("expected the journal first"); return }
        #expect(first.step == "protect" && first.status == .inProgress && first.from == .blue && first.to == .green)
        #expect(first.original["blue"] == .init(name: "prod-blue", min: 2, desired: 3, max: 24))
        #expect(first.original["green"] == .init(name: "prod-green", min: 0, desired: 0, max: 24))
        #expect(first.originalValues == ["/compiler-explorer/prod/green/version": "v1"])
        #expect(first.id == "d-20270115T080000Z-42" && first.by == "alice@admin")
        #expect(mutations(machine.next(.recorded, now: t0)) == [.resizeGroup(name: "prod-blue", minSize: 3, desiredCapacity: nil, maxSize: nil)])
        #expect(mutations(next(&machine, .applied, journals: &journals)) == [.putParameter(name: "/compiler-explorer/prod/green/version", value: "v2")])
        #expect(mutations(next(&machine, .applied, journals: &journals)) == [.resizeGroup(name: "prod-green", minSize: 3, desiredCapacity: 3, maxSize: 3)])
        guard case .checkHealth = next(&machine, .applied, journals: &journals) else { Issue.record("expected the gate"); return }
        guard case .wait(let wait) = next(&machine, .health(inService: 1, healthy: 0), 1, journals: &journals) else { Issue.record("expected a wait"); return }
        #expect(wait == .seconds(5))
        #expect(machine.progress?.inService == 1)
        guard case .checkHealth = next(&machine, .waited, 6, journals: &journals) else { Issue.record("expected a poll"); return }
        guard case .switchTraffic(to: .green, checked: false, unsticky: false) = next(&machine, .health(inService: 3, healthy: 3), 6, journals: &journals) else {
            Issue.record("expected the switch"); return
        }
        #expect(mutations(next(&machine, .switched(StepReport()), 7, journals: &journals)) == [
            .resizeGroup(name: "prod-green", minSize: 2, desiredCapacity: nil, maxSize: 24),
            .resizeGroup(name: "prod-blue", minSize: 0, desiredCapacity: nil, maxSize: nil),
        ])
        guard case .finished(let report) = next(&machine, .applied, 8, journals: &journals) else { Issue.record("expected the end"); return }
        #expect(report.steps.map(\.name) == ["preflight", "protect", "deploy", "scale", "health gate", "finalize"])
        #expect(report.steps.first { $0.name == "health gate" }?.seconds == 6)
        #expect(journals.map(\.step) == ["deploy", "scale", "health gate", "switch", "finalize", "finalize"])
        #expect(journals.last?.status == .done)
    }

    @Test func theGateWaitsUntilEveryInstanceHasStayedHealthyForTheStableWindow() {
        var env = prod
        env.health.stableSeconds = 10
        var machine = BlueGreenMachine(environment: env, options: .init(), identity: alice)
        var journals: [DeploymentJournal] = []
        _ = machine.next(.start, now: t0)
        _ = next(&machine, .snapshot(snapshot()), journals: &journals)
        for _ in 0..<3 { _ = next(&machine, .applied, journals: &journals) }
        guard case .wait = next(&machine, .health(inService: 3, healthy: 3), 60, journals: &journals) else { Issue.record("healthy once is not enough"); return }
        _ = next(&machine, .waited, 65, journals: &journals)
        // One instance flaps: the window starts again.
        guard case .wait = next(&machine, .health(inService: 3, healthy: 2), 65, journals: &journals) else { Issue.record("expected a wait"); return }
        _ = next(&machine, .waited, 70, journals: &journals)
        guard case .wait = next(&machine, .health(inService: 3, healthy: 3), 70, journals: &journals) else { Issue.record("expected a wait"); return }
        #expect(machine.progress?.stableSeconds == 0)
        // A reading 8 s later (a slow, retried read): nobody saw the instances in between, the window restarts.
        _ = next(&machine, .waited, 78, journals: &journals)
        guard case .wait = next(&machine, .health(inService: 3, healthy: 3), 78, journals: &journals) else { Issue.record("a gap restarts the window"); return }
        #expect(machine.progress?.stableSeconds == 0)
        _ = next(&machine, .waited, 83, journals: &journals)
        guard case .wait = next(&machine, .health(inService: 3, healthy: 3), 83, journals: &journals) else { Issue.record("expected a wait"); return }
        _ = next(&machine, .waited, 88, journals: &journals)
        guard case .switchTraffic = next(&machine, .health(inService: 3, healthy: 3), 88, journals: &journals) else { Issue.record("stable 10 s: switch"); return }
    }

    @Test func failedReadsBackOffWithinTheTimeoutThenEverythingIsPutBack() {
        var machine = BlueGreenMachine(environment: prod, options: .init(), identity: alice)
        var journals: [DeploymentJournal] = []
        _ = machine.next(.start, now: t0)
        _ = next(&machine, .snapshot(snapshot()), journals: &journals)
        for _ in 0..<3 { _ = next(&machine, .applied, journals: &journals) }
        var waits: [Duration] = []
        for _ in 0..<4 {
            let action = next(&machine, .healthReadFailed, journals: &journals)
            guard case .wait(let wait) = action else {
                Issue.record("a failed read waits, within the timeout: got \(action)")
                return
            }
            waits.append(wait)
            _ = next(&machine, .waited, journals: &journals)
        }
        #expect(waits == [.seconds(10), .seconds(20), .seconds(30), .seconds(30)])
        guard case .undo(let undo) = next(&machine, .health(inService: 0, healthy: 0), 600, journals: &journals) else {
            Issue.record("expected the undo"); return
        }
        #expect(undo == [
            .resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: 0, maxSize: 24),
            .resizeGroup(name: "prod-blue", minSize: 2, desiredCapacity: nil, maxSize: nil),
            .putParameter(name: "/compiler-explorer/prod/green/version", value: "v1"),
        ])
        guard case .record(let outcome) = machine.next(.undone(done: ["a"], failed: ["b"]), now: t0) else { Issue.record("expected the outcome journalled"); return }
        #expect(outcome.status == .inProgress, "something was not undone: recover must finish it")
        guard case .failed(let failure) = machine.next(.recorded, now: t0) else { Issue.record("expected failure"); return }
        #expect(failure.step == "health gate")
        #expect(failure.state.contains("NOT undone, do by hand or run 'ce --env prod environment recover': b"))
    }

    @Test func refusesWithAnUnfinishedJournalAndNeverShrinksAfterTheSwitch() {
        var started = BlueGreenMachine(environment: prod, options: .init(), identity: alice)
        var journals: [DeploymentJournal] = []
        _ = started.next(.start, now: t0)
        _ = next(&started, .snapshot(snapshot()), journals: &journals)
        let unfinished = started.journal!

        var blocked = BlueGreenMachine(environment: prod, options: .init(force: true), identity: alice)
        _ = blocked.next(.start, now: t0)
        guard case .refused(let refusal) = blocked.next(.snapshot(snapshot(journal: unfinished)), now: t0) else { Issue.record("expected a refusal"); return }
        #expect(refusal.reason.contains("unfinished deployment") && refusal.reason.contains("--resume") && refusal.reason.contains("recover"))

        var refused = BlueGreenMachine(environment: prod, options: .init(), identity: alice)
        _ = refused.next(.start, now: t0)
        guard case .refused = refused.next(.snapshot(snapshot(greenDesired: 1)), now: t0) else { Issue.record("expected a refusal"); return }

        var machine = BlueGreenMachine(environment: prod, options: .init(), identity: alice)
        _ = machine.next(.start, now: t0)
        _ = next(&machine, .snapshot(snapshot()), journals: &journals)
        for _ in 0..<3 { _ = next(&machine, .applied, journals: &journals) }
        _ = next(&machine, .health(inService: 3, healthy: 3), journals: &journals)
        _ = next(&machine, .switched(StepReport()), journals: &journals)
        guard case .failed(let failure) = next(&machine, .applyFailed("throttled"), journals: &journals) else { Issue.record("expected failure"); return }
        #expect(failure.step == "finalize")
        #expect(failure.state.hasPrefix("Traffic is on green (v2); prod-green was left as it is. Left to do:"))
        #expect(machine.journal?.status == .inProgress, "left for --resume or recover")
    }

    @Test func aFailedBakeSwitchesBackThenUndoes() {
        var env = prod
        env.bakeSeconds = 60
        env.alarms = ["{env}-{color}-5xx"]
        var machine = BlueGreenMachine(environment: env, options: .init(), identity: alice)
        var journals: [DeploymentJournal] = []
        _ = machine.next(.start, now: t0)
        _ = next(&machine, .snapshot(snapshot(alarms: ["prod-green-5xx": "OK", "prod-blue-5xx": "OK"])), journals: &journals)
        for _ in 0..<3 { _ = next(&machine, .applied, journals: &journals) }
        _ = next(&machine, .health(inService: 3, healthy: 3), journals: &journals)
        guard case .checkBake(_, let alarms) = next(&machine, .switched(StepReport()), 1, journals: &journals) else { Issue.record("expected the bake"); return }
        #expect(alarms == ["prod-green-5xx"])
        guard case .wait = next(&machine, .bake(.init(healthy: 3, unhealthy: 0, total: 3, watched: 1)), 2, journals: &journals) else { Issue.record("expected a wait"); return }
        _ = next(&machine, .waited, 7, journals: &journals)
        guard case .switchTraffic(to: .blue, checked: true, unsticky: false) = next(&machine, .bake(.init(healthy: 3, unhealthy: 0, total: 3, firing: ["prod-green-5xx"], watched: 1)), 7, journals: &journals) else {
            Issue.record("expected the switch back"); return
        }
        #expect(journals.last?.step == "rollback" && journals.last?.status == .inProgress)
        guard case .undo(let undo) = next(&machine, .switched(StepReport()), 8, journals: &journals) else { Issue.record("expected the undo"); return }
        #expect(undo.first == .resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: 0, maxSize: 24))
        guard case .failed(let failure) = next(&machine, .undone(done: undo.map(\.description), failed: []), 9, journals: &journals) else {
            Issue.record("expected the rollback outcome"); return
        }
        #expect(failure.kind == .rolledBack && failure.cause == "alarm in ALARM: prod-green-5xx")
        #expect(failure.state.hasPrefix("Traffic is back on blue."))
        #expect(journals.last?.status == .rolledBack)
    }

    @Test func aStopRequestBeforeTheSwitchUndoesAndDuringTheBakeSendsTrafficBack() {
        var env = prod
        env.bakeSeconds = 60
        var before = BlueGreenMachine(environment: env, options: .init(), identity: alice)
        var journals: [DeploymentJournal] = []
        _ = before.next(.start, now: t0)
        _ = next(&before, .snapshot(snapshot()), journals: &journals)
        for _ in 0..<3 { _ = next(&before, .applied, journals: &journals) }
        #expect(before.acceptsInterruption)
        guard case .undo = next(&before, .interrupted("SIGINT"), journals: &journals) else { Issue.record("expected the undo"); return }
        #expect(!before.acceptsInterruption, "the undo is not interrupted")
        guard case .failed(let stopped) = next(&before, .undone(done: ["x"], failed: []), journals: &journals) else { Issue.record("expected the stop"); return }
        #expect(stopped.kind == .interrupted && stopped.cause == "interrupted by SIGINT")
        #expect(journals.last?.status == .interrupted)

        var during = BlueGreenMachine(environment: env, options: .init(), identity: alice)
        _ = during.next(.start, now: t0)
        _ = next(&during, .snapshot(snapshot()), journals: &journals)
        for _ in 0..<3 { _ = next(&during, .applied, journals: &journals) }
        _ = next(&during, .health(inService: 3, healthy: 3), journals: &journals)
        _ = next(&during, .switched(StepReport()), journals: &journals)
        #expect(during.phase == .bake && during.acceptsInterruption)
        // The bake did not pass: the new build is not proven, the old colour (still warm) takes the traffic back.
        let stopping = next(&during, .interrupted("SIGTERM"), 20, journals: &journals)
        guard case .switchTraffic(.blue, checked: true, unsticky: false) = stopping else { Issue.record("expected the switch back, got \(stopping)"); return }
        #expect(journals.last?.step == "rollback")
        guard case .undo(let undo) = next(&during, .switched(StepReport()), 21, journals: &journals) else { Issue.record("expected the undo"); return }
        #expect(undo.first == .resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: 0, maxSize: 24))
        guard case .failed(let stop) = next(&during, .undone(done: ["x"], failed: []), 22, journals: &journals) else { Issue.record("expected the stop"); return }
        #expect(stop.kind == .interrupted && stop.cause == "interrupted by SIGTERM during the bake")
        #expect(stop.state.contains("Traffic is back on blue"))
        #expect(journals.last?.status == .interrupted)
    }

    @Test func resumeStartsAtTheRecordedStepOnlyIfTheWorldStillFits() {
        var machine = BlueGreenMachine(environment: prod, options: .init(), identity: alice)
        var journals: [DeploymentJournal] = []
        _ = machine.next(.start, now: t0)
        _ = next(&machine, .snapshot(snapshot()), journals: &journals)
        _ = next(&machine, .applied, journals: &journals)
        var journal = machine.journal!
        journal.step = "scale"

        let bob = LockIdentity(holder: "bob@laptop", command: "ce --env prod environment refresh --resume", pid: 7)
        var resumed = BlueGreenMachine(environment: prod, mode: .resume, identity: bob)
        _ = resumed.next(.start, now: t0)
        guard case .record(let written) = resumed.next(.snapshot(snapshot(greenDesired: 0, journal: journal)), now: t0) else { Issue.record("expected a journal write"); return }
        #expect(written.id == journal.id && written.step == "scale" && written.note == "resumed by bob@laptop at scale")
        #expect(mutations(resumed.next(.recorded, now: t0)) == [.resizeGroup(name: "prod-green", minSize: 3, desiredCapacity: 3, maxSize: 3)])

        // Someone switched meanwhile: resuming "scale" would be wrong.
        var stale = BlueGreenMachine(environment: prod, mode: .resume, identity: bob)
        _ = stale.next(.start, now: t0)
        guard case .refused(let refusal) = stale.next(.snapshot(snapshot(routesTo: "arn:green", journal: journal)), now: t0) else { Issue.record("expected a refusal"); return }
        #expect(refusal.reason.contains("expects all traffic on blue") && refusal.reason.contains("environment recover"))

        var nothing = BlueGreenMachine(environment: prod, mode: .resume, identity: bob)
        _ = nothing.next(.start, now: t0)
        guard case .refused(let none) = nothing.next(.snapshot(snapshot()), now: t0) else { Issue.record("expected a refusal"); return }
        #expect(none.reason.hasPrefix("No unfinished deployment to resume"))
    }

    /// A canary's transitions, compared as values: after the gate a shift to 10%, its step bake, a promote straight to
    /// the last step; an alarm at a step aborts (all weight back, nothing scaled down).
    @Test func aCanaryShiftsBakesAndIsPromotedOrAborted() {
        let steps = TrafficSteps(percentages: [10, 50, 100], stepBakeSeconds: 60)
        func gatePassed(_ journals: inout [DeploymentJournal]) -> BlueGreenMachine {
            var machine = BlueGreenMachine(environment: prod, options: .init(traffic: steps, strategyName: "canary"), identity: alice)
            _ = machine.next(.start, now: t0)
            _ = next(&machine, .snapshot(snapshot()), journals: &journals)
            _ = next(&machine, .applied, journals: &journals)
            _ = next(&machine, .applied, journals: &journals)
            _ = next(&machine, .applied, journals: &journals)
            #expect(next(&machine, .health(inService: 3, healthy: 3), 5, journals: &journals)
                == .shiftTraffic(live: .blue, target: .green, percent: 10, stickinessSeconds: nil))
            return machine
        }
        var journals: [DeploymentJournal] = []
        var machine = gatePassed(&journals)
        #expect(journals.last?.step == "shift" && journals.last?.trafficStep == 0 && journals.last?.strategy == "canary")
        let id = journals[0].id
        #expect(next(&machine, .shifted(StepReport()), 6, journals: &journals)
            == .checkStep(targetGroupArn: "arn:green", alarms: [], deployment: id))
        #expect(journals.last?.step == "step bake" && journals.last?.stepStartedAt != nil)
        let healthy = BakeReading(healthy: 3, unhealthy: 0, total: 3)
        #expect(next(&machine, .step(healthy, request: nil), 11, journals: &journals) == .wait(.seconds(5)))
        #expect(next(&machine, .step(healthy, request: .promote), 16, journals: &journals)
            == .switchTraffic(to: .green, checked: false, unsticky: false), "promoted: straight to the last step")
        #expect(journals.last?.step == "switch" && journals.last?.trafficStep == 2)

        var failing = gatePassed(&journals)
        _ = next(&failing, .shifted(StepReport()), 6, journals: &journals)
        #expect(next(&failing, .step(BakeReading(healthy: 3, unhealthy: 0, total: 3, firing: ["prod-green-5xx"], watched: 1), request: nil), 9, journals: &journals)
            == .switchTraffic(to: .blue, checked: false, unsticky: false))
        #expect(journals.last?.step == "abort")
        #expect(next(&failing, .switched(StepReport()), 10, journals: &journals) == .undo([
            .resizeGroup(name: "prod-blue", minSize: 2, desiredCapacity: nil, maxSize: nil),
            .resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: nil, maxSize: nil),
        ]), "the live colour's min back, the new colour unpinned, nothing scaled down")
        guard case .failed(let failure) = next(&failing, .undone(done: [], failed: []), 11, journals: &journals) else {
            Issue.record("expected the abort's outcome")
            return
        }
        #expect(failure.kind == .rolledBack && failure.step == "step bake" && failure.cause == "alarm in ALARM: prod-green-5xx")
        #expect(journals.last?.status == .rolledBack)
    }
}
