/// How the load balancer sends an environment its traffic, from the configuration: which routes are the
/// environment's **serving** routes (the only ones `ce` ever changes), and how its **preview** routes are known.
public struct Routing: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Match: Sendable, Equatable, Codable {
        /// The default action of each listener that forwards (`routing: default`, prod).
        case listenerDefault
        /// The rules whose conditions are exactly this path pattern and/or host name, and nothing else.
        case rule(path: String?, host: String?)
    }

    /// A rule named in the configuration (`rules:`), for layouts where conditions alone do not tell.
    public enum RulePin: Sendable, Hashable, Codable, CustomStringConvertible {
        case priority(Int)
        case arn(String)

        public var description: String {
            switch self {
            case .priority(let priority): return "priority \(priority)"
            case .arn(let arn): return arn
            }
        }

        func matches(_ route: Route) -> Bool {
            switch self {
            case .priority(let priority): return route.priority == String(priority)
            case .arn(let arn): return route.arn == arn
            }
        }
    }

    public static let defaultPreviewHeader = "X-Deployment-Color"

    public var match: Match
    /// Only listeners on these ports (`listeners: [443]`); empty: every listener.
    public var listenerPorts: [Int]
    /// Only these rules (`rules:`); empty: the rules whose conditions match.
    public var pinnedRules: [RulePin]
    /// The header of preview rules (`X-Deployment-Color: blue|green`).
    public var previewHeader: String

    public init(match: Match, listenerPorts: [Int] = [], pinnedRules: [RulePin] = [], previewHeader: String = Routing.defaultPreviewHeader) {
        self.match = match
        self.listenerPorts = listenerPorts
        self.pinnedRules = pinnedRules
        self.previewHeader = previewHeader
    }

    /// Every listener's default action that forwards.
    public static let listenerDefault = Routing(match: .listenerDefault)

    /// The rules whose only condition is this path pattern.
    public static func pathPattern(_ pattern: String) -> Routing { Routing(match: .rule(path: pattern, host: nil)) }

    /// The conditions a serving rule has exactly (nothing for default actions or pinned rules).
    public var ruleConditions: [RouteCondition] {
        guard case .rule(let path, let host) = match else { return [] }
        return (path.map { [RouteCondition.pathPattern([$0])] } ?? []) + (host.map { [RouteCondition.hostHeader([$0])] } ?? [])
    }

    /// The path pattern, if the environment is served on one.
    public var pathPattern: String? {
        if case .rule(let path, _) = match { return path }
        return nil
    }

    public var host: String? {
        if case .rule(_, let host) = match { return host }
        return nil
    }

    /// Whether `route`'s listener is one of the environment's.
    func onListener(_ route: Route) -> Bool {
        listenerPorts.isEmpty || route.listenerPort.map(listenerPorts.contains) == true
    }

    /// "default action of every listener", "rules with path /beta* on :443", …
    public var description: String {
        let listeners = listenerPorts.isEmpty ? "every listener" : listenerPorts.map { ":\($0)" }.joined(separator: ", ")
        switch match {
        case .listenerDefault:
            return "default action of \(listenerPorts.isEmpty ? "every listener" : "listener \(listeners)")"
        case .rule:
            if !pinnedRules.isEmpty { return "rules \(pinnedRules.map(\.description).joined(separator: ", ")) on \(listeners)" }
            let conditions = ruleConditions.map(\.description).joined(separator: " + ")
            return "rules with exactly \(conditions)\(listenerPorts.isEmpty ? "" : " on \(listeners)")"
        }
    }
}
