/// The environments `ce` manages. Without a config file: the Compiler Explorer layout of the design document.
public struct DeploymentConfiguration: Sendable, Equatable {
    public var environments: [String: EnvironmentConfiguration]
    /// Where it came from, for `ce config show`: a file path, or `built-in defaults`.
    public var source: String
    /// The patterns and settings environments start from (the file's `defaults:` over the built-in ones): what
    /// `ce init` names a proposal's groups by.
    public var defaults: Defaults

    public init(environments: [String: EnvironmentConfiguration], source: String, defaults: Defaults = Defaults()) {
        self.environments = environments
        self.source = source
        self.defaults = defaults
    }

    public func environment(_ name: String) throws -> EnvironmentConfiguration {
        guard let environment = environments[name] else {
            throw DeploymentError.unknownEnvironment(name, known: environments.keys.sorted())
        }
        return environment
    }

    /// Patterns and settings every environment starts from; a config file's `defaults` and each environment's own
    /// keys override them.
    public struct Defaults: Sendable, Equatable {
        public var loadBalancer = "GccExplorerApp"
        /// `{env}` → `beta`, `{Env}` → `Beta`, `{color}` → `green`, `{Color}` → `Green`.
        public var targetGroupPattern = "{Env}-{Color}"
        /// The one target group of an environment deployed by instance switching (`strategy: instances`): the
        /// design document's current architecture, one group per environment (`Prod`, `Beta`).
        public var sharedTargetGroupPattern = "{Env}"
        public var asgPattern = "{env}-{color}"
        public var ssmPrefix = "/compiler-explorer/{env}/"
        public var minInstances = 0
        public var strategy = EnvironmentConfiguration.Strategy.blueGreen
        public var health = HealthSettings()
        public var bakeSeconds = 60
        public var alarms: [String] = []
        /// See `EnvironmentConfiguration.propagationSeconds` and `alarmDelaySeconds`.
        public var propagationSeconds = 10
        public var alarmDelaySeconds = 240
        public var hooks = HookSettings()
        public var keepOldForSeconds = 3600
        public var metricsNamespace: String?
        public var builds = BuildStore.ssm
        /// `{branch}` of a shared build object, by environment (config `branches:`); absent: the environment's name.
        public var branches: [String: String] = [:]
        public var canary = CanarySettings()
        /// The header of preview rules (`X-Deployment-Color: blue`).
        public var previewHeader = Routing.defaultPreviewHeader
        public init() {}
    }

    /// Compiler Explorer's environments and their minimum instances: prod on every listener's default action, the
    /// others on `/{env}*` rules.
    public static let compilerExplorerEnvironments: [(name: String, minInstances: Int)] = [
        ("prod", 2), ("beta", 0), ("staging", 0), ("gpu", 2), ("wintest", 0), ("winstaging", 0), ("winprod", 2),
        ("aarch64prod", 2), ("aarch64staging", 0),
    ]

    /// The built-in routing of a Compiler Explorer environment.
    public static func builtInRouting(_ name: String) -> Routing { name == "prod" ? .listenerDefault : .pathPattern("/\(name)*") }

    /// Compiler Explorer's layout (`compilerExplorerEnvironments`) with the default patterns.
    public static let builtIn: DeploymentConfiguration = {
        let defaults = Defaults()
        var environments: [String: EnvironmentConfiguration] = [:]
        for (name, minimum) in compilerExplorerEnvironments {
            environments[name] = make(name: name, defaults: defaults, routing: builtInRouting(name), minInstances: minimum)
        }
        return DeploymentConfiguration(environments: environments, source: "built-in defaults")
    }()

    static func make(
        name: String, defaults: Defaults, routing: Routing, minInstances: Int? = nil,
        targetGroups: ColorPair<String>? = nil, targetGroup: String? = nil, autoScalingGroups: ColorPair<String>? = nil
    ) -> EnvironmentConfiguration {
        // Instance switching keeps one target group for both colours; the others have one per colour.
        let shared = targetGroup ?? (defaults.strategy == .instances && targetGroups == nil ? expand(defaults.sharedTargetGroupPattern, env: name, color: nil) : nil)
        let targetGroupNames = ColorPair { shared ?? targetGroups?[$0] ?? expand(defaults.targetGroupPattern, env: name, color: $0) }
        let groupNames = ColorPair { autoScalingGroups?[$0] ?? expand(defaults.asgPattern, env: name, color: $0) }
        var routing = routing
        routing.previewHeader = defaults.previewHeader
        var prefix = expand(defaults.ssmPrefix, env: name, color: nil)
        if !prefix.hasSuffix("/") { prefix += "/" }
        var environment = EnvironmentConfiguration(
            name: name, loadBalancerName: defaults.loadBalancer, routing: routing, targetGroupNames: targetGroupNames,
            autoScalingGroupNames: groupNames, ssmPrefix: prefix, minInstances: minInstances ?? defaults.minInstances,
            health: defaults.health, strategy: defaults.strategy, bakeSeconds: defaults.bakeSeconds, alarms: defaults.alarms,
            canary: defaults.canary)
        environment.propagationSeconds = defaults.propagationSeconds
        environment.alarmDelaySeconds = defaults.alarmDelaySeconds
        environment.hooks = defaults.hooks
        environment.keepOldForSeconds = defaults.keepOldForSeconds
        environment.metricsNamespace = defaults.metricsNamespace
        environment.builds = defaults.builds
        if defaults.builds.isShared { environment.buildBranch = defaults.branches[name] ?? name }
        return environment
    }

    /// Fills `{env}`, `{Env}`, `{color}`, `{Color}`.
    public static func expand(_ pattern: String, env: String, color: Color?) -> String {
        var result = pattern.replacingOccurrences(of: "{env}", with: env)
            .replacingOccurrences(of: "{Env}", with: env.prefix(1).uppercased() + env.dropFirst())
        if let color {
            result = result.replacingOccurrences(of: "{color}", with: color.rawValue)
                .replacingOccurrences(of: "{Color}", with: color.capitalized)
        }
        return result
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
