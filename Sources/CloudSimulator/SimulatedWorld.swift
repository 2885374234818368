import Deployment
import Foundation

/// Everything a simulated AWS account holds, as plain values: one load balancer with listeners and rules (weighted
/// forwarding, priorities), target groups with health checks and deregistration delay, Auto Scaling groups and
/// their instances, SSM parameters with versions, CloudWatch alarms, the applications' behaviour per version,
/// traffic, faults and the invariants being watched. `Codable`, so the sandbox keeps it between commands.
///
/// Time moves only through `advance(to:)`, in one-second ticks processed in a fixed order, so the same seed and the
/// same calls give the same event log.
public struct SimulatedWorld: Codable, Sendable {
    public struct Instance: Codable, Sendable, Equatable {
        public var id: String
        public var group: String
        public var launchedAt: Date
        public var bootSeconds: Double
        /// The build it read at boot (`{prefix}{color}/version`).
        public var version: String?
        public var inService = false
        /// Set when the instance is leaving (scale-in, replacement): it finishes in-flight requests while draining.
        public var terminatingAt: Date?
        /// It booted from an environment's shared build object while that named another build than its colour's
        /// record: the stated consequence of one object for both colours, which invariant 5 does not count.
        public var offRecord: Bool?

        var bootedAt: Date { launchedAt.addingTimeInterval(bootSeconds) }
    }

    public struct Group: Codable, Sendable, Equatable {
        public var name: String
        public var minSize: Int
        public var desiredCapacity: Int
        public var maxSize: Int
        public var targetGroupArns: [String]
        public var tags: [String: String]
        /// The SSM parameter an instance reads its version from at boot.
        public var versionParameter: String?
        /// Instances whose load balancer health check fails after this grace period are replaced.
        public var healthCheckGraceSeconds: Double
        /// Instances in launch order.
        public var instanceIds: [String] = []
        /// Instances an instance refresh launches above the desired size before it terminates the ones they replace
        /// (its `MaxHealthyPercentage` above 100). Optional so that an older saved world loads.
        public var surge: Int?
    }

    public struct Target: Codable, Sendable, Equatable {
        public var state: String
        var passes = 0
        var failures = 0
        var drainingUntil: Date?
        /// Slow start: when the target turned healthy, and until when it gets less than its full share.
        var slowStart: ClosedRange<Date>?
    }

    public struct TargetGroup: Codable, Sendable, Equatable {
        public var name: String
        public var arn: String
        public var path: String
        public var intervalSeconds: Double
        public var healthyThreshold: Int
        public var unhealthyThreshold: Int
        public var deregistrationDelaySeconds: Double
        /// Slow start (seconds, off when `nil` or 0): a target that turns healthy while the group has another healthy
        /// one gets a share of the requests growing linearly to its full share over this time.
        public var slowStartSeconds: Double?
        public var targets: [String: Target] = [:]
        var lastCheck: Date
    }

    public struct Parameter: Codable, Sendable, Equatable {
        public var value: String
        public var version: Int
        /// Earlier values, oldest first (the last 50), with when they were written (`builds list`). Optional so that
        /// an older saved world loads.
        public var history: [Written]?

        public struct Written: Codable, Sendable, Equatable {
            public var value: String
            public var version: Int
            public var at: Date
        }
    }

    /// Writes parameter `name`, keeping what it held.
    mutating func put(parameter name: String, value: String) {
        let old = parameters[name]
        var history = old?.history ?? []
        if let old, history.last?.version != old.version { history.append(.init(value: old.value, version: old.version, at: now)) }
        let version = (old?.version ?? 0) + 1
        parameters[name] = Parameter(value: value, version: version, history: Array((history + [.init(value: value, version: version, at: now)]).suffix(50)))
    }

    /// A CloudWatch alarm on a target group's 5xx answers, or forced to a state.
    public struct Alarm: Codable, Sendable, Equatable {
        public var name: String
        public var targetGroupArn: String?
        /// 5xx answers within `periodSeconds` that put it in ALARM.
        public var threshold: Int
        public var periodSeconds: Double
        public var forced: String?
        public var state = "OK"
    }

