/// Moving an environment's traffic to one colour: `environment switch` and `environment rollback`.
///
/// Preflight (nothing changed on refusal): a target colour that traffic moves to must have healthy capacity — at least the live floor
/// of instances `InService` and `Healthy` in its group, registered in its target group, none of them `unhealthy`
/// and, where the load balancer health-checks the group, `healthy` — unless forced; and every serving route must be
/// one whose forward `ce` can change while keeping the rest. Then every serving route (and nothing else) is pointed
/// at the target group concurrently, read back to verify, and only then are the SSM parameters written (and a shared
/// boot object set to the target's build). The colour now serving gets the live floor as its min; the other keeps
/// running (warm) with min 0.
public struct TrafficSwitch: Sendable {
    public let environment: EnvironmentConfiguration
    public let status: EnvironmentStatus
    /// The routes of the environment as read with the status.
    public let routes: [Route]

    public init(environment: EnvironmentConfiguration, status: EnvironmentStatus, routes: [Route]) {
        self.environment = environment
        self.status = status
        self.routes = routes
    }

    /// Plans from one read of the environment.
    public init(snapshot: EnvironmentSnapshot) {
        self.init(environment: snapshot.environment, status: snapshot.status, routes: snapshot.routes)
    }

    /// The colour serving now: the load balancer's, else SSM's.
    public var servingColor: Color? { status.albColor ?? status.activeColor }

    /// `rollback`: back to the colour that is not serving.
    public func rollbackTarget() throws -> Color {
        guard let serving = servingColor else {
            throw Refusal("Cannot tell which colour serves \(environment.name) (\(status.driftReasons.joined(separator: "; "))). Use '\(environment.command("environment switch --to COLOR"))'.")
        }
        return serving.other
    }

    /// Checks and plans the switch to `target`. An empty plan means there is nothing to do.
    /// - Parameter settleCapacity: give `target` the live floor as its min and the other colour min 0 (`switch`,
    ///   `rollback`); a deploy and `recover` size the groups themselves.
    /// - Parameter unsticky: also switch off target-group stickiness a canary set (`TrafficSteps.stickinessSeconds`).
    public func plan(
        to target: Color, from expected: Color? = nil, force: Bool = false, settleCapacity: Bool = true, unsticky: Bool = false
    ) throws -> [Mutation] {
        if let expected, let serving = servingColor, expected != serving {
            throw Refusal("\(environment.name) is served by \(serving.rawValue), not \(expected.rawValue) (--from). Nothing changed.")
        }
        guard let colorStatus = status.color(target), let arn = colorStatus.targetGroupArn else {
            throw Refusal("The \(target.rawValue) target group \(environment.targetGroupNames[target]) does not exist. Nothing changed.")
        }
        guard !routes.isEmpty else {
            throw Refusal("No listener or rule routes \(environment.name) (\(environment.routing)). Nothing changed.")
        }
        let moving = routes.filter { !$0.forwardsOnly(to: arn) || (unsticky && $0.forward?.effectiveStickiness != nil) }
        // Only moving traffic needs the target's capacity proven: recording a switch already made does not.
        if !force, !moving.isEmpty, let problem = capacityProblem(target) {
            throw Refusal("\(target.rawValue) has no healthy capacity: \(problem). Nothing changed; --force switches anyway.")
        }
        if !force, !moving.isEmpty, let refusal = Self.unprovenTarget(target, status: status, environment: environment) { throw refusal }
        if let problem = moving.compactMap(\.moveProblem).first {
            throw Refusal("Cannot switch \(environment.name): \(problem). Nothing changed; fix the rule, or pin the environment's rules with 'rules:' in the config.")
        }
        var mutations: [Mutation] = moving.map {
            unsticky ? .setForward(route: $0, forward: .unsticky(to: arn)) : .forward(route: $0, targetGroupArn: arn)
        }
        // SSM is written after the load balancer, and whenever anything (routes or SSM itself) was out of line.
        if !mutations.isEmpty || status.activeColor != target || status.drift {
            let names = environment.parameters
            mutations.append(.putParameter(name: names.activeColor, value: target.rawValue))
            mutations.append(.putParameter(name: names.activeTargetGroupArn, value: arn))
        }
        // Instances launched from now on boot the build of the colour that serves.
        mutations += environment.parameters.booting(colorStatus.version, current: status.bootBuild)
        if settleCapacity { mutations += capacityMutations(serving: target) }
        return mutations
    }

    /// The serving colour's min up to the live floor (its desired and max with it, if below); the other colour's min
    /// down to 0, its instances kept running for a rollback.
    func capacityMutations(serving target: Color) -> [Mutation] {
        var mutations: [Mutation] = []
        let floor = environment.liveFloor
        if let c = status.color(target), let min = c.min, let desired = c.desired, let max = c.max, min < floor {
            mutations.append(.resizeGroup(name: c.asg, minSize: floor, desiredCapacity: desired < floor ? floor : nil, maxSize: max < floor ? floor : nil))
        }
        if let c = status.color(target.other), let min = c.min, min > 0 {
            mutations.append(.resizeGroup(name: c.asg, minSize: 0, desiredCapacity: nil, maxSize: nil))
        }
        return mutations
    }

    /// Healthy is not proven: a switch (or rollback) to the new colour of a deploy that ended failed, rolled back or
    /// stopped (or that `recover` took back to the old colour, which still serves) is refused unless forced — its instances may run that build (the soak's operator rolling back after a
    /// failed canary found it: traffic went to the failing build).
    public static func unprovenTarget(_ target: Color, status: EnvironmentStatus, environment: EnvironmentConfiguration) -> Refusal? {
        guard let journal = status.deployment, journal.to == target, !journal.isUnfinished, journal.switchOnly != true,
            [.failed, .rolledBack, .interrupted].contains(journal.status) || (journal.status == .recovered && status.albColor == journal.from)
        else { return nil }
        // A deploy that stopped before it wrote its build (preflight, protect, clear) left the colour as it was.
        let steps = DeployStrategy(journal: journal)?.journalledSteps ?? []
        if let stopped = steps.firstIndex(of: journal.step), let deploy = steps.firstIndex(of: "deploy"), stopped < deploy { return nil }
        return Refusal("\(target.rawValue) was the new colour of the deploy \(journal.id) of \(journal.version), which ended \(journal.status.rawValue)\(journal.note.map { " (\($0))" } ?? ""): its instances may run that build. Nothing changed; deploy a build to it with '\(environment.command("environment refresh --version VERSION"))', or --force switches anyway.")
    }

    /// Why `color` cannot take traffic, or `nil` when it can.
    public func capacityProblem(_ color: Color) -> String? {
        guard let c = status.color(color) else { return "it has no state" }
        let floor = environment.liveFloor
        let inService = c.instances(.inService)
        if inService < floor { return "\(inService) instance(s) InService in \(c.asg), at least \(floor) needed" }
        if case let unhealthy = c.targets(.unhealthy), unhealthy > 0 { return "\(unhealthy) target(s) unhealthy in \(c.targetGroup)" }
        let registered = c.targetHealth.values.reduce(0, +) - c.targets(.draining)
        if registered < floor { return "\(registered) target(s) registered in \(c.targetGroup), at least \(floor) needed" }
        // Targets of a group no listener uses are `unused`: not checked by the load balancer, so not counted against.
        let healthy = c.targets(.healthy) + c.targets(.unused)
        if healthy < floor { return "\(healthy) target(s) healthy in \(c.targetGroup), at least \(floor) needed" }
        return nil
    }
}
