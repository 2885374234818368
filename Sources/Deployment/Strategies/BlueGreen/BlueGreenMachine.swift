import Foundation

/// The blue-green deploy — and the canary and linear ones, which move traffic in weighted steps — as a state machine
/// (`DeployMachine`): each `next(_:now:)` takes what the last action produced and returns the next action. It
/// performs no I/O and reads no clock, so every transition is testable on its own; `DeployRunner` performs them.
///
/// Before each step's changes the machine asks for the journal (`{prefix}deployment`) to be written with that step,
/// so a deploy stopped anywhere can be resumed from the step or recovered. Phases:
/// `preflight → protect → [clear] → deploy → scale → health gate → switch → bake → finalize`, and `rollback` when the
/// bake period fails; `clear` only when the colour deployed to already runs instances (`--force`), which may run
/// another build: they are scaled away first, so that every instance of the new colour runs the new build. Before the switch any failure or interruption is undone; after it the new colour is never reduced.
public struct BlueGreenMachine: DeployMachine {
    public enum Phase: String, Sendable, Codable, CaseIterable {
        case preflight, protect, clear, deploy, scale, healthGate = "health gate", switchTraffic = "switch", bake, finalize,
            rollback, done
        /// Canary and linear: a share of every serving route moves to the new colour; then it is watched.
        case shift, stepBake = "step bake"
        /// `--approve`: waiting for `environment promote` / `abort` after the gate (and before each later canary step).
        case approval
        /// Canary and linear: all weight back to the old colour, after a failed step, an alarm, a signal or
        /// `environment abort`.
        case abort

        /// Whether traffic may already be on the new colour.
        public var isAfterSwitch: Bool { [.bake, .finalize, .rollback, .done].contains(self) }

        /// Whether traffic may be split between the colours (a canary's steps, and its abort).
        public var splitsTraffic: Bool { [.shift, .stepBake, .abort].contains(self) }
    }

    /// A fresh deploy, or the continuation of the unfinished one in the journal.
    public enum Mode: Sendable, Equatable {
        case fresh(BlueGreenRefresh.Options)
        case resume
    }

    public let environment: EnvironmentConfiguration
    public let mode: Mode
    public let identity: LockIdentity
    var state: State = .preflight(report: StepReport(), started: nil)

    /// Reading before anything is planned, or running a planned deploy.
    enum State: Sendable {
        case preflight(report: StepReport, started: Date?)
        case running(Run)
    }

    public init(environment: EnvironmentConfiguration, mode: Mode, identity: LockIdentity) {
        self.environment = environment
        self.mode = mode
        self.identity = identity
    }

    /// A fresh deploy.
    public init(environment: EnvironmentConfiguration, options: BlueGreenRefresh.Options, identity: LockIdentity = .unknown) {
        self.init(environment: environment, mode: .fresh(options), identity: identity)
    }

    public var phase: Phase {
        switch state {
        case .preflight: return .preflight
        case .running(let run): return run.phase
        }
    }
    public var plan: BlueGreenRefresh.Plan? {
        if case .running(let run) = state { return run.plan }
        return nil
    }
    public var journal: DeploymentJournal? {
        if case .running(let run) = state { return run.journal }
        return nil
    }
    public var options: BlueGreenRefresh.Options {
        switch state {
        case .preflight: if case .fresh(let options) = mode { return options } else { return .init() }
        case .running(let run): return run.options
        }
    }
    public var report: StepReport {
        switch state {
        case .preflight(let report, _): return report
        case .running(let run): return run.report
        }
    }
    /// The latest reading of the health gate, a step bake or the bake period, for live display.
    public var progress: DeployProgress? {
        if case .running(let run) = state { return run.progress }
        return nil
    }
    /// Canary: the step about to run or running (an index into the traffic percentages).
    public var trafficStep: Int {
        if case .running(let run) = state { return run.trafficStep }
        return 0
    }

    /// Whether a stop request may take the place of the action just returned: during the preflight, the steps
    /// before the switch (they are undone), a canary's step bake (it is aborted) and the bake period (the deploy is
    /// then finalized) — never while the journal is written, traffic moves, or a failure is being cleaned up.
    public var acceptsInterruption: Bool {
        switch state {
        case .preflight: return true
        case .running(let run): return run.acceptsInterruption
        }
    }

    public mutating func next(_ event: DeployEvent, now: Date) -> DeployAction {
        switch (state, event) {
        case (.preflight(let report, _), .start):
            state = .preflight(report: report, started: now)
            return .readSnapshot
        case (.preflight(_, let started), .snapshot(let snapshot)):
            let (run, action) = mode == .resume
                ? Run.resume(snapshot, environment: environment, identity: identity, started: started ?? now, now: now)
                : Run.start(snapshot, environment: environment, options: options, identity: identity, started: started ?? now, now: now)
            if let run { state = .running(run) }
            return action
        case (.preflight(let report, _), .interrupted(let reason)):
            return .failed(.init(step: "preflight", cause: "interrupted by \(reason)", state: "Nothing changed.", report: report, kind: .interrupted))
        case (.preflight(let report, _), _):
            return .failed(.init(step: "preflight", cause: "unexpected \(event)", state: "Nothing changed.", report: report))
        case (.running(var run), _):
            let action = run.next(event, now: now)
            state = .running(run)
            return action
        }
    }
}

extension BlueGreenMachine {
    /// The clock readings of the step that waits: `clear` and the health gate count one timeout from `since`, the
    /// gate's stability window from `stableSince`; a step bake and the bake period count from `since` and note their
    /// last reading.
    enum Watch: Sendable, Equatable {
        case none
        case waiting(since: Date, stableSince: Date?, lastReading: Date?)
        case watching(since: Date, lastReading: Date?)
    }

