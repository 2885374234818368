/// Errors of the deployment domain, each saying what to do next.
public enum DeploymentError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidColor(String)
    case unknownEnvironment(String, known: [String])
    case configuration(file: String, line: Int?, key: String, reason: String)
    case missingLoadBalancer(String)
    case missingTargetGroup(String)
    case missingAutoScalingGroup(String)
    case noRouting(environment: String, detail: String)
    /// A port that cannot do what was asked (a test double, a reader without that call).
    case unsupported(String)

    /// The known name `name` was most likely meant to be: the same but for case, or at most two edits away.
    public static func closest(to name: String, in known: [String]) -> String? {
        if let same = known.first(where: { $0.lowercased() == name.lowercased() }) { return same }
        let scored = known.map { ($0, editDistance(name.lowercased(), $0.lowercased())) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }?.0
    }

    /// Levenshtein distance, with a swap of neighbours counting as one edit.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }

    public var description: String {
        switch self {
        case .invalidColor(let text):
            return "'\(text)' is not a colour. Use blue or green."
        case .unknownEnvironment(let name, let known):
            let guess = Self.closest(to: name, in: known).map { " Did you mean '\($0)'?" } ?? ""
            return "Unknown environment '\(name)'.\(guess) Known environments: \(known.joined(separator: ", ")) (add it to the config file's environments)."
        case .configuration(let file, let line, let key, let reason):
            let place = line.map { "\(file) line \($0)" } ?? file
            return "\(place): \(key): \(reason)."
        case .missingLoadBalancer(let name):
            return "The load balancer '\(name)' does not exist in this account and region. Check --region, or loadBalancer in the config."
        case .missingTargetGroup(let name):
            return "The target group '\(name)' does not exist. Create it (two target groups per environment, as in the design document), or fix targetGroupPattern in the config."
        case .missingAutoScalingGroup(let name):
            return "The Auto Scaling group '\(name)' does not exist. Create it (two Auto Scaling groups per environment, as in the design document), or fix asgPattern in the config."
        case .noRouting(let environment, let detail):
            return "No listener or rule routes environment '\(environment)': \(detail). Check the load balancer's rules, or routing in the config."
        case .unsupported(let what):
            return what
        }
    }
}
