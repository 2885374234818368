import Foundation

/// The blue-green deploy as a state machine: each `next(_:now:)` takes what the last action produced and returns the
/// next action. It performs no I/O and reads no clock, so every transition is testable on its own, and a journal
/// can record the phase before each action (issue 4). `BlueGreenRefresh.run` is the one runner that performs the
/// actions.
public struct RefreshMachine: Sendable {
    public enum Phase: String, Sendable, Codable, CaseIterable {
        case preflight, protect, deploy, scale, healthGate = "health gate", switchTraffic = "switch", finalize, done
    }

    /// What the runner should do next.
    public enum Action: Sendable {
        /// Read the environment (`EnvironmentStatusReader.snapshot`).
        case readSnapshot
        /// Apply these mutations in order; the first failure stops.
        case apply([Mutation])
        /// Read the target colour's instances and health once.
        case checkHealth(BlueGreenRefresh.Plan)
        /// Sleep on the injected clock.
        case wait(Duration)
        /// Switch every route to the target colour, verify, write SSM (`SwitchRunner`).
        case switchTraffic(to: Color)
        /// Best-effort: apply each, collecting failures.
        case undo([Mutation])
        case finished(StepReport)
        case refused(Refusal)
        case failed(BlueGreenRefresh.Failure)
    }

    /// What the last action produced.
    public enum Event: Sendable {
        case start
        case snapshot(EnvironmentSnapshot)
        case applied
        case applyFailed(String)
        case health(inService: Int, healthy: Int)
        case healthReadFailed
        case waited
        case switched(StepReport)
        case switchFailed(String)
        case undone(done: [String], failed: [String])
    }

    public let environment: EnvironmentConfiguration
    public let options: BlueGreenRefresh.Options
    public private(set) var phase: Phase = .preflight
    public private(set) var plan: BlueGreenRefresh.Plan?
    public private(set) var report = StepReport()
    /// The gate's latest reading.
    public private(set) var progress: BlueGreenRefresh.Progress?
    var phaseStarted: Date?
    var gateStarted: Date?
    var backoff: Double = 0
    var failure: (step: String, cause: String)?

    public init(environment: EnvironmentConfiguration, options: BlueGreenRefresh.Options) {
        self.environment = environment
        self.options = options
    }

    var timeout: Double { Double(environment.health.timeoutSeconds) }
    var poll: Double { Double(max(1, min(environment.health.pollSeconds, 5))) }

    public mutating func next(_ event: Event, now: Date) -> Action {
        if failure != nil {
            guard case .undone(let done, let failed) = event else { return .failed(makeFailure(undone: [], notUndone: [])) }
            return .failed(makeFailure(undone: done, notUndone: failed))
        }
        switch (phase, event) {
        case (.preflight, .start):
            phaseStarted = now
            return .readSnapshot
        case (.preflight, .snapshot(let snapshot)):
            let plan: BlueGreenRefresh.Plan
            do {
                plan = try BlueGreenRefresh.plan(snapshot, options: options)
            } catch let refusal as Refusal {
                return .refused(refusal)
            } catch {
                return .refused(Refusal(String(describing: error)))
            }
            self.plan = plan
            finishPhase(now, "deploy \(plan.version) to \(plan.target.rawValue) (\(plan.capacity) instance(s)); \(plan.live.rawValue) is live")
            return begin(.protect, now)
        case (.protect, .applied):
            let group = plan!.liveGroup
            finishPhase(now, "\(group.name) min \(group.minSize) → \(max(group.minSize, group.desiredCapacity))")
            return begin(.deploy, now)
        case (.deploy, .applied):
            finishPhase(now, "\(environment.parameters.version(of: plan!.target)) = \(plan!.version)")
            return begin(.scale, now)
        case (.scale, .applied):
            finishPhase(now, "\(plan!.targetGroup.name) pinned at \(plan!.capacity)")
            return begin(.healthGate, now)
        case (.healthGate, .health(let inService, let healthy)):
            let plan = self.plan!
            progress = .init(
                color: plan.target, inService: inService, healthy: healthy, wanted: plan.capacity,
                elapsedSeconds: now.timeIntervalSince(gateStarted!), timeoutSeconds: timeout)
            if inService >= plan.capacity && healthy >= plan.capacity {
                finishPhase(now, "\(healthy)/\(plan.capacity) healthy (\(plan.targetGroupInUse ? "load balancer target health" : "HTTP \(environment.health.path)"))")
                return begin(.switchTraffic, now)
            }
            backoff = poll
            return waitOrTimeOut(now)
        case (.healthGate, .healthReadFailed):
            // A failed read (throttling, a blip): back off, within the one timeout.
            backoff = min(max(backoff, poll) * 2, 30)
            return waitOrTimeOut(now)
        case (.healthGate, .waited):
            return .checkHealth(plan!)
        case (.switchTraffic, .switched(let switchReport)):
            report.steps += switchReport.steps
            return begin(.finalize, now)
        case (.finalize, .applied):
            let plan = self.plan!
            finishPhase(now, "\(plan.targetGroup.name) min \(environment.liveFloor) max \(max(plan.targetGroup.maxSize, plan.capacity)); \(plan.liveGroup.name) min 0, kept warm for rollback")
            phase = .done
            return .finished(report)
        case (_, .applyFailed(let cause)), (_, .switchFailed(let cause)):
            return fail(cause)
        default:
            return fail("unexpected \(event) during \(phase.rawValue)")
        }
    }

