import Deployment
import Foundation

extension SimulatedWorld {
    /// Each environment's requests for this second, through the load balancer as an ALB routes them: a listener
    /// that carries the environment (its users reach it there: `https://…/beta/` on `:443`), the first rule (by
    /// priority) whose conditions all match, else the default action; a target group by weight; a healthy target, or
    /// any registered one when none is healthy (the ALB fails open).
    mutating func sendTraffic(serving: [[Route]]) {
        // Target states and routes only change between ticks, and every request of an environment is the same (its
        // path and host): each group's candidates, and the route each environment's requests take from each of its
        // listeners, are worked out once per tick.
        var candidates: [String: [String]] = [:]
        // While a route change propagates, each node of the load balancer routes by its own copy of the routes.
        let nodes = (0..<distinctNodes).map { NodeRoutes(routes(atNode: $0)) }
        // Each colour's target group → its environment, colour and recorded build (for invariant 5).
        var owners: [String: Owner] = [:]
        for record in environments {
            for (color, arn) in record.targetGroupArns.sorted(by: { $0.key < $1.key }) where owners[arn] == nil {
                owners[arn] = Owner(record: record, color: color, recorded: parameters[record.buildName(color)]?.value)
            }
        }
        for (record, servingRoutes) in zip(environments, serving) {
            trafficCredit[record.name, default: 0] += record.requestsPerSecond
            guard trafficCredit[record.name]! >= 1 else { continue }
            // (A load balancer's listener ports are unique: they name its listeners.)
            let carrying = Set(servingRoutes.map(\.listenerPort))
            let request = SimulatedRequest(path: record.requestPath, host: record.requestHost)
            let taken = nodes.map { $0.taken(by: request, carrying: carrying) }
            while trafficCredit[record.name]! >= 1 {
                trafficCredit[record.name]! -= 1
                // (No draw while every node agrees, so that runs without propagation draw as before.)
                let node = taken.count > 1 ? random.index(taken.count) : 0
                serve(record, taken: taken[node], owners: owners, candidates: &candidates)
            }
        }
    }

    /// One node's listeners and rules (by listener port, in priority order).
    struct NodeRoutes {
        var listeners: [Route]
        var rulesByPort: [Int?: [Route]]

        init(_ routes: [Route]) {
            listeners = routes.filter { $0.kind == .listenerDefault }
            var rules: [Int?: [Route]] = [:]
            for rule in routes where rule.kind == .rule { rules[rule.listenerPort, default: []].append(rule) }
            for port in Array(rules.keys) { rules[port]!.sort { (Int($0.priority ?? "") ?? .max) < (Int($1.priority ?? "") ?? .max) } }
            rulesByPort = rules
        }

        /// The route `request` takes from each listener that carries it.
        func taken(by request: SimulatedRequest, carrying: Set<Int?>) -> [TakenRoute] {
            let entrances = carrying.isEmpty ? listeners : listeners.filter { carrying.contains($0.listenerPort) }
            return entrances.map { listener in
                TakenRoute(rulesByPort[listener.listenerPort]?.first { $0.conditions.allSatisfy(request.matches) } ?? listener)
            }
        }
    }

    /// The environment and colour a target group belongs to, and the build recorded for that colour.
    struct Owner {
        var record: EnvironmentRecord
        var color: String
        var recorded: String?
    }

    /// What a route does with a request: answer itself (a redirect, a fixed response, no action), or forward by
    /// weight (authentication taken as passed).
    struct TakenRoute {
        var arn: String
        var answer: Int?
        /// Target groups getting traffic, by ARN, with their weights.
        var forward: [(arn: String, weight: Int)]
        /// Target-group stickiness of a forward that splits traffic (seconds), `nil` when off or not split.
        var stickySeconds: Int?

        init(_ route: Route) {
            arn = route.arn
            switch route.orderedActions.last?.kind {
            case .redirect?: answer = 301
            case .fixedResponse(let fixed)?: answer = Int(fixed.statusCode) ?? 200
            default: answer = nil
            }
            forward = route.weights.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            stickySeconds = forward.count > 1 ? route.forward?.effectiveStickiness.map { $0.durationSeconds ?? 86400 } : nil
        }
    }

    /// A sticky user's target group, and until when.
    struct StickyChoice: Codable, Sendable, Equatable {
        var arn: String
        var until: Date
    }

    /// The users of an environment, as far as stickiness tells them apart.
    static let usersPerEnvironment = 50

    /// The targets a request to `group` may reach: the healthy ones, or every registered one when none is healthy.
    func candidates(_ group: String) -> [String] {
        let targets = targetGroups[group]!.targets
        let healthy = targets.filter { $0.value.state == "healthy" }.keys.sorted()
        return healthy.isEmpty ? targets.filter { $0.value.state != "draining" }.keys.sorted() : healthy
    }

