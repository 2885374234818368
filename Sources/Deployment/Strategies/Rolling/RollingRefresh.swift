import Foundation

/// The fallback strategy: an Auto Scaling instance refresh of the live colour (old and new instances serve side by
/// side while it runs, which is what blue-green avoids).
///
/// Steps, each journalled in `{prefix}deployment` before its changes: `preflight` (the live colour from the load
/// balancer, the build; refused while a deploy is unfinished), `deploy` (the live colour's `{color}/version`, which
/// replacement instances read at boot), `start` (StartInstanceRefresh with the minimum healthy percentage; if it
/// cannot start, the previous version values are put back), `wait` (the refresh's id journalled; polls at most 5 s
/// apart, backing off after failed reads, until the refresh ends or an hour passes). A stop request or the hour
/// ends the following, not the refresh: the journal stays unfinished, `--resume` follows it again and `recover`
/// closes it once it has ended.
public struct RollingRefresh: Sendable {
    /// The steps it journals: `deploy` (the build written), `start` (the instance refresh), `wait` (followed).
    public static let steps = ["deploy", "start", "wait"]

    public struct Options: Sendable, Equatable {
        public var version: String?
        public var minHealthyPercentage: Int
        public init(version: String? = nil, minHealthyPercentage: Int = 75) {
            self.version = version
            self.minHealthyPercentage = minHealthyPercentage
        }
    }

    public let environment: EnvironmentConfiguration
    public let ports: CloudPorts
    public let identity: LockIdentity
    public let interruption: Interruption
    /// The longest a refresh is followed.
    public var limitSeconds: Double = 3600

    public init(
        environment: EnvironmentConfiguration, ports: CloudPorts, identity: LockIdentity = .unknown,
        interruption: Interruption = Interruption()
    ) {
        self.environment = environment
        self.ports = ports
        self.identity = identity
        self.interruption = interruption
    }

    var clock: any WallClock { ports.clock }

    /// What a fresh rolling deploy would do, or why it is refused (nothing changed): the live colour, its group, the
    /// build.
    public static func preflight(_ snapshot: EnvironmentSnapshot, options: Options) throws -> (live: Color, group: ScalingGroupSnapshot, version: String) {
        let env = snapshot.environment
        if let journal = snapshot.status.deployment, journal.isUnfinished { throw journal.refusal(in: env) }
        if let shown = snapshot.status.unreadableJournal { throw DeploymentJournal.unreadableRefusal(shown, in: env) }
        guard let live = snapshot.status.albColor else {
            throw Refusal("The load balancer does not send all of \(env.name)'s traffic to one colour (\(snapshot.status.driftReasons.joined(separator: "; "))). Nothing changed.")
        }
        guard let group = snapshot.groups[env.autoScalingGroupNames[live]!] else {
            throw DeploymentError.missingAutoScalingGroup(env.autoScalingGroupNames[live]!)
        }
        return (live, group, try BuildName.toDeploy(options.version, snapshot: snapshot))
    }

    /// A fresh rolling deploy.
    public func run(options: Options, progress: @Sendable (InstanceRefreshStatus) -> Void = { _ in }) async throws -> StepReport {
        let env = environment
        var report = StepReport()
        let started = clock.now()
        let snapshot = try await ports.statusReader(for: env).snapshot()
        let (live, group, version) = try Self.preflight(snapshot, options: options)
        let now = clock.now()
        let journal = DeploymentJournal(
            id: DeploymentJournal.makeId(now, pid: identity.pid), strategy: "rolling", from: live, to: live, version: version,
            capacity: group.desiredCapacity, step: "deploy", status: .inProgress,
            original: [live.rawValue: .init(group)],
            originalValues: DeploymentJournal.versionValues(deployingTo: live, setsVersion: options.version != nil, in: snapshot), targetGroupArn: snapshot.targetGroups[env.targetGroupNames[live]!]?.arn ?? "",
            keepFailed: false, bakeSeconds: 0, setsVersion: options.version != nil, startedAt: DeploymentJournal.timestamp(now),
            updatedAt: DeploymentJournal.timestamp(now), by: identity.holder, command: identity.command,
            minHealthyPercentage: options.minHealthyPercentage)
        report.add("preflight", seconds: clock.now().timeIntervalSince(started), "roll \(group.name) (\(live.rawValue), \(group.desiredCapacity) instance(s)) to \(version), at least \(options.minHealthyPercentage)% healthy; journal \(journal.id)")
        return try await proceed(journal, from: "deploy", report: report, progress: progress)
    }

    /// Continues the unfinished rolling deploy in the journal: from `deploy` or `start` it starts the refresh (or
    /// adopts the one already running), from `wait` it follows the recorded refresh.
    public func resume(progress: @Sendable (InstanceRefreshStatus) -> Void = { _ in }) async throws -> StepReport {
        let started = clock.now()
        let snapshot = try await ports.statusReader(for: environment).snapshot()
        guard var journal = snapshot.status.deployment, journal.isUnfinished, journal.strategy == "rolling" else {
            throw Refusal("No unfinished rolling deployment to resume in \(environment.parameters.deployment). Nothing changed.")
        }
        journal.note = "resumed by \(identity.holder) at \(journal.step)"
        var report = StepReport()
        report.add("preflight", seconds: clock.now().timeIntervalSince(started), "resume \(journal.id): \(journal.version) on \(journal.from.rawValue) at \(journal.step)")
        return try await proceed(journal, from: journal.step, report: report, progress: progress)
    }

