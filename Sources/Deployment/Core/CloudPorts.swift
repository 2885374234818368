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
    public var clock: any DeploymentClock
    public var random: any DeploymentRandom

    public init(
        loadBalancer: any LoadBalancerReader, scalingGroups: any ScalingGroupReader, parameters: any ParameterReader,
        applier: any MutationApplier, documents: any DocumentStore, alarms: any AlarmReader, instances: any InstanceDirectory,
        prober: any HealthProber, refresher: any InstanceRefresher, clock: any DeploymentClock, random: any DeploymentRandom
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

    /// The same ports with every call kept going through transient failures (see `Persistence`).
    public func persistent(attempts: Int = 5) -> CloudPorts {
        let persistence = Persistence(clock: clock, random: random, attempts: attempts)
        var ports = self
        ports.loadBalancer = PersistentLoadBalancerReader(base: loadBalancer, persistence: persistence)
        ports.scalingGroups = PersistentScalingGroupReader(base: scalingGroups, persistence: persistence)
        ports.parameters = PersistentParameterReader(base: parameters, persistence: persistence)
        ports.applier = PersistentMutationApplier(base: applier, persistence: persistence)
        ports.documents = PersistentDocumentStore(base: documents, persistence: persistence)
        ports.alarms = PersistentAlarmReader(base: alarms, persistence: persistence)
        ports.instances = PersistentInstanceDirectory(base: instances, persistence: persistence)
        return ports
    }
}

struct PersistentLoadBalancerReader: LoadBalancerReader {
    let base: any LoadBalancerReader
    let persistence: Persistence
    func routes(loadBalancerName: String) async throws -> LoadBalancerRoutes? {
        try await persistence.run { try await base.routes(loadBalancerName: loadBalancerName) }
    }
    func targetGroups(names: [String]) async throws -> [String: TargetGroupSnapshot] {
        try await persistence.run { try await base.targetGroups(names: names) }
    }
    func targetHealth(targetGroupArn: String) async throws -> [TargetSnapshot] {
        try await persistence.run { try await base.targetHealth(targetGroupArn: targetGroupArn) }
    }
    func reread(_ routes: [Route]) async throws -> [Route] {
        try await persistence.run { try await base.reread(routes) }
    }
}

struct PersistentScalingGroupReader: ScalingGroupReader {
    let base: any ScalingGroupReader
    let persistence: Persistence
    func groups(names: [String]) async throws -> [String: ScalingGroupSnapshot] {
        try await persistence.run { try await base.groups(names: names) }
    }
}

struct PersistentParameterReader: ParameterReader {
    let base: any ParameterReader
    let persistence: Persistence
    func values(names: [String]) async throws -> [String: String] {
        try await persistence.run { try await base.values(names: names) }
    }
}

struct PersistentMutationApplier: MutationApplier {
    let base: any MutationApplier
    let persistence: Persistence
    func apply(_ mutation: Mutation) async throws {
        try await persistence.run { try await base.apply(mutation) }
    }
}

struct PersistentDocumentStore: DocumentStore {
    let base: any DocumentStore
    let persistence: Persistence
    func create(name: String, value: String) async throws -> Bool {
        try await persistence.run { try await base.create(name: name, value: value) }
    }
    func read(name: String) async throws -> String? {
        try await persistence.run { try await base.read(name: name) }
    }
    func overwrite(name: String, value: String) async throws {
        try await persistence.run { try await base.overwrite(name: name, value: value) }
    }
    func delete(name: String) async throws {
        try await persistence.run { try await base.delete(name: name) }
    }
}

struct PersistentAlarmReader: AlarmReader {
    let base: any AlarmReader
    let persistence: Persistence
    func states(names: [String]) async throws -> [String: String] {
        try await persistence.run { try await base.states(names: names) }
    }
}

struct PersistentInstanceDirectory: InstanceDirectory {
    let base: any InstanceDirectory
    let persistence: Persistence
    func addresses(instanceIds: [String]) async throws -> [String: String] {
        try await persistence.run { try await base.addresses(instanceIds: instanceIds) }
    }
}
