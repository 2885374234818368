import Foundation

/// Instance switching as a state machine (`DeployMachine`), run by `DeployRunner` like every strategy; the steps are
/// `InstanceSwitch`'s. Every step is idempotent (a registered target registers again as a no-op, a deregistered one
/// deregisters as a no-op, sizes are absolute), so `--resume` simply runs the journal's step again from a fresh read.
///
/// Each state carries its own data: the journal, the report and the instances involved exist from the first
/// journalled step on; nothing is optional or force-unwrapped.
public struct InstanceSwitchMachine: DeployMachine {
    public enum Mode: Sendable, Equatable {
        case fresh(DeployOptions)
        /// A switch or rollback to the warm colour's running instances: protect, then the steps from `register` on.
        case switchTo(Color, from: Color?, force: Bool)
        case resume
    }

    typealias Phase = InstanceSwitch.Phase

    /// A deploy under way: what every state after the preflight knows.
    struct Running: Sendable, Equatable {
        var journal: DeploymentJournal
        var report: StepReport
        var stepStarted: Date
        var targetGroupArn: String
        var liveGroup: String
        var targetGroup: String
        /// The new colour's instances registered so far.
        var registered: [String]
        /// The old colour's instances registered when the deploy began.
        var liveTargets: [String]
        /// Whether the old colour's group is attached to the target group.
        var liveAttached: Bool
        /// When the first new target became healthy: from then on both builds serve.
        var overlapStarted: Date?
        /// A stop request during the bake: the old colour takes the group back, and the deploy ends as interrupted.
        var interruptedBy: String? = nil
        var step: Phase { Phase(rawValue: journal.step) ?? .protect }
    }

    enum State: Sendable, Equatable {
        case preflight
        /// The journal is being written with `running.journal.step`; then the step's first action.
        case recording(Running)
        /// The step's changes are being applied (protect, deploy, scale, register, the hand-over).
        case applying(Running)
        /// The hand-over is done; SSM is being written.
        case writingRecords(Running)
        /// `launch` and `health gate`: polling the new colour's instances and targets.
        case watching(Running, started: Date, healthySince: Date?, backoff: Double)
        /// `--approve`: the new instances run, none registered; waiting for `environment promote` / `abort`.
        case awaiting(Running, pause: ApprovalPause)
        case readingDelay(Running)
        case draining(Running, seconds: Int)
        /// Watching the new colour after the hand-over.
        case baking(Running, started: Date, lastReadFailed: Bool)
        /// The bake failed: the old colour's instances (still running) are registered again and gated.
        case returning(Running, problem: String, started: Date, healthySince: Date?)
        /// The old colour takes the group back; then SSM; then its drain; then the sizes and versions are put back.
        case handingBack(Running, problem: String)
        case recordingBack(Running, problem: String)
        case readingDelayBack(Running, problem: String)
        case drainingBack(Running, problem: String)
        case undoingRollback(Running, problem: String)
        /// A failure before the hand-over is being undone (`rolledBack`: a pause for approval answered no).
        case undoing(Running, cause: String, kind: DeployFailure.Kind)
        case concluding(Running, outcome: DeployAction)
        case ended
    }

    public let environment: EnvironmentConfiguration
    public let mode: Mode
    public let identity: LockIdentity
    var state: State = .preflight
    public private(set) var progress: DeployProgress?

    public init(environment: EnvironmentConfiguration, mode: Mode, identity: LockIdentity) {
        self.environment = environment
        self.mode = mode
        self.identity = identity
    }

    var poll: Double { Double(max(1, environment.health.pollSeconds)) }
    var timeout: Double { Double(environment.health.timeoutSeconds) }

    /// While waiting for instances and health (before traffic changes hands) a stop request undoes the deploy; during
    /// the bake it finalizes it.
    public var acceptsInterruption: Bool {
        switch state {
        case .watching, .baking, .awaiting: return true
        case .preflight, .recording, .applying, .writingRecords, .readingDelay, .draining, .returning, .handingBack, .recordingBack,
            .readingDelayBack, .drainingBack, .undoingRollback, .undoing, .concluding, .ended:
            return false
        }
    }

    var bakeSeconds: Double { Double(max(0, environment.watchSeconds(currentBake))) }
    /// The journal's bake period (0 for a switch or rollback).
    var currentBake = 0

    public mutating func next(_ event: DeployEvent, now: Date) -> DeployAction {
        // One switch per stretch of the deploy, so that each stays small enough to check exhaustively.
        switch state {
        case .baking:
            return nextInBake(event, now: now)
        case .returning, .handingBack, .recordingBack, .readingDelayBack, .drainingBack, .undoingRollback:
            return nextInRollback(event, now: now)
        case .preflight, .recording, .applying, .writingRecords, .watching, .readingDelay, .draining, .undoing, .concluding, .ended:
            return nextInDeploy(event, now: now)
        case .awaiting:
            return nextInPause(event, now: now)
        }
    }

