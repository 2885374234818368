/// `environment validate`: checks that an environment is set up for blue-green deployment.
public enum EnvironmentValidator {
    public struct Check: Sendable, Equatable, Codable {
        /// `info` tells something worth knowing that is not a problem (a colour never deployed, a preview rule).
        public enum Outcome: String, Sendable, Codable { case pass, info, warn, fail }
        public var name: String
        public var outcome: Outcome
        public var detail: String
        public init(name: String, outcome: Outcome, detail: String) {
            self.name = name
            self.outcome = outcome
            self.detail = detail
        }
    }

    public static func checks(_ snapshot: EnvironmentSnapshot) -> [Check] {
        let env = snapshot.environment
        var checks: [Check] = []
        func add(_ name: String, _ ok: Bool, _ pass: String, _ fail: String, warnOnly: Bool = false) {
            checks.append(Check(name: name, outcome: ok ? .pass : (warnOnly ? .warn : .fail), detail: ok ? pass : fail))
        }

        let listenerRoutes = snapshot.loadBalancer.listenerDefaults
        add(
            "load balancer", !listenerRoutes.isEmpty,
            "\(env.loadBalancerName) with \(listenerRoutes.count) listener(s) (\(listenerRoutes.compactMap(\.listenerPort).map { ":\($0)" }.joined(separator: ", ")))",
            "\(env.loadBalancerName) has no listener")
        checks += routingChecks(snapshot)

        // One target group for both colours (instance switching): the group once, and each colour's Auto Scaling
        // group attached to it only while that colour serves (a standing-by colour is never in the group).
        let colorsOfGroups = env.sharesOneTargetGroup ? [Color.blue] : Color.allCases
        for color in colorsOfGroups {
            let name = env.targetGroupNames[color]
            let label = env.sharesOneTargetGroup ? "target group" : "target group \(color.rawValue)"
            guard let group = snapshot.targetGroups[name] else {
                add(label, false, "", "\(name) does not exist")
                continue
            }
            add(label, true, env.sharesOneTargetGroup ? "\(name), shared by both colours (instance switching)" : "\(name)", "")
            let path = group.healthCheckPath
            add(
                env.sharesOneTargetGroup ? "health check" : "health check \(color.rawValue)", path != nil, "\(name) checks \(path ?? "")", "\(name) has no HTTP health check path")
            if let path, path != env.health.path {
                checks.append(Check(
                    name: "health path \(color.rawValue)", outcome: .warn,
                    detail: "\(name) checks \(path) but the config's health path is \(env.health.path)"))
            }
        }

        for color in Color.allCases {
            let name = env.autoScalingGroupNames[color]
            guard let group = snapshot.groups[name] else {
                add("asg \(color.rawValue)", false, "", "\(name) does not exist")
                continue
            }
            let own = snapshot.targetGroups[env.targetGroupNames[color]]?.arn
            let other = snapshot.targetGroups[env.targetGroupNames[color.other]]?.arn
            let attachedOwn = own.map(group.targetGroupArns.contains) ?? false
            let attachedOther = other.map(group.targetGroupArns.contains) ?? false
            if env.sharesOneTargetGroup {
                let serves = snapshot.status.albColor == color
                let shared = env.targetGroupNames[color]
                if serves {
                    add(
                        "asg \(color.rawValue)", attachedOwn,
                        "\(name) (\(group.minSize)/\(group.desiredCapacity)/\(group.maxSize)) serves and is attached to \(shared): its new instances join it",
                        "\(name) serves but is not attached to \(shared): an instance it launches (scale-out, replacement) would not be registered; the next deploy or switch attaches the serving colour",
                        warnOnly: true)
                } else {
                    add(
                        "asg \(color.rawValue)", !attachedOwn, "\(name) (\(group.minSize)/\(group.desiredCapacity)/\(group.maxSize)) stands by, not attached to \(shared)",
                        "\(name) does not serve but is attached to \(shared): every instance it launches joins the group and serves (the next deploy detaches it)")
                }
            } else {
                add(
                    "asg \(color.rawValue)", attachedOwn && !attachedOther,
                    "\(name) (\(group.minSize)/\(group.desiredCapacity)/\(group.maxSize)) attached to \(env.targetGroupNames[color]) only",
                    attachedOther
                        ? "\(name) is attached to the \(color.other.rawValue) target group too: its instances would serve both colours"
                        : "\(name) is not attached to \(env.targetGroupNames[color]): its instances would never be registered")
            }
            if let tag = group.tags["Color"] {
                add("asg \(color.rawValue) tags", tag == color.rawValue, "Color=\(tag)", "Color tag is '\(tag)', expected \(color.rawValue)")
            } else {
                checks.append(Check(name: "asg \(color.rawValue) tags", outcome: .warn, detail: "\(name) has no Color tag"))
            }
            add(
                "asg \(color.rawValue) max", group.maxSize >= env.liveFloor, "max \(group.maxSize)",
                "max \(group.maxSize) is below the live floor \(env.liveFloor)")
        }

        if let serving = snapshot.status.albColor, let group = snapshot.groups[env.autoScalingGroupNames[serving]] {
            add(
                "asg \(serving.rawValue) floor", group.minSize >= env.liveFloor,
                "\(group.name) serves with min \(group.minSize) (live floor \(env.liveFloor))",
                "\(group.name) serves with min \(group.minSize), below the live floor \(env.liveFloor): it could be scaled in under the traffic; '\(env.command("environment start"))' raises it")
        }

        let names = env.parameters
        for name in [names.activeColor, names.activeTargetGroupArn, names.version] {
            add("ssm \(name.dropFirst(env.ssmPrefix.count))", snapshot.values[name] != nil, "\(name) = \(snapshot.values[name] ?? "")", "\(name) is not set")
        }
        for color in Color.allCases {
            let name = names.version(of: color)
            if let value = snapshot.values[name] {
                add("ssm \(name.dropFirst(env.ssmPrefix.count))", true, "\(name) = \(value)", "")
            } else {
                checks.append(Check(
                    name: "ssm \(name.dropFirst(env.ssmPrefix.count))", outcome: .info,
                    detail: "\(name) is not set: \(color.rawValue) was never deployed (a deploy to it sets it)"))
            }
        }
        if let boot = snapshot.status.bootObject {
            // The object is checked by the drift check (it must name the serving colour's build); here, what it means.
            let build = boot.build.map { "names \($0)" } ?? "is not set (an instance launched now fails to boot)"
            checks.append(Check(
                name: "builds", outcome: boot.build == nil ? .warn : .info,
                detail: "\(boot.object) \(build). Both colours' instances boot this one object: one the warm colour launches after a deploy (a scale-out, a replacement) boots the new build, so a rollback is to the instances kept warm, not to a build. Per-colour builds avoid this: docs/instances.md"))
        }
        for (alarm, state) in snapshot.status.alarms.sorted(by: { $0.key < $1.key }) {
            add("alarm \(alarm)", state != "missing", "\(alarm) exists (\(state))", "\(alarm) does not exist: the bake period could not watch it")
        }
        if let shown = snapshot.status.unreadableJournal {
            add("deployment", false, "", "\(env.parameters.deployment) cannot be read (\(shown)): run '\(env.command("environment recover"))'")
        }
        if let journal = snapshot.status.deployment, journal.isUnfinished {
            add("deployment", false, "", "\(journal.id) stopped at '\(journal.step)': run '\(env.command("environment refresh --resume"))' or '\(env.command("environment recover"))'")
        }
        add(
            "drift", !snapshot.status.drift, "SSM and the load balancer agree (\(snapshot.status.albColor?.rawValue ?? "-"))",
            snapshot.status.driftReasons.joined(separator: "; "))
        return checks
    }

