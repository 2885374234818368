import Foundation

/// The one runner: performs the actions of any strategy's machine (`DeployMachine`) until it finishes, refuses or
/// fails — writes the journal, applies mutations, reads health, waits on the injected clock, moves traffic with
/// read-back verification, follows instance refreshes, undoes. A stop request on `interruption` takes the place of
/// the next action the machine accepts it for (see `DeployMachine.acceptsInterruption`). No strategy performs I/O
/// of its own, and the command layer dispatches nothing.
public struct DeployRunner: Sendable {
    public let environment: EnvironmentConfiguration
    public let ports: CloudPorts
    public let interruption: Interruption
    public let progress: @Sendable (DeployProgress) -> Void

    public init(
        environment: EnvironmentConfiguration, ports: CloudPorts, interruption: Interruption = Interruption(),
        progress: @escaping @Sendable (DeployProgress) -> Void = { _ in }
    ) {
        self.environment = environment
        self.ports = ports
        self.interruption = interruption
        self.progress = progress
    }

    var reader: EnvironmentStatusReader { ports.statusReader(for: environment) }
    var clock: any WallClock { ports.clock }

    public func run<Machine: DeployMachine>(_ start: Machine) async throws -> StepReport {
        var machine = start
        var event = DeployEvent.start
        var interruptionDelivered = false
        // Instance addresses never change: look each up once, not on every poll of the gate.
        var addresses: [String: String] = [:]
        var waiting: [String] = []
        var lastAction = DeployAction.readSnapshot
        var hookRun = HookRun()
        // Every change through the propagation rule: capacity behind a route that just moved goes only once every load
        // balancer node has the change, whichever path (undo, abort, rollback) removes it.
        let applier = ports.applier(for: environment)
        while true {
            let action = machine.next(event, now: clock.now())
            defer { lastAction = action }
            switch event {
            case .health, .bake, .step, .refresh, .targets, .approval:
                if var current = machine.progress {
                    if case .health = event { current.waiting = waiting }
                    progress(current)
                }
            case .switched, .shifted:
                // The moment traffic moves (or comes back), said as it happens.
                if case .switchTraffic(let target, _, _) = lastAction {
                    progress(.moved(to: target, percent: 100))
                } else if case .shiftTraffic(_, let target, let percent, _) = lastAction {
                    progress(.moved(to: target, percent: percent))
                }
            default: break
            }
            if !interruptionDelivered, let reason = interruption.reason, machine.acceptsInterruption {
                interruptionDelivered = true
                event = .interrupted(reason)
                continue
            }
            switch action {
            case .readSnapshot:
                event = .snapshot(try await reader.snapshot())
            case .record(let journal):
                do {
                    try await ports.documents.overwrite(name: environment.parameters.deployment, value: journal.json())
                    event = .recorded
                } catch {
                    event = .recordFailed(String(describing: error))
                }
                if event == .recorded, let failed = await runHooks(at: journal, &hookRun) { event = failed }
            case .apply(let mutations):
                event = .applied
                for mutation in mutations {
                    do {
                        try await applier.apply(mutation)
                    } catch {
                        event = .applyFailed("\(mutation): \(error)")
                        break
                    }
                }
            case .applyConcurrently(let mutations):
                let failures = await FanOut.map(mutations) { mutation -> String? in
                    do {
                        try await applier.apply(mutation)
                        return nil
                    } catch {
                        return "\(mutation): \(error)"
                    }
                }.compactMap { $0 }
                event = failures.isEmpty ? .applied : .applyFailed(failures.joined(separator: "; "))
            case .readTargets(let group, let arn):
                do {
                    let instances = try await ports.scalingGroups.groups(names: [group])[group]?.instances ?? []
                    event = .targets(instances: instances, targets: try await ports.loadBalancer.targetHealth(targetGroupArn: arn))
                } catch {
                    event = .targetsReadFailed
                }
            case .readDeregistrationDelay(let arn):
                if let seconds = try? await ports.loadBalancer.deregistrationDelaySeconds(targetGroupArn: arn) {
                    event = .deregistrationDelay(seconds: seconds)
                } else {
                    event = .deregistrationDelayReadFailed
                }
            case .countInstances(let group):
                if let found = try? await ports.scalingGroups.groups(names: [group]) {
                    event = .instances(found[group]?.instances.count ?? 0)
                } else {
                    event = .instancesReadFailed
                }
            case .checkHealth(let check):
                if let reading = try? await readHealth(check, addresses: &addresses) {
                    waiting = reading.waiting
                    event = .health(inService: reading.inService, healthy: reading.healthy)
                } else {
                    event = .healthReadFailed
                }
            case .checkBake(let arn, let alarms):
                if let reading = try? await readBake(targetGroupArn: arn, alarms: alarms) {
                    event = .bake(reading)
                } else {
                    event = .bakeReadFailed
                }
            case .wait(let duration):
                // A stop request cuts short only a wait the machine takes it for. Every other wait — a drain, a poll
                // after the request was delivered, the way back — lasts its whole duration: a wait that returned at
                // once would let no time pass, and the machine would poll without end (found by the soak, seed 5359).
                if !interruptionDelivered && machine.acceptsInterruption {
                    if try await interruption.sleep(on: clock, for: duration) {
                        event = .waited
                    } else {
                        interruptionDelivered = true
                        event = .interrupted(interruption.reason ?? "a stop request")
                    }
                } else {
                    try await clock.sleep(for: duration)
                    event = .waited
                }
            case .switchTraffic(let target, let checked, let unsticky):
                event = await switchTraffic(to: target, checked: checked, unsticky: unsticky)
            case .shiftTraffic(let live, let target, let percent, let stickiness):
                event = await shiftTraffic(live: live, target: target, percent: percent, stickinessSeconds: stickiness)
            case .checkStep(let arn, let alarms, let deployment):
                if let reading = try? await readBake(targetGroupArn: arn, alarms: alarms) {
                    event = .step(reading, request: await takeRequest(for: deployment)?.kind)
                } else {
                    event = .bakeReadFailed
                }
            case .awaitApproval(let deployment):
                event = .approval(await takeRequest(for: deployment))
            case .undo(let mutations):
                var done: [String] = []
                var failed: [String] = []
                for mutation in mutations {
                    do {
                        try await applier.apply(mutation)
                        done.append(SwitchRunner.short(mutation))
                    } catch {
                        failed.append("\(SwitchRunner.short(mutation)) (\(error))")
                    }
                }
                event = .undone(done: done, failed: failed)
            case .startInstanceRefresh(let group, let preferences, let adoptRunning):
                do {
                    if adoptRunning, let running = try await ports.refresher.activeRefresh(group: group) {
                        event = .refreshStarted(id: running.id)
                    } else {
                        event = .refreshStarted(id: try await ports.refresher.startRefresh(
                            group: group, minHealthyPercentage: preferences.minHealthyPercentage, maxHealthyPercentage: preferences.maxHealthyPercentage,
                            instanceWarmupSeconds: 60))
                    }
                } catch {
                    event = .refreshStartFailed(String(describing: error))
                }
            case .readInstanceRefresh(let group, let id):
                if let status = try? await ports.refresher.refreshStatus(group: group, id: id) {
                    event = .refresh(status)
                } else {
                    event = .refreshReadFailed
                }
            case .finished(var report):
                hookRun.summarize(into: &report)
                if let failed = hookRun.postDeployFailure {
                    throw DeployFailure(
                        step: "postDeploy hook", cause: "the postDeploy hook failed: \(failed)",
                        state: "The deploy itself is done: the new build serves. Fix what the hook checks, or run it again by hand.", report: report)
                }
                return report
            case .refused(let refusal):
                throw refusal
            case .failed(var failure):
                hookRun.summarize(into: &failure.report)
                if !hookRun.reported.isEmpty { failure.state += " " + hookRun.reported.map { $0 + "." }.joined(separator: " ") }
                throw failure
            }
        }
    }

