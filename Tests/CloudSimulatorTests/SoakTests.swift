import Deployment
import Timekeeping
import Foundation
import Synchronization
import Testing

@testable import CloudSimulator
import TestPredicates

/// Many random fault schedules, every invariant checked after every event and at the end. Here 300, in process, with
/// what they add up to checked; the test command also runs the README's 1,000 through the binary with a wall-clock
/// limit per scenario (`ce sandbox soak --runs 1000 --scenario-timeout 60`: in its own process, whose threads no other
/// test holds), and the soak script (`scripts/soak.sh N`) tens of thousands.
struct SoakTests {
    @Test func threeHundredRandomFaultSchedulesKeepEveryInvariant() async throws {
        let summary = await SoakRun(firstSeed: 1, runs: 300, parallel: ProcessInfo.processInfo.activeProcessorCount).run()
        #expect(summary.scenarios == 300)
        #expect(summary.failing.isEmpty, "\(summary.failing.map { "\($0.scenario) → \($0.result): \($0.violations)" })")
        // The schedules really exercised the paths: deploys, failures, rollbacks, interruptions, crashes and both
        // ways of recovering, with every strategy the soak draws.
        let results = summary.byResult.keys
        for kind in ["deployed", "deploy failed", "deploy rolled back", "deploy interrupted", "resume: done", "recover: done"] {
            #expect(results.contains { $0.contains(kind) }, "no scenario ended '\(kind)'")
        }
        for strategy in [DeployStrategy.blueGreen, .canary, .linear, .instances] {
            #expect((summary.byStrategy[strategy] ?? 0) > 20, "too few \(strategy.rawValue) scenarios")
        }
        #expect(summary.requests > 100_000)
        // Only failing outcomes keep their event log: memory does not grow with the number of scenarios.
        #expect(summary.outcomes.isEmpty)
    }

    @Test func theWatchdogReportsAScenarioRunningPastItsLimit() async throws {
        let reported = Mutex<[String]>([])
        let watchdog = SoakWatchdog(limit: .milliseconds(200), onHang: { message in reported.withLock { $0.append(message) } })
        defer { watchdog.stop() }
        watchdog.started(42)
        watchdog.started(43)
        watchdog.ended(43)
        for _ in 0..<40 where reported.withLock({ $0.isEmpty }) { try await LiveClock().sleep(for: .milliseconds(100)) }
        let messages = reported.withLock { $0 }
        #expect(messages.count == 1 && messages[0].contains("seed 42") && messages[0].contains("'ce sandbox soak --seed 42 --runs 1 --events'"), "\(messages)")
    }

    @Test func keptEventsAreOnlyThoseAskedFor() async throws {
        let summary = await SoakRun(firstSeed: 11, runs: 3, parallel: 2, keepEvents: true).run()
        #expect(summary.outcomes.map(\.scenario.seed) == [11, 12, 13])
        #expect(summary.outcomes.isNonEmptyAndAll { !$0.events.isEmpty })
    }
}