    /// What the invariants and the traffic need to know of an environment.
    public struct EnvironmentRecord: Codable, Sendable, Equatable {
        public var name: String
        /// How the load balancer routes it (the configuration's), for telling its serving routes.
        public var routing: Routing
        public var targetGroupArns: [String: String]
        public var groups: [String: String]
        public var ssmPrefix: String
        /// Where each colour's build is named (an SSM parameter, or an `s3://` object); optional so that an older
        /// saved world loads (then `{prefix}{color}/version`).
        public var buildNames: [String: String]?
        /// The one object both colours' instances boot from (`builds:` one object per environment), or `nil`.
        public var bootObject: String?
        public var floor: Int
        /// The group max the layout gave each colour (a deploy must leave the live colour there).
        public var maxSizes: [String: Int]
        /// Requests per second sent to this environment.
        public var requestsPerSecond: Double
        /// A canary may split traffic between the colours.
        public var canaryAllowed = false

        /// A request path that reaches this environment.
        var requestPath: String {
            guard let pattern = routing.pathPattern else { return "/" }
            return String(pattern.prefix { $0 != "*" && $0 != "?" }) + "/index.html"
        }

        /// The host name its requests carry.
        var requestHost: String {
            routing.host.map { String($0.map { $0 == "*" || $0 == "?" ? "x" : $0 }) } ?? SimulatedWorld.publicHost
        }

        func color(ofArn arn: String) -> String? { targetGroupArns.first { $0.value == arn }?.key }

        /// The name of `color`'s build.
        func buildName(_ color: String) -> String { buildNames?[color] ?? ssmPrefix + "\(color)/version" }

        /// The one target group both colours share (instance switching), or `nil`.
        var sharedTargetGroupArn: String? {
            let arns = Set(targetGroupArns.values)
            return arns.count == 1 && targetGroupArns.count == 2 ? arns.first : nil
        }
    }

    /// One request through the load balancer.
    public struct Request: Codable, Sendable, Equatable {
        public var time: Date
        /// The user who sent it, when the route it took is sticky (users matter only there).
        public var user: Int?
        public var environment: String
        public var color: String?
        public var version: String?
        public var status: Int
    }

    /// An instance to lose (a spot interruption) at a time.
    public struct Loss: Codable, Sendable, Equatable {
        public var group: String
        public var at: Date
    }

    /// An instance refresh: replaces the group's instances in batches of (100 - minHealthy)% of the group, each old
    /// instance terminated with its replacement launched — or, with a `maxHealthyPercentage` above 100, in batches of
    /// (maxHealthy - 100)% launched first, the ones they replace terminated once they are ready.
    struct Refresh: Codable, Sendable, Equatable {
        var id: String
        var group: String
        var minHealthyPercentage: Int
        var status = "InProgress"
        var reason: String?
        var total: Int
        var replaced: Set<String> = []
        var batch: [String] = []
        var batchStarted: Date?
        /// Seconds a new instance warms up once in service before the refresh counts it (`nil`: a world saved before).
        var warmupSeconds: Double?
        /// `nil`: a world saved before, or 100 — terminate then launch.
        var maxHealthyPercentage: Int?
    }

    /// The host name of the simulated public traffic.
    static let publicHost = "compiler-explorer.com"

    public var start: Date
    public var now: Date
    var nextTick: Date
    public var random: SeededRandom
    public var loadBalancerName: String
    public var loadBalancerArn: String
    public var routes: [Route] = []
    public var targetGroups: [String: TargetGroup] = [:]
    public var groups: [String: Group] = [:]
    public var instances: [String: Instance] = [:]
    public var parameters: [String: Parameter] = [:]
    public var behaviours: [String: AppBehaviour] = [:]
    public var bootSeconds: ClosedRange<Double> = 60...60
    public var alarms: [String: Alarm] = [:]
    public var environments: [EnvironmentRecord] = []
    public var faults = Faults()
    /// How closely the world follows AWS's delays and limits (`Calibration.instant` when `nil`: a world saved before
    /// calibration existed still loads).
    public var calibration: Calibration?
    /// Listener and rule changes still on their way to some of the load balancer's nodes.
    var propagating: [PropagatingChange]?
    /// Each node's routes while a change propagates (`nil`: every node has `routes`).
    var nodeRoutes: [[Route]]?
    /// The ELBv2 `Describe*` token bucket: tokens left, as of when.
    var describeTokens: Double?
    var describeTokensAt: Date?
    /// Set when the tool "crashed" (see `Faults.crashAtStep`): every call fails until `restartTool`.
    public var crashed = false
    /// The bound of the tool's command in progress (the soak's): see `ToolBound`. Optional, as every later field, so
    /// that a world saved before it existed still loads.
    public var toolBound: ToolBound?
    var nextInstance = 1
    var refreshes: [String: Refresh] = [:]
    var nextRefresh = 1
    var losses: [Loss] = []
    var trafficCredit: [String: Double] = [:]
    /// Target-group stickiness: by "environment|user", the target group a user was sent to and until when (the
    /// load balancer's cookie). Optional so that a world saved before it existed still loads.
    var stickyChoices: [String: StickyChoice]?
    var recentErrors: [String: [Date]] = [:]
    /// Requests per target group ARN and minute (since 1970), as CloudWatch's `RequestCount` counts them.
    var requestsPerMinute: [String: [Int: Int]]?
    /// The metrics the tool published (`PutMetricData`), oldest first. Optional so that an older saved world loads.
    public var publishedMetrics: [PublishedMetric]?

