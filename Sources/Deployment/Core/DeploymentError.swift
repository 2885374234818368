/// Errors of the deployment domain, each saying what to do next.
public enum DeploymentError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidColor(String)
    case unknownEnvironment(String, known: [String])
    case configuration(file: String, line: Int?, key: String, reason: String)
    case missingLoadBalancer(String)
    case missingTargetGroup(String)
    case missingAutoScalingGroup(String)
    case noRouting(environment: String, detail: String)

    public var description: String {
        switch self {
        case .invalidColor(let text):
            return "'\(text)' is not a colour. Use blue or green."
        case .unknownEnvironment(let name, let known):
            return "Unknown environment '\(name)'. Known environments: \(known.joined(separator: ", ")) (add it to the config file's environments)."
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
        }
    }
}