    /// From the preflight to the drain, the undo of a failure before the hand-over, and the outcome.
    mutating func nextInDeploy(_ event: DeployEvent, now: Date) -> DeployAction {
        switch (state, event) {
        case (.preflight, .start):
            return .readSnapshot
        case (.preflight, .snapshot(let snapshot)):
            return mode == .resume ? resume(snapshot, now: now) : start(snapshot, now: now)

        case (.recording(let running), .recorded):
            return firstAction(running, now: now)
        case (.recording(var running), .hookFailed(let point, let cause, let interrupted)):
            let text = "the \(point.rawValue) hook failed: \(cause)"
            switch running.step {
            case .protect:
                state = .ended
                return .failed(.init(step: running.journal.step, cause: text, state: "Nothing changed.", report: running.report, kind: interrupted ? .interrupted : .failed))
            case .bake, .finalize:
                running.report.add(running.journal.step, seconds: 0, "not started: the postSwitch hook failed")
                return beginRollback(running, text, now: now)
            case .deploy, .scale, .launch, .approval, .register, .healthGate, .deregister, .drain, .rollback:
                return undo(running, text, kind: interrupted ? .interrupted : nil)
            }
        case (.recording(let running), .recordFailed(let cause)):
            let text = "could not write the journal \(environment.parameters.deployment): \(cause)"
            switch running.step {
            case .protect:
                state = .ended
                return .failed(.init(step: running.journal.step, cause: text, state: "Nothing changed.", report: running.report))
            case .deploy, .scale, .launch, .approval, .register, .healthGate:
                return undo(running, text)
            case .deregister, .drain, .bake, .finalize, .rollback:
                state = .ended
                return .failed(.init(
                    step: running.journal.step, cause: text,
                    state: "The deploy stopped before its step '\(running.journal.step)'. Run '\(environment.command("environment recover"))' to finish it.",
                    report: running.report))
            }

        case (.applying(var running), .applied):
            let seconds = now.timeIntervalSince(running.stepStarted)
            switch running.step {
            case .protect:
                running.report.add("protect", seconds: seconds, "\(running.liveGroup) cannot shrink; \(running.targetGroup) is not in the target group")
                return record(running, running.journal.switchOnly == true ? .register : .deploy, now: now)
            case .deploy:
                running.report.add("deploy", seconds: seconds, "\(environment.parameters.version(of: running.journal.to)) = \(running.journal.version)")
                return record(running, .scale, now: now)
            case .scale:
                running.report.add("scale", seconds: seconds, "\(running.targetGroup) pinned at \(running.journal.capacity)")
                return record(running, .launch, now: now)
            case .register:
                running.report.add("register", seconds: seconds, "\(running.registered.count) instance(s) in \(batches(running.registered.count)) concurrent call(s)")
                return record(running, .healthGate, now: now)
            case .deregister:
                state = .writingRecords(running)
                return .apply([
                    .putParameter(name: environment.parameters.activeColor, value: running.journal.to.rawValue),
                    .putParameter(name: environment.parameters.activeTargetGroupArn, value: running.targetGroupArn),
                ] + (running.journal.switchOnly == true ? environment.parameters.booting(running.journal.version) : []))
            case .finalize:
                running.report.add("finalize", seconds: seconds, "\(running.targetGroup) min \(environment.liveFloor); \(running.liveGroup) min 0, kept warm for rollback")
                return conclude(running, .done, note: nil, now: now, then: .finished(running.report))
            case .launch, .approval, .healthGate, .drain, .bake, .rollback:
                return unexpected(event)
            }
        case (.applying(let running), .applyFailed(let cause)):
            guard running.step < .deregister else {
                state = .ended
                return .failed(.init(
                    step: running.journal.step, cause: cause,
                    state: "The new colour \(running.journal.to.rawValue) serves; the hand-over or the final sizes are incomplete. Run '\(environment.command("environment recover"))' to finish it.",
                    report: running.report))
            }
            return undo(running, cause)

        case (.writingRecords(var running), .applied):
            running.report.add(
                "deregister", seconds: now.timeIntervalSince(running.stepStarted),
                "\(running.targetGroup) attached; \(running.liveTargets.count) old target(s) deregistered\(running.liveAttached ? " by detaching \(running.liveGroup)" : ""); SSM: \(running.journal.to.rawValue)")
            return record(running, .drain, now: now)
        case (.writingRecords(let running), .applyFailed(let cause)):
            state = .ended
            return .failed(.init(
                step: "deregister", cause: cause,
                state: "\(running.journal.to.rawValue) serves alone, but SSM was not fully written. Run '\(environment.command("environment recover"))' to finish it.",
                report: running.report))

        case (.watching(let running, let started, let healthySince, _), .targets(let instances, let targets)):
            return watch(running, started: started, healthySince: healthySince, instances: instances, targets: targets, now: now)
        case (.watching(let running, let started, let healthySince, let backoff), .targetsReadFailed):
            return waitOrGiveUp(running, started: started, healthySince: healthySince, backoff: min(backoff * 2, 30), now: now, reason: "the instances could not be read")
        case (.watching(let running, _, _, _), .waited):
            return .readTargets(group: running.targetGroup, targetGroupArn: running.targetGroupArn)
        case (.watching(let running, _, _, _), .interrupted(let reason)):
            return undo(running, "interrupted by \(reason)")
        // A replacement registered during the gate: read again.
        case (.watching(let running, _, _, _), .applied):
            return .readTargets(group: running.targetGroup, targetGroupArn: running.targetGroupArn)
        case (.watching(let running, _, _, _), .applyFailed(let cause)):
            return undo(running, cause)

        case (.readingDelay(let running), .deregistrationDelay(let seconds)):
            state = .draining(running, seconds: seconds)
            return .wait(.seconds(seconds))
        case (.readingDelay(let running), .deregistrationDelayReadFailed):
            // AWS's default delay: the old instances may still finish requests meanwhile.
            state = .draining(running, seconds: 300)
            return .wait(.seconds(300))
        case (.draining(var running, let seconds), .waited):
            let overlap = running.overlapStarted.map { " — both builds were registered for \(Int(now.timeIntervalSince($0).rounded())) s (first new target healthy → old ones drained)" } ?? ""
            running.report.add("drain", seconds: now.timeIntervalSince(running.stepStarted), "deregistration delay \(seconds) s\(overlap)")
            return record(running, currentBake > 0 ? .bake : .finalize, now: now)

        case (.undoing(let running, let cause, let kind), .undone(let done, let failed)):
            var text = running.registered.isEmpty ? "Traffic was not touched (\(running.journal.from.rawValue) still serves)."
                : "The new instances were deregistered; \(running.journal.from.rawValue) never stopped serving."
            if !done.isEmpty { text += " Undone: \(done.joined(separator: ", "))." }
            if !failed.isEmpty { text += " Could not undo: \(failed.joined(separator: "; ")); run '\(environment.command("environment recover"))'." }
            // As a blue-green deploy: an undo that did not finish leaves the journal unfinished, for recover to finish.
            var running = running
            if !failed.isEmpty { running.journal.undoIncomplete = true }
            return conclude(
                running, !failed.isEmpty ? .inProgress : kind == .interrupted ? .interrupted : kind == .rolledBack ? .rolledBack : .failed,
                note: "\(running.journal.step): \(cause)", now: now,
                then: .failed(.init(step: running.journal.step, cause: cause, state: text, report: running.report, kind: kind)))

        case (.concluding(_, let outcome), .recorded):
            state = .ended
            return outcome
        case (.concluding(let running, let outcome), .recordFailed(let cause)):
            state = .ended
            guard case .failed(var failure) = outcome else {
                return .failed(.init(
                    step: "journal", cause: "the deploy is done but its outcome could not be recorded (\(cause))",
                    state: "\(running.journal.to.rawValue) serves. Run '\(environment.command("environment recover"))' to close the journal.",
                    report: running.report))
            }
            failure.state += " The journal could not be closed (\(cause)): run '\(environment.command("environment recover"))'."
            return .failed(failure)

        case (.preflight, _), (.recording, _), (.applying, _), (.writingRecords, _), (.watching, _), (.readingDelay, _), (.draining, _),
            (.baking, _), (.returning, _), (.handingBack, _), (.recordingBack, _), (.readingDelayBack, _), (.drainingBack, _),
            (.undoingRollback, _), (.undoing, _), (.concluding, _), (.ended, _), (.awaiting, _):
            return unexpected(event)
        }
    }