    mutating func serve(_ env: EnvironmentRecord, taken: [TakenRoute], owners: [String: Owner], candidates cache: inout [String: [String]]) {
        guard !taken.isEmpty else { return record(env, color: nil, version: nil, status: 503, arn: nil) }
        let route = taken[random.index(taken.count)]
        if let answer = route.answer { return record(env, color: nil, version: nil, status: answer, arn: nil) }
        let forward = route.forward
        let total = forward.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return record(env, color: nil, version: nil, status: 503, arn: nil) }
        var arn = forward[0].arn
        // A sticky route sends a user back to the target group it chose for them until the cookie expires (users
        // are drawn only here, so that routes without stickiness draw exactly as before).
        var user: Int?
        if let seconds = route.stickySeconds {
            let who = random.index(Self.usersPerEnvironment)
            user = who
            // The cookie belongs to the user's browser and the load balancer's host, whichever listener they reach.
            let key = "\(env.name)|\(who)"
            if let choice = stickyChoices?[key], choice.until > now, forward.contains(where: { $0.arn == choice.arn }) {
                arn = choice.arn
            } else {
                arn = pickByWeight(forward, total: total)
                let choice = StickyChoice(arn: arn, until: now.addingTimeInterval(Double(seconds)))
                if stickyChoices == nil { stickyChoices = [key: choice] } else { stickyChoices?[key] = choice }
            }
        } else {
            arn = pickByWeight(forward, total: total)
        }
        var owner = owners[arn]
        var color = owner?.color
        guard let name = targetGroupName(arn: arn) else { return record(env, color: color, version: nil, status: 503, arn: arn) }
        let candidates = cache[name] ?? candidates(name)
        cache[name] = candidates
        guard !candidates.isEmpty else {
            checkStaleRouteHasCapacity(env, targetGroup: name, arn: arn)
            return record(env, color: color, version: nil, status: 503, arn: arn)
        }
        let (id, status) = answer(from: name, among: candidates)
        let instance = instances[id]
        let version = instance?.version
        // Both colours share the group (instance switching): the instance tells the colour.
        if let shared = owner?.record, shared.sharedTargetGroupArn != nil, let instance,
            let own = shared.groups.first(where: { $0.value == instance.group })?.key
        {
            color = own
            owner?.color = own
            owner?.recorded = parameters[shared.buildName(own)]?.value
        }
        record(env, color: color, version: version, status: status, arn: arn, user: user)
        let failedOpen = !candidates.contains { targetGroups[name]!.targets[$0]?.state == "healthy" }
        checkServedVersion(env, version: version, instance: instance, failedOpen: failedOpen)
        if let owner { checkRecordedBuild(owner.record, color: owner.color, recorded: owner.recorded, version: version, instance: instance) }
    }

    /// The target of `group` (among `candidates`, not empty) a request reaches, and its answer: 502 while its
    /// application is down, 500 as often as its build errs, else 200.
    mutating func answer(from group: String, among candidates: [String]) -> (id: String, status: Int) {
        let id = pickTarget(candidates, in: group)
        guard appIsUp(id, at: now) else { return (id, 502) }
        if let instance = instances[id], random.chance(behaviour(of: instance).errorRate) { return (id, 500) }
        return (id, 200)
    }

    /// A target of `group` among `candidates`: uniformly, or by share while some are in slow start.
    mutating func pickTarget(_ candidates: [String], in group: String) -> String {
        let targets = targetGroups[group]!.targets
        guard candidates.contains(where: { targets[$0]?.slowStart.map { now < $0.upperBound } == true }) else {
            return candidates[random.index(candidates.count)]
        }
        let shares = candidates.map { targets[$0].map(share) ?? 1 }
        var pick = random.unit() * shares.reduce(0, +)
        for (id, share) in zip(candidates, shares) {
            if pick < share { return id }
            pick -= share
        }
        return candidates[candidates.count - 1]
    }

    /// A target group drawn by weight.
    mutating func pickByWeight(_ forward: [(arn: String, weight: Int)], total: Int) -> String {
        var pick = random.index(total)
        for (candidate, weight) in forward {
            if pick < weight { return candidate }
            pick -= weight
        }
        return forward[0].arn
    }

    mutating func record(_ env: EnvironmentRecord, color: String?, version: String?, status: Int, arn: String?, user: Int? = nil) {
        if keepRequests {
            requests.append(Request(time: now, user: user, environment: env.name, color: color, version: version, status: status))
        }
        trafficCounts["\(env.name) \(color ?? "-") \(version ?? "-") \(status)", default: 0] += 1
        if timeline?.environment == env.name {
            timeline?.pending.requestsByVersion[version ?? "-", default: 0] += 1
            if status >= 500 { timeline?.pending.errors += 1 }
        }
        if status >= 500, let arn { recentErrors[arn, default: []].append(now) }
        if let arn {
            let minute = Int(now.timeIntervalSince1970 / 60)
            if requestsPerMinute == nil { requestsPerMinute = [:] }
            requestsPerMinute?[arn, default: [:]][minute, default: 0] += 1
        }
    }

    /// Requests by environment, colour, version and status since the counts were last cleared.
    public var trafficSummary: [(environment: String, color: String, version: String, status: Int, count: Int)] {
        trafficCounts.keys.sorted().map { key in
            let parts = key.split(separator: " ").map(String.init)
            return (parts[0], parts[1], parts[2], Int(parts[3]) ?? 0, trafficCounts[key]!)
        }
    }
}

/// A request of the simulated traffic: as the tool's own model sees it (`LoadBalancerRequest`).
typealias SimulatedRequest = LoadBalancerRequest

extension SimulatedWorld {
    /// Closes the timeline's second: its requests (counted as they were served), the serving capacity and the
    /// instances running now.
    mutating func sampleTimeline(serving: [[Route]]) {
        guard var timeline, let index = environments.firstIndex(where: { $0.name == timeline.environment }) else { return }
        let env = environments[index]
        var sample = timeline.pending
        sample.second = now.timeIntervalSince(start)
        var servingIds: Set<String> = []
        for route in serving[index] {
            for (arn, weight) in route.weights where weight > 0 {
                guard let name = targetGroupName(arn: arn) else { continue }
                for (id, target) in targetGroups[name]!.targets where target.state != "draining" && appIsUp(id, at: now) { servingIds.insert(id) }
            }
        }
        sample.servingCapacity = servingIds.count
        let groupNames = Set(env.groups.values)
        sample.instances = instances.values.filter { groupNames.contains($0.group) }.count
        timeline.samples.append(sample)
        timeline.pending = Timeline.Sample(second: sample.second + 1)
        self.timeline = timeline
    }
}
