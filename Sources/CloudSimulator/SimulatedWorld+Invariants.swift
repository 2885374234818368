import Deployment
import Foundation

/// What the simulator watches, and every violation it saw.
///
/// Checked after every event (each second of the world, each change the tool makes):
/// 1. **One colour serves**: no route of an environment splits its traffic between colours (unless a canary or
///    linear deploy is in progress by its journal, or a canary is allowed by the layout), and the routes agree on
///    one colour — a disagreement may last only while a switch is in flight (`switchWindowSeconds`).
/// 2. **Never down by the tool's hand**: a change made by the tool never leaves a route forwarding to a colour with
///    no healthy instance, when the environment had one before (ground truth: the application answers).
/// 3. **A failed build gets no traffic**: no request is served by a build that can never pass its health check,
///    nor by one whose health gate failed in that environment.
/// 4. **Consistent at the end** (`checkEnd`): one colour serves, SSM agrees, no lock or unfinished deployment is
///    left, and the live group is not left pinned (its max is back to the layout's).
/// 5. **The recorded build serves**: every instance that receives traffic runs the build recorded for its colour
///    (`{prefix}{color}/version`) — except while a rolling deploy, which mixes builds by design, is in progress,
///    and except an instance that booted from its environment's shared build object while that named another
///    build (one object for both colours: the consequence `validate` and `status` state; invariant 10 bounds it).
///    Invariant 3 does not count such an instance either; its requests are counted (`offRecordRequests`) instead.
/// 6. **Only the environment's routes change**: the tool never changes a listener or rule that is not a serving
///    route of one of the environments (another service's rule, a preview rule, a redirect).
/// 7. **A failing build stays within its canary share**: while a canary or linear deploy of a build that fails (it
///    answers 5xx, or never passes its health check) is in progress, no serving route gives the new colour more
///    than the first step's share: the first step bake must catch it.
/// 8. **Capacity outlives propagation**: no request routed by a load balancer node that has not yet picked up a route
///    change finds the target group it was sent to empty — the tool must not take the capacity away from a colour
///    traffic has just left before every node has let it go (`Calibration.propagationSeconds`).
/// 10. **A shared build object names what serves** (`checkEnd`): an environment whose colours boot one object
///     (`builds:` one object per environment) is left with that object naming the serving colour's recorded build,
///     whichever way the command ended (deployed, undone, rolled back, aborted, recovered): an instance launched
///     afterwards boots what serves. (Invariant 9, the tool's bound, is `ToolBound`'s.)
public struct InvariantState: Codable, Sendable {
    public var violations: [String] = []
    /// Routes may disagree this long while a switch is in flight.
    public var switchWindowSeconds = 60.0
    var disagreeingSince: [String: Date] = [:]
    var disagreementReported: Set<String> = []
    /// "env|version" whose health gate failed.
    var gateFailed: Set<String> = []
    /// Environments an operator took down on purpose (`environment stop` in the sandbox).
    public var downtimeAllowed: Set<String> = []
    /// Environments with a rolling deploy in progress (their instances may run two builds).
    var rollingInProgress: Set<String> = []
    /// Environments with an instance switch in progress (both colours' instances may be registered meanwhile).
    var instanceSwitching: Set<String>? = nil
    /// "env|colour|build" already reported by invariant 5 (one line per mismatch, not one per request).
    var mismatchReported: Set<String> = []
    /// Environments with a canary or linear deploy in progress, by its journal.
    /// (Optional, as `canaryShareReported`, so that a sandbox world saved before canaries still loads.)
    var canaries: [String: CanaryWatch]?
    /// Environments already reported by invariant 7.
    var canaryShareReported: Set<String>?
    /// Requests served by an instance that booted a shared build object while it named another build than its
    /// colour's (not counted by invariants 3 and 5: the exposure of one object for both colours, measured).
    public var offRecordRequests: Int?
    /// "env|colour" of which an instance booted a shared build object's other build during the run.
    var offRecordColors: Set<String>?

    /// What invariant 7 needs of a canary in progress.
    struct CanaryWatch: Codable, Sendable, Equatable {
        var to: String
        var version: String
        var firstShare: Int
    }
}

extension SimulatedWorld {
    mutating func violate(_ text: String) {
        let line = String(format: "%.1f s: ", now.timeIntervalSince(start)) + text
        invariants.violations.append(line)
        log("INVARIANT VIOLATED: \(text)")
    }

    /// `env`'s serving routes, told by the same classification the tool uses.
    func routes(of env: EnvironmentRecord) -> [Route] {
        EnvironmentRoutes(classifying: routes, routing: env.routing).serving
    }

