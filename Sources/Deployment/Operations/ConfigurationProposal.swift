import Foundation

/// What `ce init` proposes for an existing load balancer: one environment per serving route whose target group has a
/// blue/green partner, the routes it could not take as an environment with the reason, and the questions it could not
/// decide. Read-only: built from what the ports read, it changes nothing.
public struct ConfigurationProposal: Sendable, Equatable {
    /// How requests reach an environment, in the config's words.
    public enum Routing: Sendable, Equatable {
        /// The listeners' default action (`routing: default`).
        case listenerDefault(ports: [Int])
        /// Rules whose only condition is this path pattern (`routing: "/beta*"`).
        case path(String)
        /// Rules whose conditions are exactly this host (and path, when given) (`host:` with optional `routing:`).
        case host(String, path: String?)
    }

    public struct Environment: Sendable, Equatable {
        public var name: String
        public var routing: Routing
        /// Where the serving routes are: "both listeners' default action", "rule 101 on :443".
        public var routes: [String]
        public var targetGroups: [Color: String]
        public var autoScalingGroups: [Color: String]
        /// The colour the serving routes forward to.
        public var live: Color
        /// The live group's minimum today, proposed as `minInstances` (nil when 0).
        public var minInstances: Int?
        /// Preview rules found for it, by colour: "rule 99 on :443".
        public var previews: [Color: String]
        /// Whether `{prefix}active-color` exists under the default prefix.
        public var ssmFound: Bool

        /// One target group for both colours: deployed by instance switching (`strategy: instances`).
        public var sharesOneTargetGroup: Bool { targetGroups[.blue] == targetGroups[.green] }
    }

    /// A serving route with one target group and one Auto Scaling group: `environment migrate` makes it blue/green.
    public struct SingleGroup: Sendable, Equatable {
        public var name: String
        public var routing: Routing
        public var route: String
        public var targetGroup: String
        public var autoScalingGroup: String?
    }

    public var loadBalancer: String
    public var listenerCount: Int
    public var ruleCount: Int
    public var environments: [Environment]
    public var singleGroups: [SingleGroup]
    /// Routes not proposed, each with why ("rule 5 on :443 (path /api/status → CE-Status): …").
    public var skipped: [String]
    /// What `ce init` could not decide, for a person to answer.
    public var questions: [String]
    /// The built-in name patterns fit every environment: the config needs no per-environment names.
    public var builtInNamesFit: Bool
}

