import AWSServices
import Deployment
import Foundation

/// `RequestCount` of `AWS/ApplicationELB` for a target group behind a load balancer (dimensions `LoadBalancer` =
/// `app/Name/id`, `TargetGroup` = `targetgroup/Name/id`, both taken from the ARNs), summed per period.
public struct CloudWatchTrafficMetrics: TrafficMetrics {
    public let cloudWatch: CloudWatch

    public init(cloudWatch: CloudWatch) { self.cloudWatch = cloudWatch }

    public func requestCounts(loadBalancerArn: String, targetGroupArn: String, from: Date, to: Date, periodSeconds: Int) async throws -> [RequestCount] {
        let query = MetricDataQuery(
            id: "requests",
            metricStat: .init(
                metric: .init(
                    namespace: "AWS/ApplicationELB", metricName: "RequestCount",
                    dimensions: [
                        Dimension(name: "LoadBalancer", value: Self.dimension(loadBalancerArn, after: "loadbalancer/")),
                        Dimension(name: "TargetGroup", value: Self.dimension(targetGroupArn, from: "targetgroup/")),
                    ]),
                period: periodSeconds, stat: "Sum"),
            returnData: true)
        let results = try await cloudWatch.getMetricData(GetMetricDataInput(metricDataQueries: [query], startTime: from, endTime: to))
        return results.flatMap { zip($0.timestamps, $0.values).map { RequestCount(start: $0, count: $1) } }.sorted { $0.start < $1.start }
    }

    /// `app/Name/id` from `arn:aws:elasticloadbalancing:…:loadbalancer/app/Name/id`.
    static func dimension(_ arn: String, after marker: String) -> String {
        guard let range = arn.range(of: marker) else { return arn }
        return String(arn[range.upperBound...])
    }

    /// `targetgroup/Name/id` from `arn:aws:elasticloadbalancing:…:targetgroup/Name/id`.
    static func dimension(_ arn: String, from marker: String) -> String {
        guard let range = arn.range(of: marker) else { return arn }
        return String(arn[range.lowerBound...])
    }
}
