import Foundation

/// The rolling deploy as a state machine (`DeployMachine`), run by `DeployRunner` like every strategy: `preflight`
/// (the live colour from the load balancer, the build; refused while a deploy is unfinished), `deploy` (the live
/// colour's `{color}/version`, which replacement instances read at boot), `start` (StartInstanceRefresh with the
/// minimum healthy percentage; if it cannot start, the version values are put back), `wait` (the refresh's id
/// journalled; polled at most 5 s apart, backing off after failed reads, until it ends or `limitSeconds` pass).
/// Each step is journalled before its changes. A stop request or the limit ends the following, not the refresh: the
/// journal stays unfinished, `--resume` follows it again and `recover` closes it once it has ended.
///
/// Each state carries its own data: the journal and the report exist from the first journalled step on, the
/// refresh id from `wait` on; nothing is optional or force-unwrapped.
public struct RollingMachine: DeployMachine {
    public enum Mode: Sendable, Equatable {
        case fresh(RollingRefresh.Options)
        case resume
    }

    /// A deploy under way: what every state after the preflight knows.
    struct Running: Sendable, Equatable {
        var journal: DeploymentJournal
        var group: String
        var report: StepReport
        var stepStarted: Date
    }

    enum State: Sendable, Equatable {
        case preflight
        /// The journal is being written with `running.journal.step`; then the step's first action. `adopt`: a resumed
        /// `start` follows a refresh started by a process that died before journalling its id.
        case recording(Running, adopt: Bool)
        case deploying(Running)
        case starting(Running)
        case waiting(Running, refreshId: String, started: Date, backoff: Double)
        /// The version values are being put back after the refresh could not start.
        case undoing(Running, cause: String)
        /// The outcome is being written; then `outcome`.
        case concluding(Running, outcome: DeployAction)
        case ended
    }

    public let environment: EnvironmentConfiguration
    public let mode: Mode
    public let identity: LockIdentity
    /// The longest a refresh is followed.
    public var limitSeconds: Double
    /// How long an instance refresh is followed before the deploy stops following it.
    public static let defaultLimitSeconds: Double = 3600
    var state: State = .preflight
    public private(set) var progress: DeployProgress?

    public init(environment: EnvironmentConfiguration, mode: Mode, identity: LockIdentity, limitSeconds: Double = RollingMachine.defaultLimitSeconds) {
        self.environment = environment
        self.mode = mode
        self.identity = identity
        self.limitSeconds = limitSeconds
    }

    var poll: Double { Double(max(1, min(environment.health.pollSeconds, 5))) }

    /// Only while the refresh is followed: the steps before it are quick and each is journalled.
    public var acceptsInterruption: Bool {
        if case .waiting = state { return true }
        return false
    }

