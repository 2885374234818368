/// The domain's source of randomness (jitter), injected so that simulated runs repeat exactly.
public protocol DeploymentRandom: Sendable {
    /// A number in `0..<1`.
    func nextUnit() -> Double
}

/// The system's generator.
public struct SystemRandom: DeploymentRandom {
    public init() {}
    public func nextUnit() -> Double { Double.random(in: 0..<1) }
}