    /// A planned deploy: the plan and the journal always exist; each waiting step's clock readings are in `watch`.
    struct Run: Sendable {
        let environment: EnvironmentConfiguration
        let identity: LockIdentity
        var options: BlueGreenRefresh.Options
        var phase: Phase = .preflight
        let plan: BlueGreenRefresh.Plan
        var journal: DeploymentJournal
        var report = StepReport()
        var progress: DeployProgress?

        var phaseStarted: Date
        /// Whether the current phase has its line in the report (a failed one gets one too).
        var phaseReported = false
        var watch: Watch = .none
        var backoff: Double = 0
        var failure: (step: String, cause: String, kind: DeployFailure.Kind)?
        /// The action waiting for the journal write to finish.
        var afterRecord: DeployAction?
        /// Whether the journal write in flight records the outcome (the last write of the deploy).
        var concluding = false
        /// A failed switch had moved traffic and sent it back.
        var trafficReturned = false
        /// A failed switch left SSM written: the journal stays unfinished, for `recover` to reconcile.
        var recordsLeft = false
        /// Canary: the step about to run or running (an index into the traffic percentages).
        var trafficStep = 0
        /// `environment promote`: the remaining step bakes are skipped.
        var promoted = false
        /// `--approve`: the pause being waited out, and the deadline a resumed deploy keeps from its journal.
        var pause: ApprovalPause?
        var recordedDeadline: String?
        /// The time of the event being handled, for transitions started from helpers.
        var now: Date

        init(
            environment: EnvironmentConfiguration, identity: LockIdentity, options: BlueGreenRefresh.Options, plan: BlueGreenRefresh.Plan,
            journal: DeploymentJournal, report: StepReport, started: Date
        ) {
            self.environment = environment
            self.identity = identity
            self.options = options
            self.plan = plan
            self.journal = journal
            self.report = report
            self.phaseStarted = started
            self.now = started
        }

        var timeout: Double { Double(environment.health.timeoutSeconds) }
        var poll: Double { Double(max(1, min(environment.health.pollSeconds, 5))) }
        var stable: Double { Double(environment.health.stableSeconds) }
        /// (At least the alarms' delay when alarms watch them: `EnvironmentConfiguration.watchSeconds`.)
        var bakeSeconds: Double { Double(environment.watchSeconds(options.bakeSeconds ?? environment.bakeSeconds)) }
        var stepBakeSeconds: Double { Double(environment.watchSeconds(options.traffic?.stepBakeSeconds ?? 0)) }

        var acceptsInterruption: Bool {
            afterRecord == nil && failure == nil
                && [.protect, .clear, .deploy, .scale, .healthGate, .approval, .switchTraffic, .stepBake, .bake].contains(phase)
        }

        /// When the waiting step began (its timeout counts from there).
        var since: Date {
            switch watch {
            case .waiting(let since, _, _), .watching(let since, _): return since
            case .none: return phaseStarted
            }
        }

        /// The waiting step's last reading, if any.
        var lastReading: Date? {
            switch watch {
            case .waiting(_, _, let last), .watching(_, let last): return last
            case .none: return nil
            }
        }