    /// The bake after the hand-over.
    mutating func nextInBake(_ event: DeployEvent, now: Date) -> DeployAction {
        switch (state, event) {
        case (.baking(let running, let started, _), .bake(let reading)):
            let elapsed = now.timeIntervalSince(started)
            progress = .init(
                stage: .bake, color: running.journal.to, inService: reading.total, healthy: reading.healthy, wanted: running.journal.capacity,
                elapsedSeconds: elapsed, limitSeconds: bakeSeconds, stableSeconds: nil, neededStableSeconds: 0, alarmsFiring: reading.firing)
            if let problem = reading.problem {
                var failed = running
                failed.report.add("bake", seconds: elapsed, "failed after \(Int(elapsed)) s: \(problem)")
                return beginRollback(failed, problem, now: now)
            }
            if elapsed >= bakeSeconds {
                var baked = running
                let alarms = environment.alarmNames(for: running.journal.to).count
                baked.report.add("bake", seconds: elapsed, "\(Int(elapsed)) s: \(reading.healthy)/\(reading.total) healthy, \(alarms) alarm(s) OK")
                return record(baked, .finalize, now: now)
            }
            state = .baking(running, started: started, lastReadFailed: false)
            return .wait(.seconds(min(Double(environment.health.pollSeconds), 5)))
        case (.baking(let running, let started, _), .bakeReadFailed):
            let elapsed = now.timeIntervalSince(started)
            // Not watched is not proven: past the bake (and a minute's grace) without a reading, the old colour returns.
            if elapsed >= bakeSeconds + 60 {
                var failed = running
                failed.report.add("bake", seconds: elapsed, "failed: the new colour could not be watched")
                return beginRollback(failed, "the new colour's target health and alarms could not be read", now: now)
            }
            state = .baking(running, started: started, lastReadFailed: true)
            return .wait(.seconds(min(Double(environment.health.pollSeconds), 5)))
        case (.baking(let running, _, _), .waited):
            return .checkBake(targetGroupArn: running.targetGroupArn, alarms: environment.alarmNames(for: running.journal.to))
        case (.baking(var running, let started, _), .interrupted(let reason)):
            // The bake did not pass: the new build is not proven, so the old colour (still running) takes the group back.
            running.interruptedBy = reason
            running.report.add("bake", seconds: now.timeIntervalSince(started), "interrupted by \(reason): not proven, \(running.journal.from.rawValue) takes the group back")
            return beginRollback(running, "interrupted by \(reason) during the bake", now: now)

        case (.preflight, _), (.recording, _), (.applying, _), (.writingRecords, _), (.watching, _), (.readingDelay, _), (.draining, _),
            (.baking, _), (.returning, _), (.handingBack, _), (.recordingBack, _), (.readingDelayBack, _), (.drainingBack, _),
            (.undoingRollback, _), (.undoing, _), (.concluding, _), (.ended, _), (.awaiting, _):
            return unexpected(event)
        }
    }

