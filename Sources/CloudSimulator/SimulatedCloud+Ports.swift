import Deployment
import Foundation

/// An error answer of the simulated AWS, with its code as AWS would send it.
public struct SimulatedAPIError: Error, CustomStringConvertible, Equatable {
    public var operation: String
    public var code: String
    public var message: String
    public var isTransient: Bool
    public var description: String { "\(operation) failed: \(code): \(message)" }

    public init(operation: String, code: String, message: String, isTransient: Bool) {
        self.operation = operation
        self.code = code
        self.message = message
        self.isTransient = isTransient
    }
}

/// The tool has crashed (`Faults.crashAtStep`): nothing it sends arrives any more.
public struct SimulatedCrash: Error, CustomStringConvertible, Equatable {
    public var description: String { "the tool crashed (simulated): no call reaches the cloud" }
}

extension SimulatedWorld {
    /// One API call of the tool, made as the AWS client makes it: each attempt may be throttled or fail with a 5xx
    /// (per `faults`; a change may fail after it was made), or be denied (`AccessDenied`, not retried: a named call,
    /// or the n-th change, before or after it was made), and retryable failures are retried with
    /// the connection's `RetryPolicy` (backoff, full jitter), on virtual time. The world is brought up to date first.
    /// - Parameter subject: what the call acts on (a parameter's name, a group's), for `Faults.denied`.
    mutating func toolCall<T>(
        _ operation: String, subject: String = "", changes: Bool = false, policy: RetryPolicy, _ body: (inout SimulatedWorld) throws -> T
    ) throws -> T {
        var attempt = 1
        while true {
            calls.append(operation)
            if crashed { throw SimulatedCrash() }
            try checkToolBound()
            advance(to: now.addingTimeInterval(faults.latencySeconds))
            if changes { faults.changesSeen += 1 }
            if faults.denied.contains(operation) || faults.denied.contains("\(operation) \(subject)")
                || (changes && faults.denyChange == faults.changesSeen)
            {
                if changes && faults.denyChange == faults.changesSeen && faults.denyAfterChange { _ = try body(&self) }
                log("\(operation) \(subject): AccessDenied")
                throw SimulatedAPIError(
                    operation: operation, code: "AccessDenied", message: "User is not authorized to perform \(operation) on \(subject)", isTransient: false)
            }
            var failure: SimulatedAPIError?
            if !takeDescribeToken(for: operation) {
                failure = .init(operation: operation, code: "Throttling", message: "Rate exceeded", isTransient: true)
            } else if random.chance(faults.throttleRate) {
                failure = .init(operation: operation, code: "Throttling", message: "Rate exceeded", isTransient: true)
            } else if random.chance(faults.errorRate) {
                failure = .init(operation: operation, code: "InternalFailure", message: "simulated server error", isTransient: true)
                if changes && random.chance(0.5) { _ = try body(&self) }
            }
            guard let failure else { return try body(&self) }
            log("\(operation) attempt \(attempt): \(failure.code)")
            guard attempt < policy.maxAttempts else { throw failure }
            advance(to: now.addingTimeInterval(policy.delay(beforeRetry: attempt, unit: random.unit()).timeInterval))
            attempt += 1
        }
    }

