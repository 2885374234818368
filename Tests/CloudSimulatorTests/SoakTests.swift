import Deployment
import Foundation
import Testing

@testable import CloudSimulator

/// Many random fault schedules, every invariant checked after every event and at the end. CI runs 300; the soak
/// script (`scripts/soak.sh N`) runs thousands.
struct SoakTests {
    @Test func threeHundredRandomFaultSchedulesKeepEveryInvariant() async throws {
        var outcomes: [SoakOutcome] = []
        for seed in UInt64(1)...300 { outcomes.append(await Soak.run(SoakScenario.random(seed: seed))) }
        let failing = outcomes.filter { !$0.violations.isEmpty }
        #expect(failing.isEmpty, "\(failing.map { "\($0.scenario) → \($0.result): \($0.violations)" })")
        // The schedules really exercised the paths: deploys, failures, rollbacks, interruptions, crashes and both
        // ways of recovering.
        let results = outcomes.map(\.result)
        for kind in ["deployed", "deploy failed", "deploy rolled back", "deploy interrupted", "resume: done", "recover: done"] {
            #expect(results.contains { $0.contains(kind) }, "no scenario ended '\(kind)'")
        }
        #expect(outcomes.contains { $0.scenario.throttleRate > 0.3 && $0.result == "deployed" })
        #expect(outcomes.reduce(0) { $0 + $1.requests } > 100_000)
    }
}
