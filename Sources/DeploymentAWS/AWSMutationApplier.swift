import AWSServices
import Deployment
import Foundation

/// Performs `Mutation`s with ELBv2, SSM and Auto Scaling calls — and S3 for builds kept there (`builds:`).
public struct AWSMutationApplier: MutationApplier {
    public let elbv2: ELBv2
    public let ssm: SSM
    public let autoScaling: AutoScaling

    public init(elbv2: ELBv2, ssm: SSM, autoScaling: AutoScaling) {
        self.elbv2 = elbv2
        self.ssm = ssm
        self.autoScaling = autoScaling
    }

    public func apply(_ mutation: Mutation) async throws {
        switch mutation {
        case .forward, .setForward:
            // ModifyRule and ModifyListener replace the whole action list: send back every action as read, with only
            // the forward changed. Conditions are not sent, so they stay as they are.
            guard let (route, domainActions) = try mutation.routeActions() else { return }
            let actions = domainActions.compactMap(Action.init)
            guard actions.count == domainActions.count else {
                throw UnmovableRoute(reason: "\(route.label) carries an action ce cannot send back unchanged")
            }
            switch route.kind {
            case .listenerDefault:
                _ = try await elbv2.modifyListener(.init(listenerArn: route.arn, defaultActions: actions))
            case .rule:
                _ = try await elbv2.modifyRule(.init(ruleArn: route.arn, actions: actions))
            }
        case .putParameter(let name, let value):
            if let (bucket, key) = BuildStore.s3Object(name) {
                // A build kept in S3 (`builds: s3://…`): the object holds the build's name, with a newline.
                try await S3(client: ssm.client).putObject(bucket: bucket, key: key, body: Data((value + "\n").utf8))
            } else {
                try await ssm.putParameter(.init(name: name, value: value, overwrite: true))
            }
        case .resizeGroup(let name, let min, let desired, let max):
            try await autoScaling.updateAutoScalingGroup(
                .init(autoScalingGroupName: name, minSize: min, maxSize: max, desiredCapacity: desired))
        case .registerTargets(let arn, let ids):
            try await elbv2.registerTargets(targetGroupArn: arn, targets: ids.map { TargetDescription(id: $0) })
        case .deregisterTargets(let arn, let ids):
            try await elbv2.deregisterTargets(targetGroupArn: arn, targets: ids.map { TargetDescription(id: $0) })
        case .attachTargetGroup(let group, let arn):
            try await autoScaling.attachLoadBalancerTargetGroups(autoScalingGroupName: group, targetGroupARNs: [arn])
        case .detachTargetGroup(let group, let arn):
            try await autoScaling.detachLoadBalancerTargetGroups(autoScalingGroupName: group, targetGroupARNs: [arn])
        }
    }
}

