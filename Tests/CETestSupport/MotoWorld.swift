import AWSServices
import Foundation

extension Moto {
    /// Everything a `ce` command could change in a layout, as text: listener default actions, rules, group sizes and
    /// the SSM parameters. Two equal snapshots mean nothing was changed.
    public static func world(_ layout: Layout) async throws -> String {
        let services = Moto.services
        var lines: [String] = []
        for (port, listener) in layout.listenerArns.sorted(by: { $0.key < $1.key }) {
            let described = try await services.elbv2.describeListeners(.init(listenerArns: [listener]))
            lines.append("listener \(port) \(render(described.first?.defaultActions ?? []))")
            for rule in try await services.elbv2.describeRules(.init(listenerArn: listener)) {
                lines.append("rule \(rule.priority ?? "") \(rule.conditions.flatMap(\.pathPatterns)) \(render(rule.actions))")
            }
        }
        let groups = try await services.autoScaling.describeAutoScalingGroups(.init())
        for group in groups.filter({ $0.autoScalingGroupName.hasPrefix(layout.prefix) }).sorted(by: { $0.autoScalingGroupName < $1.autoScalingGroupName }) {
            lines.append("asg \(group.autoScalingGroupName) \(group.minSize)/\(group.desiredCapacity)/\(group.maxSize)")
        }
        for parameter in try await services.ssm.getParametersByPath(path: "/\(layout.prefix)compiler-explorer").sorted(by: { $0.name < $1.name }) {
            lines.append("ssm \(parameter.name)=\(parameter.value) v\(parameter.version ?? 0)")
        }
        return lines.joined(separator: "\n")
    }

    /// Forward weights in a stable order (equal dictionaries may iterate differently).
    static func render(_ actions: [Action]) -> String {
        actions.map { action in
            action.forwardWeights.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }.joined(separator: " | ")
    }
}