    /// Every API call the tool made, by name (attempts that failed included).
    public var calls: [String] = []
    /// What happened, with the time since the start: launches, health changes, route changes, requests failing…
    public var events: [String] = []
    /// Every request sent through the load balancer.
    public var requests: [Request] = []
    /// Whether to keep every request (tests) or only the counts (long sandbox runs).
    public var keepRequests = true
    public var trafficCounts: [String: Int] = [:]
    public var invariants = InvariantState()
    /// When set, one environment sampled every second (`StrategyComparison`).
    public var timeline: Timeline?

    public init(seed: UInt64, start: Date, loadBalancerName: String) {
        self.start = start
        self.now = start
        self.nextTick = start.addingTimeInterval(1)
        self.random = SeededRandom(seed: seed)
        self.loadBalancerName = loadBalancerName
        self.loadBalancerArn = "arn:sim:loadbalancer/\(loadBalancerName)"
    }

    // MARK: - Events

    mutating func log(_ text: String) {
        events.append(String(format: "%8.1f ", now.timeIntervalSince(start)) + text)
    }

    // MARK: - Time

    /// Brings the world to `target`, one tick per second of virtual time.
    public mutating func advance(to target: Date) {
        while nextTick <= target {
            now = nextTick
            tick()
            nextTick = nextTick.addingTimeInterval(1)
        }
        if target > now { now = target }
    }

    /// One second of the world, in a fixed order.
    mutating func tick() {
        applyLosses()
        reconcileGroups()
        bootInstances()
        finishDraining()
        propagateRouteChanges()
        runHealthChecks()
        replaceUnhealthyInstances()
        advanceRefreshes()
        // Routes change only by the tool's calls, between ticks: each environment's serving routes once per tick.
        let serving = environments.map { routes(of: $0) }
        sendTraffic(serving: serving)
        if timeline != nil { sampleTimeline(serving: serving) }
        evaluateAlarms()
        checkRoutes(serving: serving)
    }

    // MARK: - Instances and groups

    mutating func launch(into groupName: String) {
        guard var group = groups[groupName] else { return }
        let id = String(format: "i-%017x", nextInstance)
        nextInstance += 1
        let boot = bootSeconds.lowerBound == bootSeconds.upperBound ? bootSeconds.lowerBound : random.uniform(bootSeconds)
        let version = group.versionParameter.flatMap { parameters[$0]?.value }
        var instance = Instance(id: id, group: groupName, launchedAt: now, bootSeconds: boot, version: version)
        if let env = environments.first(where: { $0.bootObject != nil && $0.bootObject == group.versionParameter }),
            let color = env.groups.first(where: { $0.value == groupName })?.key, parameters[env.buildName(color)]?.value != version
        {
            instance.offRecord = true
            invariants.offRecordColors = (invariants.offRecordColors ?? []).union(["\(env.name)|\(color)"])
        }
        instances[id] = instance
        group.instanceIds.append(id)
        groups[groupName] = group
        log("launch \(id) in \(groupName) (\(version ?? "no version"), boots in \(Int(boot)) s)")
    }

    /// Takes an instance out of its group: its targets drain for the deregistration delay, then it is gone.
    mutating func terminate(_ id: String, reason: String, immediately: Bool = false) {
        guard var instance = instances[id] else { return }
        if var group = groups[instance.group] {
            group.instanceIds.removeAll { $0 == id }
            groups[instance.group] = group
        }
        var longestDrain = 0.0
        for name in targetGroups.keys.sorted() where targetGroups[name]!.targets[id] != nil {
            let delay = targetGroups[name]!.deregistrationDelaySeconds
            if immediately || delay == 0 {
                targetGroups[name]!.targets[id] = nil
            } else {
                targetGroups[name]!.targets[id]!.state = "draining"
                targetGroups[name]!.targets[id]!.drainingUntil = now.addingTimeInterval(delay)
                longestDrain = max(longestDrain, delay)
            }
        }
        log("terminate \(id) of \(instance.group): \(reason)")
        if immediately || longestDrain == 0 {
            instances[id] = nil
        } else {
            instance.terminatingAt = now.addingTimeInterval(longestDrain)
            instances[id] = instance
        }
    }