    public mutating func next(_ event: DeployEvent, now: Date) -> DeployAction {
        switch (state, event) {
        case (.preflight, .start):
            return .readSnapshot
        case (.preflight, .snapshot(let snapshot)):
            return mode == .resume ? resume(snapshot, now: now) : start(snapshot, now: now)

        case (.recording(let running, let adopt), .recorded):
            return firstAction(running, adopt: adopt, now: now)
        case (.recording(let running, _), .hookFailed(let point, let cause, _)):
            let text = "the \(point.rawValue) hook failed: \(cause)"
            if running.journal.step == "start" {
                state = .undoing(running, cause: text)
                return .undo(restoredValues(running))
            }
            state = .ended
            return .failed(.init(step: running.journal.step, cause: text, state: "Nothing changed.", report: running.report, operation: "rolling refresh"))
        case (.recording(let running, let adopt), .recordFailed(let cause)):
            switch running.journal.step {
            case "deploy":
                state = .ended
                return .failed(.init(
                    step: "deploy", cause: "could not write the journal \(environment.parameters.deployment): \(cause)", state: "Nothing changed.",
                    report: running.report, operation: "rolling refresh"))
            case "start":
                state = .undoing(running, cause: "could not write the journal \(environment.parameters.deployment): \(cause)")
                return .undo(restoredValues(running))
            default:
                // The refresh runs whatever the journal says: follow it (a resume adopts it).
                return firstAction(running, adopt: adopt, now: now)
            }

        case (.deploying(var running), .applied):
            let name = environment.parameters.version(of: running.journal.from)
            running.report.add("deploy", seconds: now.timeIntervalSince(running.stepStarted), "\(name) = \(running.journal.version)")
            return record(running, step: "start", now: now)
        case (.deploying(let running), .applyFailed(let cause)):
            state = .undoing(running, cause: cause)
            return .undo(restoredValues(running))

        case (.starting(var running), .refreshStarted(let id)):
            running.journal.refreshId = id
            running.report.add("start", seconds: now.timeIntervalSince(running.stepStarted), "instance refresh \(id)")
            return record(running, step: "wait", now: now)
        case (.starting(let running), .refreshStartFailed(let cause)):
            state = .undoing(running, cause: cause)
            return .undo(restoredValues(running))

        case (.undoing(let running, let cause), .undone(let done, _)):
            var text = "No instance was replaced."
            for (name, value) in running.journal.originalValues.sorted(by: { $0.key < $1.key }) {
                let putBack = done.contains { $0.hasPrefix("\(name)=") }
                text += putBack ? " \(name) is back to \(value)." : " \(name) could not be put back to \(value): set it by hand."
            }
            let step = running.journal.step
            return conclude(
                running, .failed, note: "\(step): \(cause)", now: now,
                then: .failed(.init(step: step, cause: cause, state: text, report: running.report, operation: "rolling refresh")))

        case (.waiting(let running, let id, let started, _), .refresh(let status)):
            progress = .init(
                stage: .instanceRefresh, color: running.journal.from, inService: 0, healthy: 0, wanted: running.journal.capacity,
                elapsedSeconds: now.timeIntervalSince(started), limitSeconds: limitSeconds, stableSeconds: nil, neededStableSeconds: 0,
                percent: status.percentComplete, refresh: status)
            guard status.isFinished else { return waitOrGiveUp(running, id: id, started: started, backoff: poll, now: now) }
            let detail = "\(status.status)\(status.reason.map { ": \($0)" } ?? "")"
            guard status.status == .successful else {
                return conclude(
                    running, .failed, note: "wait: the instance refresh ended \(detail)", now: now,
                    then: .failed(.init(
                        step: "wait", cause: "the instance refresh ended \(detail)",
                        state: "Auto Scaling stopped replacing instances; \(running.group) may run both builds. Check '\(environment.command("environment status"))'.",
                        report: running.report, operation: "rolling refresh")))
            }
            var finished = running
            finished.report.add("wait", seconds: now.timeIntervalSince(started), detail)
            return conclude(finished, .done, note: nil, now: now, then: .finished(finished.report))
        case (.waiting(let running, let id, let started, let backoff), .refreshReadFailed):
            return waitOrGiveUp(running, id: id, started: started, backoff: min(backoff * 2, 30), now: now)
        case (.waiting(let running, let id, _, _), .waited):
            return .readInstanceRefresh(group: running.group, id: id)
        case (.waiting(let running, let id, _, _), .interrupted(let reason)):
            state = .ended
            return .failed(.init(
                step: "wait", cause: "interrupted by \(reason)", state: "The instance refresh \(id) goes on in AWS; \(follow)",
                report: running.report, kind: .interrupted, operation: "rolling refresh"))

        case (.concluding(_, let outcome), .recorded):
            state = .ended
            return outcome
        case (.concluding(let running, let outcome), .recordFailed(let cause)):
            state = .ended
            return outcomeNotRecorded(running, outcome, cause: cause)

        case (.preflight, _), (.recording, _), (.deploying, _), (.starting, _), (.undoing, _), (.waiting, _), (.concluding, _), (.ended, _):
            state = .ended
            return .failed(.init(
                step: "rolling", cause: "unexpected \(event)", state: "Check '\(environment.command("environment status"))'.",
                report: StepReport(), operation: "rolling refresh"))
        }
    }

    var follow: String {
        "'\(environment.command("environment refresh --resume"))' follows it again; '\(environment.command("environment recover"))' closes the deploy once it has ended."
    }

    // MARK: - Starting and resuming

    mutating func start(_ snapshot: EnvironmentSnapshot, now: Date) -> DeployAction {
        guard case .fresh(let options) = mode else { return .refused(Refusal("no options")) }
        let env = environment
        let live: Color
        let group: ScalingGroupSnapshot
        let version: String
        do {
            (live, group, version) = try RollingRefresh.preflight(snapshot, options: options)
        } catch {
            state = .ended
            return .refused(error as? Refusal ?? Refusal(String(describing: error)))
        }
        let journal = DeploymentJournal(
            id: DeploymentJournal.makeId(now, pid: identity.pid), strategy: DeployStrategy.rolling.rawValue, from: live, to: live,
            version: version, capacity: group.desiredCapacity, step: "deploy", status: .inProgress, original: [live.rawValue: .init(group)],
            originalValues: DeploymentJournal.versionValues(deployingTo: live, setsVersion: options.version != nil, in: snapshot),
            targetGroupArn: snapshot.targetGroups[env.targetGroupNames[live]]?.arn ?? "", keepFailed: false, bakeSeconds: 0,
            setsVersion: options.version != nil, startedAt: DeploymentJournal.timestamp(now), updatedAt: DeploymentJournal.timestamp(now),
            by: identity.holder, command: identity.command, minHealthyPercentage: options.minHealthyPercentage)
        var report = StepReport()
        let preferences = RollingRefresh.Preferences(minHealthy: options.minHealthyPercentage)
        report.add("preflight", seconds: 0, "roll \(group.name) (\(live.rawValue), \(group.desiredCapacity) instance(s)) to \(version), \(preferences.describe(desired: group.desiredCapacity)); journal \(journal.id)")
        return record(Running(journal: journal, group: group.name, report: report, stepStarted: now), step: "deploy", now: now)
    }

