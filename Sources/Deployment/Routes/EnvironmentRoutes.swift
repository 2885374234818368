/// What each route of a load balancer is to one environment.
///
/// - **serving**: the routes that carry its traffic — `routing: default`: each listener's default action that
///   forwards; a rule routing: the rules whose conditions are exactly the configured path and/or host and nothing
///   else (or the pinned rules). Only these are ever changed, and only their forward.
/// - **previews**: rules whose conditions are a serving route's plus one `http-header` condition (the preview
///   header) naming one colour. Shown by status, never switched.
/// - **nonForwardingDefaults**: with `routing: default`, the listeners whose default action redirects or answers
///   fixed: not the environment's.
/// - **other**: everything else — other services' rules, rules sharing the path but with more conditions,
///   redirects, fixed responses. Never counted for drift, never changed.
public struct EnvironmentRoutes: Sendable, Equatable {
    public struct Preview: Sendable, Equatable {
        public var route: Route
        public var color: Color
    }

    public var serving: [Route]
    public var previews: [Preview]
    public var nonForwardingDefaults: [Route]
    public var other: [Route]

    public init(classifying routes: [Route], routing: Routing) {
        let wanted = routing.ruleConditions.map(\.normalized)
        var serving: [Route] = []
        var nonForwarding: [Route] = []
        var rest: [Route] = []
        for route in routes {
            switch (routing.match, route.kind) {
            case (.listenerDefault, .listenerDefault) where routing.onListener(route):
                if route.forward != nil { serving.append(route) } else { nonForwarding.append(route) }
            case (.rule, .rule) where routing.onListener(route) && Self.isServingRule(route, routing, wanted: wanted):
                serving.append(route)
            default:
                rest.append(route)
            }
        }
        // A preview's conditions are a serving route's plus the colour header.
        let servingConditions: [[RouteCondition]] =
            routing.match == .listenerDefault ? [[]] : (routing.pinnedRules.isEmpty ? [wanted] : serving.map { $0.conditions.map(\.normalized) })
        let previewSizes = Set(servingConditions.map { $0.count + 1 })
        let header = routing.previewHeader.lowercased()
        var previews: [Preview] = []
        var other: [Route] = []
        for route in rest {
            // (Cheap checks first: a load balancer may hold hundreds of rules, and the simulator classifies every second.)
            if route.kind == .rule, previewSizes.contains(route.conditions.count),
                route.conditions.contains(where: { if case .httpHeader(let name, _) = $0 { name.lowercased() == header } else { false } }),
                let color = Self.previewColor(route, header: header, servingConditions: servingConditions)
            {
                previews.append(Preview(route: route, color: color))
            } else {
                other.append(route)
            }
        }
        self.serving = serving
        self.previews = previews
        self.nonForwardingDefaults = nonForwarding
        self.other = other
    }

    /// Every route classified.
    public var all: [Route] { serving + previews.map(\.route) + nonForwardingDefaults + other }

    /// The route that takes a preview's requests before the preview does, if one does: a request its conditions match
    /// (their first values, wildcards filled), routed on its listener as the load balancer routes it — the first rule by
    /// priority whose conditions all match. A preview behind the serving rule (a higher priority number) is never
    /// reached: its requests are served by whatever serves, and a smoke check through it proves nothing.
    public func shadowing(_ preview: Preview) -> Route? {
        guard let port = preview.route.listenerPort else { return nil }
        let request = LoadBalancerRequest.matching(preview.route.conditions)
        guard let taken = request.route(onPort: port, in: all), taken.arn != preview.route.arn else { return nil }
        return taken
    }

    /// - Parameter wanted: the routing's rule conditions, normalized.
    static func isServingRule(_ route: Route, _ routing: Routing, wanted: [RouteCondition]) -> Bool {
        if !routing.pinnedRules.isEmpty { return routing.pinnedRules.contains { $0.matches(route) } }
        return !wanted.isEmpty && route.conditions.count == wanted.count && RouteCondition.sameNormalizedSet(route.conditions.map(\.normalized), wanted)
    }

    /// The colour a preview rule is for: exactly one `header: colour` condition, the rest a serving route's.
    /// - Parameters:
    ///   - header: the preview header, lower-cased.
    ///   - servingConditions: each serving route's conditions, normalized.
    static func previewColor(_ route: Route, header: String, servingConditions: [[RouteCondition]]) -> Color? {
        var color: Color?
        var rest: [RouteCondition] = []
        for condition in route.conditions {
            if case .httpHeader(let name, let values) = condition, name.lowercased() == header, values.count == 1,
                color == nil, let named = Color(rawValue: values[0].lowercased())
            {
                color = named
            } else {
                rest.append(condition.normalized)
            }
        }
        guard let color, servingConditions.contains(where: { RouteCondition.sameNormalizedSet(rest, $0) }) else { return nil }
        return color
    }
}
