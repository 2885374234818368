/// What `ce environment status` shows: the active colour according to SSM and to the load balancer, drift, and
/// each colour's group, instances, target health and version. JSON keys are stable (see docs/status.md).
public struct EnvironmentStatus: Sendable, Equatable, Encodable {
    public struct ColorStatus: Sendable, Equatable, Codable {
        public var asg: String
        public var min: Int?
        public var desired: Int?
        public var max: Int?
        /// Instance count by lifecycle state (`InService`, `Pending`, …).
        public var instances: [String: Int]
        /// Target count by health state (`healthy`, `unused`, …).
        public var targetHealth: [String: Int]
        /// The build this colour runs (`{prefix}{color}/version`).
        public var version: String?
        public var targetGroup: String
        public var targetGroupArn: String?
        /// Share of the environment's traffic this colour's target group gets, in percent (averaged over routes).
        public var trafficPercent: Int

        /// How many targets are in `state`.
        public func targets(_ state: TargetHealthState) -> Int { targetHealth[state.rawValue] ?? 0 }
        /// How many instances are in `state`.
        public func instances(_ state: LifecycleState) -> Int { instances[state.rawValue] ?? 0 }
    }

    public struct RouteStatus: Sendable, Equatable, Codable {
        public var route: String
        public var arn: String
        /// Colour → weight percent; a target group of neither colour shows as `other`.
        public var percent: [String: Int]
    }

    /// A preview rule: the serving conditions plus the preview header naming `color`. Never switched.
    public struct PreviewStatus: Sendable, Equatable, Codable {
        public var route: String
        public var arn: String
        public var color: Color
        /// Where it forwards, as for a serving route.
        public var percent: [String: Int]
        /// Set when it does not forward to its own colour's group, or when a rule before it takes its requests.
        public var note: String?
    }

    /// A canary or linear deploy in progress: traffic split as its journal says, which is not drift.
    public struct CanaryStatus: Sendable, Equatable, Codable {
        public var deployment: String
        public var strategy: String
        public var from: Color
        public var to: Color
        /// The journal's step (`shift`, `step bake`, `switch`, `abort`, …).
        public var step: String
        /// 1-based number of the split the journal is at, and how many there are.
        public var split: Int
        public var splits: Int
        /// The new colour's share of every serving route now.
        public var percent: Int
        public var percentages: [Int]
        public var stepBakeSeconds: Int
        /// When the current step bake began (ISO 8601), if it has.
        public var stepStartedAt: String?
    }

    /// A deploy paused for approval (`--approve`): who must act, by when, and what happens if nobody does.
    public struct ApprovalStatus: Sendable, Equatable, Encodable {
        public var deployment: String
        public var strategy: String
        /// Who started the deploy (`user@host`).
        public var by: String
        public var to: Color
        /// The new colour's share of the traffic while it waits (0 before a canary's first step).
        public var percent: Int
        /// When the pause began, and when it ends (ISO 8601).
        public var since: String
        public var deadline: String
        /// `abort` or `promote` (`--auto-promote`): what the deadline does.
        public var atTimeout: String
        /// Whether a command is waiting (holds the lock); if not, the deploy stopped while paused.
        public var waiting: Bool
    }

    /// A listener, rule or default action that is not the environment's: listed, never counted or changed.
    public struct OtherRoute: Sendable, Equatable, Codable {
        public var route: String
        public var arn: String
        /// Its conditions in words (`default` for a default action).
        public var conditions: String
        /// Its actions in words.
        public var actions: String
    }