    /// The colours a route forwards to (`other` for a target group of neither colour).
    /// For an environment whose colours share one target group (instance switching), a route to it serves the
    /// colours whose instances are registered there.
    func colors(of route: Route, in env: EnvironmentRecord) -> Set<String> {
        let arns = route.weights.filter { $0.value > 0 }.keys
        guard let shared = env.sharedTargetGroupArn else { return Set(arns.map { env.color(ofArn: $0) ?? "other" }) }
        return Set(arns.flatMap { $0 == shared ? Array(registeredColors(env)) : ["other"] })
    }

    /// The colours of a shared-group environment with an instance registered (not draining) in the group.
    func registeredColors(_ env: EnvironmentRecord) -> Set<String> {
        guard let arn = env.sharedTargetGroupArn, let name = targetGroupName(arn: arn) else { return [] }
        let targets = targetGroups[name]!.targets.filter { $0.value.state != "draining" }
        return Set(env.groups.filter { _, group in (groups[group]?.instanceIds ?? []).contains { targets[$0] != nil } }.keys)
    }

    /// The one colour serving `env`, or `nil` when the routes split or disagree.
    public func servingColor(_ envName: String) -> String? {
        guard let env = environments.first(where: { $0.name == envName }) else { return nil }
        let sets = routes(of: env).map { colors(of: $0, in: env) }
        guard let first = sets.first, first.count == 1, sets.allSatisfy({ $0 == first }) else { return nil }
        return first.first
    }

    /// Instances of `color` in `env` that are registered (not draining) and whose application answers now.
    func healthyInstances(_ env: EnvironmentRecord, color: String) -> Int {
        guard let arn = env.targetGroupArns[color], let name = targetGroupName(arn: arn) else { return 0 }
        let own = env.sharedTargetGroupArn == nil ? nil : Set(env.groups[color].flatMap { groups[$0]?.instanceIds } ?? [])
        return targetGroups[name]!.targets.filter { $0.value.state != "draining" && appIsUp($0.key, at: now) && own?.contains($0.key) != false }.count
    }

    /// Whether every colour `env`'s routes forward to has a healthy instance.
    func isServing(_ env: EnvironmentRecord) -> Bool {
        let serving = routes(of: env).flatMap { colors(of: $0, in: env) }
        // One shared group (instance switching): both colours are registered before the hand-over and the load
        // balancer already routes to the new targets it finds healthy, so the tool cannot know better than the load
        // balancer there. A change is judged by that view: some registered target the load balancer finds healthy,
        // or whose application answers. (A build flapping faster than the unhealthy threshold looks healthy to it;
        // the bake's 5xx alarm is what sends such a build back — and the end check still uses the ground truth.)
        if let shared = env.sharedTargetGroupArn, let name = targetGroupName(arn: shared) {
            let targets = targetGroups[name]!.targets
            return !serving.isEmpty && !serving.contains("other") && Set(serving).contains { color in
                healthyInstances(env, color: color) > 0
                    || (env.groups[color].flatMap { groups[$0]?.instanceIds } ?? []).contains { targets[$0]?.state == "healthy" }
            }
        }
        return !serving.isEmpty && serving.allSatisfy { $0 != "other" && healthyInstances(env, color: $0) > 0 }
    }

    /// Invariant 1, after any event. (An environment stopped on purpose counts again once it serves again.)
    /// - Parameter serving: each environment's serving routes, when already worked out.
    mutating func checkRoutes(serving: [[Route]]? = nil) {
        let serving = serving ?? environments.map { routes(of: $0) }
        for name in invariants.downtimeAllowed.sorted() {
            if let env = environments.first(where: { $0.name == name }), isServing(env), healthyInstances(env, color: servingColor(name) ?? "-") > 0 {
                invariants.downtimeAllowed.remove(name)
            }
        }
        for (env, servingRoutes) in zip(environments, serving) {
            let sets = servingRoutes.map { ($0, colors(of: $0, in: env)) }
            let canary = invariants.canaries?[env.name]
            let switchingInstances = invariants.instanceSwitching?.contains(env.name) == true
            for (route, colors) in sets where colors.count > 1 && !env.canaryAllowed && canary == nil && !switchingInstances {
                violate("\(route.label) splits \(env.name)'s traffic between \(colors.sorted().joined(separator: " and "))")
            }
            if let canary, isFailing(canary.version), let arn = env.targetGroupArns[canary.to], invariants.canaryShareReported?.contains(env.name) != true {
                for route in servingRoutes where TrafficShift.percent(of: arn, in: route) > canary.firstShare {
                    invariants.canaryShareReported = (invariants.canaryShareReported ?? []).union([env.name])
                    violate("\(route.label) gives \(canary.version), a failing build, \(TrafficShift.percent(of: arn, in: route))% of \(env.name)'s traffic: more than its canary share of \(canary.firstShare)%")
                    break
                }
            }
            let distinct = Set(sets.map(\.1))
            if distinct.count > 1 {
                let since = invariants.disagreeingSince[env.name] ?? now
                invariants.disagreeingSince[env.name] = since
                if now.timeIntervalSince(since) > invariants.switchWindowSeconds, !invariants.disagreementReported.contains(env.name) {
                    invariants.disagreementReported.insert(env.name)
                    violate("\(env.name)'s routes have disagreed for \(Int(now.timeIntervalSince(since))) s (\(sets.map { "\($0.0.label) → \($0.1.sorted().joined(separator: "+"))" }.joined(separator: ", ")))")
                }
            } else {
                invariants.disagreeingSince[env.name] = nil
                invariants.disagreementReported.remove(env.name)
            }
        }
    }

