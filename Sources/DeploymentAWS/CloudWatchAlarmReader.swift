import AWSServices
import Deployment

/// `AlarmReader` on CloudWatch DescribeAlarms (up to 100 names per call).
public struct CloudWatchAlarmReader: AlarmReader {
    public let cloudWatch: CloudWatch

    public init(cloudWatch: CloudWatch) {
        self.cloudWatch = cloudWatch
    }

    public func states(names: [String]) async throws -> [String: AlarmState] {
        var result: [String: AlarmState] = [:]
        for start in stride(from: 0, to: names.count, by: 100) {
            let batch = Array(names[start..<min(start + 100, names.count)])
            for alarm in try await cloudWatch.describeAlarms(.init(alarmNames: batch)) {
                result[alarm.alarmName] = .parse(alarm.stateValue ?? "INSUFFICIENT_DATA")
            }
        }
        return result
    }
}
