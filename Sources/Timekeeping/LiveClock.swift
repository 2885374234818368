import Foundation

/// The system clock: real time, real sleeping.
public struct LiveClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// The system's random number generator.
public struct LiveRandomSource: RandomSource {
    public init() {}
    public func nextUnitInterval() -> Double { Double.random(in: 0..<1) }
}