        mutating func next(_ event: DeployEvent, now: Date) -> DeployAction {
            self.now = now
            if let pending = afterRecord {
                switch event {
                case .recorded:
                    afterRecord = nil
                    return pending
                case .recordFailed(let cause):
                    afterRecord = nil
                    if concluding { return outcomeNotRecorded(pending, cause: cause) }
                    // After the switch, or once the outcome is known, carry on: the deploy cannot be made safer by
                    // stopping. Before it, a deploy that cannot be journalled is undone.
                    if phase.isAfterSwitch || failure != nil || phase == .done {
                        report.add("journal", seconds: 0, "could not write \(environment.parameters.deployment): \(cause)")
                        return pending
                    }
                    return fail("could not write the journal \(environment.parameters.deployment): \(cause)")
                case .hookFailed(let point, let cause, let interrupted):
                    afterRecord = nil
                    let kind: DeployFailure.Kind = interrupted ? .interrupted : .failed
                    // After the switch, the old colour (still warm) takes the traffic back; before it, the deploy is undone.
                    if point == .postSwitch && (phase == .bake || phase == .finalize) {
                        finishPhase(now, "not started: the postSwitch hook failed")
                        return beginRollback("the postSwitch hook failed: \(cause)", now: now)
                    }
                    if point == .preDeploy {
                        // Before the first change: nothing to undo.
                        finishPhase(now, "not started: the preDeploy hook failed")
                        failure = (phase.rawValue, "the preDeploy hook failed: \(cause)", kind)
                        return .undo([])
                    }
                    return fail("the \(point.rawValue) hook failed: \(cause)", kind: kind)
                default:
                    return fail("unexpected \(event) while writing the journal")
                }
            }
            if let failure, phase != .rollback && phase != .abort {
                guard case .undone(let done, let notDone) = event else {
                    return .failed(makeFailure(undone: [], notUndone: []))
                }
                let final = makeFailure(undone: done, notUndone: notDone)
                let incomplete = !notDone.isEmpty || recordsLeft
                let status: DeploymentJournal.Status =
                    incomplete ? .inProgress : failure.kind == .interrupted ? .interrupted : failure.kind == .rolledBack ? .rolledBack : .failed
                if incomplete { journal.undoIncomplete = true }
                return conclude(status, note: "\(failure.step): \(failure.cause)", now: now, then: .failed(final))
            }

            switch (phase, event) {

            case (.protect, .applied):
                let group = plan.liveGroup
                finishPhase(
                    now, group.minSize < group.desiredCapacity
                        ? "\(group.name) min \(group.minSize) → \(group.desiredCapacity) (cannot shrink during the deploy)"
                        : "\(group.name) min is already its desired size (\(group.desiredCapacity))")
                return begin(plan.clearsTarget ? .clear : .deploy, now)

            case (.clear, .applied):
                watch = .waiting(since: now, stableSince: nil, lastReading: nil)
                backoff = poll
                return .countInstances(group: plan.targetGroup.name)
            case (.clear, .instances(let count)):
                if count == 0 {
                    let before = plan.targetGroup
                    finishPhase(now, "\(before.name) scaled from \(before.desiredCapacity) to 0 first: its \(before.instances.count) instance(s) may run another build")
                    return begin(.deploy, now)
                }
                backoff = poll
                return waitOrTimeOut(now, what: "\(count) instance(s) of \(plan.targetGroup.name) still running")
            case (.clear, .instancesReadFailed):
                backoff = min(max(backoff, poll) * 2, 30)
                return waitOrTimeOut(now, what: "could not count \(plan.targetGroup.name)'s instances")
            case (.clear, .waited):
                return .countInstances(group: plan.targetGroup.name)
            case (.deploy, .applied):
                finishPhase(now, "\(environment.parameters.version(of: plan.target)) = \(plan.version)")
                return begin(.scale, now)
            case (.scale, .applied):
                finishPhase(now, "\(plan.targetGroup.name) pinned at \(plan.capacity)")
                return begin(.healthGate, now)

            case (.healthGate, .health(let inService, let healthy)):
                let plan = self.plan
                let ready = inService >= plan.capacity && healthy >= plan.capacity
                // Stable means observed healthy without a gap: if readings were further apart than a poll (slow or
                // failed reads), the instances may have been down in between, and the window starts again.
                guard case .waiting(let started, let wasStableSince, let lastGateReading) = watch else {
                    return fail("a health reading came outside the gate")
                }
                let gap = lastGateReading.map { now.timeIntervalSince($0) } ?? 0
                let stableSince: Date? = ready && gap <= poll + 1 ? (wasStableSince ?? now) : (ready ? now : nil)
                watch = .waiting(since: started, stableSince: stableSince, lastReading: now)
                let stableFor = stableSince.map { now.timeIntervalSince($0) } ?? 0
                progress = .init(
                    stage: .healthGate, color: plan.target, inService: inService, healthy: healthy, wanted: plan.capacity,
                    elapsedSeconds: now.timeIntervalSince(started), limitSeconds: timeout,
                    stableSeconds: ready ? stableFor : nil, neededStableSeconds: stable)
                if ready && stableFor >= stable {
                    let stability = stable > 0 ? ", stable for \(Int(stableFor)) s" : ""
                    finishPhase(now, "\(healthy)/\(plan.capacity) healthy (\(plan.targetGroupInUse ? "load balancer target health" : "HTTP \(environment.health.path)")\(stability))")
                    trafficStep = 0
                    return beginTrafficStep(now)
                }
                backoff = ready ? min(poll, max(0.5, stable - stableFor)) : poll
                return waitOrTimeOut(now)
            case (.healthGate, .healthReadFailed):
                // A failed read (throttling, a blip): back off, within the one timeout.
                backoff = min(max(backoff, poll) * 2, 30)
                return waitOrTimeOut(now)
            case (.healthGate, .waited):
                return .checkHealth(healthCheck)

            case (.switchTraffic, .switched(let switchReport)):
                report.steps += switchReport.steps
                return bakeSeconds > 0 ? begin(.bake, now) : begin(.finalize, now)
            case (.switchTraffic, .switchFailed(let cause, _, _, _)) where options.traffic != nil:
                // The last step of a canary: traffic is split, so all of it goes back to the old colour.
                return beginAbort("switch", cause, now: now)
            case (.switchTraffic, .switchFailed(let cause, let moved, let returned, let left)):
                if moved {
                    failure = ("switch", cause, .failed)
                    return .failed(makeFailure(undone: [], notUndone: []))
                }
                trafficReturned = returned
                recordsLeft = left
                return fail(cause)

            case (.bake, .bake(let reading)):
                let plan = self.plan
                let elapsed = now.timeIntervalSince(since)
                progress = .init(
                    stage: .bake, color: plan.target, inService: reading.total, healthy: reading.healthy, wanted: plan.capacity,
                    elapsedSeconds: elapsed, limitSeconds: bakeSeconds, stableSeconds: nil, neededStableSeconds: 0,
                    alarmsFiring: reading.firing)
                if let problem = reading.problem {
                    finishPhase(now, "failed after \(Int(elapsed)) s: \(problem)")
                    return beginRollback(problem, now: now)
                }
                watch = .watching(since: since, lastReading: now)
                if elapsed >= bakeSeconds - 0.001 {
                    finishPhase(now, "\(Int(bakeSeconds)) s: \(reading.healthy)/\(reading.total) healthy, \(reading.watched) alarm(s) OK")
                    return begin(.finalize, now)
                }
                backoff = poll
                return Self.wait(min(poll, bakeSeconds - elapsed))
            case (.bake, .bakeReadFailed):
                // Without a reading the bake cannot pass: it goes on, backing off, until a read succeeds — but not for
                // longer than the gate's timeout without any reading: then it stops, traffic left on the new colour.
                let blind = now.timeIntervalSince(lastReading ?? since)
                if blind >= timeout - 0.001 {
                    finishPhase(now, "no reading for \(Int(blind)) s")
                    return fail("could not read \(plan.target.rawValue)'s target health or alarms for \(Int(blind)) s")
                }
                backoff = min(max(backoff, poll) * 2, 30)
                return Self.wait(min(backoff, timeout - blind))
            case (.bake, .waited):
                return .checkBake(targetGroupArn: plan.targetGroupArn, alarms: environment.alarmNames(for: plan.target))
            case (.bake, .interrupted(let reason)):
                // The bake did not pass: the new build is not proven, and the old colour is still warm to take the
                // traffic back (as a failed bake does), the deploy then ending as interrupted.
                finishPhase(now, "interrupted by \(reason) after \(Int(now.timeIntervalSince(since))) s: not proven, traffic goes back")
                failure = ("bake", "interrupted by \(reason) during the bake", .interrupted)
                return begin(.rollback, now)

            case (.finalize, .applied):
                let plan = self.plan
                finishPhase(now, "\(plan.targetGroup.name) min \(environment.liveFloor) max \(max(plan.targetGroup.maxSize, plan.capacity)); \(plan.liveGroup.name) min 0, kept warm for rollback")
                phase = .done
                return conclude(.done, note: nil, now: now, then: .finished(report))

            case (.shift, .shifted(let shiftReport)):
                let percent = options.traffic?.percentages[trafficStep] ?? 0
                finishPhase(now, "\(percent)% of traffic to \(plan.target.rawValue): " + shiftReport.steps.map(\.detail).joined(separator: "; "))
                return begin(.stepBake, now)
            case (.shift, .shiftFailed(let cause)):
                finishPhase(now, "failed: \(cause)")
                return beginAbort("shift", cause, now: now)

            case (.stepBake, .step(let reading, let request)):
                let plan = self.plan
                let elapsed = now.timeIntervalSince(since)
                progress = .init(
                    stage: .step, color: plan.target, inService: reading.total, healthy: reading.healthy, wanted: plan.capacity,
                    elapsedSeconds: elapsed, limitSeconds: stepBakeSeconds, stableSeconds: nil, neededStableSeconds: 0,
                    alarmsFiring: reading.firing, percent: options.traffic?.percentages[trafficStep])
                if request == .abort {
                    finishPhase(now, "aborted after \(Int(elapsed)) s ('environment abort')")
                    return beginAbort("step bake", "aborted by 'environment abort'", now: now)
                }
                if let problem = reading.problem {
                    finishPhase(now, "failed after \(Int(elapsed)) s: \(problem)")
                    return beginAbort("step bake", problem, now: now)
                }
                watch = .watching(since: since, lastReading: now)
                if request == .promote { promoted = true }
                if promoted || elapsed >= stepBakeSeconds - 0.001 {
                    let how = promoted && elapsed < stepBakeSeconds - 0.001 ? "promoted after \(Int(elapsed)) s" : "\(Int(stepBakeSeconds)) s"
                    finishPhase(now, "\(how): \(reading.healthy)/\(reading.total) healthy, \(reading.watched) alarm(s) OK")
                    // Promoted: the remaining splits are skipped too, straight to the last step.
                    trafficStep = promoted ? (options.traffic?.percentages.count ?? 1) - 1 : trafficStep + 1
                    // Promoted: the operator has already said go; no pause for approval either.
                    return promoted ? begin(nextTrafficPhase, now) : beginTrafficStep(now)
                }
                backoff = poll
                return Self.wait(min(poll, stepBakeSeconds - elapsed))
            case (.stepBake, .bakeReadFailed):
                let blind = now.timeIntervalSince(lastReading ?? since)
                if blind >= timeout - 0.001 {
                    finishPhase(now, "no reading for \(Int(blind)) s")
                    return beginAbort("step bake", "could not read \(plan.target.rawValue)'s target health or alarms for \(Int(blind)) s", now: now)
                }
                backoff = min(max(backoff, poll) * 2, 30)
                return Self.wait(min(backoff, timeout - blind))
            case (.stepBake, .waited):
                return checkStep()
            case (.stepBake, .interrupted(let reason)):
                finishPhase(now, "interrupted by \(reason) after \(Int(now.timeIntervalSince(since))) s")
                return beginAbort("step bake", "interrupted by \(reason)", kind: .interrupted, now: now)

            case (.approval, .approval(let request)):
                guard let pause else { return fail("an approval reading came outside a pause") }
                let verdict = pause.verdict(request, now: now)
                switch verdict {
                case .wait(let duration):
                    progress = approvalProgress(pause, now: now)
                    return .wait(duration)
                case .approved:
                    finishPhase(now, pause.summary(verdict, now: now))
                    self.pause = nil
                    return begin(nextTrafficPhase, now)
                case .refused(let by):
                    finishPhase(now, pause.summary(verdict, now: now))
                    self.pause = nil
                    let cause = by.map { "aborted by \($0) ('environment abort') while waiting for approval" }
                        ?? "no approval within \(options.approval?.timeoutSeconds ?? 0) s (--approve-timeout)"
                    return fail(cause, kind: .rolledBack)
                }
            case (.approval, .waited):
                return .awaitApproval(deployment: journal.id)
            case (.approval, .interrupted(let reason)):
                return fail("interrupted by \(reason) while waiting for approval", kind: .interrupted)

            case (.abort, .switched(let switchReport)):
                report.steps += switchReport.steps
                return .undo(abortMutations())
            case (.abort, .undone(let done, let notDone)):
                let plan = self.plan
                let (step, cause, kind) = failure ?? ("abort", "aborted", .rolledBack)
                finishPhase(now, "all traffic back on \(plan.live.rawValue)")
                var state = "All traffic is back on \(plan.live.rawValue) (read back). "
                if !done.isEmpty { state += "Undone: \(done.joined(separator: "; ")). " }
                state += "\(plan.targetGroup.name) (\(plan.version)) is left running for inspection, min 0; '\(environment.command("environment cleanup"))' scales it down. "
                if !notDone.isEmpty { state += "NOT undone, do by hand: \(notDone.joined(separator: "; "))." }
                let stop = DeployFailure(step: step, cause: cause, state: state, report: report, kind: kind)
                let status: DeploymentJournal.Status = !notDone.isEmpty ? .inProgress : kind == .interrupted ? .interrupted : .rolledBack
                return conclude(status, note: "aborted: \(cause)", now: now, then: .failed(stop))
            case (.abort, .switchFailed(let cause, _, _, _)):
                let plan = self.plan
                let stop = DeployFailure(
                    step: "abort", cause: "\(failure?.cause ?? "the canary failed"), and returning all traffic to \(plan.live.rawValue) failed: \(cause)",
                    state: "Traffic may be split between \(plan.live.rawValue) and \(plan.target.rawValue). Run '\(environment.command("environment recover"))'.",
                    report: report, kind: .failed)
                return .failed(stop)

            case (.rollback, .switched(let switchReport)):
                report.steps += switchReport.steps
                return .undo(restoreMutations())
            case (.rollback, .undone(let done, let notDone)):
                let plan = self.plan
                let cause = failure?.cause ?? "the bake failed"
                let kind = failure?.kind ?? .rolledBack
                finishPhase(now, "traffic back on \(plan.live.rawValue)")
                var state = "Traffic is back on \(plan.live.rawValue). "
                if !done.isEmpty { state += "Undone: \(done.joined(separator: "; ")). " }
                if options.keepFailed { state += "\(plan.targetGroup.name) kept for inspection (--keep-failed); '\(environment.command("environment cleanup"))' removes it. " }
                if !notDone.isEmpty { state += "NOT undone, do by hand: \(notDone.joined(separator: "; "))." }
                let stop = DeployFailure(step: "bake", cause: cause, state: state, report: report, kind: kind)
                let status: DeploymentJournal.Status = !notDone.isEmpty ? .inProgress : kind == .interrupted ? .interrupted : .rolledBack
                return conclude(status, note: "rolled back: \(cause)", now: now, then: .failed(stop))
            case (.rollback, .switchFailed(let cause, _, _, _)):
                let plan = self.plan
                let stop = DeployFailure(
                    step: "rollback", cause: "\(failure?.cause ?? "the bake failed"), and the switch back to \(plan.live.rawValue) failed: \(cause)",
                    state: "Traffic may be on \(plan.target.rawValue) or split. Run '\(environment.command("environment recover"))'.",
                    report: report, kind: .failed)
                return .failed(stop)

            case (.protect, .interrupted(let reason)), (.clear, .interrupted(let reason)), (.deploy, .interrupted(let reason)),
                (.scale, .interrupted(let reason)),
                (.healthGate, .interrupted(let reason)), (.switchTraffic, .interrupted(let reason)):
                return fail("interrupted by \(reason)", kind: .interrupted)
            case (_, .applyFailed(let cause)):
                return fail(cause)
            default:
                // Any other event in any phase (a stop request while traffic moves is never delivered: see
                // `acceptsInterruption`). The phase's own switch (`firstAction`) is exhaustive.
                return fail("unexpected \(event) during \(phase.rawValue)")
            }
        }

