/// The states AWS reports for targets, instances, instance refreshes and alarms, as enums rather than strings: a
/// state this build does not know is kept as AWS spelt it (`other`), never mistaken for a known one. Each is a
/// string on the wire and in JSON, and a string literal in tests.
public protocol CloudState: RawRepresentable<String>, Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The known states.
    static var known: [Self] { get }
    /// A state this build does not know.
    static func other(_ rawValue: String) -> Self
}

extension CloudState {
    /// The known state spelt `rawValue`, else `other(rawValue)`.
    public static func parse(_ rawValue: String) -> Self {
        known.first { $0.rawValue == rawValue } ?? .other(rawValue)
    }
    public init(rawValue: String) { self = Self.parse(rawValue) }
    public init(stringLiteral value: String) { self = Self.parse(value) }
    public var description: String { rawValue }
    public init(from decoder: any Decoder) throws { self = Self.parse(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A target's health in its target group (`DescribeTargetHealth`).
public enum TargetHealthState: CloudState {
    case initial, healthy, unhealthy, unused, draining, unavailable
    case other(String)

    public static let known: [TargetHealthState] = [.initial, .healthy, .unhealthy, .unused, .draining, .unavailable]
    public var rawValue: String {
        switch self {
        case .initial: return "initial"
        case .healthy: return "healthy"
        case .unhealthy: return "unhealthy"
        case .unused: return "unused"
        case .draining: return "draining"
        case .unavailable: return "unavailable"
        case .other(let value): return value
        }
    }
}

/// An instance's place in its Auto Scaling group's lifecycle (the ones a deploy tells apart).
public enum LifecycleState: CloudState {
    case pending, inService, terminating, terminated, standby
    case other(String)

    public static let known: [LifecycleState] = [.pending, .inService, .terminating, .terminated, .standby]
    public var rawValue: String {
        switch self {
        case .pending: return "Pending"
        case .inService: return "InService"
        case .terminating: return "Terminating"
        case .terminated: return "Terminated"
        case .standby: return "Standby"
        case .other(let value): return value
        }
    }
}

/// An Auto Scaling instance refresh's status.
public enum RefreshState: CloudState {
    case pending, inProgress, successful, failed, cancelling, cancelled, rollbackInProgress, rollbackSuccessful, rollbackFailed, baking
    case other(String)

    public static let known: [RefreshState] = [
        .pending, .inProgress, .successful, .failed, .cancelling, .cancelled, .rollbackInProgress, .rollbackSuccessful, .rollbackFailed, .baking,
    ]
    public var rawValue: String {
        switch self {
        case .pending: return "Pending"
        case .inProgress: return "InProgress"
        case .successful: return "Successful"
        case .failed: return "Failed"
        case .cancelling: return "Cancelling"
        case .cancelled: return "Cancelled"
        case .rollbackInProgress: return "RollbackInProgress"
        case .rollbackSuccessful: return "RollbackSuccessful"
        case .rollbackFailed: return "RollbackFailed"
        case .baking: return "Baking"
        case .other(let value): return value
        }
    }

    /// Whether the refresh has ended (an unknown state counts as ended: nothing more will come of following it).
    public var isFinished: Bool {
        switch self {
        case .pending, .inProgress, .cancelling, .rollbackInProgress, .baking: return false
        case .successful, .failed, .cancelled, .rollbackSuccessful, .rollbackFailed, .other: return true
        }
    }
}

/// A CloudWatch alarm's state.
public enum AlarmState: CloudState {
    case ok, alarm, insufficientData
    case other(String)

    public static let known: [AlarmState] = [.ok, .alarm, .insufficientData]
    public var rawValue: String {
        switch self {
        case .ok: return "OK"
        case .alarm: return "ALARM"
        case .insufficientData: return "INSUFFICIENT_DATA"
        case .other(let value): return value
        }
    }
}
