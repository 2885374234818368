/// Everything the deployment code talks to: the cloud's ports, the clock and the randomness. The CLI builds one on
/// AWS or, with `--sandbox`, on the simulated cloud; tests build them on the simulator. The domain never knows
/// which.
public struct CloudPorts: Sendable {
    public var loadBalancer: any LoadBalancerReader
    public var scalingGroups: any ScalingGroupReader
    public var parameters: any ParameterReader
    /// The cloud's own applier: reached only through `applier(for:)`, which holds every change to the propagation
    /// rule (`PropagationGuard`).
    var changes: any MutationApplier
    /// The process's propagation rule: shared by every copy of these ports.
    public let propagation: PropagationGuard
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
        self.changes = applier
        self.propagation = PropagationGuard()
        self.documents = documents
        self.alarms = alarms
        self.instances = instances
        self.prober = prober
        self.refresher = refresher
        self.clock = clock
        self.random = random
    }

    /// The one way to change `environment`: every mutation through the propagation rule (`GuardedApplier`).
    public func applier(for environment: EnvironmentConfiguration) -> GuardedApplier {
        GuardedApplier(environment: environment, base: changes, propagation: propagation, clock: clock)
    }

    /// Wraps the cloud's applier (a test's fault on one call); changes still go through `applier(for:)`.
    public mutating func interceptChanges(_ wrap: (any MutationApplier) -> any MutationApplier) {
        changes = wrap(changes)
    }

    /// Reads `environment` (its alarms included) through these ports.
    public func statusReader(for environment: EnvironmentConfiguration) -> EnvironmentStatusReader {
        EnvironmentStatusReader(
            environment: environment, loadBalancer: loadBalancer, scalingGroups: scalingGroups, parameters: parameters, alarms: alarms)
    }
}
