/// Everything the deployment code talks to: the cloud's ports, the clock and the randomness. The CLI builds one on
/// AWS or, with `--sandbox`, on the simulated cloud; tests build them on the simulator. The domain never knows
/// which.
public struct CloudPorts: Sendable {
    public var loadBalancer: any LoadBalancerReader
    public var scalingGroups: any ScalingGroupReader
    public var parameters: any ParameterReader
    public var applier: any MutationApplier
    public var documents: any DocumentStore
    public var alarms: any AlarmReader
    public var instances: any InstanceDirectory
    public var prober: any HealthProber
    public var refresher: any InstanceRefresher
    public var clock: any WallClock
    public var random: any RandomSource
    /// Runs the configured hooks (`ce`'s process runner; by default none can run, so a configured hook fails).
    public var hooks: any HookRunner = UnavailableHookRunner()
    /// Requests per target group (CloudWatch), for `cleanup`'s proof that a colour is idle.
    public var metrics: any TrafficMetrics = UnavailableTrafficMetrics()
    /// Requests through the load balancer, for `smoke:` hooks (by default none can be sent, so such a hook fails).
    public var smoke: any SmokeProber = UnavailableSmokeProber()
    /// Where `ce` publishes its own metrics when `metricsNamespace` is configured (CloudWatch).
    public var deployMetrics: any DeployMetricsPublisher = UnavailableDeployMetrics()
    /// The values a build name held (`builds list`).
    public var buildHistory: any BuildHistoryReader = UnavailableBuildHistory()

    public init(
        loadBalancer: any LoadBalancerReader, scalingGroups: any ScalingGroupReader, parameters: any ParameterReader,
        applier: any MutationApplier, documents: any DocumentStore, alarms: any AlarmReader, instances: any InstanceDirectory,
        prober: any HealthProber, refresher: any InstanceRefresher, clock: any WallClock, random: any RandomSource
    ) {
        self.loadBalancer = loadBalancer
        self.scalingGroups = scalingGroups
        self.parameters = parameters
        self.applier = applier
        self.documents = documents
        self.alarms = alarms
        self.instances = instances
        self.prober = prober
        self.refresher = refresher
        self.clock = clock
        self.random = random
    }

    /// Reads `environment` (its alarms included) through these ports.
    public func statusReader(for environment: EnvironmentConfiguration) -> EnvironmentStatusReader {
        EnvironmentStatusReader(
            environment: environment, loadBalancer: loadBalancer, scalingGroups: scalingGroups, parameters: parameters, alarms: alarms)
    }
}
