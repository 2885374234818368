/// One step of a canary: every serving route of the environment splits its traffic between the old and the new
/// colour's target groups, by weights; everything else a route holds is kept. Planned from a fresh read, so a route
/// already carrying the step's weights is left alone (a resumed step changes nothing twice).
public enum TrafficShift {
    /// The route changes that give `target` `percent` of every serving route and `live` the rest.
    /// - Parameter stickinessSeconds: target-group stickiness while split; `nil` keeps each route's own.
    public static func plan(
        _ snapshot: EnvironmentSnapshot, live: Color, target: Color, percent: Int, stickinessSeconds: Int?
    ) throws -> [Mutation] {
        let env = snapshot.environment
        guard let old = snapshot.targetGroups[env.targetGroupNames[live]]?.arn else {
            throw DeploymentError.missingTargetGroup(env.targetGroupNames[live])
        }
        guard let new = snapshot.targetGroups[env.targetGroupNames[target]]?.arn else {
            throw DeploymentError.missingTargetGroup(env.targetGroupNames[target])
        }
        guard !snapshot.routes.isEmpty else {
            throw Refusal("No listener or rule routes \(env.name) (\(env.routing)). Nothing changed.")
        }
        let weights = TrafficSteps.weights(percent: percent, old: old, new: new)
        let stickiness = stickinessSeconds.map { ForwardAction.Stickiness(enabled: true, durationSeconds: $0) }
        var mutations: [Mutation] = []
        for route in snapshot.routes {
            if let problem = route.moveProblem { throw Refusal("Cannot split \(env.name)'s traffic: \(problem). Nothing changed.") }
            guard let forward = route.forward else { continue }
            if let stranger = forward.receivers.first(where: { $0 != old && $0 != new }) {
                throw Refusal("\(route.label) forwards to \(ForwardAction.shortName(ofTargetGroupArn: stranger)), a target group of neither colour. Nothing changed; fix the route first.")
            }
            let split = forward.splitting(weights, stickiness: stickiness)
            if !forward.isEquivalent(to: split) { mutations.append(.setForward(route: route, forward: split)) }
        }
        return mutations
    }

    /// The share (0–100, rounded) of a route's traffic that goes to `targetGroupArn`.
    public static func percent(of targetGroupArn: String, in route: Route) -> Int {
        let weights = route.weights
        let total = weights.values.reduce(0, +)
        guard total > 0 else { return 0 }
        return Int((Double(weights[targetGroupArn] ?? 0) * 100 / Double(total)).rounded())
    }
}
