/// Reads CloudWatch alarm states, for the bake period after a switch.
public protocol AlarmReader: Sendable {
    /// State by alarm name (`OK`, `ALARM`, `INSUFFICIENT_DATA`); alarms that do not exist are absent.
    func states(names: [String]) async throws -> [String: AlarmState]
}

/// No alarms anywhere (for set-ups without CloudWatch).
public struct NoAlarms: AlarmReader {
    public init() {}
    public func states(names: [String]) async throws -> [String: AlarmState] { [:] }
}
