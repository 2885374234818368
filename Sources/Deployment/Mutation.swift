/// One change to the cloud, described as data so that `--dry-run` can print the exact AWS call and tests can
/// compare plans. `MutationApplier` performs them.
public enum Mutation: Sendable, Equatable, CustomStringConvertible {
    /// Point a route (listener default action or rule) at one target group, all traffic.
    case forward(route: ForwardRoute, targetGroupArn: String)
    case putParameter(name: String, value: String)
    case resizeGroup(name: String, minSize: Int?, desiredCapacity: Int?, maxSize: Int?)

    /// The AWS call, as `--dry-run` prints it.
    public var description: String {
        switch self {
        case .forward(let route, let arn):
            switch route.kind {
            case .listenerDefault:
                return "ELBv2 ModifyListener ListenerArn=\(route.arn) DefaultActions=[{Type=forward, TargetGroupArn=\(arn)}]"
            case .rule:
                return "ELBv2 ModifyRule RuleArn=\(route.arn) Actions=[{Type=forward, TargetGroupArn=\(arn)}]"
            }
        case .putParameter(let name, let value):
            return "SSM PutParameter Name=\(name) Value=\(value) Type=String Overwrite=true"
        case .resizeGroup(let name, let min, let desired, let max):
            var parts = ["AutoScalingGroupName=\(name)"]
            if let min { parts.append("MinSize=\(min)") }
            if let max { parts.append("MaxSize=\(max)") }
            if let desired { parts.append("DesiredCapacity=\(desired)") }
            return "AutoScaling UpdateAutoScalingGroup " + parts.joined(separator: " ")
        }
    }
}

/// Performs mutations (the AWS adapter; later the simulator).
public protocol MutationApplier: Sendable {
    func apply(_ mutation: Mutation) async throws
}