    /// Launches up to desired; terminates the newest above it.
    mutating func reconcileGroups() {
        for name in groups.keys.sorted() {
            while groups[name]!.instanceIds.count < groups[name]!.desiredCapacity { launch(into: name) }
            while groups[name]!.instanceIds.count > groups[name]!.desiredCapacity + (groups[name]!.surge ?? 0) {
                terminate(groups[name]!.instanceIds.last!, reason: "scale-in to \(groups[name]!.desiredCapacity)")
            }
        }
    }

    mutating func bootInstances() {
        for name in groups.keys.sorted() {
            for id in groups[name]!.instanceIds where instances[id]?.inService == false && instances[id]!.bootedAt <= now {
                instances[id]!.inService = true
                for arn in groups[name]!.targetGroupArns {
                    guard let tg = targetGroupName(arn: arn) else { continue }
                    targetGroups[tg]!.targets[id] = Target(state: isUsed(arn) ? "initial" : "unused")
                }
                log("\(id) in service in \(name)")
            }
        }
    }

    /// (Nothing is logged or drawn here, so the order of removal does not matter.)
    mutating func finishDraining() {
        for name in Array(targetGroups.keys) {
            let done = targetGroups[name]!.targets.filter { $0.value.drainingUntil.map { $0 <= now } == true }.keys
            for id in done { targetGroups[name]!.targets[id] = nil }
        }
        for id in instances.filter({ $0.value.terminatingAt.map { $0 <= now } == true }).keys { instances[id] = nil }
    }

    mutating func applyLosses() {
        var remaining: [Loss] = []
        for loss in losses {
            if loss.at > now {
                remaining.append(loss)
            } else if let victim = groups[loss.group]?.instanceIds.last {
                terminate(victim, reason: "spot interruption", immediately: true)
            }
        }
        losses = remaining
    }

    /// Instances whose target has been unhealthy past the grace period are replaced, as Auto Scaling does with ELB
    /// health checks.
    mutating func replaceUnhealthyInstances() {
        var unhealthy: Set<String> = []
        for group in targetGroups.values {
            for (id, target) in group.targets where target.state == "unhealthy" { unhealthy.insert(id) }
        }
        for id in unhealthy.sorted() {
            guard let instance = instances[id], instance.inService, instance.terminatingAt == nil,
                let group = groups[instance.group], group.instanceIds.contains(id),
                now.timeIntervalSince(instance.bootedAt) >= group.healthCheckGraceSeconds,
                group.targetGroupArns.contains(where: { targetGroupName(arn: $0).flatMap { targetGroups[$0]?.targets[id]?.state } == "unhealthy" })
            else { continue }
            terminate(id, reason: "failed load balancer health checks past the grace period")
        }
    }

    // MARK: - Applications and health checks

    /// Ground truth: whether the application on `id` answers its health check at `time`.
    public func appIsUp(_ id: String, at time: Date) -> Bool {
        guard let instance = instances[id], instance.inService, instance.terminatingAt == nil || instance.terminatingAt! > time else {
            return false
        }
        let behaviour = behaviour(of: instance)
        return behaviour.isUp(sinceStart: time.timeIntervalSince(instance.bootedAt) - behaviour.startSeconds)
    }

    func behaviour(of instance: Instance) -> AppBehaviour {
        instance.version.flatMap { behaviours[$0] } ?? AppBehaviour()
    }

    func isUsed(_ arn: String) -> Bool { routes.contains { $0.forward?.sends(to: arn) == true } }

    func targetGroupName(arn: String) -> String? {
        // Target group ARNs end in their name (`…targetgroup/Prod-Blue`): try that first, then look.
        if let slash = arn.lastIndex(of: "/"), case let name = String(arn[arn.index(after: slash)...]), targetGroups[name]?.arn == arn {
            return name
        }
        return targetGroups.first { $0.value.arn == arn }?.key
    }