    /// Every route to `target`, verified, then SSM. If it fails half-way, what this attempt changed is put back — the
    /// routes it moved (judged against the read it planned from: a route already on `target` was not moved by it) and
    /// the SSM values it wrote — so that the machine knows whether any traffic (or record) was left on `target`.
    func switchTraffic(to target: Color, checked: Bool, unsticky: Bool = false) async -> DeployEvent {
        let runner = SwitchRunner(environment: environment, ports: ports)
        var before: EnvironmentSnapshot?
        do {
            let fresh = try await reader.snapshot()
            before = fresh
            let plan = try TrafficSwitch(snapshot: fresh).plan(to: target, force: !checked, settleCapacity: false, unsticky: unsticky)
            return .switched(try await runner.run(plan))
        } catch {
            let cause = String(describing: error)
            // Without the read, nothing was sent.
            guard let before else { return .switchFailed(cause, trafficMoved: false) }
            guard let after = try? await reader.snapshot(), let arn = after.targetGroups[environment.targetGroupNames[target]]?.arn else {
                return .switchFailed(cause, trafficMoved: true)
            }
            let untouched = Set(before.routes.filter { ($0.weights[arn] ?? 0) > 0 }.map(\.arn))
            let moved = after.routes.filter { ($0.weights[arn] ?? 0) > 0 && !untouched.contains($0.arn) }
            // Send the moved routes back to the other colour, so that no traffic is left on a colour being undone.
            guard let back = after.targetGroups[environment.targetGroupNames[target.other]]?.arn else {
                return .switchFailed(cause, trafficMoved: !moved.isEmpty)
            }
            // Traffic goes back only to a colour that can take it: when the old colour has lost its healthy capacity and
            // the new one (through its gate) has it, the moved routes stay where they are, for `recover` to settle on.
            let capacity = TrafficSwitch(snapshot: after)
            if !moved.isEmpty, let problem = capacity.capacityProblem(target.other), capacity.capacityProblem(target) == nil {
                return .switchFailed(
                    cause + "; the routes that had moved stay on \(target.rawValue): \(target.other.rawValue) cannot take them back (\(problem))",
                    trafficMoved: true)
            }
            var note = ""
            if !moved.isEmpty {
                do {
                    _ = try await runner.run(moved.map { Mutation.forward(route: $0, targetGroupArn: back) })
                    note = "; the routes that had moved were sent back"
                } catch {
                    return .switchFailed(cause + "; sending the moved routes back failed too: \(error)", trafficMoved: true)
                }
            }
            // The SSM values this attempt wrote before it stopped, back to what they were.
            let names = environment.parameters
            let records: [Mutation] = ([names.activeColor, names.activeTargetGroupArn] + (names.bootObject.map { [$0] } ?? [])).compactMap { name in
                guard let old = before.values[name], after.values[name] != old else { return nil }
                return .putParameter(name: name, value: old)
            }
            var recordsLeft = false
            if !records.isEmpty {
                do {
                    _ = try await runner.run(records)
                    note += "; \(records.count == 1 ? "the SSM value it had written was" : "the SSM values it had written were") put back"
                } catch {
                    recordsLeft = true
                    note += "; putting SSM back failed too: \(error)"
                }
            }
            return .switchFailed(cause + note, trafficMoved: false, returned: !moved.isEmpty, recordsLeft: recordsLeft)
        }
    }

