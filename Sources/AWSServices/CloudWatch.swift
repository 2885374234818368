import AWSCore
import Foundation

/// CloudWatch: alarms and metrics.
public struct CloudWatch: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    typealias Op<I: Encodable & Sendable, O: Decodable & Sendable> = AWSOperation<I, O>
    static func op<I, O>(_ name: String) -> AWSOperation<I, O> { AWSOperation(.cloudWatch, name) }

    /// Metric alarms, all pages.
    public func describeAlarms(_ input: DescribeAlarmsInput) async throws -> [MetricAlarm] {
        try await client.paginate(Self.op("DescribeAlarms") as Op<_, DescribeAlarmsOutput>, input).flatMap(\.metricAlarms)
    }

    public func putMetricData(namespace: String, metricData: [MetricDatum]) async throws {
        for start in stride(from: 0, to: metricData.count, by: 1000) {
            _ = try await client.call(
                Self.op("PutMetricData") as Op<_, EmptyOutput>,
                PutMetricDataInput(namespace: namespace, metricData: Array(metricData[start..<min(start + 1000, metricData.count)])))
        }
    }

    /// All pages, results of the same query id merged.
    public func getMetricData(_ input: GetMetricDataInput) async throws -> [MetricDataResult] {
        let pages = try await client.paginate(Self.op("GetMetricData") as Op<_, GetMetricDataOutput>, input)
        var merged: [String: MetricDataResult] = [:]
        var order: [String] = []
        for result in pages.flatMap(\.metricDataResults) {
            if var existing = merged[result.id] {
                existing.timestamps += result.timestamps
                existing.values += result.values
                merged[result.id] = existing
            } else {
                merged[result.id] = result
                order.append(result.id)
            }
        }
        return order.map { merged[$0]! }
    }

    /// Creates or replaces a metric alarm (used by tests and by `ce` to set up deployment alarms).
    public func putMetricAlarm(_ input: PutMetricAlarmInput) async throws {
        _ = try await client.call(Self.op("PutMetricAlarm") as Op<_, EmptyOutput>, input)
    }

    /// Forces an alarm's state (for testing alarm-driven rollback).
    public func setAlarmState(alarmName: String, stateValue: String, stateReason: String) async throws {
        _ = try await client.call(
            Self.op("SetAlarmState") as Op<_, EmptyOutput>,
            SetAlarmStateInput(alarmName: alarmName, stateValue: stateValue, stateReason: stateReason))
    }
}

public struct MetricAlarm: Decodable, Sendable, Hashable {
    public var alarmName: String
    public var alarmArn: String?
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    public var stateValue: String?
    public var stateReason: String?
    public var metricName: String?
    public var namespace: String?
    public var stateUpdatedTimestamp: Date?
}

public struct Dimension: Codable, Sendable, Hashable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

public struct MetricDatum: Encodable, Sendable {
    public var metricName: String
    public var dimensions: [Dimension]?
    public var value: Double
    public var unit: String?
    public var timestamp: Date?
    public init(metricName: String, dimensions: [Dimension]? = nil, value: Double, unit: String? = nil, timestamp: Date? = nil) {
        self.metricName = metricName
        self.dimensions = dimensions
        self.value = value
        self.unit = unit
        self.timestamp = timestamp
    }
}

public struct MetricDataQuery: Encodable, Sendable {
    public var id: String
    public var metricStat: MetricStat?
    public var expression: String?
    public var returnData: Bool?

    public struct MetricStat: Encodable, Sendable {
        public var metric: Metric
        public var period: Int
        public var stat: String
        public init(metric: Metric, period: Int, stat: String) {
            self.metric = metric
            self.period = period
            self.stat = stat
        }
    }

    public struct Metric: Encodable, Sendable {
        public var namespace: String
        public var metricName: String
        public var dimensions: [Dimension]?
        public init(namespace: String, metricName: String, dimensions: [Dimension]? = nil) {
            self.namespace = namespace
            self.metricName = metricName
            self.dimensions = dimensions
        }
    }

    public init(id: String, metricStat: MetricStat? = nil, expression: String? = nil, returnData: Bool? = nil) {
        self.id = id
        self.metricStat = metricStat
        self.expression = expression
        self.returnData = returnData
    }
}

public struct GetMetricDataInput: NextTokenPaginatedInput {
    public var metricDataQueries: [MetricDataQuery]
    public var startTime: Date
    public var endTime: Date
    public var nextToken: String?
    public init(metricDataQueries: [MetricDataQuery], startTime: Date, endTime: Date) {
        self.metricDataQueries = metricDataQueries
        self.startTime = startTime
        self.endTime = endTime
    }
}

public struct MetricDataResult: Decodable, Sendable, Hashable {
    public var id: String
    public var label: String?
    @QueryList public var timestamps: [Date]
    @QueryList public var values: [Double]
    public var statusCode: String?
}

struct GetMetricDataOutput: NextTokenPaginatedOutput {
    @QueryList var metricDataResults: [MetricDataResult]
    var nextToken: String?
}

public struct DescribeAlarmsInput: NextTokenPaginatedInput {
    public var alarmNames: [String]?
    public var alarmNamePrefix: String?
    public var stateValue: String?
    public var maxRecords: Int?
    public var nextToken: String?
    public init(alarmNames: [String]? = nil, alarmNamePrefix: String? = nil, stateValue: String? = nil) {
        self.alarmNames = alarmNames
        self.alarmNamePrefix = alarmNamePrefix
        self.stateValue = stateValue
    }
}

struct DescribeAlarmsOutput: NextTokenPaginatedOutput {
    @QueryList var metricAlarms: [MetricAlarm]
    var nextToken: String?
}

struct PutMetricDataInput: Encodable, Sendable {
    var namespace: String
    var metricData: [MetricDatum]
}

public struct PutMetricAlarmInput: Encodable, Sendable {
    public var alarmName: String
    public var namespace: String
    public var metricName: String
    public var dimensions: [Dimension]?
    public var statistic: String
    public var period: Int
    public var evaluationPeriods: Int
    public var threshold: Double
    public var comparisonOperator: String
    public init(
        alarmName: String, namespace: String, metricName: String, dimensions: [Dimension]? = nil,
        statistic: String = "Sum", period: Int = 60, evaluationPeriods: Int = 1, threshold: Double,
        comparisonOperator: String = "GreaterThanThreshold"
    ) {
        self.alarmName = alarmName
        self.namespace = namespace
        self.metricName = metricName
        self.dimensions = dimensions
        self.statistic = statistic
        self.period = period
        self.evaluationPeriods = evaluationPeriods
        self.threshold = threshold
        self.comparisonOperator = comparisonOperator
    }
}

struct SetAlarmStateInput: Encodable, Sendable {
    var alarmName: String
    var stateValue: String
    var stateReason: String
}
