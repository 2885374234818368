/// How a canary or linear deploy moves traffic to the new colour: the share of every serving route the new colour
/// gets at each step (increasing, the last one 100: a plain forward to the new colour, as a switch makes), how long
/// each intermediate step is watched, and the target-group stickiness held while traffic is split.
public struct TrafficSteps: Sendable, Equatable, Codable {
    /// Percentages of traffic on the new colour, strictly increasing, each 1–100, the last 100.
    public var percentages: [Int]
    /// How long the new colour is watched (target health, alarms) at each intermediate step.
    public var stepBakeSeconds: Int
    /// Target-group stickiness while traffic is split (seconds, 1 s – 7 days), so that a user stays on one build;
    /// `nil` keeps the route's own. Switched off again when the split ends.
    public var stickinessSeconds: Int?

    public init(percentages: [Int], stepBakeSeconds: Int = Self.defaultStepBakeSeconds, stickinessSeconds: Int? = nil) {
        self.percentages = percentages
        self.stepBakeSeconds = stepBakeSeconds
        self.stickinessSeconds = stickinessSeconds
    }

    /// Argo Rollouts' and CodeDeploy's canary default: 10%, then everything.
    public static let defaultCanary = [10, 100]
    /// CodeDeploy's linear default: 10% more every step; ours moves 20% (five steps).
    public static let defaultLinearStep = 20
    /// Five minutes, as CodeDeploy's shortest canary interval.
    public static let defaultStepBakeSeconds = 300
    /// Target-group stickiness as ELBv2 accepts it: 1 s to 7 days.
    public static let stickinessRange = 1...604_800

    /// `--steps 10,50,100`: a canary's percentages; 100 is added when the list does not end with it.
    public static func canary(_ percentages: [Int], stepBakeSeconds: Int = defaultStepBakeSeconds, stickinessSeconds: Int? = nil) throws -> TrafficSteps {
        let steps = percentages.last == 100 ? percentages : percentages + [100]
        if let problem = problem(steps) { throw Refusal("--steps \(percentages.map(String.init).joined(separator: ",")): \(problem).") }
        return TrafficSteps(percentages: steps, stepBakeSeconds: stepBakeSeconds, stickinessSeconds: stickinessSeconds)
    }

    /// `--step 20`: 20, 40, 60, 80, 100.
    public static func linear(step: Int, stepBakeSeconds: Int = defaultStepBakeSeconds, stickinessSeconds: Int? = nil) throws -> TrafficSteps {
        guard (1...99).contains(step) else { throw Refusal("--step \(step): the share moved at each step must be 1–99 (percent).") }
        var steps = Array(stride(from: step, to: 100, by: step))
        steps.append(100)
        return TrafficSteps(percentages: steps, stepBakeSeconds: stepBakeSeconds, stickinessSeconds: stickinessSeconds)
    }

    /// Why these percentages cannot be steps, or `nil`.
    public static func problem(_ steps: [Int]) -> String? {
        if steps.count < 2 { return "give at least one share below 100 (a single step of 100 is a blue-green switch)" }
        if steps.count > 20 { return "at most 20 steps" }
        if let bad = steps.first(where: { !(1...100).contains($0) }) { return "\(bad) is not a percentage from 1 to 100" }
        if zip(steps, steps.dropFirst()).contains(where: { $0 >= $1 }) { return "the shares must increase" }
        return nil
    }

    /// The steps that split traffic (all but the last).
    public var splits: [Int] { Array(percentages.dropLast()) }

    /// The weights of a route at `percent`: the old colour's group gets the rest (ELBv2 weights are 0–999).
    public static func weights(percent: Int, old: String, new: String) -> [String: Int] {
        [old: 100 - percent, new: percent]
    }

    /// "10% → 50% → 100%, 5m each".
    public var description: String { description(stepBake: DurationText.of(Double(stepBakeSeconds))) }

    /// As `description`, with each step bake as it will run (`EnvironmentConfiguration.watchText`).
    public func description(stepBake: String) -> String {
        percentages.map { "\($0)%" }.joined(separator: " → ") + ", \(stepBake) each"
            + (stickinessSeconds.map { ", sticky \(DurationText.of(Double($0)))" } ?? "")
    }
}