        // MARK: - Starting and resuming

        /// A fresh deploy planned from `snapshot`, and its first action; or why it is refused.
        static func start(
            _ snapshot: EnvironmentSnapshot, environment: EnvironmentConfiguration, options: BlueGreenRefresh.Options, identity: LockIdentity,
            started: Date, now: Date
        ) -> (Run?, DeployAction) {
            let plan: BlueGreenRefresh.Plan
            do {
                plan = try BlueGreenRefresh.plan(snapshot, options: options)
            } catch let refusal as Refusal {
                return (nil, .refused(refusal))
            } catch {
                return (nil, .refused(Refusal(String(describing: error))))
            }
            var journal = DeploymentJournal(
                id: DeploymentJournal.makeId(now, pid: identity.pid), strategy: options.strategyName, from: plan.live, to: plan.target,
                version: plan.version, capacity: plan.capacity, step: Phase.protect.rawValue, status: .inProgress,
                original: [plan.live.rawValue: .init(plan.liveGroup), plan.target.rawValue: .init(plan.targetGroup)],
                originalValues: DeploymentJournal.versionValues(deployingTo: plan.target, setsVersion: options.version != nil, in: snapshot),
                targetGroupArn: plan.targetGroupArn, keepFailed: options.keepFailed,
                bakeSeconds: options.bakeSeconds ?? environment.bakeSeconds, setsVersion: options.version != nil,
                startedAt: DeploymentJournal.timestamp(now), updatedAt: DeploymentJournal.timestamp(now), by: identity.holder,
                command: identity.command, note: nil, traffic: options.traffic)
            journal.keepOldForSeconds = options.keepOldForSeconds ?? environment.keepOldForSeconds
            journal.approval = options.approval
            var run = Run(
                environment: environment, identity: identity, options: options, plan: plan, journal: journal, report: StepReport(), started: started)
            let again = snapshot.status.rolledBackBuild.flatMap { $0.version == plan.version ? " (named again: \($0.id) rolled it back)" : nil } ?? ""
            run.finishPhase(now, "deploy \(plan.version)\(again) to \(plan.target.rawValue) (\(plan.capacity) instance(s)); \(plan.live.rawValue) is live; \(options.traffic.map { "traffic in steps \($0.description(stepBake: environment.watchText($0.stepBakeSeconds))); " } ?? "")journal \(journal.id)")
            let action = run.begin(.protect, now)
            return (run, action)
        }