    public var environment: String
    /// The configured strategy (`blue-green`, `instances`, …): what a plain `refresh` runs.
    public var strategy: String
    /// `active-color` in SSM, if set and valid.
    public var activeColor: Color?
    /// The colour every route sends all traffic to, `nil` when they disagree, split traffic or forward elsewhere.
    public var albColor: Color?
    public var drift: Bool
    public var driftReasons: [String]
    /// `version`: the build the next deploy installs.
    public var nextVersion: String?
    /// The deploy lock's value when a command holds the environment (`deploy-lock`), else `nil`.
    public var lock: String?
    /// The last deploy's journal (`deployment`); `isUnfinished` when it stopped half-way.
    public var deployment: DeploymentJournal?
    /// `deployment`'s value, shown safely, when it is set but is not a journal (truncated, edited by hand): a deploy
    /// may have stopped half-way, so it counts as unfinished.
    public var unreadableJournal: String?
    /// The configured alarms of both colours and their states (`OK`, `ALARM`, `INSUFFICIENT_DATA`, `missing`).
    public var alarms: [String: String]
    /// The environment's serving routes: the only ones counted for drift and ever changed.
    public var routes: [RouteStatus]
    public var previews: [PreviewStatus]
    /// Listener default actions that do not forward (`routing: default`), so are not the environment's.
    public var notServing: [OtherRoute]
    /// Every other listener and rule of the load balancer.
    public var other: [OtherRoute]
    public var colors: [String: ColorStatus]
    /// Set while a canary or linear deploy holds traffic split as its journal records.
    public var canary: CanaryStatus?
    /// Set by the command layer when the command holding the lock provably runs no more — its lock is no longer
    /// extended, its process is gone from this host, or (in the sandbox, one command at a time) any lock another command
    /// left — or when no command holds it: an unfinished deploy has then stopped, and nothing answers a request.
    public var holderStopped = false
    /// The one object both colours' instances boot from (`builds:` one object per environment), and the build it
    /// names; `nil` for per-colour builds.
    public var bootObject: BootObjectStatus?

    /// A shared boot object: an instance either colour launches boots what it names.
    public struct BootObjectStatus: Sendable, Equatable, Codable {
        /// `s3://bucket/key`.
        public var object: String
        /// Its body: the build an instance launched now boots (`nil` when it is not set).
        public var build: String?
    }

    /// The build a shared boot object names (`nil` without one, or when it is unset).
    public var bootBuild: String? { bootObject?.build }

    public func color(_ color: Color) -> ColorStatus? { colors[color.rawValue] }

    /// After a finished deploy, the old colour kept warm for `rollback` (it still has instances), and until when.
    public struct KeptWarmStatus: Sendable, Equatable, Encodable {
        public var color: Color
        /// When its `keepOldFor` ends (ISO 8601): `cleanup --expired` scales it down from then on.
        public var until: String
        public var keepOldForSeconds: Int
    }

    public var keptWarm: KeptWarmStatus? {
        guard let warm = KeepWarm(journal: deployment, serving: albColor, defaultSeconds: nil), (color(warm.color)?.desired ?? 0) > 0 else { return nil }
        return .init(color: warm.color, until: DeploymentJournal.timestamp(warm.until), keepOldForSeconds: warm.seconds)
    }

    /// Set while the unfinished deploy is paused for approval (its journal at step `approval`).
    public var approval: ApprovalStatus? {
        guard let journal = deployment, journal.isUnfinished, journal.step == DeploymentRequest.approvalStep,
            let deadline = journal.approvalDeadline
        else { return nil }
        return .init(
            deployment: journal.id, strategy: journal.strategy, by: journal.by, to: journal.to, percent: journal.percentBeforeStep, since: journal.updatedAt,
            deadline: deadline, atTimeout: journal.approval?.atTimeout ?? "abort", waiting: lock != nil && !holderStopped)
    }

    /// The last deploy, when it rolled its build back (a failed bake, an aborted canary): that build is not
    /// deployed again unless named explicitly.
    public var rolledBackBuild: DeploymentJournal? {
        deployment.flatMap { $0.status == .rolledBack ? $0 : nil }
    }

    /// Whether a deploy is (or may be) unfinished: an unfinished journal, or one that cannot be read.
    public var hasUnfinishedDeploy: Bool { deployment?.isUnfinished == true || unreadableJournal != nil }
}

/// What one read of an environment found.
public struct EnvironmentSnapshot: Sendable, Equatable {
    public var environment: EnvironmentConfiguration
    public var status: EnvironmentStatus
    /// All routes of the load balancer.
    public var loadBalancer: LoadBalancerRoutes
    /// What each route is to this environment.
    public var classified: EnvironmentRoutes
    /// The routes carrying this environment (its serving routes).
    public var routes: [Route] { classified.serving }
    public var targetGroups: [String: TargetGroupSnapshot]
    public var groups: [String: ScalingGroupSnapshot]
    public var values: [String: String]
    /// The target health read, by target group ARN.
    public var targetHealth: [String: [TargetSnapshot]] = [:]

    public init(
        environment: EnvironmentConfiguration, status: EnvironmentStatus, loadBalancer: LoadBalancerRoutes, classified: EnvironmentRoutes,
        targetGroups: [String: TargetGroupSnapshot], groups: [String: ScalingGroupSnapshot], values: [String: String]
    ) {
        self.environment = environment
        self.status = status
        self.loadBalancer = loadBalancer
        self.classified = classified
        self.targetGroups = targetGroups
        self.groups = groups
        self.values = values
    }