    /// Starts a phase and returns its first action.
    mutating func begin(_ next: Phase, _ now: Date) -> Action {
        phase = next
        phaseStarted = now
        let plan = self.plan!
        switch next {
        case .protect, .deploy, .scale, .finalize:
            return .apply(BlueGreenRefresh.mutations(for: next, plan: plan, environment: environment, options: options))
        case .healthGate:
            gateStarted = now
            backoff = poll
            return .checkHealth(plan)
        case .switchTraffic:
            return .switchTraffic(to: plan.target)
        case .preflight, .done:
            return .readSnapshot
        }
    }

    mutating func waitOrTimeOut(_ now: Date) -> Action {
        let elapsed = now.timeIntervalSince(gateStarted!)
        if elapsed >= timeout {
            let p = progress
            return fail("timed out after \(Int(timeout)) s: \(p?.inService ?? 0)/\(plan!.capacity) InService, \(p?.healthy ?? 0)/\(plan!.capacity) healthy")
        }
        return .wait(.milliseconds(Int64(min(backoff, timeout - elapsed) * 1000)))
    }

    mutating func finishPhase(_ now: Date, _ detail: String) {
        report.add(phase.rawValue, seconds: now.timeIntervalSince(phaseStarted ?? now), detail)
    }

    /// Before the switch: undo (the inactive colour back to 0 unless kept, the live colour's min back). After it:
    /// never reduce the live colour; say what is left.
    mutating func fail(_ cause: String) -> Action {
        guard let plan else { return .refused(Refusal(cause)) }
        failure = (phase.rawValue, cause)
        if phase == .finalize {
            return .failed(makeFailure(undone: [], notUndone: []))
        }
        var mutations: [Mutation] = [.resizeGroup(name: plan.liveGroup.name, minSize: plan.liveGroup.minSize, desiredCapacity: nil, maxSize: nil)]
        if !options.keepFailed {
            mutations.insert(.resizeGroup(name: plan.targetGroup.name, minSize: 0, desiredCapacity: 0, maxSize: plan.targetGroup.maxSize), at: 0)
        }
        return .undo(mutations)
    }

    func makeFailure(undone: [String], notUndone: [String]) -> BlueGreenRefresh.Failure {
        let plan = self.plan!
        let (step, cause) = failure!
        if phase == .finalize {
            return .init(
                step: step, cause: cause,
                state: "Traffic is on \(plan.target.rawValue) (\(plan.version)); \(plan.targetGroup.name) was left as it is. Left to do: set \(plan.targetGroup.name) min \(environment.liveFloor) and max \(max(plan.targetGroup.maxSize, plan.capacity)), and \(plan.liveGroup.name) min 0.",
                report: report)
        }
        var state = "Traffic was not touched (\(plan.live.rawValue) still serves). "
        if !undone.isEmpty { state += "Undone: \(undone.joined(separator: "; ")). " }
        if options.keepFailed { state += "\(plan.targetGroup.name) kept at \(plan.capacity) for inspection (--keep-failed); 'environment cleanup' removes it. " }
        if !notUndone.isEmpty { state += "NOT undone, do by hand: \(notUndone.joined(separator: "; "))." }
        return .init(step: step, cause: cause, state: state, report: report)
    }
}