        /// The continuation of the unfinished deploy the journal records, from its step; or why it cannot be.
        static func resume(
            _ snapshot: EnvironmentSnapshot, environment: EnvironmentConfiguration, identity: LockIdentity, started: Date, now: Date
        ) -> (Run?, DeployAction) {
            if let shown = snapshot.status.unreadableJournal { return (nil, .refused(DeploymentJournal.unreadableRefusal(shown, in: environment))) }
            guard let recorded = snapshot.status.deployment, recorded.isUnfinished else {
                return (nil, .refused(Refusal("No unfinished deployment to resume in \(environment.parameters.deployment)\(snapshot.status.deployment.map { " (the last one, \($0.id), is \($0.status.rawValue))" } ?? ""). Nothing changed.")))
            }
            guard DeployStrategy(journal: recorded)?.usesBothColors == true else {
                return (nil, .refused(Refusal("The unfinished deployment \(recorded.id) is a \(recorded.strategy) one; this resumes blue-green, canary and linear deploys. Nothing changed.")))
            }
            guard let step = Phase(rawValue: recorded.step), step != .preflight, step != .done else {
                return (nil, .refused(Refusal("The journal's step '\(recorded.step)' cannot be resumed. Nothing changed; run '\(environment.command("environment recover"))'.")))
            }
            if let problem = resumeProblem(recorded, step: step, snapshot: snapshot) {
                return (nil, .refused(Refusal("Cannot resume \(recorded.id) at \(step.rawValue): \(problem). Nothing changed; run '\(environment.command("environment recover"))'.")))
            }
            guard let plan = BlueGreenRefresh.Plan(journal: recorded, snapshot: snapshot) else {
                return (nil, .refused(Refusal("The journal \(recorded.id) does not name both groups' original settings. Nothing changed; run '\(environment.command("environment recover"))'.")))
            }
            var journal = recorded
            journal.note = "resumed by \(identity.holder) at \(step.rawValue)"
            var run = Run(
                environment: environment, identity: identity, options: .init(journal: recorded), plan: plan, journal: journal, report: StepReport(),
                started: started)
            run.trafficStep = recorded.trafficStep ?? 0
            if step == .approval { run.recordedDeadline = recorded.approvalDeadline }
            run.finishPhase(now, "resume \(recorded.id): \(recorded.version) \(recorded.from.rawValue) → \(recorded.to.rawValue) at \(step.rawValue)")
            switch step {
            case .rollback:
                run.failure = ("bake", "resumed rollback", .rolledBack)
            case .abort:
                run.failure = ("abort", "resumed abort", .rolledBack)
            case .preflight, .protect, .clear, .deploy, .scale, .healthGate, .switchTraffic, .bake, .finalize, .done, .shift, .stepBake, .approval:
                break
            }
            let action = run.begin(step, now)
            return (run, action)
        }

