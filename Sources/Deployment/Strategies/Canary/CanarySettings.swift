/// An environment's settings for the canary and linear strategies (config keys `steps`, `step`, `stepBake`,
/// `stickiness`; the command line overrides them).
public struct CanarySettings: Sendable, Equatable {
    /// `steps:` — a canary's shares of traffic on the new colour (100 last).
    public var canarySteps: [Int]
    /// `step:` — the share a linear deploy adds at each step.
    public var linearStep: Int
    /// `stepBake:` — how long each intermediate step is watched.
    public var stepBakeSeconds: Int
    /// `stickiness:` — target-group stickiness while traffic is split; `nil` keeps the route's own.
    public var stickinessSeconds: Int?

    public init(
        canarySteps: [Int] = TrafficSteps.defaultCanary, linearStep: Int = TrafficSteps.defaultLinearStep,
        stepBakeSeconds: Int = TrafficSteps.defaultStepBakeSeconds, stickinessSeconds: Int? = nil
    ) {
        self.canarySteps = canarySteps
        self.linearStep = linearStep
        self.stepBakeSeconds = stepBakeSeconds
        self.stickinessSeconds = stickinessSeconds
    }

    /// The steps of a `strategy` deploy (`nil` for strategies that move traffic at once or not at all), with the
    /// command line's overrides.
    public func steps(
        for strategy: DeployStrategy, canarySteps: [Int]? = nil, linearStep: Int? = nil, stepBakeSeconds: Int? = nil,
        stickinessSeconds: Int? = nil
    ) throws -> TrafficSteps? {
        let bake = stepBakeSeconds ?? self.stepBakeSeconds
        let sticky = stickinessSeconds ?? self.stickinessSeconds
        switch strategy {
        case .canary: return try TrafficSteps.canary(canarySteps ?? self.canarySteps, stepBakeSeconds: bake, stickinessSeconds: sticky)
        case .linear: return try TrafficSteps.linear(step: linearStep ?? self.linearStep, stepBakeSeconds: bake, stickinessSeconds: sticky)
        case .blueGreen, .rolling, .instances: return nil
        }
    }
}
