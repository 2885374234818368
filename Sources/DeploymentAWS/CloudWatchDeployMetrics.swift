import AWSServices
import Deployment
import Foundation

/// `DeployMetricsPublisher` on CloudWatch: one `PutMetricData` per command.
public struct CloudWatchDeployMetrics: DeployMetricsPublisher {
    let cloudWatch: CloudWatch

    public init(cloudWatch: CloudWatch) {
        self.cloudWatch = cloudWatch
    }

    public func publish(namespace: String, metrics: [DeployMetric], dimensions: [(name: String, value: String)], at: Date) async throws {
        guard !metrics.isEmpty else { return }
        let dimensions = dimensions.map { Dimension(name: $0.name, value: $0.value) }
        try await cloudWatch.putMetricData(
            namespace: namespace,
            metricData: metrics.map { MetricDatum(metricName: $0.name, dimensions: dimensions, value: $0.value, unit: $0.unit.rawValue, timestamp: at) })
    }
}