    /// A snapshot whose routes are classified here (tests and tools that build one by hand).
    public init(
        environment: EnvironmentConfiguration, status: EnvironmentStatus, loadBalancer: LoadBalancerRoutes,
        targetGroups: [String: TargetGroupSnapshot], groups: [String: ScalingGroupSnapshot], values: [String: String]
    ) {
        self.init(
            environment: environment, status: status, loadBalancer: loadBalancer, classified: loadBalancer.classify(for: environment),
            targetGroups: targetGroups, groups: groups, values: values)
    }

    /// Whether the load balancer health-checks `group`'s targets: some listener or rule forwards to it — a serving
    /// route, a preview rule, anything.
    public func isInUse(_ group: TargetGroupSnapshot) -> Bool {
        !group.loadBalancerArns.isEmpty || loadBalancer.uses(targetGroupArn: group.arn)
    }
}

/// Reads an environment's state through the ports and works out its status. The number of calls does not grow
/// with the number of instances, and they are made in two rounds: the load balancer's listeners (its ARN known),
/// both target groups, both Auto Scaling groups, the parameters and the alarms at once; then the rules of each
/// listener and each colour's target health, which need only the first round's ARNs.
public struct EnvironmentStatusReader: Sendable {
    public let environment: EnvironmentConfiguration
    public let loadBalancer: any LoadBalancerReader
    public let scalingGroups: any ScalingGroupReader
    public let parameters: any ParameterReader
    public let alarms: (any AlarmReader)?

    public init(
        environment: EnvironmentConfiguration, loadBalancer: any LoadBalancerReader, scalingGroups: any ScalingGroupReader,
        parameters: any ParameterReader, alarms: (any AlarmReader)? = nil
    ) {
        self.environment = environment
        self.loadBalancer = loadBalancer
        self.scalingGroups = scalingGroups
        self.parameters = parameters
        self.alarms = alarms
    }

    public func read() async throws -> EnvironmentStatus { try await snapshot().status }

    /// Everything read, with the status worked out from it (a switch plans from it; validate checks it).
    public func snapshot() async throws -> EnvironmentSnapshot {
        let env = environment
        let names = env.parameters
        let parameterNames = [names.activeColor, names.activeTargetGroupArn, names.version, names.deployLock, names.deployment]
            + Color.allCases.map { names.version(of: $0) } + (names.bootObject.map { [$0] } ?? [])
        let alarmNames = Color.allCases.flatMap { env.alarmNames(for: $0) }
        let groupNames = Color.allCases.map { env.autoScalingGroupNames[$0] }
        let read: (LoadBalancerRoutes?, TargetGroupsRead, [String: ScalingGroupSnapshot], [String: String], [String: String])
        if FanOut.sequential {
            read = (
                try await loadBalancer.routes(loadBalancerName: env.loadBalancerName), try await readTargetGroups(),
                try await scalingGroups.groups(names: groupNames), try await parameters.values(names: parameterNames),
                try await readAlarms(alarmNames))
        } else {
            async let routesRead = loadBalancer.routes(loadBalancerName: env.loadBalancerName)
            async let groupsRead = readTargetGroups()
            async let asgsRead = scalingGroups.groups(names: groupNames)
            async let valuesRead = parameters.values(names: parameterNames)
            async let alarmsRead = readAlarms(alarmNames)
            read = (try await routesRead, try await groupsRead, try await asgsRead, try await valuesRead, try await alarmsRead)
        }
        let (routesFound, targetGroupsRead, asgs, values, alarmStates) = read
        guard let allRoutes = routesFound else { throw DeploymentError.missingLoadBalancer(env.loadBalancerName) }
        let classified = allRoutes.classify(for: env)
        var status = Self.status(
            environment: env, classified: classified, targetGroups: targetGroupsRead.groups, groups: asgs,
            health: targetGroupsRead.health, values: values)
        for name in alarmNames { status.alarms[name] = alarmStates[name] ?? "missing" }
        var snapshot = EnvironmentSnapshot(
            environment: env, status: status, loadBalancer: allRoutes, classified: classified,
            targetGroups: targetGroupsRead.groups, groups: asgs, values: values)
        for (color, targets) in targetGroupsRead.health {
            if let arn = targetGroupsRead.groups[env.targetGroupNames[color]]?.arn { snapshot.targetHealth[arn] = targets }
        }
        return snapshot
    }