        /// Why the world no longer fits the journal's step (someone changed it meanwhile), or `nil`.
        static func resumeProblem(_ journal: DeploymentJournal, step: Phase, snapshot: EnvironmentSnapshot) -> String? {
            let serving = snapshot.status.albColor
            let env = snapshot.environment
            let arns = Set(Color.allCases.compactMap { snapshot.targetGroups[env.targetGroupNames[$0]]?.arn })
            if journal.undoIncomplete == true {
                return "it failed at '\(journal.step)' and putting everything back did not finish, so it cannot go on"
            }
            if snapshot.routes.isEmpty { return "no listener or rule routes \(env.name)" }
            if snapshot.routes.contains(where: { !Set($0.weights.filter { $0.value > 0 }.keys).isSubset(of: arns) }) {
                return "a route forwards to a target group of neither colour"
            }
            switch step {
            case .protect, .clear, .deploy, .scale, .healthGate:
                if serving != journal.from { return "the journal expects all traffic on \(journal.from.rawValue), but \(serving.map { "it is on \($0.rawValue)" } ?? "the routes are split")" }
            case .bake, .finalize:
                if serving != journal.to { return "the journal expects all traffic on \(journal.to.rawValue), but \(serving.map { "it is on \($0.rawValue)" } ?? "the routes are split")" }
            case .shift, .stepBake:
                // The routes carry the step's weights, or (a shift not yet made) the previous step's.
                guard let percent = journal.recordedPercent, let to = snapshot.targetGroups[env.targetGroupNames[journal.to]]?.arn else {
                    return "the journal does not record the canary's step"
                }
                let allowed: Set<Int> = step == .shift ? [journal.percentBeforeStep, percent] : [percent]
                let shares = Set(snapshot.routes.map { TrafficShift.percent(of: to, in: $0) })
                if !shares.isSubset(of: allowed) || shares.count > 1 {
                    return "the journal expects \(journal.to.rawValue) at \(allowed.sorted().map { "\($0)%" }.joined(separator: " or ")) of every route, but the routes give it \(shares.sorted().map { "\($0)%" }.joined(separator: ", "))"
                }
            case .approval:
                // Before the first step all traffic is on the old colour; later, the routes carry the last step's share.
                let percent = journal.percentBeforeStep
                guard percent > 0 else {
                    if serving != journal.from { return "the journal expects all traffic on \(journal.from.rawValue), but \(serving.map { "it is on \($0.rawValue)" } ?? "the routes are split")" }
                    return nil
                }
                guard let to = snapshot.targetGroups[env.targetGroupNames[journal.to]]?.arn else {
                    return "the journal does not record the canary's step"
                }
                let shares = Set(snapshot.routes.map { TrafficShift.percent(of: to, in: $0) })
                if shares != [percent] {
                    return "the journal expects \(journal.to.rawValue) at \(percent)% of every route, but the routes give it \(shares.sorted().map { "\($0)%" }.joined(separator: ", "))"
                }
            case .switchTraffic, .rollback, .abort, .preflight, .done:
                break
            }
            return nil
        }

        // MARK: - Steps

        /// Starts a phase: first the journal, then the phase's first action.
        mutating func begin(_ next: Phase, _ now: Date) -> DeployAction {
            phase = next
            phaseStarted = now
            phaseReported = false
            journal.step = next.rawValue
            journal.updatedAt = DeploymentJournal.timestamp(now)
            if journal.traffic != nil {
                journal.trafficStep = trafficStep
                journal.stepStartedAt = next == .stepBake ? DeploymentJournal.timestamp(now) : nil
            }
            // (The step's first action sees the journal of the step; a pause sets its deadline.)
            let action = firstAction(next, now)
            journal.approvalDeadline = next == .approval ? pause.map { DeploymentJournal.timestamp($0.deadline) } : nil
            afterRecord = action
            return .record(journal)
        }

