/// One look at the new colour during the bake period or a canary's step bake: its target health and the watched
/// alarms.
public struct BakeReading: Sendable, Equatable {
    public var healthy: Int
    public var unhealthy: Int
    /// Registered targets, draining ones excluded.
    public var total: Int
    public var firing: [String]
    public var missing: [String]
    public var watched: Int
    public init(healthy: Int, unhealthy: Int, total: Int, firing: [String] = [], missing: [String] = [], watched: Int = 0) {
        self.healthy = healthy
        self.unhealthy = unhealthy
        self.total = total
        self.firing = firing
        self.missing = missing
        self.watched = watched
    }

    /// Why the new colour must not keep the traffic, or `nil`.
    public var problem: String? {
        if !firing.isEmpty { return "alarm\(firing.count == 1 ? "" : "s") in ALARM: \(firing.joined(separator: ", "))" }
        if unhealthy > 0 { return "\(unhealthy) of \(total) target(s) unhealthy" }
        if total == 0 { return "no target registered" }
        if !missing.isEmpty { return "watched alarm\(missing.count == 1 ? "" : "s") no longer exist: \(missing.joined(separator: ", "))" }
        return nil
    }
}