extension ConfigurationProposal {
    /// Reads the load balancer, its target groups, every Auto Scaling group and the default SSM parameters through
    /// `ports`, and proposes. `nil` when no load balancer has that name.
    public static func read(
        loadBalancer name: String, ports: CloudPorts, defaults: DeploymentConfiguration.Defaults = .init()
    ) async throws -> ConfigurationProposal? {
        guard let balancer = try await ports.loadBalancer.routes(loadBalancerName: name) else { return nil }
        let groups = try await ports.scalingGroups.allGroups()
        var proposal = ConfigurationProposal(
            loadBalancer: name, listenerCount: balancer.listenerDefaults.count,
            ruleCount: balancer.routes.count - balancer.listenerDefaults.count, environments: [], singleGroups: [],
            skipped: [], questions: [], builtInNamesFit: true)

        // Serving candidates: routes whose whole job is to forward to one target group, keyed by how they route.
        struct Candidate {
            var routing: Routing
            var routes: [Route]
            var targetGroupArn: String
        }
        var candidates: [(key: String, value: Candidate)] = []
        func add(_ key: String, _ routing: Routing, _ route: Route, _ arn: String) {
            if let index = candidates.firstIndex(where: { $0.key == key }) {
                candidates[index].value.routes.append(route)
            } else {
                candidates.append((key, Candidate(routing: routing, routes: [route], targetGroupArn: arn)))
            }
        }
        var previews: [(route: Route, conditions: [RouteCondition], color: Color, arn: String)] = []
        let header = defaults.previewHeader.lowercased()
        for route in balancer.routes {
            let label = Self.label(route)
            // A route ends in a forward to serve (an authentication before it is kept by every change ce makes).
            guard let forward = route.forward else {
                if route.kind == .rule {
                    proposal.skipped.append("\(label) (\(route.conditionsText) → \(route.finalActionType)): does not forward")
                }
                continue
            }
            let arns = forward.targetGroups.filter { ($0.weight ?? 1) > 0 }.map(\.arn)
            guard arns.count == 1, let arn = arns.first else {
                proposal.questions.append("\(label) forwards to \(arns.count) target groups at once (\(arns.map(Self.name(ofTargetGroupArn:)).joined(separator: ", "))): a split in progress? finish it, then run init again")
                continue
            }
            if route.kind == .listenerDefault {
                add("default:\(arn)", .listenerDefault(ports: []), route, arn)
                continue
            }
            var conditions = route.conditions.map(\.normalized)
            if let index = conditions.firstIndex(where: { if case .httpHeader(let n, let v) = $0 { return n == header && v.count == 1 } else { return false } }),
               case .httpHeader(_, let values) = conditions[index], let color = Color(rawValue: values[0]) {
                conditions.remove(at: index)
                previews.append((route, conditions, color, arn))
                continue
            }
            switch Self.routing(of: conditions) {
            case .some(let routing):
                // Keyed by the target group too: the same conditions forwarding elsewhere on another listener are
                // another candidate (then a question), never taken for this one's.
                add("\(Self.key(routing))→\(arn)", routing, route, arn)
            case .none:
                proposal.skipped.append("\(label) (\(route.conditionsText) → \(Self.name(ofTargetGroupArn: arn))): its conditions are not one path pattern or one host (pin it with rules: [\(route.priority ?? route.arn)] if it is an environment's)")
            }
        }

        // Each candidate: a blue/green pair by name, the groups behind each colour. The partners are read in one call.
        let partnerNames = candidates.compactMap { candidate -> String? in
            let name = Self.name(ofTargetGroupArn: candidate.value.targetGroupArn)
            return Self.colorSplit(name).map { Self.colored($0.base, name, $0.color.other) }
        }
        var partners: [String: TargetGroupSnapshot] = [:]
        let wanted = Array(Set(partnerNames)).sorted()
        for start in stride(from: 0, to: wanted.count, by: 20) {  // DescribeTargetGroups takes 20 names at most
            partners.merge(try await ports.loadBalancer.targetGroups(names: Array(wanted[start..<min(start + 20, wanted.count)]))) { first, _ in first }
        }
        func floor(_ group: String?) -> Int? {
            groups.first { $0.name == group }.map(\.minSize).flatMap { $0 > 0 ? $0 : nil }
        }
        var usedNames = Set<String>()
        for (_, candidate) in candidates {
            let tgName = Self.name(ofTargetGroupArn: candidate.targetGroupArn)
            let routesText = candidate.routes.map(Self.label)
            var routing = candidate.routing
            if case .listenerDefault = routing {
                let all = balancer.listenerDefaults.filter { $0.forward != nil }.count
                let ports = candidate.routes.compactMap(\.listenerPort).sorted()
                routing = .listenerDefault(ports: ports.count == all ? [] : ports)
            }
            guard let (base, live) = Self.colorSplit(tgName) else {
                let name = Self.environmentName(
                    routing, fallback: Self.environment(named: tgName, by: defaults.sharedTargetGroupPattern) ?? tgName.lowercased())
                let attached = groups.filter { $0.targetGroupArns.contains(candidate.targetGroupArn) }
                // One target group for both colours: instance switching, when the colours' groups exist.
                let pair = Self.colorGroups(of: name, in: groups, defaults: defaults)
                let attachedColors = Color.allCases.filter { color in attached.contains { $0.name == pair[color] } }
                if pair.count == 2, attachedColors.count == 1, attached.count == 1, usedNames.insert(name).inserted {
                    let live = attachedColors[0]
                    proposal.environments.append(Environment(
                        name: name, routing: routing, routes: routesText, targetGroups: [.blue: tgName, .green: tgName],
                        autoScalingGroups: pair, live: live, minInstances: floor(pair[live]), previews: [:], ssmFound: false))
                    continue
                }
                if attached.count <= 1 {
                    if attached.isEmpty {
                        let described = candidate.routes.map { $0.conditions.isEmpty ? Self.label($0) : "\(Self.label($0)) (\($0.conditionsText))" }
                        proposal.skipped.append("\(described.joined(separator: ", ")) → \(tgName): no Auto Scaling group behind it, no blue/green partner (another service's route?)")
                    } else {
                        proposal.singleGroups.append(SingleGroup(
                            name: name, routing: routing, route: routesText.joined(separator: ", "), targetGroup: tgName,
                            autoScalingGroup: attached.first?.name))
                    }
                } else {
                    proposal.questions.append("\(routesText.joined(separator: ", ")) → \(tgName): \(attached.count) Auto Scaling groups share it (\(attached.map(\.name).sorted().joined(separator: ", "))): instance switching (strategy: instances, targetGroup: \(tgName), autoScalingGroups: {blue: …, green: …})?")
                }
                continue
            }
            let partnerName = Self.colored(base, tgName, live.other)
            guard let partner = partners[partnerName] else {
                proposal.questions.append("\(routesText.joined(separator: ", ")) → \(tgName): its \(live.other.rawValue) partner \(partnerName) does not exist; create it and its Auto Scaling group (README, 'From an existing setup'), then run init again")
                continue
            }
            let name = Self.environmentName(
                routing, fallback: Self.environment(named: tgName, by: defaults.targetGroupPattern) ?? base.lowercased())
            guard usedNames.insert(name).inserted else {
                proposal.questions.append("\(routesText.joined(separator: ", ")): a second environment named \(name); name it yourself")
                continue
            }
            let arns: [Color: String] = [live: candidate.targetGroupArn, live.other: partner.arn]
            var asgs: [Color: String] = [:]
            for color in Color.allCases {
                let attached = groups.filter { $0.targetGroupArns.contains(arns[color]!) }
                if attached.count == 1 { asgs[color] = attached[0].name }
            }
            asgs.merge(Self.colorGroups(of: name, in: groups, defaults: defaults)) { attached, _ in attached }
            guard asgs.count == 2 else {
                let missing = Color.allCases.filter { asgs[$0] == nil }.map(\.rawValue).joined(separator: " and ")
                proposal.questions.append("\(name): no Auto Scaling group found for \(missing) (none attached to its target group, tagged Environment=\(name) Color=…, or named \(defaults.asgPattern)); add autoScalingGroups: {blue: …, green: …}")
                continue
            }
            let envPreviews = previews.filter { preview in
                guard arns[preview.color] == preview.arn else { return false }
                if case .listenerDefault = routing { return preview.conditions.isEmpty }
                return Self.routing(of: preview.conditions).map(Self.key) == Self.key(routing)
            }
            let environment = Environment(
                name: name, routing: routing, routes: routesText,
                targetGroups: [live: tgName, live.other: partnerName], autoScalingGroups: asgs, live: live,
                minInstances: floor(asgs[live]),
                previews: Dictionary(envPreviews.map { ($0.color, Self.label($0.route)) }, uniquingKeysWith: { first, _ in first }),
                ssmFound: false)
            for color in Color.allCases {
                if environment.targetGroups[color] != DeploymentConfiguration.expand(defaults.targetGroupPattern, env: name, color: color)
                    || environment.autoScalingGroups[color] != DeploymentConfiguration.expand(defaults.asgPattern, env: name, color: color) {
                    proposal.builtInNamesFit = false
                }
            }
            proposal.environments.append(environment)
        }

        // Whether each environment's `active-color` exists, in one read.
        func activeColor(_ environment: Environment) -> String {
            DeploymentConfiguration.expand(defaults.ssmPrefix, env: environment.name, color: nil) + "active-color"
        }
        if !proposal.environments.isEmpty {
            let found = try await ports.parameters.values(names: proposal.environments.map(activeColor))
            for index in proposal.environments.indices {
                proposal.environments[index].ssmFound = found[activeColor(proposal.environments[index])] != nil
            }
        }
        return proposal
    }