    /// A canary step: every serving route split, read back, verified. A failure leaves the routes as they are: the
    /// machine then returns all traffic to the old colour.
    func shiftTraffic(live: Color, target: Color, percent: Int, stickinessSeconds: Int?) async -> DeployEvent {
        do {
            let mutations = try TrafficShift.plan(
                try await reader.snapshot(), live: live, target: target, percent: percent, stickinessSeconds: stickinessSeconds)
            let runner = SwitchRunner(environment: environment, ports: ports)
            var report = try await runner.run(mutations)
            if mutations.isEmpty { report.add("shift", seconds: 0, "every route already carries \(percent)%") }
            return .shifted(report)
        } catch {
            return .shiftFailed(String(describing: error))
        }
    }

    /// The request (`environment promote` / `abort`) addressed to `deployment`, removed once taken; a request for
    /// another deploy is left alone, and a read that fails is no request (the next poll reads again).
    func takeRequest(for deployment: String) async -> DeploymentRequest? {
        let name = environment.parameters.deploymentRequest
        guard let value = try? await ports.documents.read(name: name), let request = DeploymentRequest.decode(value),
            request.deployment == deployment
        else { return nil }
        try? await ports.documents.delete(name: name)
        return request
    }

    /// One reading of the target colour: instances InService, and how many of them are healthy — by the load
    /// balancer's target health when a listener or rule uses the group, else by HTTP.
    /// - Returns: also what each instance not yet ready is waiting for (`i-0abc Pending`, `i-0def unhealthy
    ///   (Target.FailedHealthChecks)`), for the operator watching.
    func readHealth(_ check: HealthCheck, addresses: inout [String: String]) async throws -> (inService: Int, healthy: Int, waiting: [String]) {
        let env = environment
        let groups = try await ports.scalingGroups.groups(names: [check.group])
        let instances = groups[check.group]?.instances ?? []
        let inService = instances.filter { $0.lifecycleState == .inService }.map(\.id)
        let starting = instances.filter { $0.lifecycleState != .inService }.map { "\($0.id) \($0.lifecycleState)" }
        if check.byTargetHealth {
            let targets = try await ports.loadBalancer.targetHealth(targetGroupArn: check.targetGroupArn)
            let ids = Set(inService)
            let notHealthy = inService.compactMap { id -> String? in
                guard let target = targets.first(where: { $0.id == id }) else { return "\(id) not registered" }
                return target.state == .healthy ? nil : "\(id) \(target.state)\(target.reason.map { " (\($0))" } ?? "")"
            }
            return (inService.count, targets.filter { ids.contains($0.id) && $0.state == .healthy }.count, starting + notHealthy)
        }
        guard !inService.isEmpty else { return (0, 0, starting) }
        let unknown = inService.filter { addresses[$0] == nil }
        if !unknown.isEmpty { addresses.merge(try await ports.instances.addresses(instanceIds: unknown)) { $1 } }
        let known = addresses
        let prober = ports.prober
        let results = await FanOut.map(inService.compactMap { known[$0] }) { address in
            await prober.isHealthy(address: address, port: env.health.port, path: env.health.path, timeout: .seconds(2))
        }
        let unanswered = zip(inService.filter { known[$0] != nil }, results).filter { !$0.1 }.map { "\($0.0) not answering \(env.health.path)" }
        return (inService.count, results.filter { $0 }.count, starting + unanswered)
    }

    /// One look at the new colour during the bake: its target health and the watched alarms.
    func readBake(targetGroupArn: String, alarms: [String]) async throws -> BakeReading {
        let targets = try await ports.loadBalancer.targetHealth(targetGroupArn: targetGroupArn).filter { $0.state != .draining }
        let states = alarms.isEmpty ? [:] : try await ports.alarms.states(names: alarms)
        return BakeReading(
            healthy: targets.filter { $0.state == .healthy }.count, unhealthy: targets.filter { $0.state == .unhealthy }.count,
            total: targets.count, firing: alarms.filter { states[$0] == .alarm }, missing: alarms.filter { states[$0] == nil },
            watched: alarms.count)
    }
}