    /// Whether `version` fails (ground truth): it answers 5xx, or never passes its health check.
    func isFailing(_ version: String) -> Bool {
        guard let behaviour = behaviours[version] else { return false }
        return behaviour.isBroken || behaviour.errorRate > 0
    }

    /// Invariant 2: `change` is about to be made by the tool; returns what to check once it is made.
    func servingBefore() -> [String: Bool] {
        Dictionary(uniqueKeysWithValues: environments.map { ($0.name, isServing($0)) })
    }

    mutating func checkStillServing(after change: String, before: [String: Bool]) {
        checkRoutes()
        for env in environments where before[env.name] == true && !invariants.downtimeAllowed.contains(env.name) && !isServing(env) && !servesOffRecord(env) {
            violate("after '\(change)', \(env.name) forwards to a colour with no healthy instance")
        }
    }

    /// Whether the colour `env`'s routes send traffic to has an instance that booted a shared build object's other
    /// build: its capacity was hit by the layout's stated cost (a replacement booting the new build), not by the tool.
    func servesOffRecord(_ env: EnvironmentRecord) -> Bool {
        servingColor(env.name).map { tookOffRecord(env, color: $0) } ?? false
    }

    /// Whether an instance of `color` in `env` booted a shared build object's other build during the run.
    func tookOffRecord(_ env: EnvironmentRecord, color: String) -> Bool {
        invariants.offRecordColors?.contains("\(env.name)|\(color)") == true
    }

    /// Invariant 3, for each request served. A request the load balancer sent to a target only because its group had
    /// no healthy target left (it fails open) is not one the tool sent there: the tool never registers a failing build
    /// into a group without a healthy target (`checkRegistration`), and takes a build not yet proven out of a group that
    /// has lost its healthy targets at its next reading; what the group lost it lost by another hand (a lost instance).
    mutating func checkServedVersion(_ env: EnvironmentRecord, version: String?, instance: Instance?, failedOpen: Bool = false) {
        guard let version, let instance, !(failedOpen && env.sharedTargetGroupArn != nil) else { return }
        // An instance that booted the shared build object's other build is the layout's stated exposure: counted, not
        // the tool's choice.
        if instance.offRecord == true {
            invariants.offRecordRequests = (invariants.offRecordRequests ?? 0) + 1
            return
        }
        if behaviour(of: instance).isBroken {
            violate("a request to \(env.name) was served by \(version), a build that never passes its health check")
        } else if invariants.gateFailed.contains("\(env.name)|\(version)") {
            violate("a request to \(env.name) was served by \(version), whose health gate failed")
        }
    }

    /// Invariant 3, for each target the tool registers: a build that never passes its health check is never registered
    /// into a target group with no healthy target, where the load balancer would fail open and send it every request.
    mutating func checkRegistration(_ instance: Instance, into group: String, groupHealthy: Bool) {
        guard !groupHealthy, behaviour(of: instance).isBroken else { return }
        violate("the tool registered \(instance.id), running \(instance.version ?? "no build") that never passes its health check, into \(group), which had no healthy target: the load balancer fails open to it")
    }

    /// Invariant 5, for each request served by `instance` of `color` in `env`, whose recorded build is `recorded`.
    mutating func checkRecordedBuild(_ env: EnvironmentRecord, color: String, recorded: String?, version: String?, instance: Instance?) {
        guard let instance, let recorded, instance.version != recorded, !invariants.rollingInProgress.contains(env.name), instance.offRecord != true
        else { return }
        let key = "\(env.name)|\(color)|\(instance.version ?? "-")"
        guard invariants.mismatchReported.insert(key).inserted else { return }
        violate("a request to \(env.name) was served by \(instance.id) running \(version ?? "no build") on \(color), whose recorded build is \(recorded)")
    }

