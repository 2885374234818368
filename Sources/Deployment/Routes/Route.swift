/// One place of the load balancer that decides where requests go: a listener's default actions or a listener rule,
/// with everything it holds (conditions, every action and their order), as read.
public struct Route: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case listenerDefault, rule }
    public var kind: Kind
    /// The listener ARN (default action) or the rule ARN.
    public var arn: String
    /// The listener it belongs to.
    public var listenerArn: String
    public var listenerPort: Int?
    /// A rule's priority (lower wins); `nil` for a default action.
    public var priority: String?
    /// A rule's conditions; empty for a default action.
    public var conditions: [RouteCondition]
    public var actions: [RouteAction]

    public init(
        kind: Kind, arn: String, listenerArn: String, listenerPort: Int?, priority: String? = nil, conditions: [RouteCondition] = [],
        actions: [RouteAction]
    ) {
        self.kind = kind
        self.arn = arn
        self.listenerArn = listenerArn
        self.listenerPort = listenerPort
        self.priority = priority
        self.conditions = conditions
        self.actions = actions
    }

    /// A route with a path condition (when given) and one forward with these weights (none: no action).
    public init(kind: Kind, arn: String, listenerPort: Int?, priority: String? = nil, pathPatterns: [String] = [], weights: [String: Int]) {
        self.init(
            kind: kind, arn: arn, listenerArn: kind == .listenerDefault ? arn : "listener:\(listenerPort ?? 0)", listenerPort: listenerPort,
            priority: priority, conditions: pathPatterns.isEmpty ? [] : [.pathPattern(pathPatterns)],
            actions: weights.isEmpty ? [] : [RouteAction(.forward(ForwardAction(weights: weights)))])
    }

    /// The actions in the order the load balancer runs them.
    public var orderedActions: [RouteAction] {
        actions.count < 2 ? actions : actions.sorted { ($0.order ?? 0) < ($1.order ?? 0) }
    }

    /// The forward that ends the actions, if they end in one.
    public var forward: ForwardAction? {
        actions.count == 1 ? actions[0].forward : orderedActions.last?.forward
    }

    /// Target group ARN → weight of the forward (empty when the route does not forward). Setting it replaces the
    /// forward (in its place; added last when there was none), as a test world or the simulator does.
    public var weights: [String: Int] {
        get { forward?.weights ?? [:] }
        set {
            let forward = RouteAction(order: orderedActions.last?.order, .forward(ForwardAction(weights: newValue)))
            if let index = actions.firstIndex(where: { $0.forward != nil }) {
                actions[index] = forward
            } else {
                actions.append(forward)
            }
        }
    }

    public var pathPatterns: [String] {
        conditions.flatMap { if case .pathPattern(let values) = $0 { return values } else { return [] } }
    }

    /// Whether all of this route's traffic goes to `targetGroupArn`.
    public func forwardsOnly(to targetGroupArn: String) -> Bool {
        forward?.receivers == [targetGroupArn]
    }

    /// The type of the action that answers requests: `forward`, `redirect`, `fixed-response`, or `none`.
    public var finalActionType: String { orderedActions.last?.type ?? "none" }

    /// "listener :443 default" or "rule 101 on :443".
    public var label: String {
        let port = listenerPort.map { ":\($0)" } ?? "?"
        return kind == .listenerDefault ? "listener \(port) default" : "rule \(priority ?? "?") on \(port)"
    }

    /// "path /beta* + host x" → the rule's conditions in words; "default" for a default action.
    public var conditionsText: String {
        kind == .listenerDefault ? "default" : (conditions.isEmpty ? "no condition" : conditions.map(\.description).joined(separator: " + "))
    }

    /// Why this route cannot have its traffic moved by changing its forward, or `nil` when it can: it must end in a
    /// forward and carry only actions `ce` can send back unchanged.
    public var moveProblem: String? {
        if let unknown = actions.first(where: { if case .unrecognized = $0.kind { true } else { false } }) {
            return "\(label) carries an action of type '\(unknown.type)' that ce cannot send back unchanged"
        }
        guard forward != nil else {
            return "\(label) does not forward (its last action is \(finalActionType)); ce only moves forwards"
        }
        return nil
    }

    /// The action list that moves all of this route's traffic to `targetGroupArn` and keeps everything else: the
    /// other actions and their order, the forward's form and stickiness. `nil` when `moveProblem` says why not.
    public func actions(forwardingTo targetGroupArn: String) -> [RouteAction]? {
        guard let forward else { return nil }
        return actions(replacingForwardWith: forward.sendingAll(to: targetGroupArn))
    }

    /// The action list with its forward replaced by `forward` (a canary's weights) and everything else kept: the
    /// other actions and their order. `nil` when `moveProblem` says why not.
    public func actions(replacingForwardWith forward: ForwardAction) -> [RouteAction]? {
        guard moveProblem == nil, let last = orderedActions.last, last.forward != nil else { return nil }
        return actions.map { action in
            guard action == last else { return action }
            return RouteAction(order: action.order, .forward(forward))
        }
    }

    /// Whether this route, read back after its forward was replaced by `forward`, holds exactly that and nothing
    /// else changed — checked against the route as first read: the same conditions, every other action the same and
    /// in the same order, the forward equivalent to `forward` (weights, stickiness).
    public func hasForward(_ forward: ForwardAction, from original: Route) -> Bool {
        guard conditions == original.conditions, let read = self.forward, read.isEquivalent(to: forward) else { return false }
        let others = { (route: Route) in route.orderedActions.map { $0.forward == nil ? $0 : RouteAction(order: $0.order, .unrecognized(type: "forward")) } }
        return others(self) == others(original)
    }

    /// Whether this route, read back after a change, holds `expected`: the same actions in the same order, forwards
    /// compared by effect.
    public func holds(_ expected: [RouteAction]) -> Bool {
        let read = orderedActions
        let wanted = expected.sorted { ($0.order ?? 0) < ($1.order ?? 0) }
        return read.count == wanted.count && zip(read, wanted).allSatisfy { $0.isEquivalent(to: $1) }
    }

    /// Whether this route, read back after moving `original`'s traffic to `targetGroupArn`, did exactly that and
    /// nothing else — checked against the route as first read, not against what was sent: all traffic to the target;
    /// the same conditions; every other action the same, in the same order; the forward in its place with its
    /// stickiness.
    public func hasMoved(from original: Route, to targetGroupArn: String) -> Bool {
        guard let before = original.forward else { return false }
        return hasForward(before.sendingAll(to: targetGroupArn), from: original)
    }
}

/// Everything of a load balancer that routes requests: every listener's default actions and every rule.
public struct LoadBalancerRoutes: Sendable, Equatable {
    public var loadBalancerArn: String
    public var routes: [Route]
    public init(loadBalancerArn: String, routes: [Route]) {
        self.loadBalancerArn = loadBalancerArn
        self.routes = routes
    }

    /// The listeners' default actions.
    public var listenerDefaults: [Route] { routes.filter { $0.kind == .listenerDefault } }

    /// What each route is to `environment` (see `EnvironmentRoutes`).
    public func classify(for environment: EnvironmentConfiguration) -> EnvironmentRoutes {
        EnvironmentRoutes(classifying: routes, routing: environment.routing)
    }

    /// The routes that carry `environment`'s traffic.
    public func routes(for environment: EnvironmentConfiguration) -> [Route] { classify(for: environment).serving }

    /// Whether any listener or rule forwards traffic to the group: the load balancer then health-checks its targets.
    public func uses(targetGroupArn: String) -> Bool {
        routes.contains { $0.forward?.sends(to: targetGroupArn) == true }
    }
}