        mutating func firstAction(_ phase: Phase, _ now: Date) -> DeployAction {
            let plan = self.plan
            switch phase {
            case .protect, .clear, .deploy, .scale, .finalize:
                return .apply(BlueGreenRefresh.mutations(for: phase, plan: plan, environment: environment, options: options))
            case .healthGate:
                watch = .waiting(since: now, stableSince: nil, lastReading: nil)
                backoff = poll
                return .checkHealth(healthCheck)
            case .switchTraffic:
                return .switchTraffic(to: plan.target, checked: false, unsticky: unsticky)
            case .bake:
                watch = .watching(since: now, lastReading: nil)
                backoff = poll
                return .checkBake(targetGroupArn: plan.targetGroupArn, alarms: environment.alarmNames(for: plan.target))
            case .rollback:
                return .switchTraffic(to: plan.live, checked: true, unsticky: unsticky)
            case .shift:
                return .shiftTraffic(live: plan.live, target: plan.target, percent: options.traffic?.percentages[trafficStep] ?? 100, stickinessSeconds: options.traffic?.stickinessSeconds)
            case .stepBake:
                watch = .watching(since: now, lastReading: nil)
                backoff = poll
                return checkStep()
            case .approval:
                let started = ApprovalPause(settings: options.approval ?? .init(), now: now, recordedDeadline: recordedDeadline)
                recordedDeadline = nil
                pause = started
                progress = approvalProgress(started, now: now)
                return .awaitApproval(deployment: journal.id)
            case .abort:
                // The old colour served all along (its share of every route): no capacity proof needed.
                return .switchTraffic(to: plan.live, checked: false, unsticky: unsticky)
            case .preflight, .done:
                return .readSnapshot
            }
        }

        /// How the gate reads the new colour.
        var healthCheck: HealthCheck {
            HealthCheck(group: plan.targetGroup.name, targetGroupArn: plan.targetGroupArn, byTargetHealth: plan.targetGroupInUse)
        }

        /// Whether switching ends a split whose stickiness the canary set (it is switched off with it).
        var unsticky: Bool { options.traffic?.stickinessSeconds != nil }

        /// The step that moves traffic next: the switch (blue-green, a canary's last step) or a canary's next shift.
        var nextTrafficPhase: Phase {
            guard let traffic = options.traffic else { return .switchTraffic }
            return trafficStep >= traffic.percentages.count - 1 ? .switchTraffic : .shift
        }

        /// Moves traffic next — after a pause for approval when the deploy asked for one (`--approve`).
        mutating func beginTrafficStep(_ now: Date) -> DeployAction {
            begin(options.approval == nil ? nextTrafficPhase : .approval, now)
        }

        /// What the pause shows while it waits (the journal holds the step about to move traffic).
        func approvalProgress(_ pause: ApprovalPause, now: Date) -> DeployProgress {
            pause.progress(color: plan.target, percent: journal.percentBeforeStep, wanted: plan.capacity, environment: environment, now: now)
        }

        func checkStep() -> DeployAction {
            .checkStep(targetGroupArn: plan.targetGroupArn, alarms: environment.alarmNames(for: plan.target), deployment: journal.id)
        }

        /// A canary stops: all weight back to the old colour, verified; then the live colour's min is put back and the
        /// new colour unpinned (min 0) — nothing is scaled down.
        mutating func beginAbort(_ step: String, _ cause: String, kind: DeployFailure.Kind = .rolledBack, now: Date) -> DeployAction {
            failure = (step, cause, kind)
            return begin(.abort, now)
        }

        /// What an abort puts back once traffic is back: the live colour's min, the new colour's min (0, still running,
        /// its build still recorded in `{color}/version`), and `version` when the deploy set it.
        func abortMutations() -> [Mutation] {
            let plan = self.plan
            var mutations: [Mutation] = [
                .resizeGroup(name: plan.liveGroup.name, minSize: plan.liveGroup.minSize, desiredCapacity: nil, maxSize: nil),
                .resizeGroup(name: plan.targetGroup.name, minSize: 0, desiredCapacity: nil, maxSize: nil),
            ]
            let kept = environment.parameters.version(of: plan.target)
            for (name, value) in journal.originalValues.sorted(by: { $0.key < $1.key }) where name != kept {
                mutations.append(.putParameter(name: name, value: value))
            }
            return mutations
        }

        mutating func beginRollback(_ problem: String, now: Date) -> DeployAction {
            failure = ("bake", problem, .rolledBack)
            return begin(.rollback, now)
        }

        /// Waits for the next poll, or fails once the timeout (counted from when the waiting step began) has passed.
        /// - Parameter what: what was still not ready (default: the gate's counts).
        mutating func waitOrTimeOut(_ now: Date, what: String? = nil) -> DeployAction {
            let elapsed = now.timeIntervalSince(since)
            if elapsed >= timeout - 0.001 {
                let p = progress
                return fail("timed out after \(Int(timeout)) s: \(what ?? "\(p?.inService ?? 0)/\(plan.capacity) InService, \(p?.healthy ?? 0)/\(plan.capacity) healthy")")
            }
            return Self.wait(min(backoff, timeout - elapsed))
        }

        /// A wait of `seconds`, never shorter than a millisecond (a zero wait would let no time pass).
        static func wait(_ seconds: Double) -> DeployAction {
            .wait(.milliseconds(max(1, Int64((seconds * 1000).rounded(.up)))))
        }

        mutating func finishPhase(_ now: Date, _ detail: String) {
            report.add(phase.rawValue, seconds: now.timeIntervalSince(phaseStarted), detail)
            phaseReported = true
        }