    func record(_ journal: DeploymentJournal) async throws {
        try await ports.documents.overwrite(name: environment.parameters.deployment, value: journal.json())
    }

    func proceed(
        _ recorded: DeploymentJournal, from step: String, report recordedReport: StepReport,
        progress: @Sendable (InstanceRefreshStatus) -> Void
    ) async throws -> StepReport {
        let env = environment
        var journal = recorded
        var report = recordedReport
        guard let group = journal.originalGroup(journal.from)?.name else {
            throw Refusal("The journal \(journal.id) does not name the group. Nothing changed; run 'environment recover'.")
        }
        func journalled(_ next: String) async throws {
            journal.step = next
            journal.updatedAt = DeploymentJournal.timestamp(clock.now())
            try await record(journal)
        }
        /// Writes the outcome; what to tell the operator when it could not be written (never silent).
        func conclude(_ status: DeploymentJournal.Status, _ note: String?) async -> String? {
            journal.status = status
            journal.note = note
            journal.updatedAt = DeploymentJournal.timestamp(clock.now())
            do {
                try await record(journal)
                return nil
            } catch {
                return "The journal \(env.parameters.deployment) could not be written (\(error)): it still reads step '\(journal.step)', so status shows the deploy unfinished and new deploys refuse until 'ce --env \(env.name) environment recover' closes it."
            }
        }

        if step == "deploy" {
            let started = clock.now()
            try await journalled("deploy")
            let versionName = env.parameters.version(of: journal.from)
            try await ports.applier.apply(.putParameter(name: versionName, value: journal.version))
            if journal.setsVersion { try await ports.applier.apply(.putParameter(name: env.parameters.version, value: journal.version)) }
            report.add("deploy", seconds: clock.now().timeIntervalSince(started), "\(versionName) = \(journal.version)")
        }
        if step == "deploy" || step == "start" {
            let started = clock.now()
            try await journalled("start")
            let id: String
            do {
                // Resuming: a refresh started by a process that died before journalling its id is adopted, not
                // started twice. (A fresh deploy never adopts a refresh someone else started: it fails to start.)
                if step == "start", let running = try await ports.refresher.activeRefresh(group: group) {
                    id = running.id
                } else {
                    id = try await ports.refresher.startRefresh(
                        group: group, minHealthyPercentage: journal.minHealthyPercentage ?? 75, instanceWarmupSeconds: 60)
                }
            } catch {
                var state = "No instance was replaced."
                for (name, value) in journal.originalValues.sorted(by: { $0.key < $1.key }) {
                    do {
                        try await ports.applier.apply(.putParameter(name: name, value: value))
                        state += " \(name) is back to \(value)."
                    } catch {
                        state += " \(name) could not be put back to \(value): set it by hand."
                    }
                }
                if let unrecorded = await conclude(.failed, "start: \(error)") { state += " " + unrecorded }
                throw BlueGreenRefresh.Failure(step: "start", cause: String(describing: error), state: state, report: report)
            }
            journal.refreshId = id
            report.add("start", seconds: clock.now().timeIntervalSince(started), "instance refresh \(id)")
        }
        guard let id = journal.refreshId else {
            throw Refusal("The journal \(journal.id) is at '\(journal.step)' without an instance refresh id. Nothing changed; run 'environment recover'.")
        }
        if journal.step != "wait" { try await journalled("wait") }

        let started = clock.now()
        let poll = Double(max(1, min(env.health.pollSeconds, 5)))
        var wait = poll
        let follow = "'ce --env \(env.name) environment refresh --resume' follows it again; 'environment recover' closes the deploy once it has ended."
        while true {
            if let status = try? await ports.refresher.refreshStatus(group: group, id: id) {
                progress(status)
                wait = poll
                if status.isFinished {
                    let detail = "\(status.status)\(status.reason.map { ": \($0)" } ?? "")"
                    guard status.status == "Successful" else {
                        let unrecorded = await conclude(.failed, "wait: the instance refresh ended \(detail)")
                        throw BlueGreenRefresh.Failure(
                            step: "wait", cause: "the instance refresh ended \(detail)",
                            state: "Auto Scaling stopped replacing instances; \(group) may run both builds. Check 'ce --env \(env.name) environment status'." + (unrecorded.map { " " + $0 } ?? ""),
                            report: report)
                    }
                    report.add("wait", seconds: clock.now().timeIntervalSince(started), detail)
                    if let unrecorded = await conclude(.done, nil) {
                        throw BlueGreenRefresh.Failure(
                            step: "journal", cause: "the rolling deploy is done but its outcome could not be recorded",
                            state: "Every instance of \(group) was replaced. " + unrecorded, report: report)
                    }
                    return report
                }
            } else {
                wait = min(wait * 2, 30)
            }
            if clock.now().timeIntervalSince(started) >= limitSeconds {
                throw BlueGreenRefresh.Failure(
                    step: "wait", cause: "still running after \(Int(limitSeconds)) s",
                    state: "The instance refresh \(id) goes on in AWS; \(follow)", report: report)
            }
            if try await !interruption.sleep(on: clock, for: .milliseconds(Int64(wait * 1000))) {
                throw BlueGreenRefresh.Failure(
                    step: "wait", cause: "interrupted by \(interruption.reason ?? "a stop request")",
                    state: "The instance refresh \(id) goes on in AWS; \(follow)", report: report, kind: .interrupted)
            }
        }
    }
}