    /// Each colour's Auto Scaling group of environment `name` not found by attachment: the one tagged
    /// `Environment`/`Color`, else the one named by `asgPattern`.
    static func colorGroups(of name: String, in groups: [ScalingGroupSnapshot], defaults: DeploymentConfiguration.Defaults) -> [Color: String] {
        var found: [Color: String] = [:]
        for color in Color.allCases {
            let tagged = groups.filter { $0.tags["Environment"] == name && $0.tags["Color"]?.lowercased() == color.rawValue }
            let byPattern = DeploymentConfiguration.expand(defaults.asgPattern, env: name, color: color)
            if tagged.count == 1 {
                found[color] = tagged[0].name
            } else if groups.contains(where: { $0.name == byPattern }) {
                found[color] = byPattern
            }
        }
        return found
    }

    /// `routing` of a rule's (normalized, header-less) conditions, when they are one path pattern, one host, or one
    /// host and one path pattern, each with one value.
    static func routing(of conditions: [RouteCondition]) -> Routing? {
        var path: String?
        var host: String?
        for condition in conditions {
            switch condition {
            case .pathPattern(let values) where values.count == 1 && path == nil: path = values[0]
            case .hostHeader(let values) where values.count == 1 && host == nil: host = values[0]
            case .pathPattern, .hostHeader, .httpHeader, .httpRequestMethod, .queryString, .sourceIP, .unrecognized: return nil
            }
        }
        if let host { return .host(host, path: path) }
        if let path { return .path(path) }
        return nil
    }