    mutating func resume(_ snapshot: EnvironmentSnapshot, now: Date) -> DeployAction {
        state = .ended
        var journal: DeploymentJournal
        switch RollingStrategy.journalToResume(snapshot, strategy: .rolling, in: environment) {
        case .success(let found): journal = found
        case .failure(let refusal): return .refused(refusal)
        }
        guard let group = journal.originalGroup(journal.from)?.name else {
            return .refused(Refusal("The journal \(journal.id) does not name the group. Nothing changed; run '\(environment.command("environment recover"))'."))
        }
        journal.note = "resumed by \(identity.holder) at \(journal.step)"
        var report = StepReport()
        report.add("preflight", seconds: 0, "resume \(journal.id): \(journal.version) on \(journal.from.rawValue) at \(journal.step)")
        let running = Running(journal: journal, group: group, report: report, stepStarted: now)
        switch journal.step {
        case "deploy":
            return record(running, step: "deploy", now: now)
        case "start":
            return record(running, step: "start", now: now, adopt: true)
        case "wait":
            guard let id = journal.refreshId else {
                return .refused(Refusal("The journal \(journal.id) is at '\(journal.step)' without an instance refresh id. Nothing changed; run '\(environment.command("environment recover"))'."))
            }
            state = .waiting(running, refreshId: id, started: now, backoff: poll)
            return .readInstanceRefresh(group: group, id: id)
        default:
            return .refused(Refusal("The journal's step '\(journal.step)' cannot be resumed. Nothing changed; run '\(environment.command("environment recover"))'."))
        }
    }

    // MARK: - Steps

    /// Journals `step` before its changes.
    mutating func record(_ running: Running, step: String, now: Date, adopt: Bool = false) -> DeployAction {
        var next = running
        next.journal.step = step
        next.journal.updatedAt = DeploymentJournal.timestamp(now)
        next.stepStarted = now
        state = .recording(next, adopt: adopt)
        return .record(next.journal)
    }

    mutating func firstAction(_ running: Running, adopt: Bool, now: Date) -> DeployAction {
        let journal = running.journal
        switch journal.step {
        case "deploy":
            state = .deploying(running)
            var writes = environment.parameters.recording(journal.version, for: journal.from)
            if journal.setsVersion { writes.append(.putParameter(name: environment.parameters.version, value: journal.version)) }
            return .apply(writes)
        case "start":
            state = .starting(running)
            return .startInstanceRefresh(group: running.group, preferences: .init(minHealthy: journal.minHealthyPercentage ?? 75), adoptRunning: adopt)
        default:
            guard let id = journal.refreshId else {
                state = .ended
                return .refused(Refusal("The journal \(journal.id) is at '\(journal.step)' without an instance refresh id. Nothing changed; run '\(environment.command("environment recover"))'."))
            }
            state = .waiting(running, refreshId: id, started: now, backoff: poll)
            return .readInstanceRefresh(group: running.group, id: id)
        }
    }

    mutating func waitOrGiveUp(_ running: Running, id: String, started: Date, backoff: Double, now: Date) -> DeployAction {
        if now.timeIntervalSince(started) >= limitSeconds {
            state = .ended
            return .failed(.init(
                step: "wait", cause: "still running after \(Int(limitSeconds)) s", state: "The instance refresh \(id) goes on in AWS; \(follow)",
                report: running.report, operation: "rolling refresh"))
        }
        state = .waiting(running, refreshId: id, started: started, backoff: backoff)
        return .wait(.milliseconds(Int64(backoff * 1000)))
    }

    /// The version values as they were before the deploy.
    func restoredValues(_ running: Running) -> [Mutation] {
        running.journal.originalValues.sorted { $0.key < $1.key }.map { .putParameter(name: $0.key, value: $0.value) }
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

    /// The outcome could not be journalled: said, never silent (see `BlueGreenMachine.outcomeNotRecorded`).
    func outcomeNotRecorded(_ running: Running, _ outcome: DeployAction, cause: String) -> DeployAction {
        let note = "The journal \(environment.parameters.deployment) could not be written (\(cause)): it still reads step '\(running.journal.step)', so status shows the deploy unfinished and new deploys refuse until '\(environment.command("environment recover"))' closes it."
        switch outcome {
        case .finished(let report):
            return .failed(.init(
                step: "journal", cause: "the rolling deploy is done but its outcome could not be recorded",
                state: "Every instance of \(running.group) was replaced. " + note, report: report, operation: "rolling refresh"))
        case .failed(var failure):
            failure.state += " " + note
            return .failed(failure)
        default:
            return outcome
        }
    }
}
