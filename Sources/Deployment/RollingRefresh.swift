import Foundation

/// The fallback strategy: an Auto Scaling instance refresh of the live colour (old and new instances serve side by
/// side while it runs, which is what blue-green avoids).
///
/// Steps: `preflight` (the live colour from the load balancer, the build), `deploy` (the live colour's
/// `{color}/version`, which replacement instances read at boot), `start` (StartInstanceRefresh with the minimum
/// healthy percentage; if it cannot start, the previous version value is put back), `wait` (polls at most 5 s
/// apart, backing off after failed reads, until the refresh ends or an hour passes).
public struct RollingRefresh: Sendable {
    public struct Options: Sendable, Equatable {
        public var version: String?
        public var minHealthyPercentage: Int
        public init(version: String? = nil, minHealthyPercentage: Int = 75) {
            self.version = version
            self.minHealthyPercentage = minHealthyPercentage
        }
    }

    public let environment: EnvironmentConfiguration
    public let reader: EnvironmentStatusReader
    public let applier: any MutationApplier
    public let refresher: any InstanceRefresher
    public let clock: any DeploymentClock
    /// The longest a refresh is followed.
    public var limitSeconds: Double = 3600

    public init(
        environment: EnvironmentConfiguration, reader: EnvironmentStatusReader, applier: any MutationApplier,
        refresher: any InstanceRefresher, clock: any DeploymentClock
    ) {
        self.environment = environment
        self.reader = reader
        self.applier = applier
        self.refresher = refresher
        self.clock = clock
    }

    /// - Parameter interruption: a stop request ends the following (the instance refresh goes on in AWS).
    public func run(
        options: Options, interruption: Interruption = Interruption(), progress: @Sendable (InstanceRefreshStatus) -> Void = { _ in }
    ) async throws -> StepReport {
        let env = environment
        var report = StepReport()
        var started = clock.now()
        let snapshot = try await reader.snapshot()
        if let journal = snapshot.status.deployment, journal.isUnfinished {
            throw Refusal("An unfinished deployment is recorded in \(env.parameters.deployment): \(journal.id) stopped at '\(journal.step)'. Nothing changed; run 'ce --env \(env.name) environment recover' first.")
        }
        guard let live = snapshot.status.albColor else {
            throw Refusal("The load balancer does not send all of \(env.name)'s traffic to one colour (\(snapshot.status.driftReasons.joined(separator: "; "))). Nothing changed.")
        }
        guard let group = snapshot.groups[env.autoScalingGroupNames[live]!] else {
            throw DeploymentError.missingAutoScalingGroup(env.autoScalingGroupNames[live]!)
        }
        guard let version = options.version ?? snapshot.values[env.parameters.version] else {
            throw Refusal("No build to deploy: \(env.parameters.version) is not set. Run 'ce --env \(env.name) builds set_current VERSION' or pass --version.")
        }
        let versionName = env.parameters.version(of: live)
        // What to put back if the refresh cannot start.
        var previous: [(name: String, value: String)] = []
        if let value = snapshot.values[versionName] { previous.append((versionName, value)) }
        if options.version != nil, let value = snapshot.values[env.parameters.version] { previous.append((env.parameters.version, value)) }
        report.add("preflight", seconds: clock.now().timeIntervalSince(started), "roll \(group.name) (\(live.rawValue), \(group.desiredCapacity) instance(s)) to \(version), at least \(options.minHealthyPercentage)% healthy")

        started = clock.now()
        try await applier.apply(.putParameter(name: versionName, value: version))
        if options.version != nil { try await applier.apply(.putParameter(name: env.parameters.version, value: version)) }
        report.add("deploy", seconds: clock.now().timeIntervalSince(started), "\(versionName) = \(version)")

        started = clock.now()
        let id: String
        do {
            id = try await refresher.startRefresh(group: group.name, minHealthyPercentage: options.minHealthyPercentage, instanceWarmupSeconds: 60)
        } catch {
            var state = "No instance was replaced."
            for (name, value) in previous {
                do {
                    try await applier.apply(.putParameter(name: name, value: value))
                    state += " \(name) is back to \(value)."
                } catch {
                    state += " \(name) could not be put back to \(value): set it by hand."
                }
            }
            throw BlueGreenRefresh.Failure(step: "start", cause: String(describing: error), state: state, report: report)
        }
        report.add("start", seconds: clock.now().timeIntervalSince(started), "instance refresh \(id)")

        started = clock.now()
        let poll = Double(max(1, min(env.health.pollSeconds, 5)))
        var wait = poll
        while true {
            if let status = try? await refresher.refreshStatus(group: group.name, id: id) {
                progress(status)
                wait = poll
                if status.isFinished {
                    let detail = "\(status.status)\(status.reason.map { ": \($0)" } ?? "")"
                    guard status.status == "Successful" else {
                        throw BlueGreenRefresh.Failure(
                            step: "wait", cause: "the instance refresh ended \(detail)",
                            state: "Auto Scaling stopped replacing instances; \(group.name) may run both builds. Check 'ce --env \(env.name) environment status'.",
                            report: report)
                    }
                    report.add("wait", seconds: clock.now().timeIntervalSince(started), detail)
                    return report
                }
            } else {
                wait = min(wait * 2, 30)
            }
            if clock.now().timeIntervalSince(started) >= limitSeconds {
                throw BlueGreenRefresh.Failure(
                    step: "wait", cause: "still running after \(Int(limitSeconds)) s",
                    state: "The instance refresh \(id) goes on in AWS; follow it in the console or cancel it.", report: report)
            }
            if try await !interruption.sleep(on: clock, for: .milliseconds(Int64(wait * 1000))) {
                throw BlueGreenRefresh.Failure(
                    step: "wait", cause: "interrupted by \(interruption.reason ?? "a stop request")",
                    state: "The instance refresh \(id) goes on in AWS; follow it with 'environment status' or cancel it in the console.",
                    report: report, kind: .interrupted)
            }
        }
    }
}