    /// The environment's routes: at least one serving route (on each pinned listener, for each pinned rule), each
    /// forwarding to one of its colours. A listener without the environment's rule is not a failure.
    static func routingChecks(_ snapshot: EnvironmentSnapshot) -> [Check] {
        let env = snapshot.environment
        let routing = env.routing
        let serving = snapshot.routes
        let envArns = Set(Color.allCases.compactMap { snapshot.targetGroups[env.targetGroupNames[$0]]?.arn })
        let wrong = serving.filter { route in route.forward.map { !$0.receivers.isEmpty && $0.receivers.isSubset(of: envArns) } != true }
        var problems: [String] = []
        if serving.isEmpty {
            let ignored = snapshot.classified.nonForwardingDefaults.map { "\($0.label) \($0.finalActionType)" }
            problems.append("no \(routing)" + (ignored.isEmpty ? "" : " (\(ignored.joined(separator: ", ")))"))
        }
        let missingPorts = routing.listenerPorts.filter { port in !serving.contains { $0.listenerPort == port } }
        if !missingPorts.isEmpty, !serving.isEmpty {
            problems.append("nothing on pinned listener\(missingPorts.count == 1 ? "" : "s") \(missingPorts.map { ":\($0)" }.joined(separator: ", "))")
        }
        let unmatchedPins = routing.pinnedRules.filter { pin in !serving.contains { pin.matches($0) } }
        if !unmatchedPins.isEmpty {
            problems.append("no rule \(unmatchedPins.map(\.description).joined(separator: ", ")) on the environment's listeners")
        }
        if !wrong.isEmpty { problems.append("\(wrong.map(\.label).joined(separator: ", ")) forward(s) elsewhere") }
        if let problem = serving.compactMap(\.moveProblem).first { problems.append(problem) }
        var checks = [
            Check(
                name: "routing", outcome: problems.isEmpty ? .pass : .fail,
                detail: problems.isEmpty
                    ? "\(serving.map(\.label).joined(separator: ", ")) (\(routing)) forward\(serving.count == 1 ? "s" : "") to \(env.name)'s blue or green target group"
                    : problems.joined(separator: "; "))
        ]
        for route in snapshot.classified.nonForwardingDefaults {
            checks.append(Check(name: "not serving", outcome: .info, detail: "\(route.label) answers \(route.finalActionType): not one of \(env.name)'s routes"))
        }
        // A smoke check relies on the previews: one that is never reached (a rule before it takes its requests), or
        // forwards elsewhere, makes it prove nothing — a failure then, not a remark.
        let smokeRelies = env.hooks.byPoint.values.contains { $0.contains { $0.smoke != nil } }
        for preview in snapshot.status.previews {
            checks.append(Check(
                name: "preview \(preview.color.rawValue)", outcome: preview.note == nil ? .info : smokeRelies ? .fail : .warn,
                detail: "\(preview.route) (header \(routing.previewHeader): \(preview.color.rawValue))" + (preview.note.map { ": \($0)" } ?? "")
                    + (preview.note != nil && smokeRelies ? " — the smoke hook sends its requests through it" : "")))
        }
        return checks
    }
}
