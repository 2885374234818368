import Foundation

/// One CloudWatch data point `ce` publishes about its own work (config `metricsNamespace`).
public struct DeployMetric: Sendable, Equatable {
    public enum Unit: String, Sendable, Equatable {
        case seconds = "Seconds", count = "Count"
    }

    public var name: String
    public var value: Double
    public var unit: Unit

    public init(_ name: String, _ value: Double, _ unit: Unit) {
        self.name = name
        self.value = value
        self.unit = unit
    }
}

/// The metrics of one mutating command, from its history record, each with the dimensions `Environment` and
/// `Strategy`:
/// - `DeployDuration` (Seconds): a deploy (`refresh`, `test-blue-green`) that finished;
/// - `SwitchDuration` (Seconds): the switch of traffic within it, or a `switch` / `rollback` (first route change to
///   every route read back);
/// - `RollbackDuration` (Seconds) and `Rollbacks` (Count): a bake or canary step that sent traffic back (its
///   `rollback` / `abort` step), or an `environment rollback`;
/// - `FailedGates` (Count): a deploy stopped at its health gate.
/// Other commands (cleanup, start, stop, …) publish nothing.
public enum DeployMetrics {
    public static func of(_ record: HistoryRecord) -> [DeployMetric] {
        let steps = Dictionary(record.steps.map { ($0.name, $0.seconds) }, uniquingKeysWith: +)
        let switchSeconds = ["switch", "verify"].compactMap { steps[$0] }
        var metrics: [DeployMetric] = []
        switch record.operation {
        case "refresh", "test-blue-green":
            if record.outcome == "done" { metrics.append(.init("DeployDuration", record.seconds, .seconds)) }
            if !switchSeconds.isEmpty { metrics.append(.init("SwitchDuration", switchSeconds.reduce(0, +), .seconds)) }
            if record.outcome == "rolled back" {
                metrics.append(.init("Rollbacks", 1, .count))
                if let seconds = steps["rollback"] ?? steps["abort"] { metrics.append(.init("RollbackDuration", seconds, .seconds)) }
            }
            if record.outcome == "failed", record.steps.last?.name == "health gate" { metrics.append(.init("FailedGates", 1, .count)) }
        case "switch":
            if !switchSeconds.isEmpty { metrics.append(.init("SwitchDuration", switchSeconds.reduce(0, +), .seconds)) }
        case "rollback":
            if !switchSeconds.isEmpty { metrics.append(.init("SwitchDuration", switchSeconds.reduce(0, +), .seconds)) }
            if record.outcome == "done" {
                metrics.append(.init("Rollbacks", 1, .count))
                metrics.append(.init("RollbackDuration", record.seconds, .seconds))
            }
        default:
            break
        }
        return metrics
    }

    /// `Environment` and `Strategy` (the deploy's, else the environment's configured one).
    public static func dimensions(_ record: HistoryRecord, environment: EnvironmentConfiguration) -> [(name: String, value: String)] {
        [("Environment", environment.name), ("Strategy", record.strategy ?? environment.strategy.rawValue)]
    }
}

/// Publishes `ce`'s metrics (CloudWatch `PutMetricData`).
public protocol DeployMetricsPublisher: Sendable {
    func publish(namespace: String, metrics: [DeployMetric], dimensions: [(name: String, value: String)], at: Date) async throws
}

/// Nothing can be published here (the default of `CloudPorts`).
public struct UnavailableDeployMetrics: DeployMetricsPublisher {
    public init() {}
    public func publish(namespace: String, metrics: [DeployMetric], dimensions: [(name: String, value: String)], at: Date) async throws {
        throw DeploymentError.unsupported("metrics cannot be published here")
    }
}
