import Foundation

/// Requests the load balancer sent to a target group, per period (CloudWatch's `AWS/ApplicationELB` `RequestCount`).
public protocol TrafficMetrics: Sendable {
    /// The periods of `periodSeconds` between `from` and `to` that have data, each with its count.
    func requestCounts(loadBalancerArn: String, targetGroupArn: String, from: Date, to: Date, periodSeconds: Int) async throws -> [RequestCount]
}

/// One period's requests.
public struct RequestCount: Sendable, Equatable {
    public var start: Date
    public var count: Double

    public init(start: Date, count: Double) {
        self.start = start
        self.count = count
    }
}

/// No metrics can be read: a proof that needs them fails (the default of `CloudPorts`).
public struct UnavailableTrafficMetrics: TrafficMetrics {
    public init() {}
    public func requestCounts(loadBalancerArn: String, targetGroupArn: String, from: Date, to: Date, periodSeconds: Int) async throws -> [RequestCount] {
        throw DeploymentError.unsupported("request metrics cannot be read here")
    }
}
