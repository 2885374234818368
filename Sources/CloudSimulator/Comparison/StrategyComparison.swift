import Deployment
import Foundation

/// What-if: the same deploy of one environment by each strategy, on the simulated cloud calibrated as AWS behaves,
/// with the environment's own configuration (health gate, bake, alarms, canary steps) and steady traffic. Each run
/// is measured second by second (`Timeline`): how long it took, how long — and for what share of requests — two
/// builds answered at once, 5xx, the lowest serving capacity, the extra instance-hours, the API calls. The same
/// settings and seed always give the same figures.
public struct StrategyComparison: Sendable {
    /// The environment as configured; each strategy runs on a copy adapted to it (see `environment(for:)`).
    public var environment: EnvironmentConfiguration
    public var strategies: [DeployStrategy]
    /// Instances serving the environment before the deploy.
    public var instances: Int
    /// Seconds an instance takes to boot (each draws within ±10%).
    public var bootSeconds: Double
    public var requestsPerSecond: Double
    public var seed: UInt64
    /// Runs per strategy, on seeds `seed`, `seed + 1`, …
    public var runs: Int
    public var calibration: Calibration

    public init(
        environment: EnvironmentConfiguration, strategies: [DeployStrategy], instances: Int, bootSeconds: Double, requestsPerSecond: Double,
        seed: UInt64, runs: Int, calibration: Calibration = .aws
    ) {
        self.environment = environment
        self.strategies = strategies
        self.instances = instances
        self.bootSeconds = bootSeconds
        self.requestsPerSecond = requestsPerSecond
        self.seed = seed
        self.runs = runs
        self.calibration = calibration
    }

    /// The builds the runs deploy from and to.
    public static let (oldBuild, newBuild) = ("v1", "v2")

    /// The environment as `strategy` deploys it: instance switching in one target group (the `{Env}` pattern, or
    /// the configured one), the others between a group per colour (the configured pair, or the pattern's).
    public func environment(for strategy: DeployStrategy) -> EnvironmentConfiguration {
        var env = environment
        env.strategy = strategy
        let defaults = DeploymentConfiguration.Defaults()
        if strategy == .instances && !env.sharesOneTargetGroup {
            let shared = DeploymentConfiguration.expand(defaults.sharedTargetGroupPattern, env: env.name, color: nil)
            env.targetGroupNames = ColorPair(blue: shared, green: shared)
        } else if strategy != .instances && env.sharesOneTargetGroup {
            env.targetGroupNames = ColorPair { DeploymentConfiguration.expand(defaults.targetGroupPattern, env: env.name, color: $0) }
        }
        return env
    }

    /// Every strategy's runs, concurrently (the figures do not depend on the order).
    public func run() async -> StrategyComparisonResult {
        let jobs = strategies.flatMap { strategy in (0..<max(1, runs)).map { (strategy, seed &+ UInt64($0)) } }
        let results = await withTaskGroup(of: (Int, StrategyRun).self) { group in
            for (index, job) in jobs.enumerated() {
                group.addTask { (index, await self.run(job.0, seed: job.1)) }
            }
            var results: [(Int, StrategyRun)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return StrategyComparisonResult(
            comparison: self,
            strategies: strategies.map { strategy in StrategySummary(strategy: strategy, runs: results.filter { $0.strategy == strategy }) })
    }

    /// One deploy by `strategy` on a fresh world drawn from `seed`.
    public func run(_ strategy: DeployStrategy, seed: UInt64) async -> StrategyRun {
        let env = environment(for: strategy)
        var configuration = DeploymentConfiguration.builtIn
        configuration.environments = [env.name: env]
        let cloud: SimulatedCloud
        do {
            cloud = try SimulatedCloud.designDocument(
                environments: [env.name], version: Self.oldBuild, configuration: configuration, seed: seed,
                liveInstances: [env.name: instances], requestsPerSecond: requestsPerSecond, alarms: env.alarms.first)
        } catch {
            return StrategyRun(strategy: strategy, seed: seed, outcome: "not run: \(error)")
        }
        cloud.setCalibration(calibration)
        cloud.setBootSeconds((bootSeconds * 0.9)...(bootSeconds * 1.1))
        cloud.setBehaviour(version: Self.newBuild, AppBehaviour())
        cloud.change { world in
            world.keepRequests = false
            world.timeline = Timeline(environment: env.name)
            world.calls = []
        }
        let ports = cloud.patientPorts
        let started = cloud.now
        let identity = LockIdentity(holder: "compare@sim", command: "ce --env \(env.name) environment refresh --strategy \(strategy.rawValue)", pid: 1)
        let options = DeployOptions(
            version: Self.newBuild, traffic: try? env.canary.steps(for: strategy), strategyName: strategy.rawValue)
        let request = Deploy.Request.fresh(strategy, options)
        let outcome = await FanOut.$sequential.withValue(true) {
            await Soak.attempt(
                "deploy", cloud: cloud, environment: env, identity: identity, takeOver: false, ports: ports, bound: Soak.bound(request, env)
            ) {
                try await Deploy.run(request, environment: env, ports: ports, identity: identity)
            }
        }
        let ended = cloud.now
        return cloud.read { world in
            StrategyRun(
                strategy: strategy, seed: seed, outcome: outcome, started: started.timeIntervalSince(world.start),
                ended: ended.timeIntervalSince(world.start), baseline: instances, timeline: world.timeline?.samples ?? [],
                apiCalls: world.calls, violations: world.invariants.violations)
        }
    }
}
