import Foundation

/// Before `cleanup` scales a colour down: proof that nothing sends it traffic — "the old colour gets no traffic"
/// proven, not assumed. No route of the load balancer but the environment's own preview rule forwards to its target
/// group, and CloudWatch counted no request to it over the last minutes it can show (its metrics come in 60 s periods
/// seen up to `alarmDelay` late), the first of them after the last traffic move had reached every node.
public struct CleanupProof: Sendable {
    public var snapshot: EnvironmentSnapshot
    public var idle: Color
    public var now: Date
    /// When the environment's traffic last moved (the journal's last write), when known.
    public var lastMove: Date?
    /// How far back the requests are counted.
    public static let lookbackSeconds = 600.0
    public static let periodSeconds = 60

    public init(snapshot: EnvironmentSnapshot, idle: Color, now: Date, lastMove: Date?) {
        self.snapshot = snapshot
        self.idle = idle
        self.now = now
        self.lastMove = lastMove
    }

    /// The proof for `snapshot`'s idle colour (the one the load balancer does not serve), the last move read from
    /// the journal; `nil` when no single colour serves (cleanup refuses that itself).
    public init?(snapshot: EnvironmentSnapshot, now: Date) {
        guard let serving = snapshot.status.albColor else { return nil }
        self.init(snapshot: snapshot, idle: serving.other, now: now, lastMove: snapshot.status.deployment.flatMap { DeployLock.parse($0.updatedAt) })
    }

    var environment: EnvironmentConfiguration { snapshot.environment }
    var targetGroupName: String { environment.targetGroupNames[idle] }

    /// What a forced cleanup skips, said in the plan.
    public var skipped: String { "--force: scaling \(idle.rawValue) down without proof that it serves nothing" }

    /// The routes that still send the idle colour traffic: any listener or rule forwarding to its target group, but
    /// the environment's own preview rules.
    public func routesStillForwarding() -> [Route] {
        guard let arn = snapshot.targetGroups[targetGroupName]?.arn else { return [] }
        let previews = Set(snapshot.classified.previews.map(\.route.arn))
        return snapshot.loadBalancer.routes.filter { ($0.weights[arn] ?? 0) > 0 && !previews.contains($0.arn) }
    }

    /// The proof in a line, or a `Refusal` saying what still sends the colour traffic (or why it is too soon to tell).
    public func check(metrics: any TrafficMetrics) async throws -> String {
        let name = targetGroupName
        let retry = environment.command("environment cleanup")
        let stillForwarding = routesStillForwarding()
        if !stillForwarding.isEmpty {
            throw Refusal(
                "cleanup: \(stillForwarding.map(\.label).joined(separator: ", ")) still forward\(stillForwarding.count == 1 ? "s" : "") to \(name), \(idle.rawValue)'s target group: scaling it down would break that traffic. Nothing changed; change or remove that rule first.")
        }
        guard let arn = snapshot.targetGroups[name]?.arn else { return "\(name) does not exist: nothing can send it traffic" }
        let lag = Double(environment.alarmDelaySeconds)
        let settle = Double(environment.propagationSeconds)
        let period = Double(Self.periodSeconds)
        if let lastMove, now.timeIntervalSince(lastMove) < lag + settle {
            // The proof needs a whole period after the move to be in CloudWatch: the first such period ends, and is
            // seen `lag` later.
            let firstWhole = ((lastMove.timeIntervalSince1970 + settle) / period).rounded(.up) * period
            let ready = Date(timeIntervalSince1970: firstWhole + period + lag)
            throw Refusal(
                "cleanup: traffic last moved at \(DeploymentJournal.timestamp(lastMove)); CloudWatch shows a target group's requests up to \(Int(lag)) s late, so it cannot yet prove \(idle.rawValue) gets none. Nothing changed; \(environment.retry("environment cleanup", at: ready, now: now)).")
        }
        var from = now.addingTimeInterval(-Self.lookbackSeconds)
        if let lastMove { from = max(from, lastMove.addingTimeInterval(settle)) }
        let to = now.addingTimeInterval(-lag)
        let counts: [RequestCount]
        do {
            counts = try await metrics.requestCounts(
                loadBalancerArn: snapshot.loadBalancer.loadBalancerArn, targetGroupArn: arn, from: from, to: now, periodSeconds: Self.periodSeconds)
        } catch {
            throw Refusal(
                "cleanup: could not read \(name)'s request count from CloudWatch (\(error)), so nothing proves \(idle.rawValue) gets no traffic. Nothing changed; run '\(retry)' again, or '\(environment.command("environment cleanup --force"))' to scale it down without the proof.")
        }
        // Whole periods after the move only (a period that began before it holds the traffic of before).
        let first = Date(timeIntervalSince1970: (from.timeIntervalSince1970 / period).rounded(.up) * period)
        let seen = counts.filter { $0.start >= first && $0.count > 0 }
        if let latest = seen.map(\.start).max() {
            let total = Int(seen.reduce(0) { $0 + $1.count })
            throw Refusal(
                "cleanup: \(total) request(s) reached \(name) since \(DeploymentJournal.timestamp(first)) (the latest in the minute from \(DeploymentJournal.timestamp(latest))): something still sends \(idle.rawValue) traffic — a rule of another service, a cache, a client holding a connection. Nothing changed; find it (the load balancer's access logs name the requests), or '\(environment.command("environment cleanup --force"))' to scale it down anyway.")
        }
        let minutes = max(0, Int((to.timeIntervalSince(first) / period).rounded(.down)))
        // No whole period seen since the move proves nothing yet.
        guard minutes > 0 else {
            let ready = first.addingTimeInterval(period + lag)
            throw Refusal(
                "cleanup: no whole minute since traffic last moved (\(DeploymentJournal.timestamp(first))) is in CloudWatch yet, so nothing proves \(idle.rawValue) gets no traffic. Nothing changed; \(environment.retry("environment cleanup", at: ready, now: now)).")
        }
        return "\(name): no route but its preview forwards to it, and CloudWatch counted 0 requests to it since \(DeploymentJournal.timestamp(first)) (\(minutes) complete minute(s))"
    }
}