    typealias TargetGroupsRead = (groups: [String: TargetGroupSnapshot], health: [Color: [TargetSnapshot]])

    /// Both colours' target groups, then each one's target health (which needs only its ARN).
    func readTargetGroups() async throws -> TargetGroupsRead {
        let env = environment
        let groups = try await loadBalancer.targetGroups(names: Color.allCases.map { env.targetGroupNames[$0] })
        // One read per group: an environment whose colours share one group reads it once.
        let existing = Color.allCases.compactMap { color in groups[env.targetGroupNames[color]].map { (color, $0.arn) } }
            .filter { !env.sharesOneTargetGroup || $0.0 == .blue }
        let loadBalancer = self.loadBalancer
        let health = try await FanOut.mapThrowing(existing) { color, arn in
            (color, try await loadBalancer.targetHealth(targetGroupArn: arn))
        }
        return (groups, Dictionary(uniqueKeysWithValues: health))
    }

    func readAlarms(_ names: [String]) async throws -> [String: String] {
        guard let alarms, !names.isEmpty else { return [:] }
        return try await alarms.states(names: names).mapValues(\.rawValue)
    }

    /// The pure part: derive the status from what was read.
    public static func status(
        environment env: EnvironmentConfiguration, routes: [Route], targetGroups: [String: TargetGroupSnapshot],
        groups: [String: ScalingGroupSnapshot], health: [Color: [TargetSnapshot]], values: [String: String]
    ) -> EnvironmentStatus {
        status(
            environment: env, classified: EnvironmentRoutes(classifying: routes, routing: env.routing), targetGroups: targetGroups,
            groups: groups, health: health, values: values)
    }

