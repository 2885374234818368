import Foundation

/// The one way `ce` changes an environment (`CloudPorts.applier(for:)`): every mutation goes through it to the cloud.
/// It tells the process's `PropagationGuard` of each route change, and before a change that may take capacity from a
/// target group a route has just left it waits until the change has reached every load balancer node.
public struct GuardedApplier: MutationApplier {
    public let environment: EnvironmentConfiguration
    let base: any MutationApplier
    let propagation: PropagationGuard
    let clock: any WallClock

    init(environment: EnvironmentConfiguration, base: any MutationApplier, propagation: PropagationGuard, clock: any WallClock) {
        self.environment = environment
        self.base = base
        self.propagation = propagation
        self.clock = clock
    }

    public func apply(_ mutation: Mutation) async throws {
        _ = try await settle(before: [mutation])
        let left = mutation.targetGroupsLeft(in: environment)
        // A change whose answer was lost may still have been made: what it left counts as left either way, from when
        // the call ended.
        defer { if !left.isEmpty { propagation.noteLeft(left, of: environment, at: clock.now()) } }
        try await base.apply(mutation)
    }

    /// Waits, if any of `mutations` may take capacity from a target group a route left less than `propagation` ago,
    /// until that time has passed. `apply` does this by itself; a runner calls it first to report the wait.
    /// - Returns: the seconds waited and why (`nil` when nothing had to wait).
    public func settle(before mutations: [Mutation]) async throws -> (seconds: Double, cause: PropagationGuard.Cause)? {
        let reduced = mutations.reduce(into: Set<String>()) { $0.formUnion($1.targetGroupsReduced(in: environment)) }
        guard !reduced.isEmpty, let (seconds, cause) = propagation.remaining(reduced, of: environment, now: clock.now()) else { return nil }
        let started = clock.now()
        try await clock.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
        return (clock.now().timeIntervalSince(started), cause)
    }

    /// The settle step as a report line says it.
    public func describe(_ wait: (seconds: Double, cause: PropagationGuard.Cause)) -> String {
        switch wait.cause {
        case .routeChange:
            return "\(Int(wait.seconds.rounded())) s for the route change to reach every load balancer node before capacity is removed (propagation \(environment.propagationSeconds) s)"
        case .earlierProcess:
            return "\(Int(wait.seconds.rounded())) s for a route change the stopped command may have made to reach every load balancer node before capacity is removed (propagation \(environment.propagationSeconds) s)"
        }
    }
}