    /// Invariant 8, for a request a node sent to `targetGroup`, which has no target to take it.
    mutating func checkStaleRouteHasCapacity(_ env: EnvironmentRecord, targetGroup: String, arn: String) {
        // (Only capacity the tool took away: a colour whose group still wants instances lost them some other way.)
        guard nodeRoutes != nil, !isUsed(arn), let color = env.color(ofArn: arn), let group = env.groups[color],
            groups[group]?.desiredCapacity == 0
        else { return }
        violate("a load balancer node still routing by an earlier rule sent a request of \(env.name) to \(targetGroup), which no route uses any more and which has no target left: capacity was taken away before the route change propagated")
    }

    /// Invariant 6: the tool is about to change `route`.
    mutating func checkOwnRoute(_ route: Route) {
        let owners = environments.filter { env in routes(of: env).contains { $0.arn == route.arn } }
        if owners.isEmpty {
            violate("the tool changed \(route.label) (\(route.conditionsText)), which is no environment's serving route")
        }
    }

    /// Notes gate outcomes from the journal the tool writes.
    mutating func observeJournal(name: String, value: String) {
        guard let env = environments.first(where: { name == $0.ssmPrefix + "deployment" }),
            let journal = DeploymentJournal.decode(value)
        else { return }
        if DeployStrategy(journal: journal) == .instances && journal.isUnfinished {
            invariants.instanceSwitching = (invariants.instanceSwitching ?? []).union([env.name])
        } else {
            invariants.instanceSwitching?.remove(env.name)
        }
        if DeployStrategy(journal: journal) == .rolling && journal.isUnfinished {
            invariants.rollingInProgress.insert(env.name)
        } else {
            invariants.rollingInProgress.remove(env.name)
        }
        if journal.isUnfinished, let first = journal.traffic?.percentages.first {
            invariants.canaries = (invariants.canaries ?? [:]).merging([env.name: .init(to: journal.to.rawValue, version: journal.version, firstShare: first)]) { $1 }
        } else {
            invariants.canaries?[env.name] = nil
        }
        let key = "\(env.name)|\(journal.version)"
        if journal.status == .inProgress, let step = BlueGreenMachine.Phase(rawValue: journal.step), step.isAfterSwitch || step == .switchTraffic {
            invariants.gateFailed.remove(key)
        } else if journal.status != .inProgress, journal.note?.hasPrefix("health gate") == true {
            invariants.gateFailed.insert(key)
        }
    }

    /// Invariant 4: the environment is consistent now. Returns (and records) the violations.
    @discardableResult
    public mutating func checkEnd(_ names: [String]? = nil) -> [String] {
        var found: [String] = []
        for env in environments where names?.contains(env.name) ?? true {
            guard let color = servingColor(env.name), color != "other" else {
                found.append("\(env.name): the routes do not send all traffic to one colour")
                continue
            }
            let active = parameters[env.ssmPrefix + "active-color"]?.value
            if active != color { found.append("\(env.name): SSM active-color is \(active ?? "unset") but \(color) serves") }
            if parameters[env.ssmPrefix + "deploy-lock"] != nil { found.append("\(env.name): the deploy lock is still held") }
            if let value = parameters[env.ssmPrefix + "deployment"]?.value, DeploymentJournal.decode(value)?.isUnfinished == true {
                found.append("\(env.name): an unfinished deployment is left in the journal")
            }
            if let groupName = env.groups[color], let group = groups[groupName], let layoutMax = env.maxSizes[color],
                group.maxSize != layoutMax
            {
                found.append("\(env.name): the live group \(groupName) is left at min/desired/max \(group.minSize)/\(group.desiredCapacity)/\(group.maxSize) (max should be \(layoutMax))")
            }
            if let object = env.bootObject, let recorded = parameters[env.buildName(color)]?.value, parameters[object]?.value != recorded {
                found.append("\(env.name): the shared build object \(object) names \(parameters[object]?.value ?? "nothing") but \(color) serves \(recorded)")
            }
            // (An instance the serving colour launched while a shared build object named the new build is the layout's
            // stated cost: its replacement by Auto Scaling may not have finished by the end.)
            if !invariants.downtimeAllowed.contains(env.name), !tookOffRecord(env, color: color), healthyInstances(env, color: color) == 0,
                (env.groups[color].flatMap { groups[$0]?.desiredCapacity } ?? 0) > 0
            {
                found.append("\(env.name): \(color) serves but no instance of it is healthy")
            }
        }
        for text in found { violate("at the end: \(text)") }
        return found
    }
}