    /// The way back after a failed bake.
    mutating func nextInRollback(_ event: DeployEvent, now: Date) -> DeployAction {
        switch (state, event) {
        case (.returning(let running, let problem, let started, let healthySince), .targets(let instances, let targets)):
            return watchReturn(running, problem: problem, started: started, healthySince: healthySince, instances: instances, targets: targets, now: now)
        case (.returning(let running, let problem, let started, let healthySince), .targetsReadFailed):
            return waitForReturn(running, problem: problem, started: started, healthySince: healthySince, now: now)
        case (.returning(let running, _, _, _), .waited), (.returning(let running, _, _, _), .applied):
            return .readTargets(group: running.liveGroup, targetGroupArn: running.targetGroupArn)
        case (.returning(let running, let problem, _, _), .applyFailed(let cause)):
            return rollbackFailed(running, problem: problem, cause: cause)
        case (.handingBack(let running, let problem), .applied):
            state = .recordingBack(running, problem: problem)
            let boot = environment.parameters.bootObject.flatMap { running.journal.originalValues[$0] }
            return .apply([
                .putParameter(name: environment.parameters.activeColor, value: running.journal.from.rawValue),
                .putParameter(name: environment.parameters.activeTargetGroupArn, value: running.targetGroupArn),
            ] + environment.parameters.booting(boot))
        case (.handingBack(let running, let problem), .applyFailed(let cause)), (.recordingBack(let running, let problem), .applyFailed(let cause)):
            return rollbackFailed(running, problem: problem, cause: cause)
        case (.recordingBack(let running, let problem), .applied):
            state = .readingDelayBack(running, problem: problem)
            return .readDeregistrationDelay(targetGroupArn: running.targetGroupArn)
        case (.readingDelayBack(let running, let problem), .deregistrationDelay(let seconds)):
            state = .drainingBack(running, problem: problem)
            return .wait(.seconds(seconds))
        case (.readingDelayBack(let running, let problem), .deregistrationDelayReadFailed):
            state = .drainingBack(running, problem: problem)
            return .wait(.seconds(300))
        case (.drainingBack(let running, let problem), .waited):
            state = .undoingRollback(running, problem: problem)
            return .undo(restoringSizesAndVersions(running))
        case (.undoingRollback(var running, let problem), .undone(let done, let failed)):
            running.report.add("rollback", seconds: now.timeIntervalSince(running.stepStarted), "\(running.journal.from.rawValue) registered again and serving; \(running.journal.to.rawValue) deregistered")
            var text = "Traffic is back on \(running.journal.from.rawValue): its instances are registered again, \(running.journal.to.rawValue)'s deregistered."
            if !done.isEmpty { text += " Undone: \(done.joined(separator: ", "))." }
            if !failed.isEmpty { text += " Could not undo: \(failed.joined(separator: "; ")); run '\(environment.command("environment recover"))'." }
            let kind: DeployFailure.Kind = running.interruptedBy == nil ? .rolledBack : .interrupted
            return conclude(
                running, kind == .interrupted ? .interrupted : .rolledBack, note: "bake: \(problem)", now: now,
                then: .failed(.init(step: "bake", cause: problem, state: text, report: running.report, kind: kind)))

        case (.preflight, _), (.recording, _), (.applying, _), (.writingRecords, _), (.watching, _), (.readingDelay, _), (.draining, _),
            (.baking, _), (.returning, _), (.handingBack, _), (.recordingBack, _), (.readingDelayBack, _), (.drainingBack, _),
            (.undoingRollback, _), (.undoing, _), (.concluding, _), (.ended, _), (.awaiting, _):
            return unexpected(event)
        }
    }

    /// `--approve`: the pause after `launch`, before any instance is registered.
    mutating func nextInPause(_ event: DeployEvent, now: Date) -> DeployAction {
        guard case .awaiting(var running, let pause) = state else { return unexpected(event) }
        switch event {
        case .approval(let request):
            let verdict = pause.verdict(request, now: now)
            switch verdict {
            case .wait(let duration):
                progress = approvalProgress(running, pause, now: now)
                return .wait(duration)
            case .approved:
                running.report.add("approval", seconds: now.timeIntervalSince(pause.since), pause.summary(verdict, now: now))
                return record(running, .register, now: now)
            case .refused(let by):
                running.report.add("approval", seconds: now.timeIntervalSince(pause.since), pause.summary(verdict, now: now))
                let cause = by.map { "aborted by \($0) ('environment abort') while waiting for approval" }
                    ?? "no approval within \(running.journal.approval?.timeoutSeconds ?? 0) s (--approve-timeout)"
                return undo(running, cause, kind: .rolledBack)
            }
        case .waited:
            return .awaitApproval(deployment: running.journal.id)
        case .interrupted(let reason):
            return undo(running, "interrupted by \(reason) while waiting for approval")
        case .start, .snapshot, .recorded, .recordFailed, .hookFailed, .applied, .applyFailed, .health, .healthReadFailed, .instances,
            .instancesReadFailed, .bake, .bakeReadFailed, .step, .targets, .targetsReadFailed, .deregistrationDelay, .deregistrationDelayReadFailed,
            .switched, .switchFailed, .shifted, .shiftFailed, .undone, .refreshStarted, .refreshStartFailed, .refresh, .refreshReadFailed:
            return unexpected(event)
        }
    }