    mutating func runHealthChecks() {
        for name in targetGroups.keys.sorted() {
            var group = targetGroups[name]!
            let used = isUsed(group.arn)
            while group.lastCheck.addingTimeInterval(group.intervalSeconds) <= now {
                group.lastCheck = group.lastCheck.addingTimeInterval(group.intervalSeconds)
                // (Slow start looks at the group as it was before this round: targets turning healthy together start at once.)
                let healthyBefore = Set(group.targets.filter { $0.value.state == "healthy" }.keys)
                for id in group.targets.keys.sorted() {
                    var target = group.targets[id]!
                    if target.state == "draining" { continue }
                    let before = target.state
                    if !used {
                        target = Target(state: "unused")
                    } else {
                        if target.state == "unused" { target = Target(state: "initial") }
                        if appIsUp(id, at: group.lastCheck) {
                            target.passes += 1
                            target.failures = 0
                            if target.passes >= group.healthyThreshold { target.state = "healthy" }
                        } else {
                            target.failures += 1
                            target.passes = 0
                            if target.failures >= group.unhealthyThreshold { target.state = "unhealthy" }
                        }
                    }
                    if target.state != before { log("\(name) \(id) \(before) → \(target.state)") }
                    group.targets[id] = target
                    if target.state == "healthy" && before != "healthy" { startSlowly(id, in: &group, othersHealthy: !healthyBefore.isEmpty) }
                }
            }
            targetGroups[name] = group
        }
    }

    // MARK: - Instance refreshes (the rolling strategy)

    mutating func advanceRefreshes() {
        for id in refreshes.keys.sorted() where refreshes[id]!.status == "InProgress" {
            var refresh = refreshes[id]!
            guard let group = groups[refresh.group] else { continue }
            if !refresh.batch.isEmpty {
                let ready = refresh.batch.allSatisfy { isReadyForRefresh($0, group: group, warmupSeconds: refresh.warmupSeconds ?? 0) }
                if !ready {
                    if let started = refresh.batchStarted, now.timeIntervalSince(started) > bootSeconds.upperBound + 300 {
                        refresh.status = "Failed"
                        refresh.reason = "replacement instances did not pass health checks"
                        // The group goes back to its size: the replacements launched first leave.
                        groups[refresh.group]?.surge = nil
                        log("instance refresh \(id) failed")
                    }
                    refreshes[id] = refresh
                    continue
                }
            }
            var old = group.instanceIds.filter { !refresh.replaced.contains($0) }
            if let surge = group.surge, surge > 0 {
                // Launch before terminate: the batch is ready, so the instances it replaces go now.
                for leaving in old.prefix(surge) { terminate(leaving, reason: "instance refresh \(id)") }
                groups[refresh.group]?.surge = nil
                old = Array(old.dropFirst(surge))
            }
            if old.isEmpty {
                refresh.status = "Successful"
                refresh.batch = []
                refreshes[id] = refresh
                log("instance refresh \(id) successful")
                continue
            }
            refresh.batch = []
            if let maximum = refresh.maxHealthyPercentage, maximum > 100 {
                let size = min(old.count, max(1, refresh.total * (maximum - 100) / 100))
                groups[refresh.group]?.surge = size
                for _ in 0..<size {
                    launch(into: refresh.group)
                    let newId = groups[refresh.group]!.instanceIds.last!
                    refresh.batch.append(newId)
                    refresh.replaced.insert(newId)
                }
            } else {
                let size = max(1, refresh.total * (100 - refresh.minHealthyPercentage) / 100)
                for leaving in old.prefix(size) {
                    terminate(leaving, reason: "instance refresh \(id)")
                    launch(into: refresh.group)
                    let newId = groups[refresh.group]!.instanceIds.last!
                    refresh.batch.append(newId)
                    refresh.replaced.insert(newId)
                }
            }
            refresh.batchStarted = now
            refreshes[id] = refresh
        }
    }

    /// As an instance refresh judges a new instance: its application answers, it is in service past the warmup, and
    /// healthy in each of its group's target groups that a rule uses (Auto Scaling's ELB health checks).
    func isReadyForRefresh(_ id: String, group: Group, warmupSeconds: Double) -> Bool {
        guard appIsUp(id, at: now), let instance = instances[id], now.timeIntervalSince(instance.bootedAt) >= warmupSeconds else { return false }
        return group.targetGroupArns.allSatisfy { arn in
            guard let name = targetGroupName(arn: arn), isUsed(arn) else { return true }
            return targetGroups[name]?.targets[id]?.state == "healthy"
        }
    }

