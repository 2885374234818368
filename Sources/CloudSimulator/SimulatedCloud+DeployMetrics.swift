import Deployment
import Foundation

/// A data point the tool published, as CloudWatch keeps it.
public struct PublishedMetric: Codable, Sendable, Equatable {
    public var namespace: String
    public var name: String
    public var value: Double
    public var unit: String
    public var dimensions: [String: String]
    public var at: Date
}

/// The simulated CloudWatch keeps what `ce` publishes (`sandbox show` and tests read it back).
extension SimulatedCloud: DeployMetricsPublisher {
    public func publish(namespace: String, metrics: [DeployMetric], dimensions: [(name: String, value: String)], at: Date) async throws {
        let points = metrics.map {
            PublishedMetric(
                namespace: namespace, name: $0.name, value: $0.value, unit: $0.unit.rawValue,
                dimensions: Dictionary(dimensions.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }), at: at)
        }
        change { $0.publishedMetrics = ($0.publishedMetrics ?? []) + points }
    }

    public var publishedMetrics: [PublishedMetric] { read { $0.publishedMetrics ?? [] } }
}