    /// Nothing is registered while it waits: the new colour has none of the traffic.
    func approvalProgress(_ running: Running, _ pause: ApprovalPause, now: Date) -> DeployProgress {
        pause.progress(color: running.journal.to, percent: 0, wanted: running.journal.capacity, environment: environment, now: now)
    }

    func batches(_ count: Int) -> Int { (count + Mutation.targetsPerCall - 1) / Mutation.targetsPerCall }

    mutating func unexpected(_ event: DeployEvent) -> DeployAction {
        state = .ended
        return .failed(.init(
            step: "instances", cause: "unexpected \(event)", state: "Check '\(environment.command("environment status"))'.", report: StepReport()))
    }

    // MARK: - Starting and resuming

    mutating func start(_ snapshot: EnvironmentSnapshot, now: Date) -> DeployAction {
        let plan: InstanceSwitch.Plan
        let options: DeployOptions
        do {
            switch mode {
            case .fresh(let fresh):
                options = fresh
                plan = try InstanceSwitch.plan(snapshot, options: options)
            case .switchTo(let target, let from, let force):
                options = DeployOptions(force: force, target: target, strategyName: DeployStrategy.instances.rawValue)
                plan = try InstanceSwitch.switchPlan(snapshot, to: target, from: from, force: force)
            case .resume:
                return unexpected(.snapshot(snapshot))
            }
        } catch {
            state = .ended
            return .refused(error as? Refusal ?? Refusal(String(describing: error)))
        }
        let switchOnly: Bool
        if case .switchTo = mode { switchOnly = true } else { switchOnly = false }
        var journal = DeploymentJournal(
            id: DeploymentJournal.makeId(now, pid: identity.pid), strategy: DeployStrategy.instances.rawValue, from: plan.live, to: plan.target,
            version: plan.version, capacity: plan.capacity, step: Phase.protect.rawValue, status: .inProgress,
            original: [plan.live.rawValue: .init(plan.liveGroup), plan.target.rawValue: .init(plan.targetGroup)],
            originalValues: DeploymentJournal.versionValues(deployingTo: plan.target, setsVersion: options.version != nil, in: snapshot),
            targetGroupArn: plan.targetGroupArn, keepFailed: false, bakeSeconds: switchOnly ? 0 : (options.bakeSeconds ?? environment.bakeSeconds),
            setsVersion: options.version != nil,
            startedAt: DeploymentJournal.timestamp(now), updatedAt: DeploymentJournal.timestamp(now), by: identity.holder, command: identity.command)
        journal.keepOldForSeconds = options.keepOldForSeconds ?? environment.keepOldForSeconds
        journal.approval = switchOnly ? nil : options.approval
        if switchOnly {
            // A switch writes no build, only the shared boot object (at the hand-over): that one is put back.
            journal.switchOnly = true
            journal.originalValues = journal.originalValues.filter { $0.key == environment.parameters.bootObject }
        }
        currentBake = journal.bakeSeconds
        var report = StepReport()
        report.add(
            "preflight", seconds: 0,
            "switch \(environment.targetGroupNames.blue) from \(plan.live.rawValue) (\(plan.liveTargets.count) registered) to \(plan.target.rawValue) (\(plan.capacity) \(switchOnly ? "warm" : "new") instance(s), \(plan.version)); journal \(journal.id)")
        let running = Running(
            journal: journal, report: report, stepStarted: now, targetGroupArn: plan.targetGroupArn, liveGroup: plan.liveGroup.name,
            targetGroup: plan.targetGroup.name, registered: [], liveTargets: plan.liveTargets, liveAttached: plan.liveAttached, overlapStarted: nil)
        protectChanges = InstanceSwitch.protect(plan)
        return record(running, .protect, now: now)
    }

    /// The protect step's changes, worked out in preflight.
    var protectChanges: [Mutation] = []

