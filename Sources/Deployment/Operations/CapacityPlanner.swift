/// `environment cleanup`, `start` and `stop`: sizing the colours.
public struct CapacityPlanner: Sendable {
    public let snapshot: EnvironmentSnapshot

    public init(snapshot: EnvironmentSnapshot) {
        self.snapshot = snapshot
    }

    var environment: EnvironmentConfiguration { snapshot.environment }

    /// The colour serving according to the load balancer (never SSM alone).
    func servingColor(for action: String) throws -> Color {
        guard let color = snapshot.status.albColor else {
            throw Refusal(
                "\(action): the load balancer does not send all of \(environment.name)'s traffic to one colour (\(snapshot.status.driftReasons.joined(separator: "; "))). Nothing changed; fix it with '\(environment.command("environment switch --to COLOR"))'.")
        }
        return color
    }

    func group(_ color: Color) throws -> ScalingGroupSnapshot {
        let name = environment.autoScalingGroupNames[color]
        guard let group = snapshot.groups[name] else { throw DeploymentError.missingAutoScalingGroup(name) }
        return group
    }

    /// Scales the colour that is not serving to 0: min first, then desired (AWS validates them together).
    public func cleanup() throws -> [Mutation] {
        let idle = try servingColor(for: "cleanup").other
        let group = try group(idle)
        var plan: [Mutation] = []
        if group.minSize != 0 { plan.append(.resizeGroup(name: group.name, minSize: 0, desiredCapacity: nil, maxSize: nil)) }
        if group.desiredCapacity != 0 { plan.append(.resizeGroup(name: group.name, minSize: nil, desiredCapacity: 0, maxSize: nil)) }
        return plan
    }

    /// Brings the serving colour up to its configured capacity: min and desired at least max(1, min instances).
    public func start() throws -> [Mutation] {
        let live = try servingColor(for: "start")
        let group = try group(live)
        let floor = environment.liveFloor
        guard group.minSize < floor || group.desiredCapacity < floor else { return [] }
        return [
            .resizeGroup(
                name: group.name, minSize: max(group.minSize, floor), desiredCapacity: max(group.desiredCapacity, floor),
                maxSize: group.maxSize < floor ? floor : nil)
        ]
    }

    /// Brings the serving colour down to 0.
    public func stop() throws -> [Mutation] {
        let live = try servingColor(for: "stop")
        let group = try group(live)
        guard group.minSize != 0 || group.desiredCapacity != 0 else { return [] }
        return [.resizeGroup(name: group.name, minSize: 0, desiredCapacity: 0, maxSize: nil)]
    }
}
