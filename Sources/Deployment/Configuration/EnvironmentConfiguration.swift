import Foundation

/// Everything `ce` needs to know about one environment: where its traffic comes from and which resources serve it.
public struct EnvironmentConfiguration: Sendable, Equatable {
    public var name: String
    public var loadBalancerName: String
    public var routing: Routing
    public var targetGroupNames: ColorPair<String>
    public var autoScalingGroupNames: ColorPair<String>
    /// SSM parameter prefix, ending in `/` (`/compiler-explorer/prod/`).
    public var ssmPrefix: String
    /// The live colour never goes below this many instances after a deploy (at least 1).
    public var minInstances: Int
    public var health: HealthSettings
    public var strategy: Strategy
    /// After the switch, how long the new colour is watched (target health and `alarms`) before the deploy counts
    /// as done; a failure then switches back to the warm old colour. 0 turns the bake period off.
    public var bakeSeconds: Int
    /// CloudWatch alarm names watched during the bake period; `{env}`, `{Env}`, `{color}`, `{Color}` are filled in
    /// with the environment and the new colour.
    public var alarms: [String]
    /// The canary and linear strategies' steps, step bake and stickiness.
    public var canary: CanarySettings
    /// Commands run at named points of a deploy (config `hooks:`).
    public var hooks = HookSettings()
    /// After a deploy the old colour stays warm (for `rollback`) this long; `cleanup --expired` scales it down only
    /// once the time is over, and a plain `cleanup` before then asks first. 0: no time kept.
    public var keepOldForSeconds = 3600
    /// Where `ce` publishes its own metrics (deploy and switch durations, rollbacks, failed gates); `nil`: none.
    public var metricsNamespace: String?
    /// How long a listener or rule change takes to reach every node of the load balancer (AWS: rule updates "don't
    /// take effect immediately"; requests may be routed by the previous rules for a short time). Capacity behind a
    /// route the tool has just moved traffic away from is removed only once this has passed.
    public var propagationSeconds = 10
    /// How long after an error the `alarms` can show it: CloudWatch's load balancer metrics come in 60 s periods and
    /// are seen about two minutes late, so an alarm sees an error up to lag + two periods after it. A bake or step
    /// bake watched by alarms lasts this much longer than asked (`watchSeconds`), so that the alarms have judged all
    /// of it; 0 when the alarms see errors at once.
    public var alarmDelaySeconds = 240
    /// How the operator ran `ce`, for the commands the tool tells them to run (see `command(_:)`).
    public var invocation = Invocation.plain

    public typealias Strategy = DeployStrategy

    public init(
        name: String, loadBalancerName: String, routing: Routing, targetGroupNames: ColorPair<String>,
        autoScalingGroupNames: ColorPair<String>, ssmPrefix: String, minInstances: Int, health: HealthSettings = HealthSettings(),
        strategy: Strategy = .blueGreen, bakeSeconds: Int = 60, alarms: [String] = [], canary: CanarySettings = CanarySettings()
    ) {
        self.canary = canary
        self.name = name
        self.loadBalancerName = loadBalancerName
        self.routing = routing
        self.targetGroupNames = targetGroupNames
        self.autoScalingGroupNames = autoScalingGroupNames
        self.ssmPrefix = ssmPrefix
        self.minInstances = minInstances
        self.health = health
        self.strategy = strategy
        self.bakeSeconds = bakeSeconds
        self.alarms = alarms
    }

    /// A command on this environment as the operator should type it: `ce [their options] --env NAME rest`.
    public func command(_ rest: String) -> String { invocation.command(environment: name, rest) }

    /// "run 'ce … REST' after T" — in the sandbox, where virtual time moves only while a command waits, the
    /// `ce sandbox advance` that gets there first.
    public func retry(_ rest: String, at ready: Date, now: Date) -> String {
        guard invocation.isSandbox else { return "run '\(command(rest))' after \(DeploymentJournal.timestamp(ready))" }
        let seconds = max(1, Int(ready.timeIntervalSince(now).rounded(.up)))
        return "run 'ce sandbox advance \(seconds)s' (virtual time moves only while a command waits), then '\(command(rest))'"
    }

    /// The SSM parameter names of the contract (other systems read them; keep them exact).
    public var parameters: ParameterNames { ParameterNames(prefix: ssmPrefix, builds: builds, environment: name, branch: buildBranch) }
    /// Where the builds' names live (config `builds:`).
    public var builds = BuildStore.ssm
    /// `{branch}` in a shared build object's key (config `branches:`; by default the environment's name).
    public var buildBranch: String?

    /// Whether both colours share one target group (instance switching): which colour serves is then which colour's
    /// instances are registered in it, not where the routes forward.
    public var sharesOneTargetGroup: Bool { targetGroupNames.blue == targetGroupNames.green }

    /// How long a bake (or step bake) of `seconds` really lasts: with alarms to watch, `alarmDelaySeconds` longer, so
    /// that an error in its last second has reached the alarms before the deploy counts it as passed. 0 stays off.
    public func watchSeconds(_ seconds: Int) -> Int { seconds > 0 && !alarms.isEmpty ? seconds + alarmDelaySeconds : seconds }