    /// A change made by the tool, checked against the invariants once made.
    mutating func apply(_ mutation: Mutation) throws {
        let before = servingBefore()
        switch mutation {
        case .forward, .setForward:
            guard let (route, forward) = mutation.routeChange else { return }
            guard let index = routes.firstIndex(where: { $0.arn == route.arn }) else {
                throw SimulatedAPIError(operation: "ModifyRule", code: "RuleNotFound", message: "no route \(route.arn)", isTransient: false)
            }
            if let unknown = forward.targetGroups.first(where: { targetGroupName(arn: $0.arn) == nil }) {
                throw SimulatedAPIError(operation: "ModifyRule", code: "TargetGroupNotFound", message: unknown.arn, isTransient: false)
            }
            // As the AWS adapter does: the whole action list is replaced by the route's, with only the forward changed
            // (weights and stickiness as sent).
            guard let actions = route.actions(replacingForwardWith: forward) else {
                throw SimulatedAPIError(operation: "ModifyRule", code: "ValidationError", message: route.moveProblem ?? "cannot change \(route.label)", isTransient: false)
            }
            checkOwnRoute(routes[index])
            propagate(actions, toRouteAt: index)
            routes[index].actions = actions
        case .putParameter(let name, let value):
            put(parameter: name, value: value)
        case .resizeGroup(let name, let min, let desired, let max):
            guard var group = groups[name] else {
                throw SimulatedAPIError(operation: "UpdateAutoScalingGroup", code: "ValidationError", message: "AutoScalingGroup name not found - \(name)", isTransient: false)
            }
            let newMin = min ?? group.minSize
            let newMax = max ?? group.maxSize
            let newDesired = desired ?? group.desiredCapacity
            // As AWS does: desired must lie within the new [min, max].
            guard newMin <= newMax, (newMin...newMax).contains(newDesired) else {
                throw SimulatedAPIError(
                    operation: "UpdateAutoScalingGroup", code: "ValidationError",
                    message: "Desired capacity:\(newDesired) must be between the specified min size:\(newMin) and max size:\(newMax)",
                    isTransient: false)
            }
            (group.minSize, group.maxSize, group.desiredCapacity) = (newMin, newMax, newDesired)
            groups[name] = group
        case .registerTargets(let arn, let ids):
            let name = try targetGroup(arn, operation: "RegisterTargets")
            guard ids.count <= Mutation.targetsPerCall else {
                throw SimulatedAPIError(operation: "RegisterTargets", code: "ValidationError", message: "at most \(Mutation.targetsPerCall) targets per call", isTransient: false)
            }
            let groupHealthy = targetGroups[name]!.targets.values.contains { $0.state == "healthy" }
            for id in ids {
                guard let instance = instances[id], instance.terminatingAt == nil else {
                    throw SimulatedAPIError(operation: "RegisterTargets", code: "InvalidTarget", message: "The following targets are not in a running state and cannot be registered: '\(id)'", isTransient: false)
                }
                checkRegistration(instance, into: name, groupHealthy: groupHealthy)
                register(id, in: name)
            }
        case .deregisterTargets(let arn, let ids):
            let name = try targetGroup(arn, operation: "DeregisterTargets")
            for id in ids { deregister(id, from: name) }
        case .attachTargetGroup(let groupName, let arn):
            let name = try targetGroup(arn, operation: "AttachLoadBalancerTargetGroups")
            guard var group = groups[groupName] else {
                throw SimulatedAPIError(operation: "AttachLoadBalancerTargetGroups", code: "ValidationError", message: "AutoScalingGroup name not found - \(groupName)", isTransient: false)
            }
            if !group.targetGroupArns.contains(arn) { group.targetGroupArns.append(arn) }
            groups[groupName] = group
            // As Auto Scaling does: the group's instances in service are registered (the others when they are).
            for id in group.instanceIds where instances[id]?.inService == true { register(id, in: name) }
        case .detachTargetGroup(let groupName, let arn):
            let name = try targetGroup(arn, operation: "DetachLoadBalancerTargetGroups")
            guard var group = groups[groupName] else {
                throw SimulatedAPIError(operation: "DetachLoadBalancerTargetGroups", code: "ValidationError", message: "AutoScalingGroup name not found - \(groupName)", isTransient: false)
            }
            guard group.targetGroupArns.contains(arn) else { break }
            group.targetGroupArns.removeAll { $0 == arn }
            groups[groupName] = group
            for id in group.instanceIds { deregister(id, from: name) }
        }
        log("tool: \(mutation)")
        reconcileGroups()
        checkStillServing(after: mutation.description, before: before)
    }

    func targetGroup(_ arn: String, operation: String) throws -> String {
        guard let name = targetGroupName(arn: arn) else {
            throw SimulatedAPIError(operation: operation, code: "TargetGroupNotFound", message: "One or more target groups not found", isTransient: false)
        }
        return name
    }

