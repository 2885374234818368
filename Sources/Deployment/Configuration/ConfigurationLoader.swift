import Foundation
import Yams

/// Reads the YAML config file (`--config FILE`, else `./ce.yaml`, else `~/.config/ce/config.yaml`).
///
/// ```yaml
/// defaults:                      # all optional
///   loadBalancer: GccExplorerApp
///   targetGroupPattern: "{Env}-{Color}"
///   asgPattern: "{env}-{color}"
///   ssmPrefix: "/compiler-explorer/{env}/"
///   minInstances: 0
///   strategy: blue-green         # or canary, linear, rolling
///   steps: [10, 50, 100]         # canary: shares of traffic on the new colour (default 10, 100)
///   step: 20                     # linear: share added at each step (default 20)
///   stepBake: 5m                 # canary/linear: how long each step is watched
///   stickiness: 1h               # canary/linear: target-group stickiness while split (default: the route's own)
///   health: {path: /healthcheck, port: 80, timeout: 10m, poll: 5s, stable: 10s}
///   bake: 1m                     # watch the new colour after the switch; 0 turns it off
///   alarms: ["{env}-{color}-5xx"] # CloudWatch alarms watched during the bake
///   alarmDelay: 4m               # alarms see an error this late: a bake they watch lasts at least this (0: off)
///   propagation: 10s             # a rule change reaches every load balancer node within this
///   keepOldFor: 1h               # the old colour stays warm this long after a deploy (cleanup --expired)
///   previewHeader: X-Deployment-Color  # preview rules: the serving conditions + this header = blue|green
///   builds: ssm                  # or s3://bucket/{env}/{color}, or one object per environment: s3://bucket/version/{branch}
///   branches: {prod: release}    # {branch} of that object by environment (default: its name)
/// environments:                  # replaces the built-in list when present
///   prod: {routing: default, minInstances: 2, listeners: [443]}
///   beta: {routing: "/beta*"}
///   docs: {host: docs.example.com}                # or both a path and a host; `rules: [101]` pins rules
///   api:  {routing: "/api*", loadBalancer: Other, targetGroups: {blue: A, green: B}, autoScalingGroups: {blue: a, green: b}}
/// ```
/// Unknown keys and bad values are errors naming the key and its line.
public enum ConfigurationLoader {
    /// The file to read: the explicit one, else the first of the default places that exists, else none.
    public static func locate(explicit: String?, workingDirectory: String, home: String) throws -> String? {
        if let explicit {
            guard FileManager.default.fileExists(atPath: explicit) else {
                throw DeploymentError.configuration(file: explicit, line: nil, key: "--config", reason: "no such file")
            }
            return explicit
        }
        for candidate in [workingDirectory + "/ce.yaml", home + "/.config/ce/config.yaml"]
        where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        return nil
    }

    public static func load(path: String?) throws -> DeploymentConfiguration {
        guard let path else { return .builtIn }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DeploymentError.configuration(file: path, line: nil, key: "(file)", reason: "cannot be read")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    public static func parse(_ text: String, file: String) throws -> DeploymentConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw DeploymentError.configuration(file: file, line: Self.line(of: error), key: "(syntax)", reason: "not valid YAML")
        }
        guard let root else { return DeploymentConfiguration(environments: DeploymentConfiguration.builtIn.environments, source: file) }
        let reader = Reader(file: file)
        let top = try reader.mapping(root, key: "(top level)", allowed: ["defaults", "environments"])

        var defaults = DeploymentConfiguration.Defaults()
        if let node = top["defaults"] { defaults = try reader.defaults(node, base: defaults, key: "defaults") }