    mutating func resume(_ snapshot: EnvironmentSnapshot, now: Date) -> DeployAction {
        state = .ended
        var journal: DeploymentJournal
        switch InstanceSwitchStrategy.journalToResume(snapshot, strategy: .instances, in: environment) {
        case .success(let found): journal = found
        case .failure(let refusal): return .refused(refusal)
        }
        // An undo that did not finish is finished by recover, never resumed forward (as blue-green: seed 3332).
        if journal.undoIncomplete == true { return .refused(journal.refusal(in: environment)) }
        let env = environment
        let liveGroup = env.autoScalingGroupNames[journal.from]
        let targetGroup = env.autoScalingGroupNames[journal.to]
        let targets = snapshot.targetHealth[journal.targetGroupArn] ?? []
        let newIds = Set(snapshot.groups[targetGroup]?.instances.map(\.id) ?? [])
        let liveIds = Set(snapshot.groups[liveGroup]?.instances.map(\.id) ?? [])
        if journal.step != InstanceSwitch.Phase.rollback.rawValue { journal.note = "resumed by \(identity.holder) at \(journal.step)" }
        currentBake = journal.bakeSeconds
        var report = StepReport()
        report.add("preflight", seconds: 0, "resume \(journal.id): \(journal.version) on \(journal.to.rawValue) at \(journal.step)")
        let running = Running(
            journal: journal, report: report, stepStarted: now, targetGroupArn: journal.targetGroupArn, liveGroup: liveGroup,
            targetGroup: targetGroup, registered: targets.filter { newIds.contains($0.id) && $0.state != .draining }.map(\.id),
            liveTargets: targets.filter { liveIds.contains($0.id) && $0.state != .draining }.map(\.id),
            liveAttached: snapshot.groups[liveGroup]?.targetGroupArns.contains(journal.targetGroupArn) == true, overlapStarted: nil)
        if running.step == .protect, let original = journal.originalGroup(journal.from) {
            protectChanges = original.min < original.desired ? [.resizeGroup(name: liveGroup, minSize: original.desired, desiredCapacity: nil, maxSize: nil)] : []
            if snapshot.groups[targetGroup]?.targetGroupArns.contains(journal.targetGroupArn) == true {
                protectChanges.append(.detachTargetGroup(group: targetGroup, targetGroupArn: journal.targetGroupArn))
            }
        }
        return record(running, running.step, now: now)
    }

    // MARK: - Steps

    /// Journals `step` before its changes.
    mutating func record(_ running: Running, _ step: Phase, now: Date) -> DeployAction {
        var next = running
        if step == .approval {
            // A resumed pause keeps the deadline it was given.
            let resumed = running.journal.step == step.rawValue ? running.journal.approvalDeadline : nil
            next.journal.approvalDeadline = resumed
                ?? DeploymentJournal.timestamp(now.addingTimeInterval(Double(running.journal.approval?.timeoutSeconds ?? ApprovalSettings.defaultTimeoutSeconds)))
        } else {
            next.journal.approvalDeadline = nil
        }
        next.journal.step = step.rawValue
        next.journal.updatedAt = DeploymentJournal.timestamp(now)
        next.stepStarted = now
        state = .recording(next)
        return .record(next.journal)
    }

    mutating func firstAction(_ running: Running, now: Date) -> DeployAction {
        let journal = running.journal
        let names = environment.parameters
        switch running.step {
        case .protect:
            state = .applying(running)
            return .apply(protectChanges)
        case .deploy:
            state = .applying(running)
            var writes = names.recording(journal.version, for: journal.to)
            if journal.setsVersion { writes.append(.putParameter(name: names.version, value: journal.version)) }
            return .apply(writes)
        case .scale:
            state = .applying(running)
            return .apply([.resizeGroup(name: running.targetGroup, minSize: journal.capacity, desiredCapacity: journal.capacity, maxSize: journal.capacity)])
        case .launch, .register, .healthGate:
            // Registration happens from the readings: whatever of the new colour is in service and not registered is.
            state = .watching(running, started: now, healthySince: nil, backoff: poll)
            return .readTargets(group: running.targetGroup, targetGroupArn: running.targetGroupArn)
        case .deregister:
            state = .applying(running)
            return .applyConcurrently(InstanceSwitch.handOver(
                to: running.targetGroup, from: running.liveGroup, liveTargets: running.liveTargets, liveAttached: running.liveAttached,
                targetGroupArn: running.targetGroupArn))
        case .approval:
            let pause = ApprovalPause(settings: journal.approval ?? .init(), now: now, recordedDeadline: journal.approvalDeadline)
            state = .awaiting(running, pause: pause)
            progress = approvalProgress(running, pause, now: now)
            return .awaitApproval(deployment: journal.id)
        case .drain:
            state = .readingDelay(running)
            return .readDeregistrationDelay(targetGroupArn: running.targetGroupArn)
        case .bake:
            state = .baking(running, started: now, lastReadFailed: false)
            return .checkBake(targetGroupArn: running.targetGroupArn, alarms: environment.alarmNames(for: journal.to))
        case .rollback:
            state = .returning(running, problem: journal.note ?? "the bake failed", started: now, healthySince: nil)
            return .readTargets(group: running.liveGroup, targetGroupArn: running.targetGroupArn)
        case .finalize:
            state = .applying(running)
            let max = Swift.max(journal.originalGroup(journal.to)?.max ?? journal.capacity, journal.capacity)
            return .apply(InstanceSwitch.finalize(environment, journal.to, journal.from, targetMax: max))
        }
    }