        /// Writes the outcome to the journal, then `then`.
        mutating func conclude(_ status: DeploymentJournal.Status, note: String?, now: Date, then: DeployAction) -> DeployAction {
            var journal = self.journal
            concluding = true
            journal.status = status
            journal.note = note
            journal.updatedAt = DeploymentJournal.timestamp(now)
            self.journal = journal
            afterRecord = then
            return .record(journal)
        }

        /// Before the switch: undo (the new colour back to its original size unless kept, the live colour's min and the
        /// version parameters back). After it: never reduce the new colour; say what is left.
        mutating func fail(_ cause: String, kind: DeployFailure.Kind = .failed) -> DeployAction {
            // The step table includes the step that failed, with how long it ran.
            if !phaseReported { finishPhase(now, "\(kind == .interrupted ? "stopped" : "FAILED"): \(cause)") }
            if phase == .shift || phase == .stepBake || (phase == .switchTraffic && options.traffic != nil) || (phase == .approval && trafficStep > 0) {
                return beginAbort(phase.rawValue, cause, kind: kind == .interrupted ? .interrupted : .rolledBack, now: now)
            }
            failure = (phase.rawValue, cause, kind)
            if phase.isAfterSwitch {
                return .failed(makeFailure(undone: [], notUndone: []))
            }
            return .undo(restoreMutations())
        }

        /// What puts the environment back as the journal found it: the new colour's group (unless kept for inspection),
        /// the live colour's min, and the version parameters the deploy wrote.
        func restoreMutations() -> [Mutation] {
            let plan = self.plan
            var mutations: [Mutation] = []
            if !options.keepFailed {
                let original = journal.originalGroup(plan.target)
                mutations.append(
                    .resizeGroup(
                        name: plan.targetGroup.name, minSize: original?.min ?? 0, desiredCapacity: original?.desired ?? 0,
                        maxSize: original?.max ?? plan.targetGroup.maxSize))
            }
            mutations.append(.resizeGroup(name: plan.liveGroup.name, minSize: plan.liveGroup.minSize, desiredCapacity: nil, maxSize: nil))
            for (name, value) in journal.originalValues.sorted(by: { $0.key < $1.key }) {
                mutations.append(.putParameter(name: name, value: value))
            }
            return mutations
        }

        /// The outcome could not be written to the journal (after the usual retries): the work is what it is, but the
        /// journal still reads the last step, so `status` shows the deploy unfinished and new deploys refuse until
        /// `recover` closes it. Said, never silent: a success becomes a failure naming what to run.
        func outcomeNotRecorded(_ pending: DeployAction, cause: String) -> DeployAction {
            let name = environment.parameters.deployment
            let recover = "'\(environment.command("environment recover"))'"
            let note = "The journal \(name) could not be written (\(cause)): it still reads step '\(journal.step)', so status shows the deploy unfinished and new deploys refuse until \(recover) closes it."
            switch pending {
            case .finished(let report):
                let plan = self.plan
                return .failed(.init(
                    step: "journal", cause: "the deploy is done but its outcome could not be recorded: \(cause)",
                    state: "Traffic is on \(plan.target.rawValue) (\(plan.version)) and the deploy was finalized. \(note)", report: report, kind: .failed))
            case .failed(var failure):
                failure.state += (failure.state.hasSuffix(" ") || failure.state.isEmpty ? "" : " ") + note
                return .failed(failure)
            default:
                return pending
            }
        }

        func makeFailure(undone: [String], notUndone: [String]) -> DeployFailure {
            let plan = self.plan
            let (step, cause, kind) = failure ?? (phase.rawValue, "stopped", .failed)
            let recover = "'\(environment.command("environment recover"))'"
            if step == "switch" && phase == .switchTraffic && undone.isEmpty && notUndone.isEmpty {
                return .init(
                    step: step, cause: cause,
                    state: "Some traffic may be on \(plan.target.rawValue): the new colour was left running. Run \(recover) (or '\(environment.command("environment refresh --resume"))' to finish the switch).",
                    report: report, kind: kind)
            }
            if phase.isAfterSwitch {
                return .init(
                    step: step, cause: cause,
                    state: "Traffic is on \(plan.target.rawValue) (\(plan.version)); \(plan.targetGroup.name) was left as it is. Left to do: set \(plan.targetGroup.name) min \(environment.liveFloor) and max \(max(plan.targetGroup.maxSize, plan.capacity)), and \(plan.liveGroup.name) min 0 — '\(environment.command("environment refresh --resume"))' or \(recover) does it.",
                    report: report, kind: kind)
            }
            var state = trafficReturned
                ? "Traffic moved to \(plan.target.rawValue) and was sent back: \(plan.live.rawValue) serves again. "
                : "Traffic was not touched (\(plan.live.rawValue) still serves). "
            if recordsLeft {
                state += "SSM could not be put back (\(environment.parameters.activeColor) and \(environment.parameters.activeTargetGroupArn) may name \(plan.target.rawValue)): the journal is left unfinished, and \(recover) reconciles them. "
            }
            if !undone.isEmpty { state += "Undone: \(undone.joined(separator: "; ")). " }
            if options.keepFailed { state += "\(plan.targetGroup.name) kept at \(plan.capacity) for inspection (--keep-failed); '\(environment.command("environment cleanup"))' removes it. " }
            if !notUndone.isEmpty { state += "NOT undone, do by hand or run \(recover): \(notUndone.joined(separator: "; "))." }
            return .init(step: step, cause: cause, state: state, report: report, kind: kind)
        }
    }
}

extension LockIdentity {
    /// For tests and tools that do not say who they are.
    public static let unknown = LockIdentity(holder: "unknown", command: "ce", pid: 0)
}
