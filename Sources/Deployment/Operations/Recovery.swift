import Foundation

/// `environment recover`: brings an environment back to its last consistent state after a deploy stopped half-way
/// (a crash, `kill -9`, a second Ctrl-C, a failure whose undo failed too).
///
/// With an unfinished journal:
/// - traffic all on the new colour: the deploy is finished — SSM written, the new colour unpinned (min = the live
///   floor, its original max), the old colour's min to 0, kept warm;
/// - traffic all on the old colour: the deploy is undone — the recorded original settings of both groups and the
///   version parameters are restored, which scales the half-deployed colour back down;
/// - traffic split between them (a crash mid-switch, or a canary's step): every route goes back to the old colour
///   (it was protected and never shrunk), or forward if only the new one has healthy capacity; then as above. A
///   canary that set target-group stickiness has it switched off.
/// Without one, SSM and the colours' floors (the serving colour at the live floor, the other at min 0) are reconciled
/// with the load balancer — a switch that stopped half-way journals nothing. The journal is then marked `recovered`. A journal that cannot
/// be read (truncated, edited by hand) is removed once SSM agrees with the load balancer (SSM keeps its earlier
/// versions).
public struct Recovery: Sendable {
    public struct Plan: Sendable, Equatable {
        /// Where the environment ends up, in words.
        public var summary: String
        /// Route changes first (concurrently, verified), then SSM and group changes in order.
        public var mutations: [Mutation]
        /// The journal to write afterwards (`recovered`), or `nil` when there was none to finish.
        public var journal: DeploymentJournal?
        /// Whether `{prefix}deployment` holds something that is not a journal, to be deleted last.
        public var removesUnreadableJournal = false
        /// A way back that must wait (an instance switch's old colour gated before it takes the group back): the deploy
        /// is continued from this journal by its own machine, which ends it.
        public var continuation: DeploymentJournal?

        /// Whether recovering changes anything.
        public var isEmpty: Bool { mutations.isEmpty && journal == nil && !removesUnreadableJournal && continuation == nil }
    }

    /// - Parameter rollingRefresh: for an unfinished rolling deploy, its instance refresh (`nil`: none was started).
    public static func plan(
        _ snapshot: EnvironmentSnapshot, now: Date, by: String, rollingRefresh: InstanceRefreshStatus? = nil
    ) throws -> Plan {
        let env = snapshot.environment
        let status = snapshot.status
        let switching = TrafficSwitch(snapshot: snapshot)
        guard let journal = status.deployment, journal.isUnfinished else {
            guard let serving = status.albColor else {
                throw Refusal("No unfinished deployment is recorded, and the load balancer does not send all of \(env.name)'s traffic to one colour (\(status.driftReasons.joined(separator: "; "))). Nothing changed; choose one with '\(env.command("environment switch --to COLOR"))'.")
            }
            // A switch or rollback that stopped half-way journals nothing: SSM and the colours' floors are brought in
            // line with the routes (the serving colour at the live floor, the other unpinned).
            let mutations = try switching.plan(to: serving, force: true, settleCapacity: true)
            let floors = mutations.contains { if case .resizeGroup = $0 { true } else { false } }
            if let shown = status.unreadableJournal {
                let name = env.parameters.deployment
                return Plan(
                    summary: "the journal \(name) cannot be read (\(shown)): it is removed (SSM keeps its earlier versions: 'aws ssm get-parameter-history --name \(name)'), and "
                        + (mutations.isEmpty ? "\(serving.rawValue) serves every route and SSM agrees" : "SSM is reconciled with the load balancer: \(serving.rawValue) serves"),
                    mutations: mutations, journal: nil, removesUnreadableJournal: true)
            }
            return Plan(
                summary: mutations.isEmpty
                    ? "nothing to recover: \(serving.rawValue) serves every route and SSM agrees"
                    : "\(floors ? "SSM and the colours' floors" : "SSM") reconciled with the load balancer: \(serving.rawValue) serves",
                mutations: mutations, journal: nil)
        }

        guard let strategy = DeployStrategy(journal: journal) else {
            throw Refusal("The unfinished deployment \(journal.id) is a '\(journal.strategy)' deploy, which this ce does not know. Nothing changed.")
        }
        return try strategy.implementation.recoveryPlan(journal, snapshot: snapshot, now: now, by: by, refresh: rollingRefresh)
    }