    /// The pure part: derive the status from what was read and classified.
    public static func status(
        environment env: EnvironmentConfiguration, classified: EnvironmentRoutes, targetGroups: [String: TargetGroupSnapshot],
        groups: [String: ScalingGroupSnapshot], health: [Color: [TargetSnapshot]], values: [String: String]
    ) -> EnvironmentStatus {
        let routes = classified.serving
        let names = env.parameters
        var reasons: [String] = []
        var colorOfArn: [String: Color] = [:]
        for color in Color.allCases {
            if let arn = targetGroups[env.targetGroupNames[color]]?.arn { colorOfArn[arn] = color }
        }
        // One group for both colours (instance switching): each colour's targets are its own instances', and the
        // colour serving is the one whose instances are registered.
        var health = health
        var registered: [Color: Int] = [:]
        if env.sharesOneTargetGroup {
            colorOfArn = [:]
            let all = health[.blue] ?? health[.green] ?? []
            for color in Color.allCases {
                let ids = Set(groups[env.autoScalingGroupNames[color]]?.instances.map(\.id) ?? [])
                health[color] = all.filter { ids.contains($0.id) }
                registered[color] = health[color]!.filter { $0.state != .draining }.count
            }
        }

        // Per route: the share of each colour.
        func percent(_ route: Route) -> [String: Int] {
            let total = route.weights.values.reduce(0, +)
            var percent: [String: Int] = [:]
            for (arn, weight) in route.weights where weight > 0 {
                let key = colorOfArn[arn]?.rawValue ?? "other"
                percent[key, default: 0] += total > 0 ? Int((Double(weight) * 100 / Double(total)).rounded()) : 0
            }
            return percent
        }
        // An unfinished canary's journal makes its split (any of its shares, between its two colours) expected.
        let journal = values[names.deployment].flatMap(DeploymentJournal.decode)
        let canaryJournal = journal.flatMap { $0.isUnfinished && $0.traffic != nil ? $0 : nil }
        func isCanarySplit(_ percent: [String: Int]) -> Bool {
            guard let canaryJournal, let traffic = canaryJournal.traffic else { return false }
            let to = percent[canaryJournal.to.rawValue] ?? 0
            return Set(percent.filter { $0.value > 0 }.keys).isSubset(of: [canaryJournal.from.rawValue, canaryJournal.to.rawValue])
                && (to == 0 || traffic.percentages.contains(to))
        }
        var canaryShares: Set<Int> = []
        var routeStatuses: [EnvironmentStatus.RouteStatus] = []
        var routeColors: [Color?] = []
        for route in routes {
            let percent = percent(route)
            routeStatuses.append(.init(route: route.label, arn: route.arn, percent: percent))
            let serving = percent.filter { $0.value > 0 }
            routeColors.append(serving.count == 1 ? serving.keys.first.flatMap(Color.init(rawValue:)) : nil)
            if let canaryJournal, isCanarySplit(percent) {
                canaryShares.insert(percent[canaryJournal.to.rawValue] ?? 0)
                if serving.count > 1 { continue }
            }
            if serving.count != 1 || serving.keys.first == "other" {
                let split = percent.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)%" }.joined(separator: ", ")
                reasons.append("\(route.label) does not send all traffic to one colour (\(split.isEmpty ? "no forward" : split))")
            }
        }
        if routes.isEmpty {
            let ignored = classified.nonForwardingDefaults.map { "\($0.label) \($0.finalActionType)" }
            reasons.append("no listener or rule routes this environment (\(env.routing))" + (ignored.isEmpty ? "" : "; \(ignored.joined(separator: ", "))"))
        }
        let previews = classified.previews.map { preview -> EnvironmentStatus.PreviewStatus in
            let shares = percent(preview.route)
            var notes: [String] = []
            if shares != [preview.color.rawValue: 100] {
                notes.append("forwards to \(shares.isEmpty ? "nothing" : shares.keys.sorted().joined(separator: "+")), not to \(preview.color.rawValue)'s target group")
            }
            if let first = classified.shadowing(preview) {
                notes.append("never reached: \(first.label)\(first.conditionsText.isEmpty ? "" : " (\(first.conditionsText))") takes its requests first; give it a lower priority number than \(first.label)")
            }
            return .init(route: preview.route.label, arn: preview.route.arn, color: preview.color, percent: shares, note: notes.isEmpty ? nil : notes.joined(separator: "; "))
        }
        func other(_ route: Route) -> EnvironmentStatus.OtherRoute {
            .init(route: route.label, arn: route.arn, conditions: route.conditionsText, actions: route.orderedActions.map(\.description).joined(separator: ", "))
        }
        var distinct = Set(routeColors)
        let journalIsInstancesDeploy = journal.map { $0.isUnfinished && DeployStrategy(journal: $0) == .instances } ?? false
        if env.sharesOneTargetGroup {
            let sharedArn = targetGroups[env.targetGroupNames.blue]?.arn
            let total = registered.values.reduce(0, +)
            let shares = Dictionary(uniqueKeysWithValues: registered.filter { $0.value > 0 }.map {
                ($0.key.rawValue, Int((Double($0.value) * 100 / Double(max(total, 1))).rounded()))
            })
            reasons.removeAll()
            for (index, route) in routes.enumerated() {
                let forwards = route.weights.filter { $0.value > 0 }.keys
                if forwards.count != 1 || forwards.first != sharedArn {
                    reasons.append("\(route.label) does not send all traffic to \(env.targetGroupNames.blue)")
                    routeStatuses[index].percent = [:]
                } else {
                    routeStatuses[index].percent = shares
                }
            }
            if routes.isEmpty {
                reasons.append("no listener or rule routes this environment (\(env.routing))")
            }
            let serving = Color.allCases.filter { (registered[$0] ?? 0) > 0 }
            distinct = serving.count == 1 ? [serving[0]] : []
            if serving.count == 2 && !journalIsInstancesDeploy {
                reasons.append("both colours' instances are registered in \(env.targetGroupNames.blue): two builds serve")
            } else if serving.isEmpty && targetGroups[env.targetGroupNames.blue] != nil {
                reasons.append("no instance of either colour is registered in \(env.targetGroupNames.blue)")
            }
            for color in Color.allCases {
                let attached = groups[env.autoScalingGroupNames[color]]?.targetGroupArns.contains { $0 == sharedArn } ?? false
                if attached && (registered[color] ?? 0) == 0 && !journalIsInstancesDeploy {
                    reasons.append("\(env.autoScalingGroupNames[color]) is attached to \(env.targetGroupNames.blue) but \(color.rawValue) does not serve: its new instances would join the group")
                }
            }
        }
        let albColor: Color? = (distinct.count == 1 && !routes.isEmpty) ? distinct.first! : nil
        let canary = canaryJournal.flatMap { journal -> EnvironmentStatus.CanaryStatus? in
            guard let traffic = journal.traffic, canaryShares.count == 1, let share = canaryShares.first,
                routes.allSatisfy({ isCanarySplit(percent($0)) })
            else { return nil }
            return .init(
                deployment: journal.id, strategy: journal.strategy, from: journal.from, to: journal.to, step: journal.step,
                split: min((journal.trafficStep ?? 0) + 1, traffic.splits.count), splits: traffic.splits.count, percent: share,
                percentages: traffic.percentages, stepBakeSeconds: env.watchSeconds(traffic.stepBakeSeconds), stepStartedAt: journal.stepStartedAt)
        }
        if let canary, canary.percent > 0 && canary.percent < 100 {
            // The split is the canary's, not drift; SSM keeps naming the old colour until the last step.
        } else if distinct.count > 1, routeColors.allSatisfy({ $0 != nil }) {
            reasons.append("the listeners disagree: \(routeStatuses.map { "\($0.route) → \($0.percent.keys.sorted().joined(separator: "+"))" }.joined(separator: ", "))")
        }

