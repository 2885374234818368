/// `environment validate`: checks that an environment is set up for blue-green deployment.
public enum EnvironmentValidator {
    public struct Check: Sendable, Equatable, Codable {
        public enum Outcome: String, Sendable, Codable { case pass, warn, fail }
        public var name: String
        public var outcome: Outcome
        public var detail: String
        public init(name: String, outcome: Outcome, detail: String) {
            self.name = name
            self.outcome = outcome
            self.detail = detail
        }
    }

    public static func checks(_ snapshot: EnvironmentSnapshot) -> [Check] {
        let env = snapshot.environment
        var checks: [Check] = []
        func add(_ name: String, _ ok: Bool, _ pass: String, _ fail: String, warnOnly: Bool = false) {
            checks.append(Check(name: name, outcome: ok ? .pass : (warnOnly ? .warn : .fail), detail: ok ? pass : fail))
        }

        let listenerRoutes = snapshot.loadBalancer.routes.filter { $0.kind == .listenerDefault }
        add(
            "load balancer", !listenerRoutes.isEmpty,
            "\(env.loadBalancerName) with \(listenerRoutes.count) listener(s) (\(listenerRoutes.compactMap(\.listenerPort).map { ":\($0)" }.joined(separator: ", ")))",
            "\(env.loadBalancerName) has no listener")

        let envArns = Set(Color.allCases.compactMap { snapshot.targetGroups[env.targetGroupNames[$0]!]?.arn })
        switch env.routing {
        case .listenerDefault:
            let wrong = snapshot.routes.filter { !($0.weights.keys.allSatisfy(envArns.contains) && !$0.weights.isEmpty) }
            add(
                "routing", !snapshot.routes.isEmpty && wrong.isEmpty,
                "every listener's default action forwards to \(env.name)'s blue or green target group",
                wrong.isEmpty ? "no listener" : "\(wrong.map(\.label).joined(separator: ", ")) forward(s) elsewhere")
        case .pathPattern(let pattern):
            let missing = listenerRoutes.filter { listener in !snapshot.routes.contains { $0.listenerPort == listener.listenerPort } }
            let wrong = snapshot.routes.filter { !($0.weights.keys.allSatisfy(envArns.contains) && !$0.weights.isEmpty) }
            add(
                "routing", !snapshot.routes.isEmpty && missing.isEmpty && wrong.isEmpty,
                "a \(pattern) rule on every listener (\(snapshot.routes.map(\.label).joined(separator: ", ")))",
                snapshot.routes.isEmpty
                    ? "no rule with path pattern \(pattern)"
                    : [missing.isEmpty ? nil : "no \(pattern) rule on \(missing.map(\.label).joined(separator: ", "))",
                       wrong.isEmpty ? nil : "\(wrong.map(\.label).joined(separator: ", ")) forward(s) elsewhere"]
                        .compactMap { $0 }.joined(separator: "; "))
        }

        for color in Color.allCases {
            let name = env.targetGroupNames[color]!
            guard let group = snapshot.targetGroups[name] else {
                add("target group \(color.rawValue)", false, "", "\(name) does not exist")
                continue
            }
            add("target group \(color.rawValue)", true, "\(name)", "")
            let path = group.healthCheckPath
            add(
                "health check \(color.rawValue)", path != nil, "\(name) checks \(path ?? "")", "\(name) has no HTTP health check path")
            if let path, path != env.health.path {
                checks.append(Check(
                    name: "health path \(color.rawValue)", outcome: .warn,
                    detail: "\(name) checks \(path) but the config's health path is \(env.health.path)"))
            }
        }

        for color in Color.allCases {
            let name = env.autoScalingGroupNames[color]!
            guard let group = snapshot.groups[name] else {
                add("asg \(color.rawValue)", false, "", "\(name) does not exist")
                continue
            }
            let own = snapshot.targetGroups[env.targetGroupNames[color]!]?.arn
            let other = snapshot.targetGroups[env.targetGroupNames[color.other]!]?.arn
            let attachedOwn = own.map(group.targetGroupArns.contains) ?? false
            let attachedOther = other.map(group.targetGroupArns.contains) ?? false
            add(
                "asg \(color.rawValue)", attachedOwn && !attachedOther,
                "\(name) (\(group.minSize)/\(group.desiredCapacity)/\(group.maxSize)) attached to \(env.targetGroupNames[color]!) only",
                attachedOther
                    ? "\(name) is attached to the \(color.other.rawValue) target group too: its instances would serve both colours"
                    : "\(name) is not attached to \(env.targetGroupNames[color]!): its instances would never be registered")
            if let tag = group.tags["Color"] {
                add("asg \(color.rawValue) tags", tag == color.rawValue, "Color=\(tag)", "Color tag is '\(tag)', expected \(color.rawValue)")
            } else {
                checks.append(Check(name: "asg \(color.rawValue) tags", outcome: .warn, detail: "\(name) has no Color tag"))
            }
            add(
                "asg \(color.rawValue) max", group.maxSize >= env.liveFloor, "max \(group.maxSize)",
                "max \(group.maxSize) is below the live floor \(env.liveFloor)")
        }

        let names = env.parameters
        for name in [names.activeColor, names.activeTargetGroupArn, names.version, names.version(of: .blue), names.version(of: .green)] {
            add("ssm \(name.dropFirst(env.ssmPrefix.count))", snapshot.values[name] != nil, "\(name) = \(snapshot.values[name] ?? "")", "\(name) is not set")
        }
        for (alarm, state) in snapshot.status.alarms.sorted(by: { $0.key < $1.key }) {
            add("alarm \(alarm)", state != "missing", "\(alarm) exists (\(state))", "\(alarm) does not exist: the bake period could not watch it")
        }
        if let journal = snapshot.status.deployment, journal.isUnfinished {
            add("deployment", false, "", "\(journal.id) stopped at '\(journal.step)': run 'environment refresh --resume' or 'environment recover'")
        }
        add(
            "drift", !snapshot.status.drift, "SSM and the load balancer agree (\(snapshot.status.albColor?.rawValue ?? "-"))",
            snapshot.status.driftReasons.joined(separator: "; "))
        return checks
    }
}