    /// One reading of the new colour during `launch`, `register` and `health gate`.
    mutating func watch(
        _ running: Running, started: Date, healthySince: Date?, instances: [ScalingGroupSnapshot.Instance], targets: [TargetSnapshot], now: Date
    ) -> DeployAction {
        var running = running
        let wanted = running.journal.capacity
        let inService = instances.filter { $0.lifecycleState == .inService }.map(\.id)
        let ids = Set(instances.map(\.id))
        let mine = targets.filter { ids.contains($0.id) && $0.state != .draining }
        let healthy = mine.filter { $0.state == .healthy }.count
        running.registered = mine.map(\.id)
        if healthy > 0 && running.overlapStarted == nil { running.overlapStarted = now }
        progress = .init(
            stage: running.step == .launch ? .launch : .healthGate, color: running.journal.to, inService: inService.count, healthy: healthy,
            wanted: wanted, elapsedSeconds: now.timeIntervalSince(started), limitSeconds: timeout,
            stableSeconds: healthySince.map { now.timeIntervalSince($0) }, neededStableSeconds: Double(environment.health.stableSeconds))
        // What each instance not yet ready waits for: its lifecycle, else its target state and reason.
        progress?.waiting = instances.compactMap { instance in
            guard instance.lifecycleState == .inService else { return "\(instance.id) \(instance.lifecycleState.rawValue)" }
            guard running.step != .launch else { return nil }
            guard let target = mine.first(where: { $0.id == instance.id }) else { return "\(instance.id) not registered" }
            return target.state == .healthy ? nil : "\(instance.id) \(target.state.rawValue)\(target.reason.map { " (\($0))" } ?? "")"
        }
        switch running.step {
        case .launch:
            guard inService.count >= wanted else {
                return waitOrGiveUp(running, started: started, healthySince: nil, backoff: poll, now: now, reason: "\(inService.count)/\(wanted) InService")
            }
            running.report.add("launch", seconds: now.timeIntervalSince(running.stepStarted), "\(inService.count)/\(wanted) InService")
            return record(running, running.journal.approval == nil ? .register : .approval, now: now)
        case .register, .healthGate:
            // An instance in service but not registered (the first time, or a replacement of one lost meanwhile).
            let missing = inService.filter { id in !mine.contains { $0.id == id } }
            // A build not yet proven is never registered into a group with no healthy target: the load balancer would
            // fail open and send it every request at once. It waits, unregistered, until the old colour is healthy
            // again (or the gate times out). A switch to the warm colour's instances runs a proven build, and is how an
            // operator gets out of such an outage.
            let servingHealthy = targets.filter { !ids.contains($0.id) && $0.state == .healthy }.count
            if !missing.isEmpty && running.journal.switchOnly != true && servingHealthy == 0 && healthy == 0 {
                let reason = "\(running.journal.from.rawValue) has no healthy target: \(running.journal.to.rawValue) waits unregistered until it has one"
                return waitOrGiveUp(running, started: started, healthySince: nil, backoff: poll, now: now, reason: reason)
            }
            if !missing.isEmpty {
                running.registered += missing
                state = running.step == .register ? .applying(running) : .watching(running, started: started, healthySince: nil, backoff: poll)
                if running.step == .register { return .applyConcurrently(Mutation.register(missing, in: running.targetGroupArn)) }
                return registerDuringGate(running, missing: missing, started: started)
            }
            if running.step == .register {
                running.report.add("register", seconds: now.timeIntervalSince(running.stepStarted), "\(mine.count) instance(s) already registered")
                return record(running, .healthGate, now: now)
            }
            let ready = healthy >= wanted && healthy >= environment.liveFloor && mine.count == healthy
            guard ready else {
                return waitOrGiveUp(running, started: started, healthySince: nil, backoff: poll, now: now, reason: "\(healthy)/\(wanted) healthy")
            }
            let since = healthySince ?? now
            if now.timeIntervalSince(since) >= Double(environment.health.stableSeconds) {
                running.report.add("health gate", seconds: now.timeIntervalSince(running.stepStarted), "\(healthy)/\(wanted) healthy in the group, stable for \(environment.health.stableSeconds) s")
                return record(running, .deregister, now: now)
            }
            return waitOrGiveUp(running, started: started, healthySince: since, backoff: poll, now: now, reason: "")
        case .protect, .deploy, .scale, .approval, .deregister, .drain, .bake, .finalize, .rollback:
            return unexpected(.targets(instances: instances, targets: targets))
        }
    }

    /// A replacement instance found during the gate is registered, then the gate goes on (its stability restarts).
    mutating func registerDuringGate(_ running: Running, missing: [String], started: Date) -> DeployAction {
        state = .watching(running, started: started, healthySince: nil, backoff: poll)
        return .applyConcurrently(Mutation.register(missing, in: running.targetGroupArn))
    }

    mutating func waitOrGiveUp(_ running: Running, started: Date, healthySince: Date?, backoff: Double, now: Date, reason: String) -> DeployAction {
        if now.timeIntervalSince(started) >= timeout {
            return undo(running, "timed out after \(Int(timeout)) s: \(reason)")
        }
        state = .watching(running, started: started, healthySince: healthySince, backoff: backoff)
        return .wait(.milliseconds(Int64(min(backoff, Double(environment.health.pollSeconds)) * 1000)))
    }

    /// The bake failed: journalled as `rollback` (the problem in the note), then the old colour returns.
    mutating func beginRollback(_ running: Running, _ problem: String, now: Date) -> DeployAction {
        var next = running
        next.journal.note = problem
        return record(next, .rollback, now: now)
    }