        let activeText = values[names.activeColor]
        let activeColor = activeText.flatMap { Color(rawValue: $0) }
        switch (activeText, activeColor) {
        case (nil, _):
            reasons.append("\(names.activeColor) is not set")
        case (let text?, nil):
            reasons.append("\(names.activeColor) is '\(text)', not blue or green")
        case (_, let active?):
            if let albColor, albColor != active {
                reasons.append("SSM says \(active.rawValue) but the load balancer sends traffic to \(albColor.rawValue)")
            }
        }
        if let activeColor, let arn = values[names.activeTargetGroupArn],
            let expected = targetGroups[env.targetGroupNames[activeColor]]?.arn, arn != expected
        {
            reasons.append("\(names.activeTargetGroupArn) is not the \(activeColor.rawValue) target group's ARN")
        }

        var colors: [String: EnvironmentStatus.ColorStatus] = [:]
        for color in Color.allCases {
            let group = groups[env.autoScalingGroupNames[color]]
            let targetGroup = targetGroups[env.targetGroupNames[color]]
            var lifecycle: [String: Int] = [:]
            for instance in group?.instances ?? [] { lifecycle[instance.lifecycleState.rawValue, default: 0] += 1 }
            var targetStates: [String: Int] = [:]
            for target in health[color] ?? [] { targetStates[target.state.rawValue, default: 0] += 1 }
            let share = routeStatuses.isEmpty ? 0 : routeStatuses.map { $0.percent[color.rawValue] ?? 0 }.reduce(0, +) / routeStatuses.count
            colors[color.rawValue] = .init(
                asg: env.autoScalingGroupNames[color], min: group?.minSize, desired: group?.desiredCapacity, max: group?.maxSize,
                instances: lifecycle, targetHealth: targetStates, version: values[names.version(of: color)],
                targetGroup: env.targetGroupNames[color], targetGroupArn: targetGroup?.arn, trafficPercent: share)
            if group == nil { reasons.append("Auto Scaling group \(env.autoScalingGroupNames[color]) does not exist") }
            if targetGroup == nil { reasons.append("target group \(env.targetGroupNames[color]) does not exist") }
        }

        // A shared boot object names the serving colour's build whenever no deploy is under way: otherwise an instance
        // the serving colour launches (a scale-out, a replacement) boots another build.
        let bootObject = names.bootObject.map { EnvironmentStatus.BootObjectStatus(object: $0, build: values[$0]) }
        if let bootObject, journal?.isUnfinished != true, let serving = albColor ?? activeColor {
            let record = names.version(of: serving)
            if let servingBuild = values[record] {
                if bootObject.build != servingBuild {
                    let what = bootObject.build.map { "names \($0)" } ?? "is not set"
                    reasons.append("\(bootObject.object) \(what) but \(serving.rawValue) serves \(servingBuild): an instance launched now boots \(bootObject.build ?? "nothing"); '\(env.command("environment recover"))' puts it back")
                }
            } else {
                reasons.append("\(record) is not set, so ce cannot tell which build \(bootObject.object) must name for \(serving.rawValue), which serves: record the build it runs with 'aws ssm put-parameter --name \(record) --type String --overwrite --value BUILD'")
            }
        }

