import Deployment
import Foundation

/// Many soak scenarios (`SoakScenario.random` from consecutive seeds), `parallel` at a time, and what they add up to.
/// Memory stays bounded however many run: each scenario's world is dropped when it ends, and only the outcomes that
/// broke an invariant keep their event log (every outcome keeps it with `keepEvents`, for `--events`).
public struct SoakRun: Sendable {
    public var firstSeed: UInt64
    public var runs: Int
    /// Instances in the live colour (`nil`: drawn per scenario).
    public var liveInstances: Int?
    public var parallel: Int
    public var keepEvents: Bool

    public init(firstSeed: UInt64, runs: Int, liveInstances: Int? = nil, parallel: Int, keepEvents: Bool = false) {
        self.firstSeed = firstSeed
        self.runs = runs
        self.liveInstances = liveInstances
        self.parallel = max(1, parallel)
        self.keepEvents = keepEvents
    }

    /// What the scenarios add up to.
    public struct Summary: Sendable {
        public var scenarios = 0
        public var virtualSeconds = 0.0
        public var requests = 0
        /// How many scenarios ended each way (`deployed`, `deploy rolled back → recover: done`, …; the step a failure
        /// stopped at left out, so that alike outcomes count together).
        public var byResult: [String: Int] = [:]
        /// How many scenarios ran each strategy.
        public var byStrategy: [DeployStrategy: Int] = [:]
        /// The scenarios that broke an invariant, by seed.
        public var failing: [SoakOutcome] = []
        /// Every outcome, by seed (only with `keepEvents`).
        public var outcomes: [SoakOutcome] = []
        /// Scenarios whose colours boot one shared build object, and the requests served there by an instance that
        /// booted that object's other build (`InvariantState.offRecordRequests`): the layout's exposure, measured.
        public var sharedObjectScenarios = 0
        public var offRecordRequests = 0

        mutating func add(_ outcome: SoakOutcome, keep: Bool) {
            scenarios += 1
            virtualSeconds += outcome.virtualSeconds
            requests += outcome.requests
            let kind = outcome.result.replacingOccurrences(of: #" at (health gate|[a-z]+)"#, with: "", options: .regularExpression)
            byResult[kind, default: 0] += 1
            byStrategy[outcome.scenario.strategy, default: 0] += 1
            if outcome.scenario.sharedBuildObject { sharedObjectScenarios += 1 }
            offRecordRequests += outcome.offRecordRequests
            var kept = outcome
            if !keep && outcome.violations.isEmpty { kept.events = [] }
            if !outcome.violations.isEmpty { failing.append(kept) }
            if keep { outcomes.append(kept) }
        }

        mutating func sort() {
            failing.sort { $0.scenario.seed < $1.scenario.seed }
            outcomes.sort { $0.scenario.seed < $1.scenario.seed }
        }
    }

    /// Runs every scenario, at most `parallel` at once (a new one starts as soon as one ends).
    /// - Parameters:
    ///   - starting: told of each scenario as it starts (a watchdog on wall time).
    ///   - finished: told of each scenario as it ends, with the summary so far.
    public func run(
        starting: @escaping @Sendable (SoakScenario) -> Void = { _ in },
        finished: @escaping @Sendable (SoakOutcome, Summary) -> Void = { _, _ in }
    ) async -> Summary {
        let liveInstances = self.liveInstances
        let scenario = { @Sendable (index: Int) in SoakScenario.random(seed: firstSeed + UInt64(index), liveInstances: liveInstances) }
        var summary = Summary()
        await withTaskGroup(of: SoakOutcome.self) { group in
            var next = 0
            func start() {
                guard next < runs else { return }
                let drawn = scenario(next)
                next += 1
                starting(drawn)
                group.addTask { await Soak.run(drawn) }
            }
            for _ in 0..<min(parallel, runs) { start() }
            for await outcome in group {
                summary.add(outcome, keep: keepEvents)
                finished(outcome, summary)
                start()
            }
        }
        summary.sort()
        return summary
    }
}
