/// A request as a load balancer's rules see it: the path, the host, the method, headers, query and source address.
/// `ce` uses it to tell which rule of a listener takes a request — the smoke check's, a preview's — as the load
/// balancer decides it; the simulator routes its traffic by the same rules.
public struct LoadBalancerRequest: Sendable, Equatable {
    public var path: String
    public var host: String
    public var method: String
    public var headers: [String: String]
    public var query: [String: String]
    public var sourceIP: String

    public init(
        path: String, host: String, method: String = "GET", headers: [String: String] = [:], query: [String: String] = [:],
        sourceIP: String = "203.0.113.7"
    ) {
        self.path = path
        self.host = host
        self.method = method
        self.headers = headers
        self.query = query
        self.sourceIP = sourceIP
    }

    /// Whether `condition` matches, as an ALB decides: paths case-sensitively, host names, header names and header
    /// values without case, `*` and `?` wildcards.
    public func matches(_ condition: RouteCondition) -> Bool {
        switch condition {
        case .pathPattern(let patterns):
            return patterns.contains { Self.matches(pattern: $0, path) }
        case .hostHeader(let patterns):
            return patterns.contains { Self.matches(pattern: $0.lowercased(), host.lowercased()) }
        case .httpHeader(let name, let patterns):
            guard let value = headers.first(where: { $0.key.lowercased() == name.lowercased() })?.value else { return false }
            return patterns.contains { Self.matches(pattern: $0.lowercased(), value.lowercased()) }
        case .httpRequestMethod(let methods):
            return methods.contains(method)
        case .queryString(let pairs):
            return pairs.contains { pair in
                query.contains { name, value in
                    (pair.key.map { Self.matches(pattern: $0, name) } ?? true) && Self.matches(pattern: pair.value, value)
                }
            }
        case .sourceIP(let blocks):
            return blocks.contains { $0 == sourceIP + "/32" }
        case .unrecognized:
            return false
        }
    }

    /// Whether every condition of `route` matches (a listener's default action matches every request).
    public func matches(_ route: Route) -> Bool { route.conditions.allSatisfy(matches) }

    /// Whether `text` fits `pattern`, where `*` stands for any characters and `?` for one.
    public static func matches(pattern: String, _ text: String) -> Bool {
        // The common shapes without the general matcher: no wildcard, or one trailing `*` (`/beta*`).
        let wildcards = pattern.utf8.filter { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") }.count
        if wildcards == 0 { return pattern == text }
        if wildcards == 1, pattern.hasSuffix("*") { return text.hasPrefix(pattern.dropLast()) }
        let p = Array(pattern)
        let s = Array(text)
        var dp = [Bool](repeating: false, count: s.count + 1)
        dp[0] = true
        for char in p {
            var next = [Bool](repeating: false, count: s.count + 1)
            if char == "*" {
                var seen = false
                for i in 0...s.count {
                    seen = seen || dp[i]
                    next[i] = seen
                }
            } else {
                for i in 0..<s.count where dp[i] && (char == "?" || char == s[i]) { next[i + 1] = true }
            }
            dp = next
        }
        return dp[s.count]
    }

    /// A request that `conditions` match: each condition's first value, `*` taken as nothing and `?` as one letter
    /// (`/beta*` → `/beta`, `*.example.com` → `a.example.com`); a path `/` and a host `example.com` when not named.
    public static func matching(_ conditions: [RouteCondition]) -> LoadBalancerRequest {
        func filled(_ pattern: String, star: String) -> String {
            pattern.replacingOccurrences(of: "*", with: star).replacingOccurrences(of: "?", with: "a")
        }
        var request = LoadBalancerRequest(path: "/", host: "example.com")
        for condition in conditions {
            switch condition {
            case .pathPattern(let values): if let first = values.first { request.path = filled(first, star: "") }
            case .hostHeader(let values): if let first = values.first { request.host = filled(first, star: "a") }
            case .httpHeader(let name, let values): if let first = values.first { request.headers[name] = filled(first, star: "") }
            case .httpRequestMethod(let values): if let first = values.first { request.method = first }
            case .queryString(let pairs):
                if let first = pairs.first { request.query[first.key.map { filled($0, star: "") } ?? "q"] = filled(first.value, star: "") }
            case .sourceIP(let blocks):
                if let first = blocks.first, first.hasSuffix("/32") { request.sourceIP = String(first.dropLast(3)) }
            case .unrecognized: break
            }
        }
        return request
    }

    /// The route of `routes` that takes this request on the listener of `port`: its first rule by priority whose
    /// conditions all match, else the listener's default action; `nil` when no listener has that port.
    public func route(onPort port: Int, in routes: [Route]) -> Route? {
        let rules = routes.filter { $0.kind == .rule && $0.listenerPort == port }
            .sorted { (Int($0.priority ?? "") ?? .max) < (Int($1.priority ?? "") ?? .max) }
        return rules.first(where: matches) ?? routes.first { $0.kind == .listenerDefault && $0.listenerPort == port }
    }
}