    /// One reading of the old colour while it returns: its running instances registered, then gated like new ones.
    mutating func watchReturn(
        _ running: Running, problem: String, started: Date, healthySince: Date?, instances: [ScalingGroupSnapshot.Instance],
        targets: [TargetSnapshot], now: Date
    ) -> DeployAction {
        let inService = instances.filter { $0.lifecycleState == .inService }.map(\.id)
        let ids = Set(instances.map(\.id))
        let mine = targets.filter { ids.contains($0.id) && $0.state != .draining }
        let missing = inService.filter { id in !mine.contains { $0.id == id } }
        if !missing.isEmpty {
            state = .returning(running, problem: problem, started: started, healthySince: nil)
            return .applyConcurrently(Mutation.register(missing, in: running.targetGroupArn))
        }
        let healthy = mine.filter { $0.state == .healthy }.count
        progress = .init(
            stage: .healthGate, color: running.journal.from, inService: inService.count, healthy: healthy, wanted: max(1, inService.count),
            elapsedSeconds: now.timeIntervalSince(started), limitSeconds: timeout, stableSeconds: healthySince.map { now.timeIntervalSince($0) },
            neededStableSeconds: Double(environment.health.stableSeconds))
        guard !inService.isEmpty, healthy == inService.count else {
            return waitForReturn(running, problem: problem, started: started, healthySince: nil, now: now)
        }
        let since = healthySince ?? now
        guard now.timeIntervalSince(since) >= Double(environment.health.stableSeconds) else {
            return waitForReturn(running, problem: problem, started: started, healthySince: since, now: now)
        }
        // Both colours are registered: the old one takes the group back, the new one leaves it.
        let newIds = targets.filter { $0.state != .draining && !ids.contains($0.id) }.map(\.id)
        state = .handingBack(running, problem: problem)
        return .applyConcurrently(InstanceSwitch.handOver(
            to: running.liveGroup, from: running.targetGroup, liveTargets: newIds, liveAttached: true, targetGroupArn: running.targetGroupArn))
    }

    mutating func waitForReturn(_ running: Running, problem: String, started: Date, healthySince: Date?, now: Date) -> DeployAction {
        if now.timeIntervalSince(started) >= timeout {
            return rollbackFailed(running, problem: problem, cause: "\(running.journal.from.rawValue)'s instances were not healthy again within \(Int(timeout)) s")
        }
        state = .returning(running, problem: problem, started: started, healthySince: healthySince)
        return .wait(.seconds(Double(environment.health.pollSeconds)))
    }

    /// The way back failed: the new colour keeps the traffic (it is what serves), the journal says so.
    mutating func rollbackFailed(_ running: Running, problem: String, cause: String) -> DeployAction {
        state = .ended
        return .failed(.init(
            step: "rollback", cause: "the bake failed (\(problem)) and the way back failed: \(cause)",
            state: "\(running.journal.to.rawValue) may still serve. Check '\(environment.command("environment status"))', then '\(environment.command("environment refresh --resume"))' tries the way back again, or '\(environment.command("environment recover"))' settles it.",
            report: running.report))
    }

    /// After a rollback: the new colour back to its original size (its instances go), the old one's floor, the
    /// versions as they were.
    func restoringSizesAndVersions(_ running: Running) -> [Mutation] {
        var changes: [Mutation] = []
        if let original = running.journal.originalGroup(running.journal.to) {
            changes.append(.resizeGroup(name: running.targetGroup, minSize: original.min, desiredCapacity: original.desired, maxSize: original.max))
        }
        if let original = running.journal.originalGroup(running.journal.from) {
            changes.append(.resizeGroup(name: running.liveGroup, minSize: Swift.max(original.min, environment.liveFloor), desiredCapacity: nil, maxSize: nil))
        }
        return changes + running.journal.originalValues.sorted { $0.key < $1.key }.map { .putParameter(name: $0.key, value: $0.value) }
    }

    /// Puts back everything a failed deploy changed before the hand-over: the new instances out of the group, the
    /// sizes and the version values as the journal found them.
    mutating func undo(_ running: Running, _ cause: String, kind: DeployFailure.Kind? = nil) -> DeployAction {
        state = .undoing(running, cause: cause, kind: kind ?? (cause.hasPrefix("interrupted by") ? .interrupted : .failed))
        var changes = Mutation.deregister(running.registered, from: running.targetGroupArn)
        if let original = running.journal.originalGroup(running.journal.to) {
            changes.append(.resizeGroup(name: running.targetGroup, minSize: original.min, desiredCapacity: original.desired, maxSize: original.max))
        }
        if let original = running.journal.originalGroup(running.journal.from) {
            changes.append(.resizeGroup(name: running.liveGroup, minSize: original.min, desiredCapacity: nil, maxSize: nil))
        }
        changes += running.journal.originalValues.sorted { $0.key < $1.key }.map { .putParameter(name: $0.key, value: $0.value) }
        return .undo(changes)
    }

    /// Writes the outcome to the journal, then `then`.
    mutating func conclude(_ running: Running, _ status: DeploymentJournal.Status, note: String?, now: Date, then: DeployAction) -> DeployAction {
        var next = running
        next.journal.status = status
        next.journal.note = note
        next.journal.updatedAt = DeploymentJournal.timestamp(now)
        state = .concluding(next, outcome: then)
        return .record(next.journal)
    }
}

extension InstanceSwitch.Phase: Comparable {
    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
