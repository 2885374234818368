/// One condition of a listener rule, as the load balancer holds it (the AWS adapter decodes both the legacy `Values`
/// and the `*Config` forms into this). A rule matches a request only when all of its conditions match.
public enum RouteCondition: Sendable, Hashable, Codable, CustomStringConvertible {
    case pathPattern([String])
    case hostHeader([String])
    case httpHeader(name: String, values: [String])
    case httpRequestMethod([String])
    case queryString([QueryPair])
    case sourceIP([String])
    /// A condition `ce` does not interpret (a newer field, or regular-expression matching): it never equals one of an
    /// environment's conditions, so a rule carrying it is never taken for the environment's.
    case unrecognized(String)

    /// One `key=value` of a `query-string` condition; the key is optional.
    public struct QueryPair: Sendable, Hashable, Codable {
        public var key: String?
        public var value: String
        public init(key: String?, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The field name as AWS spells it.
    public var field: String {
        switch self {
        case .pathPattern: return "path-pattern"
        case .hostHeader: return "host-header"
        case .httpHeader: return "http-header"
        case .httpRequestMethod: return "http-request-method"
        case .queryString: return "query-string"
        case .sourceIP: return "source-ip"
        case .unrecognized(let text): return text
        }
    }

    /// The same condition in a form where equal meaning is equal value: values as sorted sets; host names, header
    /// names and header values lower-cased (the load balancer compares them without case); paths, methods, query
    /// strings and addresses as they are.
    public var normalized: RouteCondition {
        func set(_ values: [String], lowercased: Bool = false) -> [String] {
            Array(Set(values.map { lowercased ? $0.lowercased() : $0 })).sorted()
        }
        switch self {
        case .pathPattern(let values): return .pathPattern(set(values))
        case .hostHeader(let values): return .hostHeader(set(values, lowercased: true))
        case .httpHeader(let name, let values): return .httpHeader(name: name.lowercased(), values: set(values, lowercased: true))
        case .httpRequestMethod(let values): return .httpRequestMethod(set(values))
        case .queryString(let pairs):
            return .queryString(Array(Set(pairs)).sorted { ($0.key ?? "", $0.value) < ($1.key ?? "", $1.value) })
        case .sourceIP(let values): return .sourceIP(set(values))
        case .unrecognized: return self
        }
    }

    /// "path /beta*", "host beta.example.com", "header X-Deployment-Color: blue".
    public var description: String {
        switch self {
        case .pathPattern(let values): return "path \(values.joined(separator: " | "))"
        case .hostHeader(let values): return "host \(values.joined(separator: " | "))"
        case .httpHeader(let name, let values): return "header \(name): \(values.joined(separator: " | "))"
        case .httpRequestMethod(let values): return "method \(values.joined(separator: " | "))"
        case .queryString(let pairs):
            return "query " + pairs.map { ($0.key.map { "\($0)=" } ?? "") + $0.value }.joined(separator: " | ")
        case .sourceIP(let values): return "source \(values.joined(separator: " | "))"
        case .unrecognized(let text): return text
        }
    }

    /// Two lists of conditions that match exactly the same requests by the same rules (order and case aside).
    public static func sameSet(_ a: [RouteCondition], _ b: [RouteCondition]) -> Bool {
        sameNormalizedSet(a.map(\.normalized), b.map(\.normalized))
    }

    /// `sameSet` for lists already normalized.
    static func sameNormalizedSet(_ left: [RouteCondition], _ right: [RouteCondition]) -> Bool {
        guard left.count == right.count else { return false }
        if left.count == 1 { return left[0] == right[0] }
        return Set(left) == Set(right)
    }
}
