/// One change to the cloud, described as data so that `--dry-run` can print the exact AWS call and tests can
/// compare plans. `MutationApplier` performs them.
public enum Mutation: Sendable, Equatable, CustomStringConvertible {
    /// Point a route (listener default action or rule) at one target group, all traffic: its forward is replaced,
    /// everything else it holds (other actions, their order, stickiness) is sent back as read.
    case forward(route: Route, targetGroupArn: String)
    /// Replace a route's forward by this one (a canary's weights, or the end of a split): everything else it holds is
    /// sent back as read.
    case setForward(route: Route, forward: ForwardAction)
    case putParameter(name: String, value: String)
    case resizeGroup(name: String, minSize: Int?, desiredCapacity: Int?, maxSize: Int?)
    /// Register instances in a target group: at most 20, as one RegisterTargets call takes.
    case registerTargets(targetGroupArn: String, ids: [String])
    /// Deregister instances from a target group (they drain for its deregistration delay): at most 20 per call.
    case deregisterTargets(targetGroupArn: String, ids: [String])
    /// Attach a target group to an Auto Scaling group: the group registers its instances, and every instance it
    /// launches from then on.
    case attachTargetGroup(group: String, targetGroupArn: String)
    /// Detach a target group from an Auto Scaling group: its instances are deregistered, and new ones no longer are.
    case detachTargetGroup(group: String, targetGroupArn: String)

    /// The most targets one RegisterTargets / DeregisterTargets call takes.
    public static let targetsPerCall = 20

    /// The AWS call, as `--dry-run` prints it.
    public var description: String {
        switch self {
        case .forward, .setForward:
            guard let (route, forward) = routeChange else { return "" }
            let actions = (route.actions(replacingForwardWith: forward) ?? [RouteAction(.forward(forward))]).sorted { ($0.order ?? 0) < ($1.order ?? 0) }
            let text = "[" + actions.map(Self.describe).joined(separator: ", ") + "]"
            switch route.kind {
            case .listenerDefault: return "ELBv2 ModifyListener ListenerArn=\(route.arn) DefaultActions=\(text)"
            case .rule: return "ELBv2 ModifyRule RuleArn=\(route.arn) Actions=\(text)"
            }
        case .putParameter(let name, let value):
            if let (bucket, key) = BuildStore.s3Object(name) { return "S3 PutObject Bucket=\(bucket) Key=\(key) Body=\(value)" }
            return "SSM PutParameter Name=\(name) Value=\(value) Type=String Overwrite=true"
        case .resizeGroup(let name, let min, let desired, let max):
            var parts = ["AutoScalingGroupName=\(name)"]
            if let min { parts.append("MinSize=\(min)") }
            if let max { parts.append("MaxSize=\(max)") }
            if let desired { parts.append("DesiredCapacity=\(desired)") }
            return "AutoScaling UpdateAutoScalingGroup " + parts.joined(separator: " ")
        case .registerTargets(let arn, let ids):
            return "ELBv2 RegisterTargets TargetGroupArn=\(arn) Targets=[\(ids.joined(separator: ", "))]"
        case .deregisterTargets(let arn, let ids):
            return "ELBv2 DeregisterTargets TargetGroupArn=\(arn) Targets=[\(ids.joined(separator: ", "))]"
        case .attachTargetGroup(let group, let arn):
            return "AutoScaling AttachLoadBalancerTargetGroups AutoScalingGroupName=\(group) TargetGroupARNs=[\(arn)]"
        case .detachTargetGroup(let group, let arn):
            return "AutoScaling DetachLoadBalancerTargetGroups AutoScalingGroupName=\(group) TargetGroupARNs=[\(arn)]"
        }
    }
}

extension Mutation {
    /// The parameter (or `s3://` build object) a `putParameter` writes; `nil` for other changes.
    public var parameterName: String? {
        if case .putParameter(let name, _) = self { return name }
        return nil
    }

    /// A route change: the route as read and the forward it gets; `nil` for other changes.
    public var routeChange: (route: Route, forward: ForwardAction)? {
        switch self {
        case .forward(let route, let arn):
            return (route, route.forward?.sendingAll(to: arn) ?? ForwardAction(targetGroups: [.init(arn: arn)]))
        case .setForward(let route, let forward): return (route, forward)
        case .putParameter, .resizeGroup, .registerTargets, .deregisterTargets, .attachTargetGroup, .detachTargetGroup: return nil
        }
    }

    /// The whole action list the route is sent (ModifyRule and ModifyListener replace it), or why it cannot be.
    public func routeActions() throws -> (route: Route, actions: [RouteAction])? {
        guard let (route, forward) = routeChange else { return nil }
        guard let actions = route.actions(replacingForwardWith: forward) else {
            throw UnmovableRoute(reason: route.moveProblem ?? "\(route.label) cannot be changed")
        }
        return (route, actions)
    }

    /// An action as the dry run shows it: a forward in full, any other action as kept.
    static func describe(_ action: RouteAction) -> String {
        let order = action.order.map { ", Order=\($0)" } ?? ""
        guard let forward = action.forward else { return "{Type=\(action.type)\(order) (sent back unchanged)}" }
        guard forward.usesForwardConfig else {
            return "{Type=forward\(order), TargetGroupArn=\(forward.targetGroups.first?.arn ?? "")}"
        }
        let groups = forward.targetGroups.map { "{TargetGroupArn=\($0.arn), Weight=\($0.weight ?? 1)}" }.joined(separator: ", ")
        let stickiness = forward.stickiness.map {
            ", TargetGroupStickinessConfig={Enabled=\($0.enabled)\($0.durationSeconds.map { ", DurationSeconds=\($0)" } ?? "")}"
        } ?? ""
        return "{Type=forward\(order), ForwardConfig={TargetGroups=[\(groups)]\(stickiness)}}"
    }

    /// What the change acts on: changes to different resources may run concurrently, changes to one run in order.
    var resource: String {
        switch self {
        case .forward(let route, _), .setForward(let route, _): return "route \(route.arn)"
        case .putParameter(let name, _): return "parameter \(name)"
        case .resizeGroup(let name, _, _, _): return "group \(name)"
        // Batches of one target group may go concurrently: each names its own targets.
        case .registerTargets(let arn, let ids), .deregisterTargets(let arn, let ids): return "targets \(arn) \(ids.first ?? "")"
        case .attachTargetGroup(let group, _), .detachTargetGroup(let group, _): return "group \(group)"
        }
    }
}

/// Performs mutations (the AWS adapter; later the simulator).
public protocol MutationApplier: Sendable {
    func apply(_ mutation: Mutation) async throws
}

/// A route whose forward cannot be changed without losing something it holds; nothing was sent.
public struct UnmovableRoute: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { "\(reason); nothing was sent" }
}

extension Mutation {
    /// `ids` in batches of at most `Mutation.targetsPerCall`, one RegisterTargets call each.
    public static func register(_ ids: [String], in targetGroupArn: String) -> [Mutation] {
        batches(ids).map { .registerTargets(targetGroupArn: targetGroupArn, ids: $0) }
    }

    /// `ids` in batches of at most `Mutation.targetsPerCall`, one DeregisterTargets call each.
    public static func deregister(_ ids: [String], from targetGroupArn: String) -> [Mutation] {
        batches(ids).map { .deregisterTargets(targetGroupArn: targetGroupArn, ids: $0) }
    }

    static func batches(_ ids: [String]) -> [[String]] {
        stride(from: 0, to: ids.count, by: targetsPerCall).map { Array(ids[$0..<min($0 + targetsPerCall, ids.count)]) }
    }
}