    /// Registers an instance (already registered: nothing changes, as in AWS; draining: registered again).
    mutating func register(_ id: String, in name: String) {
        if let target = targetGroups[name]!.targets[id], target.state != "draining" { return }
        let arn = targetGroups[name]!.arn
        targetGroups[name]!.targets[id] = Target(state: isUsed(arn) ? "initial" : "unused")
        log("\(name) \(id) registered")
    }

    /// Deregisters an instance: it drains for the group's deregistration delay (no delay: gone at once).
    mutating func deregister(_ id: String, from name: String) {
        guard let target = targetGroups[name]!.targets[id], target.state != "draining" else { return }
        let delay = targetGroups[name]!.deregistrationDelaySeconds
        if delay == 0 {
            targetGroups[name]!.targets[id] = nil
        } else {
            targetGroups[name]!.targets[id]!.state = "draining"
            targetGroups[name]!.targets[id]!.drainingUntil = now.addingTimeInterval(delay)
        }
        log("\(name) \(id) deregistered")
    }

    /// A journal write: noted for the invariants, and the crash fault fires right after the named step is recorded.
    mutating func wrote(name: String, value: String) {
        observeJournal(name: name, value: value)
        guard let step = faults.crashAtStep, name.hasSuffix("/deployment"), let journal = DeploymentJournal.decode(value),
            journal.isUnfinished, Faults.crashPoint(step, matches: journal)
        else { return }
        faults.crashAtStep = nil
        crashed = true
        log("the tool crashed right after journalling step '\(step)'")
    }
}

