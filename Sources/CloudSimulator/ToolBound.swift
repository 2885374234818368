import Deployment
import Foundation

/// How long the tool's command in progress may run on the simulated cloud, so that a command that never ends is
/// reported, with its seed, instead of hanging the soak: past `deadline` in virtual time (a deploy's bound follows from
/// its configuration: `Deploy.longestRun`), or after `maxCallsWithoutTime` calls with no virtual time passing (a
/// loop that polls without waiting). Either is an invariant violation, and the tool is stopped as if killed: every
/// later call and wait of it fails (`SimulatedCrash`).
public struct ToolBound: Codable, Sendable, Equatable {
    /// What runs (`deploy`, `resume`, `recover`), for the violation's words.
    public var command: String
    public var seconds: Double
    public var deadline: Date
    public var maxCallsWithoutTime: Int
    var callsWithoutTime = 0
    var lastCallAt: Date?

    public init(command: String, seconds: Double, from start: Date, maxCallsWithoutTime: Int = 5_000) {
        self.command = command
        self.seconds = seconds
        self.deadline = start.addingTimeInterval(seconds)
        self.maxCallsWithoutTime = maxCallsWithoutTime
    }
}

extension SimulatedWorld {
    /// A call of the tool: counted against its bound.
    mutating func checkToolBound() throws {
        guard var bound = toolBound else { return }
        if now > bound.deadline { try exceed(bound, "is still running after its bound of \(Int(bound.seconds)) s of virtual time") }
        bound.callsWithoutTime = bound.lastCallAt == now ? bound.callsWithoutTime + 1 : 1
        bound.lastCallAt = now
        toolBound = bound
        if bound.callsWithoutTime > bound.maxCallsWithoutTime {
            try exceed(bound, "made \(bound.callsWithoutTime) calls without any virtual time passing: it polls without waiting")
        }
    }

    /// A wait of the tool until `target`: not past its bound.
    mutating func checkToolBound(sleepingUntil target: Date) throws {
        guard let bound = toolBound, target > bound.deadline else { return }
        try exceed(bound, "would still be waiting after its bound of \(Int(bound.seconds)) s of virtual time")
    }

    private mutating func exceed(_ bound: ToolBound, _ what: String) throws -> Never {
        violate("the tool's \(bound.command) \(what)")
        toolBound = nil
        crashed = true
        throw SimulatedCrash()
    }
}