        guard let environmentsNode = top["environments"] else {
            var environments: [String: EnvironmentConfiguration] = [:]
            for (name, minimum) in DeploymentConfiguration.compilerExplorerEnvironments {
                environments[name] = DeploymentConfiguration.make(
                    name: name, defaults: defaults, routing: DeploymentConfiguration.builtInRouting(name),
                    minInstances: max(minimum, defaults.minInstances))
            }
            try reader.checkBranches(top["defaults"], defaults: defaults, environments: environments)
            return DeploymentConfiguration(environments: environments, source: file, defaults: defaults)
        }
        guard case .mapping(let mapping) = environmentsNode, !mapping.isEmpty else {
            throw reader.error(environmentsNode, "environments", "must map environment names to their settings")
        }
        var environments: [String: EnvironmentConfiguration] = [:]
        for (nameNode, value) in mapping {
            let name = try reader.string(nameNode, key: "environments")
            guard name.range(of: #"^[a-z0-9][a-z0-9_-]*$"#, options: .regularExpression) != nil else {
                throw reader.error(nameNode, "environments.\(name)", "environment names are lower-case letters, digits, - and _")
            }
            environments[name] = try reader.environment(value, name: name, defaults: defaults)
        }
        try reader.checkBranches(top["defaults"], defaults: defaults, environments: environments)
        return DeploymentConfiguration(environments: environments, source: file, defaults: defaults)
    }

    /// `90`, `90s`, `10m`, `1h` → seconds; `nil` for anything else.
    public static func seconds(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600]
        var number = Substring(text)
        var unit = 1
        if let last = text.last, let factor = units[last] {
            number = text.dropLast()
            unit = factor
        }
        guard let value = Int(number), value >= 0, value <= Int.max / 3600 else { return nil }
        return value * unit
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }

    /// Walks the YAML nodes, checking keys and values.
    struct Reader {
        let file: String

        func error(_ node: Node, _ key: String, _ reason: String) -> DeploymentError {
            .configuration(file: file, line: node.mark?.line, key: key, reason: reason)
        }

        func mapping(_ node: Node, key: String, allowed: Set<String>) throws -> [String: Node] {
            guard case .mapping(let mapping) = node else { throw error(node, key, "must be a mapping of keys to values") }
            var result: [String: Node] = [:]
            for (keyNode, value) in mapping {
                let name = try string(keyNode, key: key)
                let path = key == "(top level)" ? name : "\(key).\(name)"
                guard allowed.contains(name) else {
                    let meant = DeploymentError.closest(to: name, in: allowed.sorted()).map { "did you mean '\($0)'? " } ?? ""
                    throw error(keyNode, path, "unknown key; \(meant)expected one of \(allowed.sorted().joined(separator: ", "))")
                }
                result[name] = value
            }
            return result
        }

        func string(_ node: Node, key: String) throws -> String {
            guard case .scalar(let scalar) = node, !scalar.string.isEmpty else { throw error(node, key, "must be a non-empty text value") }
            return scalar.string
        }

        func integer(_ node: Node, key: String, range: ClosedRange<Int>) throws -> Int {
            guard let value = Int(try string(node, key: key)), range.contains(value) else {
                throw error(node, key, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }

        /// `90`, `90s`, `10m`, `1h` → seconds.
        func seconds(_ node: Node, key: String, range: ClosedRange<Int>) throws -> Int {
            guard let value = ConfigurationLoader.seconds(try string(node, key: key)), range.contains(value) else {
                throw error(node, key, "must be a duration such as 90, 90s, 10m or 1h, from \(range.lowerBound) s to \(range.upperBound) s")
            }
            return value
        }

        func pattern(_ node: Node, key: String, needsColor: Bool) throws -> String {
            let value = try string(node, key: key)
            if needsColor && !(value.contains("{color}") || value.contains("{Color}")) {
                throw error(node, key, "must contain {color} or {Color}, or blue and green would share one name")
            }
            return value
        }

        func defaults(_ node: Node, base: DeploymentConfiguration.Defaults, key: String) throws
            -> DeploymentConfiguration.Defaults
        {
            let keys = try mapping(
                node, key: key,
                allowed: [
                    "loadBalancer", "targetGroupPattern", "asgPattern", "ssmPrefix", "minInstances", "strategy", "health", "bake", "alarms",
                    "previewHeader", "steps", "step", "stepBake", "stickiness", "propagation", "alarmDelay", "hooks", "keepOldFor",
                    "metricsNamespace", "builds", "branches",
                ])
            var result = base
            if let n = keys["branches"] {
                guard case .mapping(let mapping) = n, !mapping.isEmpty else {
                    throw error(n, "\(key).branches", "must map environment names to the {branch} of their build object, such as {prod: release}")
                }
                var branches: [String: String] = [:]
                for (nameNode, value) in mapping {
                    let name = try string(nameNode, key: "\(key).branches")
                    let branch = try string(value, key: "\(key).branches.\(name)")
                    guard branch.range(of: #"^[A-Za-z0-9._-]{1,128}$"#, options: .regularExpression) != nil else {
                        throw error(value, "\(key).branches.\(name)", "must be a branch name of letters, digits, . _ and -, such as release")
                    }
                    branches[name] = branch
                }
                result.branches = branches
            }
            if let n = keys["loadBalancer"] { result.loadBalancer = try string(n, key: "\(key).loadBalancer") }
            if let n = keys["targetGroupPattern"] { result.targetGroupPattern = try pattern(n, key: "\(key).targetGroupPattern", needsColor: true) }
            if let n = keys["asgPattern"] { result.asgPattern = try pattern(n, key: "\(key).asgPattern", needsColor: true) }
            if let n = keys["ssmPrefix"] {
                result.ssmPrefix = try string(n, key: "\(key).ssmPrefix")
                guard result.ssmPrefix.hasPrefix("/") else { throw error(n, "\(key).ssmPrefix", "must start with /") }
            }
            if let n = keys["minInstances"] { result.minInstances = try integer(n, key: "\(key).minInstances", range: 0...1000) }
            if let n = keys["strategy"] {
                let text = try string(n, key: "\(key).strategy")
                guard let strategy = EnvironmentConfiguration.Strategy(rawValue: text) else {
                    throw error(n, "\(key).strategy", "must be one of \(DeployStrategy.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                result.strategy = strategy
            }
            if let n = keys["health"] { result.health = try health(n, base: result.health, key: "\(key).health") }
            if let n = keys["bake"] { result.bakeSeconds = try seconds(n, key: "\(key).bake", range: 0...86400) }
            if let n = keys["alarms"] { result.alarms = try alarms(n, key: "\(key).alarms") }
            if let n = keys["propagation"] { result.propagationSeconds = try seconds(n, key: "\(key).propagation", range: 0...600) }
            if let n = keys["alarmDelay"] { result.alarmDelaySeconds = try seconds(n, key: "\(key).alarmDelay", range: 0...3600) }
            if let n = keys["hooks"] { result.hooks = try hooks(n, key: "\(key).hooks") }
            if let n = keys["keepOldFor"] { result.keepOldForSeconds = try seconds(n, key: "\(key).keepOldFor", range: 0...604800) }
            if let n = keys["builds"] {
                let text = try string(n, key: "\(key).builds")
                if text == "ssm" {
                    result.builds = .ssm
                } else if let (bucket, pattern) = BuildStore.s3Object(text), BuildStore.isBucketName(bucket), !pattern.isEmpty,
                    !pattern.hasPrefix("/"), pattern.count <= 900
                {
                    let placeholders = Set(pattern.matches(of: /\{[^}]*\}/).map { String(pattern[$0.range]) })
                    if pattern.contains("{color}") {
                        guard placeholders.isSubset(of: ["{env}", "{color}"]) else {
                            throw error(n, "\(key).builds", "a per-colour pattern takes {env} and {color} only, such as s3://ce-builds/{env}/{color}")
                        }
                        result.builds = .s3(bucket: bucket, keyPattern: pattern)
                    } else {
                        guard placeholders.isSubset(of: ["{env}", "{branch}"]), !placeholders.isEmpty else {
                            throw error(n, "\(key).builds", "an object shared by both colours is one per environment: {env} or {branch} in its key (and no other placeholder), such as s3://compiler-explorer/version/{branch}")
                        }
                        result.builds = .sharedObject(bucket: bucket, keyPattern: pattern)
                    }
                } else {
                    throw error(n, "\(key).builds", "must be ssm, s3://bucket/key-pattern with {color} (and optionally {env}) in the pattern, such as s3://ce-builds/{env}/{color}, or one object per environment with {branch} or {env}, such as s3://compiler-explorer/version/{branch}")
                }
            }
            if let n = keys["metricsNamespace"] {
                let text = try string(n, key: "\(key).metricsNamespace")
                // CloudWatch: 1–255 of letters, digits and . - _ / # : and spaces; AWS/ is AWS's own.
                guard text.range(of: #"^[A-Za-z0-9.\-_/#: ]{1,255}$"#, options: .regularExpression) != nil, !text.hasPrefix("AWS/") else {
                    throw error(n, "\(key).metricsNamespace", "must be a CloudWatch namespace such as CompilerExplorer/Deploy (letters, digits, . - _ / # :, not starting with AWS/)")
                }
                result.metricsNamespace = text
            }
            if let n = keys["steps"] {
                guard case .sequence(let items) = n else { throw error(n, "\(key).steps", "must be a list of percentages, such as [10, 50, 100]") }
                let steps = try items.enumerated().map { try integer($1, key: "\(key).steps[\($0)]", range: 1...100) }
                let full = steps.last == 100 ? steps : steps + [100]
                if let problem = TrafficSteps.problem(full) { throw error(n, "\(key).steps", problem) }
                result.canary.canarySteps = full
            }
            if let n = keys["step"] { result.canary.linearStep = try integer(n, key: "\(key).step", range: 1...99) }
            if let n = keys["stepBake"] { result.canary.stepBakeSeconds = try seconds(n, key: "\(key).stepBake", range: 0...86400) }
            if let n = keys["stickiness"] {
                result.canary.stickinessSeconds = try seconds(n, key: "\(key).stickiness", range: TrafficSteps.stickinessRange)
            }
            if let n = keys["previewHeader"] {
                result.previewHeader = try string(n, key: "\(key).previewHeader")
                guard result.previewHeader.range(of: #"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$"#, options: .regularExpression) != nil else {
                    throw error(n, "\(key).previewHeader", "must be an HTTP header name of at most 40 characters, such as X-Deployment-Color")
                }
            }
            return result
        }

        /// `defaults.branches` names configured environments, and some environment's build object has `{branch}`.
        func checkBranches(_ defaultsNode: Node?, defaults: DeploymentConfiguration.Defaults, environments: [String: EnvironmentConfiguration]) throws {
            // One deploy must never rewrite what another environment's instances boot.
            var owners: [String: String] = [:]
            for name in environments.keys.sorted() {
                guard let object = environments[name]?.parameters.bootObject else { continue }
                if let other = owners[object] {
                    throw DeploymentError.configuration(
                        file: file, line: defaultsNode?.mark?.line, key: "environments.\(name).builds",
                        reason: "\(name) and \(other) would both boot \(object): each environment needs its own object (give them different branches, or {env} in the key)")
                }
                owners[object] = name
            }
            guard !defaults.branches.isEmpty, let defaultsNode, case .mapping(let mapping) = defaultsNode,
                let node = mapping.first(where: { $0.key.scalar?.string == "branches" })?.value
            else { return }
            for name in defaults.branches.keys.sorted() where environments[name] == nil {
                let meant = DeploymentError.closest(to: name, in: environments.keys.sorted()).map { "did you mean '\($0)'? " } ?? ""
                throw error(node, "defaults.branches.\(name)", "no environment is named \(name); \(meant)branches maps environment names to the {branch} of their build object")
            }
            let usesBranch = environments.values.contains { environment in
                if case .sharedObject(_, let pattern) = environment.builds { return pattern.contains("{branch}") }
                return false
            }
            guard usesBranch else {
                throw error(node, "defaults.branches", "no environment's builds: has {branch}: branches fills it in one object per environment, such as builds: s3://compiler-explorer/version/{branch}")
            }
        }

        func health(_ node: Node, base: HealthSettings, key: String) throws -> HealthSettings {
            let keys = try mapping(node, key: key, allowed: ["path", "port", "timeout", "poll", "stable"])
            var result = base
            if let n = keys["path"] {
                result.path = try string(n, key: "\(key).path")
                guard result.path.hasPrefix("/") else { throw error(n, "\(key).path", "must start with /") }
            }
            if let n = keys["port"] { result.port = try integer(n, key: "\(key).port", range: 1...65535) }
            if let n = keys["timeout"] { result.timeoutSeconds = try seconds(n, key: "\(key).timeout", range: 10...7200) }
            if let n = keys["poll"] { result.pollSeconds = try seconds(n, key: "\(key).poll", range: 1...60) }
            if let n = keys["stable"] { result.stableSeconds = try seconds(n, key: "\(key).stable", range: 0...3600) }
            return result
        }

        /// A list of alarm names (each 1–255 characters, as CloudWatch allows).
        func alarms(_ node: Node, key: String) throws -> [String] {
            guard case .sequence(let sequence) = node else { throw error(node, key, "must be a list of CloudWatch alarm names") }
            return try sequence.enumerated().map { index, item in
                let name = try string(item, key: "\(key)[\(index)]")
                guard name.count <= 255 else { throw error(item, "\(key)[\(index)]", "must be at most 255 characters") }
                return name
            }
        }

        func colorPair(_ node: Node, key: String) throws -> ColorPair<String> {
            let keys = try mapping(node, key: key, allowed: ["blue", "green"])
            guard let blue = keys["blue"], let green = keys["green"] else { throw error(node, key, "must name both blue and green") }
            let pair = ColorPair(blue: try string(blue, key: "\(key).blue"), green: try string(green, key: "\(key).green"))
            guard pair.blue != pair.green else { throw error(node, key, "blue and green must differ") }
            return pair
        }

        func environment(_ node: Node, name: String, defaults base: DeploymentConfiguration.Defaults) throws
            -> EnvironmentConfiguration
        {
            let key = "environments.\(name)"
            let shared: Set<String> = [
                "loadBalancer", "targetGroupPattern", "asgPattern", "ssmPrefix", "minInstances", "strategy", "health", "bake", "alarms",
                "previewHeader", "steps", "step", "stepBake", "stickiness", "propagation", "alarmDelay", "hooks", "keepOldFor",
                "metricsNamespace", "builds",
            ]
            let keys = try mapping(
                node, key: key, allowed: shared.union(["routing", "host", "listeners", "rules", "targetGroups", "targetGroup", "autoScalingGroups"]))
            if let one = keys["targetGroup"], keys["targetGroups"] != nil {
                throw error(one, "\(key).targetGroup", "give either targetGroup (one group: instance switching) or targetGroups (one per colour), not both")
            }
            // The environment's own copies of the default keys override the defaults.
            var overrides: [(Node, Node)] = []
            if case .mapping(let mapping) = node {
                overrides = mapping.filter { shared.contains($0.key.scalar?.string ?? "") }.map { ($0.key, $0.value) }
            }
            let defaults = try self.defaults(Node.mapping(Node.Mapping(overrides)), base: base, key: key)
            let targetGroup = try keys["targetGroup"].map { try string($0, key: "\(key).targetGroup") }
            let environment = DeploymentConfiguration.make(
                name: name, defaults: defaults, routing: try routing(node, keys: keys, name: name, key: key),
                targetGroups: try keys["targetGroups"].map { try colorPair($0, key: "\(key).targetGroups") }, targetGroup: targetGroup,
                autoScalingGroups: try keys["autoScalingGroups"].map { try colorPair($0, key: "\(key).autoScalingGroups") })
            // Instance switching moves instances within one group; the others move traffic between two.
            if environment.strategy == .instances && !environment.sharesOneTargetGroup {
                throw error(keys["targetGroups"] ?? node, "\(key).strategy", "instances switches instances within one target group: give targetGroup (default {Env}), not targetGroups")
            }
            if environment.sharesOneTargetGroup, environment.hooks[.preSwitch].contains(where: { $0.smoke != nil }) {
                throw error(keys["hooks"] ?? node, "\(key).hooks.preSwitch", "a smoke check reaches the new colour through its preview route, but \(name) keeps one target group for both colours (instance switching), which no route reaches alone before the switch: give \(name) its own hooks with the smoke at postSwitch")
            }
            if environment.strategy != .instances && environment.sharesOneTargetGroup {
                throw error(keys["targetGroup"] ?? node, "\(key).targetGroup", "one target group for both colours needs strategy: instances (instance switching); \(environment.strategy.rawValue) moves traffic between two groups, targetGroups {blue: …, green: …}")
            }
            return environment
        }

        /// `hooks:` — by point, one hook or a list: `{run: [argv…], timeout: 5m, onFailure: rollback|continue}`, or the
        /// built-in check `{smoke: {url: https://…, paths: [/healthcheck], expect: [200]}, timeout: 1m}`.
        func hooks(_ node: Node, key: String) throws -> HookSettings {
            let points = try mapping(node, key: key, allowed: Set(HookPoint.allCases.map(\.rawValue)))
            var result: [HookPoint: [Hook]] = [:]
            for point in HookPoint.allCases {
                guard let value = points[point.rawValue] else { continue }
                let pointKey = "\(key).\(point.rawValue)"
                var items = [value]
                var isList = false
                if case .sequence(let list) = value { (items, isList) = (Array(list), true) }
                result[point] = try items.enumerated().map { index, item in
                    let itemKey = isList ? "\(pointKey)[\(index)]" : pointKey
                    let fields = try mapping(item, key: itemKey, allowed: ["run", "smoke", "timeout", "onFailure"])
                    var hook: Hook
                    if let smokeNode = fields["smoke"] {
                        if let run = fields["run"] { throw error(run, "\(itemKey).run", "give either run (a program) or smoke (the built-in check), not both") }
                        guard [.preSwitch, .postSwitch, .postDeploy].contains(point) else {
                            throw error(smokeNode, "\(itemKey).smoke", "checks the new colour through its preview route: it belongs at preSwitch, postSwitch or postDeploy, where the new colour runs")
                        }
                        hook = Hook(smoke: try smoke(smokeNode, key: "\(itemKey).smoke"))
                    } else {
                        hook = try program(fields, item: item, key: itemKey)
                    }
                    if let timeout = fields["timeout"] { hook.timeoutSeconds = try seconds(timeout, key: "\(itemKey).timeout", range: 1...86400) }
                    if let onFailure = fields["onFailure"] {
                        let text = try string(onFailure, key: "\(itemKey).onFailure")
                        guard point == .postSwitch else {
                            throw error(onFailure, "\(itemKey).onFailure", "applies to postSwitch hooks only (a failing preDeploy or preSwitch hook always stops the deploy; the others are reported)")
                        }
                        guard text == "rollback" || text == "continue" else { throw error(onFailure, "\(itemKey).onFailure", "must be rollback or continue") }
                        hook.continueOnFailure = text == "continue"
                    }
                    return hook
                }
            }
            return HookSettings(result)
        }

        /// A hook's program: `run: [argv…]`.
        func program(_ fields: [String: Node], item: Node, key itemKey: String) throws -> Hook {
            guard let run = fields["run"], case .sequence(let words) = run, !words.isEmpty else {
                throw error(fields["run"] ?? item, "\(itemKey).run", "must be the command as a list of words, such as [./bin/check, --env, prod] (no shell runs it)")
            }
            let argv = try words.enumerated().map { try string($1, key: "\(itemKey).run[\($0)]") }
            guard !argv[0].isEmpty else { throw error(run, "\(itemKey).run[0]", "must name the program") }
            return Hook(argv: argv)
        }

        /// `smoke: {url: https://host, paths: [/a, /b], expect: [200]}`.
        func smoke(_ node: Node, key: String) throws -> SmokeCheck {
            let fields = try mapping(node, key: key, allowed: ["url", "paths", "expect"])
            guard let urlNode = fields["url"] else { throw error(node, "\(key).url", "is needed: the scheme and host that reach the load balancer, such as https://godbolt.org") }
            let url = try string(urlNode, key: "\(key).url")
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil, parsed.path.isEmpty || parsed.path == "/",
                parsed.query == nil
            else {
                throw error(urlNode, "\(key).url", "must be a scheme and host such as https://godbolt.org (the paths go in paths:)")
            }
            guard let pathsNode = fields["paths"], case .sequence(let list) = pathsNode, !list.isEmpty else {
                throw error(fields["paths"] ?? node, "\(key).paths", "must be a list of paths such as [/healthcheck, /api/compilers]")
            }
            let paths = try list.enumerated().map { index, item in
                let path = try string(item, key: "\(key).paths[\(index)]")
                guard path.hasPrefix("/"), !path.contains(" ") else { throw error(item, "\(key).paths[\(index)]", "must start with / and have no spaces") }
                return path
            }
            var expect = [200]
            if let expectNode = fields["expect"] {
                let items: [Node]
                if case .sequence(let list) = expectNode { items = Array(list) } else { items = [expectNode] }
                expect = try items.enumerated().map { index, item in
                    guard let code = Int(try string(item, key: "\(key).expect")), (100...599).contains(code) else {
                        throw error(item, "\(key).expect[\(index)]", "must be an HTTP status such as 200")
                    }
                    return code
                }
                guard !expect.isEmpty else { throw error(expectNode, "\(key).expect", "must list at least one status") }
            }
            return SmokeCheck(url: url.hasSuffix("/") ? String(url.dropLast()) : url, paths: paths, expect: expect)
        }

        /// `routing` (`default` or a path pattern), `host`, `listeners` and `rules`.
        func routing(_ node: Node, keys: [String: Node], name: String, key: String) throws -> Routing {
            var path: String?
            var isDefault = false
            if let routingNode = keys["routing"] {
                let text = try string(routingNode, key: "\(key).routing")
                if text == "default" {
                    isDefault = true
                } else if text.hasPrefix("/"), text.count <= 128 {
                    path = text
                } else {
                    throw error(routingNode, "\(key).routing", "must be 'default' or a path pattern starting with / (at most 128 characters)")
                }
            }
            var host: String?
            if let hostNode = keys["host"] {
                let text = try string(hostNode, key: "\(key).host")
                guard !isDefault else { throw error(hostNode, "\(key).host", "cannot be used with 'routing: default' (a default action has no conditions)") }
                guard text.range(of: #"^[A-Za-z0-9*?.-]{1,128}$"#, options: .regularExpression) != nil else {
                    throw error(hostNode, "\(key).host", "must be a host name such as beta.example.com (wildcards * and ? allowed)")
                }
                host = text
            }
            var ports: [Int] = []
            if let listenersNode = keys["listeners"] {
                guard case .sequence(let items) = listenersNode, !items.isEmpty else {
                    throw error(listenersNode, "\(key).listeners", "must be a list of listener ports, such as [443]")
                }
                ports = try items.enumerated().map { try integer($1, key: "\(key).listeners[\($0)]", range: 1...65535) }
            }
            var pins: [Routing.RulePin] = []
            if let rulesNode = keys["rules"] {
                guard case .sequence(let items) = rulesNode, !items.isEmpty else {
                    throw error(rulesNode, "\(key).rules", "must be a list of rule priorities or ARNs, such as [101]")
                }
                guard !isDefault else { throw error(rulesNode, "\(key).rules", "cannot be used with 'routing: default' (pin the listeners with 'listeners:')") }
                pins = try items.enumerated().map { index, item in
                    let text = try string(item, key: "\(key).rules[\(index)]")
                    if text.hasPrefix("arn:") { return .arn(text) }
                    guard let priority = Int(text), (1...50000).contains(priority) else {
                        throw error(item, "\(key).rules[\(index)]", "must be a rule priority from 1 to 50000 or a rule ARN")
                    }
                    return .priority(priority)
                }
            }
            if isDefault { return Routing(match: .listenerDefault, listenerPorts: ports) }
            guard path != nil || host != nil || !pins.isEmpty else {
                throw error(
                    node, "\(key).routing",
                    "missing: say 'default' (every listener's default action) or a path pattern such as /\(name)*, or give 'host:' or 'rules:'")
            }
            return Routing(match: .rule(path: path, host: host), listenerPorts: ports, pinnedRules: pins)
        }
    }
}