    /// Blue-green, canary and linear: finish on the new colour when it serves (and has capacity), else put
    /// everything back as the journal found it.
    static func planBothColors(_ journal: DeploymentJournal, snapshot: EnvironmentSnapshot, now: Date, by: String) throws -> Plan {
        let env = snapshot.environment
        let status = snapshot.status
        let switching = TrafficSwitch(snapshot: snapshot)
        let destination: Color
        switch status.albColor {
        // All traffic on the new colour: finished there once its bake has passed — unless it has no healthy capacity left
        // and the old one has. Before that the new build is not proven, and the old colour, still warm, takes the
        // traffic back when it can (as a failed bake would have).
        case journal.to?:
            let oldCanServe = switching.capacityProblem(journal.from) == nil
            destination = oldCanServe && (switching.capacityProblem(journal.to) != nil || !Self.bakePassed(journal)) ? journal.from : journal.to
        case journal.from?: destination = journal.from
        default:
            switch (switching.capacityProblem(journal.from), switching.capacityProblem(journal.to)) {
            case (nil, _): destination = journal.from
            case (_, nil): destination = journal.to
            case (let old?, let new?):
                throw Refusal("Traffic is split and neither colour has healthy capacity (\(journal.from.rawValue): \(old); \(journal.to.rawValue): \(new)). Nothing changed; '\(env.command("environment switch --to COLOR --force"))' chooses one.")
            }
        }
        // A canary that set stickiness has it switched off with the split.
        var mutations = try switching.plan(to: destination, force: true, settleCapacity: false, unsticky: journal.traffic?.stickinessSeconds != nil)
        func resize(_ color: Color, min: Int?, desired: Int?, max: Int?) {
            let name = env.autoScalingGroupNames[color]
            guard let current = snapshot.groups[name] else { return }
            let change = (
                min.flatMap { $0 == current.minSize ? nil : $0 }, desired.flatMap { $0 == current.desiredCapacity ? nil : $0 },
                max.flatMap { $0 == current.maxSize ? nil : $0 })
            if change.0 != nil || change.1 != nil || change.2 != nil {
                // AWS validates the three together: send them all when any changes (a min raised above the desired
                // size raises it too).
                let newMin = min ?? current.minSize
                let newDesired = desired ?? (newMin > current.desiredCapacity ? newMin : nil)
                mutations.append(.resizeGroup(name: name, minSize: newMin, desiredCapacity: newDesired, maxSize: Swift.max(max ?? current.maxSize, newMin)))
            }
        }
        let summary: String
        if destination == journal.to {
            let original = journal.originalGroup(journal.to)
            resize(journal.to, min: env.liveFloor, desired: nil, max: Swift.max(original?.max ?? journal.capacity, journal.capacity))
            resize(journal.from, min: 0, desired: nil, max: nil)
            summary = "\(journal.to.rawValue) (\(journal.version)) serves: the deploy \(journal.id) is finished; \(journal.from.rawValue) is kept warm for rollback"
        } else {
            if let original = journal.originalGroup(journal.to) {
                resize(journal.to, min: original.min, desired: original.desired, max: original.max)
            }
            if let original = journal.originalGroup(journal.from) {
                resize(journal.from, min: original.min, desired: nil, max: nil)
            }
            mutations = restoring(mutations, restoredValues(journal, snapshot))
            summary = "\(journal.from.rawValue) serves as before the deploy \(journal.id); \(journal.to.rawValue) is back to its original size"
        }
        return Plan(summary: summary, mutations: mutations, journal: recovered(journal, by: by, now: now, summary: summary))
    }

    /// Whether the deploy `journal` records has passed its bake (or has none): from `finalize` on. A deploy stopped at its
    /// switch or during its bake has not; one at `rollback` or `abort` had failed it.
    static func bakePassed(_ journal: DeploymentJournal) -> Bool {
        guard let step = BlueGreenMachine.Phase(rawValue: journal.step) else { return false }
        switch step {
        case .finalize, .done: return true
        case .switchTraffic: return journal.bakeSeconds == 0
        case .preflight, .protect, .clear, .deploy, .scale, .healthGate, .bake, .rollback, .shift, .stepBake, .approval, .abort: return false
        }
    }

    /// A rolling deploy is closed once its instance refresh has ended (one still running is refused: follow it or
    /// cancel it first); if none was started, the version parameters are put back. SSM is reconciled either way.
    static func planRolling(
        _ journal: DeploymentJournal, snapshot: EnvironmentSnapshot, now: Date, by: String, refresh: InstanceRefreshStatus?
    ) throws -> Plan {
        let env = snapshot.environment
        if let refresh, !refresh.isFinished {
            throw Refusal("The instance refresh \(refresh.id) of the rolling deploy \(journal.id) is still \(refresh.status)\(refresh.percentComplete.map { " (\($0)%)" } ?? ""). Nothing changed; follow it with '\(env.command("environment refresh --resume"))', or cancel it in the console, then recover.")
        }
        var mutations: [Mutation] = []
        if let serving = snapshot.status.albColor { mutations = try TrafficSwitch(snapshot: snapshot).plan(to: serving, force: true, settleCapacity: false) }
        let summary: String
        if let refresh {
            summary = "the instance refresh \(refresh.id) of \(journal.from.rawValue) ended \(refresh.status); the rolling deploy \(journal.id) is closed"
        } else {
            mutations = restoring(mutations, restoredValues(journal, snapshot))
            summary = "the rolling deploy \(journal.id) never started an instance refresh; the version parameters are back as they were"
        }
        return Plan(summary: summary, mutations: mutations, journal: recovered(journal, by: by, now: now, summary: summary))
    }