    /// A bake of `seconds` as it will run: "5m00s (1m00s of traffic, judged by the alarms 4m00s late)", or "1m00s"
    /// without alarms.
    public func watchText(_ seconds: Int) -> String {
        let watched = watchSeconds(seconds)
        guard watched != seconds else { return DurationText.of(Double(seconds)) }
        return "\(DurationText.of(Double(watched))) (\(DurationText.of(Double(seconds))) of traffic, judged by the alarms up to \(DurationText.of(Double(alarmDelaySeconds))) late)"
    }

    /// What the plan adds when a bake of `seconds` is lengthened: "; 60 s of traffic + alarmDelay 240 s: the alarms see
    /// an error up to 240 s late" (empty when it is not).
    public func lengthenedNote(_ seconds: Int) -> String {
        watchSeconds(seconds) == seconds ? "" : "; \(seconds) s of traffic + alarmDelay \(alarmDelaySeconds) s: the alarms see an error up to \(alarmDelaySeconds) s late"
    }

    /// The smallest live colour a deploy leaves behind.
    public var liveFloor: Int { max(1, minInstances) }

    /// The alarm names to watch when `color` has just taken the traffic.
    public func alarmNames(for color: Color) -> [String] {
        alarms.map { DeploymentConfiguration.expand($0, env: name, color: color) }
    }
}

/// The SSM parameters under an environment's prefix — and where its builds are named, which may be S3 objects
/// (`s3://bucket/key`: `ParameterReader` and `MutationApplier` read and write those in S3).
public struct ParameterNames: Sendable, Equatable {
    public var prefix: String
    public var builds: BuildStore = .ssm
    public var environment: String = ""
    /// `{branch}` of a shared build object (the environment's name unless `branches:` says otherwise).
    public var branch: String?

    public init(prefix: String, builds: BuildStore = .ssm, environment: String = "", branch: String? = nil) {
        self.prefix = prefix
        self.builds = builds
        self.environment = environment
        self.branch = branch
    }
    public var activeColor: String { prefix + "active-color" }
    public var activeTargetGroupArn: String { prefix + "active-target-group-arn" }
    /// The build the next deploy installs.
    public var version: String { build("current") ?? prefix + "version" }
    /// One mutating command at a time holds it (see `LockManager`).
    public var deployLock: String { prefix + "deploy-lock" }
    /// The journal of the last deploy (see `DeploymentJournal`).
    public var deployment: String { prefix + "deployment" }
    /// `environment promote` / `abort` for a running canary (see `DeploymentRequest`).
    public var deploymentRequest: String { prefix + "deployment-request" }
    /// The environment's history: one parameter per mutating command below it (see `History`).
    public var history: String { prefix + "history" }
    /// Which hook points ran for the journal's deployment (see `HookLedger`).
    public var deploymentHooks: String { prefix + "deployment-hooks" }
    /// The build `color` runs; its instances read it at boot.
    public func version(of color: Color) -> String { build(color.rawValue) ?? prefix + "\(color.rawValue)/version" }

    /// The object both colours' instances boot from (`s3://bucket/key`), when builds are one shared object per
    /// environment (`BuildStore.sharedObject`); `nil` otherwise.
    public var bootObject: String? {
        guard case .sharedObject(let bucket, let pattern) = builds else { return nil }
        let key = pattern.replacingOccurrences(of: "{env}", with: environment).replacingOccurrences(of: "{branch}", with: branch ?? environment)
        return "s3://\(bucket)/\(key)"
    }

    /// What records `build` as `color`'s, just before `color` scales up with it: `{color}/version`, and the shared
    /// object its instances boot from when there is one. Every deploy writes a colour's build through this.
    public func recording(_ build: String, for color: Color) -> [Mutation] {
        [.putParameter(name: version(of: color), value: build)] + booting(build)
    }

    /// The shared boot object set to `build` — the build of the colour traffic settles on, so that an instance
    /// launched from then on boots what serves — unless it already names it (`current`, as read); nothing without a
    /// shared object or a build.
    public func booting(_ build: String?, current: String? = nil) -> [Mutation] {
        // (`-` stands for a colour whose build was never recorded.)
        guard let bootObject, let build, build != "-", build != current else { return [] }
        return [.putParameter(name: bootObject, value: build)]
    }

    /// The S3 object of `slot` (a colour, or `current`), when builds live in S3 per colour.
    func build(_ slot: String) -> String? {
        guard case .s3(let bucket, let pattern) = builds else { return nil }
        let key = pattern.replacingOccurrences(of: "{env}", with: environment).replacingOccurrences(of: "{color}", with: slot)
        return "s3://\(bucket)/\(key)"
    }
}

/// How a new colour proves it is healthy before it gets traffic.
public struct HealthSettings: Sendable, Equatable {
    /// The HTTP path checked on each instance when no listener rule uses the colour's target group.
    public var path: String
    public var port: Int
    /// One timeout for the whole health gate.
    public var timeoutSeconds: Int
    /// Polls at most this far apart.
    public var pollSeconds: Int
    /// Every new instance must stay healthy this long before the switch (a flapping build fails the gate).
    public var stableSeconds: Int

    public init(path: String = "/healthcheck", port: Int = 80, timeoutSeconds: Int = 600, pollSeconds: Int = 5, stableSeconds: Int = 10) {
        self.path = path
        self.port = port
        self.timeoutSeconds = timeoutSeconds
        self.pollSeconds = pollSeconds
        self.stableSeconds = stableSeconds
    }
}