    static func key(_ routing: Routing) -> String {
        switch routing {
        case .listenerDefault: return "default"
        case .path(let path): return "path:\(path)"
        case .host(let host, let path): return "host:\(host):\(path ?? "")"
        }
    }

    /// `beta` for `/beta*`, `docs` for host `docs.example.com`, else the target group's base name.
    static func environmentName(_ routing: Routing, fallback: String) -> String {
        func clean(_ text: String) -> String {
            let mapped = text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
            return String(mapped).split(separator: "-").joined(separator: "-")
        }
        switch routing {
        case .listenerDefault: return clean(fallback)
        case .path(let path):
            let name = clean(path)
            return name.isEmpty ? clean(fallback) : name
        case .host(let host, let path):
            let name = clean(host.split(separator: ".").first.map(String.init) ?? host) + (path.map { "-" + clean($0) } ?? "")
            return name.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        }
    }

    /// The environment a target group's name stands for under `pattern` (`prod` for `Prod-Blue` by `{Env}-{Color}`).
    static func environment(named name: String, by pattern: String) -> String? {
        var regex = "^"
        var rest = Substring(pattern)
        let placeholders = ["{env}": "([a-z0-9][a-z0-9_-]*)", "{Env}": "([A-Z0-9][A-Za-z0-9_-]*)", "{color}": "(?:blue|green)", "{Color}": "(?:Blue|Green)"]
        var capitalized: Bool?
        while !rest.isEmpty {
            if let (key, value) = placeholders.first(where: { rest.hasPrefix($0.key) }) {
                regex += value
                if key == "{env}" || key == "{Env}" { capitalized = capitalized ?? (key == "{Env}") }
                rest = rest.dropFirst(key.count)
            } else {
                regex += NSRegularExpression.escapedPattern(for: String(rest.first!))
                rest = rest.dropFirst()
            }
        }
        guard let capitalized, let expression = try? NSRegularExpression(pattern: regex + "$"),
              let match = expression.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)),
              let range = Range(match.range(at: 1), in: name) else { return nil }
        let env = String(name[range])
        return capitalized ? env.prefix(1).lowercased() + env.dropFirst() : env
    }

    /// `(Beta, blue)` for `Beta-Blue` or `beta_blue` or `BetaBlue`; nil when the name ends in no colour.
    static func colorSplit(_ name: String) -> (base: String, color: Color)? {
        for color in Color.allCases {
            let lower = name.lowercased()
            guard lower.hasSuffix(color.rawValue), lower.count > color.rawValue.count else { continue }
            var base = String(name.dropLast(color.rawValue.count))
            if base.hasSuffix("-") || base.hasSuffix("_") { base.removeLast() }
            return base.isEmpty ? nil : (base, color)
        }
        return nil
    }

    /// `name` with its colour suffix replaced by `color`'s, in the same case and separator.
    static func colored(_ base: String, _ name: String, _ color: Color) -> String {
        let suffixStart = name.index(name.startIndex, offsetBy: name.count - (colorSplit(name)?.color.rawValue.count ?? 0))
        let old = String(name[suffixStart...])
        let new: String
        if old == old.uppercased() {
            new = color.rawValue.uppercased()
        } else if old.first?.isUppercase == true {
            new = color.capitalized
        } else {
            new = color.rawValue
        }
        return String(name[..<suffixStart]) + new
    }

    /// `Beta-Blue` from `arn:aws:elasticloadbalancing:…:targetgroup/Beta-Blue/0123…` (or the simulator's).
    public static func name(ofTargetGroupArn arn: String) -> String {
        guard let range = arn.range(of: "targetgroup/") else { return arn }
        return String(arn[range.upperBound...].prefix { $0 != "/" })
    }

    static func label(_ route: Route) -> String {
        let port = route.listenerPort.map { ":\($0)" } ?? "a listener"
        switch route.kind {
        case .listenerDefault: return "the default action of \(port)"
        case .rule: return "rule \(route.priority ?? "?") on \(port)"
        }
    }
}