extension SimulatedCloud: LoadBalancerReader, ScalingGroupReader, ParameterReader, MutationApplier, InstanceDirectory,
    HealthProber, InstanceRefresher, AlarmReader, DocumentStore
{
    func call<T>(_ operation: String, subject: String = "", changes: Bool = false, _ body: (inout SimulatedWorld) throws -> T) throws -> T {
        do {
            let result = try change { try $0.toolCall(operation, subject: subject, changes: changes, policy: retryPolicy, body) }
            observed("\(operation) 200 (simulated, \(String(format: "%.1f", now.timeIntervalSince(read { $0.start }))) s)")
            return result
        } catch let error as SimulatedAPIError {
            observed("\(operation) \(error.code) (simulated, \(String(format: "%.1f", now.timeIntervalSince(read { $0.start }))) s)")
            throw error
        }
    }

    public func routes(loadBalancerName: String) async throws -> LoadBalancerRoutes? {
        try call("ELBv2 DescribeListeners") { world in
            world.loadBalancerName == loadBalancerName ? LoadBalancerRoutes(loadBalancerArn: world.loadBalancerArn, routes: world.routes) : nil
        }
    }

    public func reread(_ routes: [Route]) async throws -> [Route] {
        let arns = Set(routes.map(\.arn))
        return try call("ELBv2 DescribeRules") { world in world.routes.filter { arns.contains($0.arn) } }
    }

    public func targetGroups(names: [String]) async throws -> [String: TargetGroupSnapshot] {
        try call("ELBv2 DescribeTargetGroups") { world in
            var result: [String: TargetGroupSnapshot] = [:]
            for name in names {
                guard let group = world.targetGroups[name] else { continue }
                result[name] = TargetGroupSnapshot(
                    name: name, arn: group.arn, healthCheckPath: group.path, healthCheckPort: "traffic-port",
                    loadBalancerArns: world.isUsed(group.arn) ? [world.loadBalancerArn] : [])
            }
            return result
        }
    }

    public func deregistrationDelaySeconds(targetGroupArn: String) async throws -> Int {
        try call("ELBv2 DescribeTargetGroupAttributes") { world in
            guard let name = world.targetGroupName(arn: targetGroupArn) else {
                throw SimulatedAPIError(operation: "DescribeTargetGroupAttributes", code: "TargetGroupNotFound", message: targetGroupArn, isTransient: false)
            }
            return Int(world.targetGroups[name]!.deregistrationDelaySeconds)
        }
    }

    public func targetHealth(targetGroupArn: String) async throws -> [TargetSnapshot] {
        try call("ELBv2 DescribeTargetHealth") { world in
            guard let name = world.targetGroupName(arn: targetGroupArn) else {
                throw SimulatedAPIError(operation: "DescribeTargetHealth", code: "TargetGroupNotFound", message: targetGroupArn, isTransient: false)
            }
            return world.targetGroups[name]!.targets.sorted { $0.key < $1.key }.map {
                TargetSnapshot(id: $0.key, state: .parse($0.value.state), reason: $0.value.state == "unused" ? "Target.NotInUse" : nil)
            }
        }
    }

    public func groups(names: [String]) async throws -> [String: ScalingGroupSnapshot] {
        try call("AutoScaling DescribeAutoScalingGroups") { world in
            var result: [String: ScalingGroupSnapshot] = [:]
            for name in names {
                guard let group = world.groups[name] else { continue }
                result[name] = Self.snapshot(name, group, world)
            }
            return result
        }
    }

    public func allGroups() async throws -> [ScalingGroupSnapshot] {
        try call("AutoScaling DescribeAutoScalingGroups") { world in
            world.groups.keys.sorted().map { Self.snapshot($0, world.groups[$0]!, world) }
        }
    }

    private static func snapshot(_ name: String, _ group: SimulatedWorld.Group, _ world: SimulatedWorld) -> ScalingGroupSnapshot {
        ScalingGroupSnapshot(
            name: name, minSize: group.minSize, desiredCapacity: group.desiredCapacity, maxSize: group.maxSize,
            instances: group.instanceIds.compactMap { world.instances[$0] }.map {
                .init(id: $0.id, lifecycleState: $0.inService ? .inService : .pending, healthStatus: "Healthy")
            },
            targetGroupArns: group.targetGroupArns, tags: group.tags)
    }

    public func values(names: [String]) async throws -> [String: String] {
        try call("SSM GetParameters") { world in
            Dictionary(uniqueKeysWithValues: names.compactMap { name in world.parameters[name].map { (name, $0.value) } })
        }
    }

    public func apply(_ mutation: Mutation) async throws {
        let operation = String(describing: mutation).split(separator: " ").prefix(2).joined(separator: " ")
        let subject: String
        switch mutation {
        case .forward(let route, _), .setForward(let route, _): subject = route.arn
        case .putParameter(let name, _): subject = name
        case .resizeGroup(let name, _, _, _), .attachTargetGroup(let name, _), .detachTargetGroup(let name, _): subject = name
        case .registerTargets(let arn, _), .deregisterTargets(let arn, _): subject = arn
        }
        try call(operation, subject: subject, changes: true) { try $0.apply(mutation) }
    }

    public func addresses(instanceIds: [String]) async throws -> [String: String] {
        try call("EC2 DescribeInstances") { world in
            Dictionary(uniqueKeysWithValues: instanceIds.filter { world.instances[$0] != nil }.map { ($0, $0) })
        }
    }

    /// In the simulator an instance's "address" is its id. Not an AWS call: no faults, but nothing once crashed.
    public func isHealthy(address: String, port: Int, path: String, timeout: Duration) async -> Bool {
        change { world in
            world.calls.append("HTTP GET \(path)")
            return !world.crashed && world.appIsUp(address, at: world.now)
        }
    }

    public func states(names: [String]) async throws -> [String: AlarmState] {
        try call("CloudWatch DescribeAlarms") { world in
            world.evaluateAlarms()
            return Dictionary(uniqueKeysWithValues: names.compactMap { name in world.alarms[name].map { (name, AlarmState.parse($0.state)) } })
        }
    }

    public func startRefresh(group: String, minHealthyPercentage: Int, maxHealthyPercentage: Int, instanceWarmupSeconds: Int) async throws -> String {
        try call("AutoScaling StartInstanceRefresh", subject: group, changes: true) { world in
            guard let target = world.groups[group] else {
                throw SimulatedAPIError(operation: "StartInstanceRefresh", code: "ValidationError", message: "no group \(group)", isTransient: false)
            }
            if world.refreshes.values.contains(where: { $0.group == group && $0.status == "InProgress" }) {
                throw SimulatedAPIError(
                    operation: "StartInstanceRefresh", code: "InstanceRefreshInProgress",
                    message: "An Instance Refresh is already in progress for \(group)", isTransient: false)
            }
            let id = "refresh-\(world.nextRefresh)"
            world.nextRefresh += 1
            world.refreshes[id] = .init(
                id: id, group: group, minHealthyPercentage: minHealthyPercentage, total: target.instanceIds.count,
                warmupSeconds: Double(instanceWarmupSeconds), maxHealthyPercentage: maxHealthyPercentage)
            world.log("tool: instance refresh \(id) of \(group) started")
            world.advanceRefreshes()
            return id
        }
    }

    public func activeRefresh(group: String) async throws -> InstanceRefreshStatus? {
        let id = try call("AutoScaling DescribeInstanceRefreshes") { world in
            world.refreshes.values.filter { $0.group == group && $0.status == "InProgress" }.map(\.id).sorted().first
        }
        guard let id else { return nil }
        return try await refreshStatus(group: group, id: id)
    }

    public func refreshStatus(group: String, id: String) async throws -> InstanceRefreshStatus {
        try call("AutoScaling DescribeInstanceRefreshes") { world in
            guard let refresh = world.refreshes[id] else { return InstanceRefreshStatus(id: id, status: "Unknown", percentComplete: nil, reason: nil) }
            let done = refresh.replaced.count - (refresh.status == "Successful" ? 0 : refresh.batch.count)
            return InstanceRefreshStatus(
                id: id, status: .parse(refresh.status), percentComplete: refresh.total == 0 ? 100 : done * 100 / refresh.total, reason: refresh.reason)
        }
    }

    public func create(name: String, value: String) async throws -> Bool {
        try call("SSM PutParameter", subject: name, changes: true) { world in
            guard world.parameters[name] == nil else { return false }
            world.parameters[name] = .init(value: value, version: 1)
            world.wrote(name: name, value: value)
            return true
        }
    }

    public func read(name: String) async throws -> String? {
        try call("SSM GetParameter", subject: name) { $0.parameters[name]?.value }
    }

    public func overwrite(name: String, value: String) async throws {
        try call("SSM PutParameter", subject: name, changes: true) { world in
            world.put(parameter: name, value: value)
            world.wrote(name: name, value: value)
        }
    }

    public func delete(name: String) async throws {
        try call("SSM DeleteParameter", subject: name, changes: true) { $0.parameters[name] = nil }
    }

    public func list(path: String) async throws -> [String: String] {
        try call("SSM GetParametersByPath", subject: path) { world in
            world.parameters.filter { $0.key.hasPrefix(path + "/") }.mapValues(\.value)
        }
    }
}

extension SimulatedCloud: TrafficMetrics {
    /// CloudWatch's `RequestCount` of the simulated traffic, in periods of whole minutes, each seen once the
    /// calibration's metrics lag has passed after it ended.
    public func requestCounts(loadBalancerArn: String, targetGroupArn: String, from: Date, to: Date, periodSeconds: Int) async throws -> [RequestCount] {
        try call("CloudWatch GetMetricData") { world in
            let lag = world.model.metricLagSeconds ?? 0
            let minutes = world.requestsPerMinute?[targetGroupArn] ?? [:]
            let step = max(1, periodSeconds / 60)
            var periods: [Int: Int] = [:]
            for (minute, count) in minutes {
                let start = Double(minute * 60)
                guard start >= from.timeIntervalSince1970 - 59, start < to.timeIntervalSince1970,
                    start + 60 + lag <= world.now.timeIntervalSince1970
                else { continue }
                periods[minute / step * step, default: 0] += count
            }
            return periods.keys.sorted().map { RequestCount(start: Date(timeIntervalSince1970: Double($0 * 60)), count: Double(periods[$0]!)) }
        }
    }
}