        var status = EnvironmentStatus(
            environment: env.name, strategy: env.strategy.rawValue, activeColor: activeColor, albColor: albColor, drift: !reasons.isEmpty,
            driftReasons: reasons, nextVersion: values[names.version], lock: values[names.deployLock],
            deployment: journal,
            unreadableJournal: values[names.deployment].flatMap { DeploymentJournal.decode($0) == nil ? BuildName.quoted($0) : nil },
            alarms: [:], routes: routeStatuses,
            previews: previews, notServing: classified.nonForwardingDefaults.map(other), other: classified.other.map(other),
            colors: colors, canary: canary)
        status.bootObject = bootObject
        return status
    }
}

/// `environment status --output json`: every documented key always present, `null` when unset (see
/// docs/status.md). Optionals are encoded with `encode`, not `encodeIfPresent`, so that a script reading the
/// document never meets a missing key.
extension EnvironmentStatus {
    enum CodingKeys: String, CodingKey {
        case environment, strategy, activeColor, albColor, drift, driftReasons, nextVersion, lock, deployment, unreadableJournal, alarms, routes,
            previews, notServing, other, colors, canary, approval, keptWarm, bootObject
    }

    /// `lock` as a document: the holder, command, pid and times; `unreadable` with the value shown safely when it is
    /// not a lock document.
    struct LockDocument: Encodable {
        var holder, command: String?
        var pid: Int?
        var acquiredAt, expiresAt: String?
        var unreadable: String?

        enum CodingKeys: String, CodingKey { case holder, command, pid, acquiredAt, expiresAt, unreadable }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(holder, forKey: .holder)
            try c.encode(command, forKey: .command)
            try c.encode(pid, forKey: .pid)
            try c.encode(acquiredAt, forKey: .acquiredAt)
            try c.encode(expiresAt, forKey: .expiresAt)
            try c.encode(unreadable, forKey: .unreadable)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(environment, forKey: .environment)
        try c.encode(strategy, forKey: .strategy)
        try c.encode(activeColor, forKey: .activeColor)
        try c.encode(albColor, forKey: .albColor)
        try c.encode(drift, forKey: .drift)
        try c.encode(driftReasons, forKey: .driftReasons)
        try c.encode(nextVersion, forKey: .nextVersion)
        let lockDocument = lock.map { value in
            DeployLock.decode(value).map {
                LockDocument(holder: $0.holder, command: $0.command, pid: $0.pid, acquiredAt: $0.acquiredAt, expiresAt: $0.expiresAt)
            } ?? LockDocument(unreadable: BuildName.quoted(value))
        }
        try c.encode(lockDocument, forKey: .lock)
        try c.encode(deployment, forKey: .deployment)
        try c.encode(unreadableJournal, forKey: .unreadableJournal)
        try c.encode(alarms, forKey: .alarms)
        try c.encode(routes, forKey: .routes)
        try c.encode(previews, forKey: .previews)
        try c.encode(notServing, forKey: .notServing)
        try c.encode(other, forKey: .other)
        try c.encode(colors, forKey: .colors)
        try c.encode(canary, forKey: .canary)
        try c.encode(approval, forKey: .approval)
        try c.encode(keptWarm, forKey: .keptWarm)
        try c.encode(bootObject, forKey: .bootObject)
    }
}

extension EnvironmentStatus.ColorStatus {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(asg, forKey: .asg)
        try c.encode(min, forKey: .min)
        try c.encode(desired, forKey: .desired)
        try c.encode(max, forKey: .max)
        try c.encode(instances, forKey: .instances)
        try c.encode(targetHealth, forKey: .targetHealth)
        try c.encode(version, forKey: .version)
        try c.encode(targetGroup, forKey: .targetGroup)
        try c.encode(targetGroupArn, forKey: .targetGroupArn)
        try c.encode(trafficPercent, forKey: .trafficPercent)
    }
}

extension EnvironmentStatus.PreviewStatus {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(route, forKey: .route)
        try c.encode(arn, forKey: .arn)
        try c.encode(color, forKey: .color)
        try c.encode(percent, forKey: .percent)
        try c.encode(note, forKey: .note)
    }
}

extension EnvironmentStatus.CanaryStatus {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(deployment, forKey: .deployment)
        try c.encode(strategy, forKey: .strategy)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(step, forKey: .step)
        try c.encode(split, forKey: .split)
        try c.encode(splits, forKey: .splits)
        try c.encode(percent, forKey: .percent)
        try c.encode(percentages, forKey: .percentages)
        try c.encode(stepBakeSeconds, forKey: .stepBakeSeconds)
        try c.encode(stepStartedAt, forKey: .stepStartedAt)
    }
}
