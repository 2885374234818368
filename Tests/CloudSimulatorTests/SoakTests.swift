import Deployment
import Timekeeping
import Foundation
import Synchronization
import Testing

@testable import CloudSimulator
import TestPredicates

/// Many random fault schedules, every invariant checked after every event and at the end. CI runs the README's 1,000;
/// the soak script (`scripts/soak.sh N`) runs tens of thousands.
struct SoakTests {
    @Test func aThousandRandomFaultSchedulesKeepEveryInvariant() async throws {
        // A scenario still running after a minute of wall time is a hang: the test process exits 1 saying which, so CI
        // fails instead of stalling.
        let watchdog = SoakWatchdog(limit: .seconds(60), onHang: SoakWatchdog.exitOnHang)
        defer { watchdog.stop() }
        let summary = await SoakRun(firstSeed: 1, runs: 1000, parallel: ProcessInfo.processInfo.activeProcessorCount).run(
            starting: { watchdog.started($0.seed) }, finished: { outcome, _ in watchdog.ended(outcome.scenario.seed) })
        #expect(summary.scenarios == 1000)
        #expect(summary.failing.isEmpty, "\(summary.failing.map { "\($0.scenario) → \($0.result): \($0.violations)" })")
        // The schedules really exercised the paths: deploys, failures, rollbacks, interruptions, crashes and both
        // ways of recovering, with every strategy the soak draws.
        let results = summary.byResult.keys
        for kind in ["deployed", "deploy failed", "deploy rolled back", "deploy interrupted", "resume: done", "recover: done"] {
            #expect(results.contains { $0.contains(kind) }, "no scenario ended '\(kind)'")
        }
        for strategy in [DeployStrategy.blueGreen, .canary, .linear, .instances] {
            #expect((summary.byStrategy[strategy] ?? 0) > 50, "too few \(strategy.rawValue) scenarios")
        }
        #expect(summary.requests > 300_000)
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
