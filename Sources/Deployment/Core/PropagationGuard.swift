import Foundation
import Synchronization

/// The propagation rule, in the one place every change goes through: capacity is never taken from a target group
/// that a route forwarded to within the last `propagation` seconds (`EnvironmentConfiguration.propagationSeconds`).
/// A route change reaches the load balancer's nodes over a few seconds; a node that has not picked it up yet still
/// sends requests to the target group the route left, and those requests fail if its instances are gone.
///
/// `CloudPorts` holds one guard per process; its changes reach the cloud only through `CloudPorts.applier(for:)`, a
/// `GuardedApplier` that tells the guard of every route change it makes and waits here before any change that may
/// remove capacity (a desired size, a deregistration, a detachment). So a switch's undo, an abort, a rollback, a
/// recovery, a cleanup and a failed canary step all wait, whichever path led there. A process that continues
/// another's work (`--resume`, `recover`) cannot know when that process last moved a route: it declares so
/// (`routesMayHaveMoved`), and every colour of the environment counts as just left.
public final class PropagationGuard: Sendable {
    /// Why a target group counts as just left.
    public enum Cause: Sendable, Equatable {
        /// A route change this process made.
        case routeChange
        /// A process this one continues may have moved a route just before it stopped.
        case earlierProcess
    }

    struct Left: Sendable {
        var at: Date
        var cause: Cause
    }

    /// "environment|target group name" → when a route last stopped forwarding to it.
    let left = Mutex<[String: Left]>([:])

    public init() {}

    static func key(_ environment: EnvironmentConfiguration, _ targetGroup: String) -> String { "\(environment.name)|\(targetGroup)" }

    /// Notes that a route change of `environment` made at `at` stopped sending traffic to these target groups.
    public func noteLeft(_ targetGroups: Set<String>, of environment: EnvironmentConfiguration, at: Date, cause: Cause = .routeChange) {
        left.withLock { left in
            for name in targetGroups {
                let key = Self.key(environment, name)
                if let earlier = left[key], earlier.at > at { continue }
                left[key] = Left(at: at, cause: cause)
            }
        }
    }

    /// Another process may have moved a route of `environment` just before it stopped (a crash, a kill): both colours
    /// count as just left.
    public func routesMayHaveMoved(_ environment: EnvironmentConfiguration, at: Date) {
        noteLeft(Set(Color.allCases.map { environment.targetGroupNames[$0] }), of: environment, at: at, cause: .earlierProcess)
    }

    /// How long capacity must still be kept behind `targetGroups` at `now`, and why (`nil` when it may go now).
    public func remaining(_ targetGroups: Set<String>, of environment: EnvironmentConfiguration, now: Date) -> (seconds: Double, cause: Cause)? {
        let propagation = Double(environment.propagationSeconds)
        guard propagation > 0 else { return nil }
        return left.withLock { left in
            targetGroups.compactMap { name -> (Double, Cause)? in
                guard let entry = left[Self.key(environment, name)] else { return nil }
                let seconds = propagation - now.timeIntervalSince(entry.at)
                return seconds > 0 ? (seconds, entry.cause) : nil
            }.max { $0.0 < $1.0 }
        }
    }
}

extension Mutation {
    /// The target groups of `environment` that this route change stops forwarding to (empty for other changes).
    func targetGroupsLeft(in environment: EnvironmentConfiguration) -> Set<String> {
        guard let (route, forward) = routeChange else { return [] }
        let before = route.forward?.receivers ?? []
        let after = forward.receivers
        return Set(Color.allCases.map { environment.targetGroupNames[$0] }.filter { name in
            before.contains { SwitchRunner.names($0, targetGroup: name) } && !after.contains { SwitchRunner.names($0, targetGroup: name) }
        })
    }

    /// The target groups of `environment` this change may take capacity from: a desired size set on a colour's Auto
    /// Scaling group (it may scale in), a deregistration or a detachment.
    func targetGroupsReduced(in environment: EnvironmentConfiguration) -> Set<String> {
        switch self {
        case .resizeGroup(let name, _, let desired, _):
            guard desired != nil else { return [] }
            return Set(Color.allCases.filter { environment.autoScalingGroupNames[$0] == name }.map { environment.targetGroupNames[$0] })
        case .deregisterTargets(let arn, _), .detachTargetGroup(_, let arn):
            return Set(Color.allCases.map { environment.targetGroupNames[$0] }.filter { SwitchRunner.names(arn, targetGroup: $0) })
        case .forward, .setForward, .putParameter, .registerTargets, .attachTargetGroup:
            return []
        }
    }
}
