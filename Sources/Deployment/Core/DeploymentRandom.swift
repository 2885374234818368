/// The domain's source of randomness (jitter), injected so that simulated runs repeat exactly.
public protocol DeploymentRandom: Sendable {
    /// A number in `0..<1`.
    func nextUnit() -> Double
}
