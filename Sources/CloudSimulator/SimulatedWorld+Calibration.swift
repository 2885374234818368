import Deployment
import Foundation

extension SimulatedWorld {
    /// The calibration in force.
    public var model: Calibration { calibration ?? .instant }

    /// A listener or rule change on its way to the load balancer's nodes.
    struct PropagatingChange: Codable, Sendable, Equatable {
        var arn: String
        var actions: [RouteAction]
        /// When each node picks the change up.
        var arrivals: [Date]
    }

    // MARK: - Propagation of route changes

    /// The routes a request reaching `node` is routed by.
    func routes(atNode node: Int) -> [Route] {
        guard let nodeRoutes, node < nodeRoutes.count else { return routes }
        return nodeRoutes[node]
    }

    /// The number of nodes requests are spread over now (1 while every node has the same routes).
    var distinctNodes: Int { nodeRoutes?.count ?? 1 }

    /// `routes[index]` is about to take `actions`: with a propagation delay, each node takes them at its own moment
    /// within the delay, and never before an earlier change to the same route.
    mutating func propagate(_ actions: [RouteAction], toRouteAt index: Int) {
        let delay = model.propagationSeconds
        guard delay > 0 else { return }
        let nodes = max(1, model.loadBalancerNodes)
        if nodeRoutes == nil { nodeRoutes = Array(repeating: routes, count: nodes) }
        let arn = routes[index].arn
        let earlier = (propagating ?? []).filter { $0.arn == arn }
        let arrivals = (0..<nodes).map { node in
            let drawn = now.addingTimeInterval(random.uniform(0...delay))
            return earlier.map { $0.arrivals[node] }.reduce(drawn, max)
        }
        propagating = (propagating ?? []) + [PropagatingChange(arn: arn, actions: actions, arrivals: arrivals)]
    }

    /// Each node takes the changes that have reached it; once every node has every change, they share `routes` again.
    mutating func propagateRouteChanges() {
        guard let pending = propagating, var perNode = nodeRoutes else { return }
        var remaining: [PropagatingChange] = []
        for var change in pending {
            for node in perNode.indices where change.arrivals[node] <= now && change.arrivals[node] != .distantPast {
                if let index = perNode[node].firstIndex(where: { $0.arn == change.arn }) { perNode[node][index].actions = change.actions }
                change.arrivals[node] = .distantPast
                log("node \(node + 1) of the load balancer has the change of \(change.arn)")
            }
            if change.arrivals.contains(where: { $0 != .distantPast }) { remaining.append(change) }
        }
        if remaining.isEmpty {
            propagating = nil
            nodeRoutes = nil
        } else {
            propagating = remaining
            nodeRoutes = perNode
        }
    }

    // MARK: - The ELBv2 Describe token bucket

    /// Takes a token for an ELBv2 `Describe*` call; `false` when the bucket is empty (the call is throttled).
    mutating func takeDescribeToken(for operation: String) -> Bool {
        guard let bucket = model.describeBucket, operation.hasPrefix("ELBv2 Describe") else { return true }
        let last = describeTokensAt ?? now
        var tokens = min(bucket.capacity, (describeTokens ?? bucket.capacity) + now.timeIntervalSince(last) * bucket.refillPerSecond)
        describeTokensAt = now
        guard tokens >= 1 else {
            describeTokens = tokens
            return false
        }
        tokens -= 1
        describeTokens = tokens
        return true
    }

    // MARK: - CloudWatch periods and lag

    /// The 5xx answers of `arn` an alarm looking over `periodSeconds` sees now: with a metrics lag, those of the
    /// periods seen by now (each `metricPeriodSeconds` long, seen `metricLagSeconds` after it ends) within the alarm's
    /// window; without, those of the last `periodSeconds`.
    func visibleErrors(of arn: String, over periodSeconds: Double) -> Int {
        let errors = recentErrors[arn] ?? []
        guard let lag = model.metricLagSeconds else {
            let since = now.addingTimeInterval(-periodSeconds)
            return errors.filter { $0 > since }.count
        }
        let period = model.metricPeriodSeconds
        let elapsed = now.timeIntervalSince(start) - lag
        guard elapsed > 0 else { return 0 }
        let seenUntil = start.addingTimeInterval((elapsed / period).rounded(.down) * period)
        let from = seenUntil.addingTimeInterval(-max(period, periodSeconds))
        return errors.filter { $0 >= from && $0 < seenUntil }.count
    }

    // MARK: - Slow start

    /// A target of `group` has just turned healthy: it starts slowly when the group has slow start on and had another
    /// healthy target (AWS: targets that join a group with no healthy target take their full share at once).
    mutating func startSlowly(_ id: String, in group: inout TargetGroup, othersHealthy: Bool) {
        guard let seconds = group.slowStartSeconds, seconds > 0, othersHealthy else { return }
        group.targets[id]?.slowStart = now...now.addingTimeInterval(seconds)
        log("\(group.name) \(id) in slow start for \(Int(seconds)) s")
    }

    /// A target's share of requests against a target at full share: from near 0 to 1 over its slow start.
    func share(of target: Target) -> Double {
        guard let window = target.slowStart, now < window.upperBound else { return 1 }
        let length = window.upperBound.timeIntervalSince(window.lowerBound)
        return max(0.01, now.timeIntervalSince(window.lowerBound) / length)
    }
}