    // MARK: - Alarms

    mutating func evaluateAlarms() {
        for name in alarms.keys.sorted() {
            var alarm = alarms[name]!
            let state: String
            if let forced = alarm.forced {
                state = forced
            } else if let arn = alarm.targetGroupArn {
                state = visibleErrors(of: arn, over: alarm.periodSeconds) >= alarm.threshold ? "ALARM" : "OK"
            } else {
                state = "OK"
            }
            if state != alarm.state {
                log("alarm \(name) \(alarm.state) → \(state)")
                alarm.state = state
            }
            alarms[name] = alarm
        }
        for arn in recentErrors.keys.sorted() {
            let horizon = now.addingTimeInterval(-3600)
            recentErrors[arn]!.removeAll { $0 <= horizon }
        }
        // CloudWatch's request counts: an hour is all anything reads back (`CleanupProof` looks ten minutes back).
        if let counts = requestsPerMinute, counts.values.contains(where: { $0.count > 120 }) {
            let oldest = Int(now.timeIntervalSince1970 / 60) - 60
            requestsPerMinute = counts.mapValues { $0.filter { $0.key >= oldest } }
        }
    }
}

/// Faults injected into the tool's calls: throttling and server errors per attempt (the tool's client retries them
/// as the AWS client does), latency per call, and a crash of the tool right after it journals a named step.
public struct Faults: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Share of API attempts answered `Throttling`.
    public var throttleRate: Double
    /// Share of API attempts answered HTTP 500; for changes, half of them after the change was made.
    public var errorRate: Double
    /// Seconds of virtual time each call takes.
    public var latencySeconds: Double
    /// The tool dies right after writing this step to the journal (`DeployStrategy.journalledSteps` names; for a
    /// canary's steps, `shift 2` or `step bake 2` names the second split's).
    public var crashAtStep: String?
    /// Calls answered `AccessDenied` (not retried), as `OPERATION` or `OPERATION SUBJECT`: `SSM DeleteParameter`,
    /// `SSM PutParameter /compiler-explorer/prod/active-target-group-arn`.
    public var denied: [String]
    /// The n-th change attempt (counted from when the faults were set) is answered `AccessDenied`; with
    /// `denyAfterChange`, after the change was made (the answer is lost, as a proxy answering for AWS would).
    public var denyChange: Int?
    public var denyAfterChange: Bool
    /// Change attempts so far.
    public var changesSeen = 0

    public init(
        throttleRate: Double = 0, errorRate: Double = 0, latencySeconds: Double = 0, crashAtStep: String? = nil, denied: [String] = [],
        denyChange: Int? = nil, denyAfterChange: Bool = false
    ) {
        self.throttleRate = throttleRate
        self.errorRate = errorRate
        self.latencySeconds = latencySeconds
        self.crashAtStep = crashAtStep
        self.denied = denied
        self.denyChange = denyChange
        self.denyAfterChange = denyAfterChange
    }

    /// "throttle 30%, 5xx 0%, latency 0 ms, crash after journalling 'switch', AccessDenied to SSM DeleteParameter".
    public var description: String {
        "throttle \(Int(throttleRate * 100))%, 5xx \(Int(errorRate * 100))%, latency \(Int(latencySeconds * 1000)) ms"
            + (crashAtStep.map { ", crash after journalling '\($0)'" } ?? "")
            + (denied.isEmpty ? "" : ", AccessDenied to \(denied.joined(separator: ", "))")
            + (denyChange.map { ", AccessDenied to change \($0)\(denyAfterChange ? " after making it" : "")" } ?? "")
    }
}

extension Faults {
    /// Whether `point` (`switch`, `step bake`, `shift 2`) names the step `journal` has just recorded.
    public static func crashPoint(_ point: String, matches journal: DeploymentJournal) -> Bool {
        let (name, split) = parseCrashPoint(point)
        return journal.step == name && (split == nil || (journal.trafficStep ?? 0) + 1 == split)
    }

    /// `shift 2` → ("shift", 2); `health gate` → ("health gate", nil); dashes stand for spaces (`health-gate`,
    /// `step-bake-2`), so that no value needs quoting.
    public static func parseCrashPoint(_ text: String) -> (step: String, split: Int?) {
        let point = text.replacingOccurrences(of: "-", with: " ")
        if let space = point.lastIndex(of: " "), let split = Int(point[point.index(after: space)...]) {
            return (String(point[..<space]), split)
        }
        return (point, nil)
    }
}