    /// Puts back the version parameters the deploy overwrote, where they differ now.
    static func restoredValues(_ journal: DeploymentJournal, _ snapshot: EnvironmentSnapshot) -> [Mutation] {
        journal.originalValues.sorted { $0.key < $1.key }.filter { snapshot.values[$0.key] != $0.value }
            .map { .putParameter(name: $0.key, value: $0.value) }
    }

    /// `plan` then `restored`, a value written by both written once, as restored.
    static func restoring(_ plan: [Mutation], _ restored: [Mutation]) -> [Mutation] {
        let names = Set(restored.compactMap(\.parameterName))
        return plan.filter { $0.parameterName.map { !names.contains($0) } ?? true } + restored
    }

    /// The journal as `recover` leaves it.
    static func recovered(_ journal: DeploymentJournal, by: String, now: Date, summary: String) -> DeploymentJournal {
        var recovered = journal
        recovered.status = .recovered
        recovered.note = "recovered by \(by) at \(journal.step): \(summary)"
        recovered.updatedAt = DeploymentJournal.timestamp(now)
        return recovered
    }

    public let environment: EnvironmentConfiguration
    public let ports: CloudPorts

    public init(environment: EnvironmentConfiguration, ports: CloudPorts) {
        self.environment = environment
        self.ports = ports
    }

    /// The instance refresh of an unfinished rolling deploy: the journalled one, or one started before its id could
    /// be journalled; `nil` when none was started (or the deploy is not rolling).
    public func rollingRefresh(_ snapshot: EnvironmentSnapshot) async throws -> InstanceRefreshStatus? {
        guard let journal = snapshot.status.deployment, journal.isUnfinished, DeployStrategy(journal: journal) == .rolling,
            let group = journal.originalGroup(journal.from)?.name
        else { return nil }
        if let id = journal.refreshId { return try await ports.refresher.refreshStatus(group: group, id: id) }
        return try await ports.refresher.activeRefresh(group: group)
    }

    /// Whether the command being recovered from may have moved a route: an unfinished deploy by its strategy; without
    /// one, a switch or rollback (which journals nothing) may have.
    static func mayHaveMovedRoutes(_ snapshot: EnvironmentSnapshot) -> Bool {
        guard let journal = snapshot.status.deployment, journal.isUnfinished else { return true }
        return DeployStrategy(journal: journal)?.implementation.mayHaveMovedRoutes(journal) ?? true
    }

    /// Reads, plans and performs the recovery; the journal is written last, when everything else succeeded.
    public func run(by: String) async throws -> (plan: Plan, report: StepReport) {
        let snapshot = try await ports.statusReader(for: environment).snapshot()
        let plan = try Self.plan(snapshot, now: ports.clock.now(), by: by, rollingRefresh: try await rollingRefresh(snapshot))
        // The command that stopped may have moved a route just before: capacity behind either colour waits.
        if Self.mayHaveMovedRoutes(snapshot) { ports.propagation.routesMayHaveMoved(environment, at: ports.clock.now()) }
        let runner = SwitchRunner(environment: environment, ports: ports)
        var report = try await runner.run(plan.mutations)
        if let journal = plan.journal {
            let started = ports.clock.now()
            try await ports.documents.overwrite(name: environment.parameters.deployment, value: journal.json())
            report.add("journal", seconds: ports.clock.now().timeIntervalSince(started), "\(journal.id) marked recovered")
        }
        if let continuation = plan.continuation {
            try await ports.documents.overwrite(name: environment.parameters.deployment, value: continuation.json())
            let identity = LockIdentity(holder: by, command: environment.command("environment recover"), pid: 0)
            do {
                report.steps += try await Deploy.run(.resume(continuation), environment: environment, ports: ports, identity: identity).steps
            } catch let back as DeployFailure where back.kind == .rolledBack {
                // Going back is what the recovery set out to do.
                report.steps += back.report.steps
            }
        }
        if plan.removesUnreadableJournal {
            let started = ports.clock.now()
            try await ports.documents.delete(name: environment.parameters.deployment)
            report.add("journal", seconds: ports.clock.now().timeIntervalSince(started), "the unreadable \(environment.parameters.deployment) removed")
        }
        return (plan, report)
    }
}
