import Dispatch
import Foundation
import Synchronization

/// The soak's guard against a scenario that never ends: every second (on a timer of its own, outside the task pool a
/// spinning scenario may hold) it looks at the scenarios in flight; one running longer than `limit` of wall time is
/// reported with the command that replays it, and the process exits 1 — a hang fails, it never stalls.
/// (`@unchecked`: the timer is set up in `init` and only cancelled after; a dispatch source is safe to use from any
/// thread.)
final class SoakWatchdog: @unchecked Sendable {
    let limit: Duration
    let running = Mutex<[UInt64: ContinuousClock.Instant]>([:])
    let timer: DispatchSourceTimer

    init(limit: Duration) {
        self.limit = limit
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "ce.soak.watchdog"))
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [weak self] in self?.check() }
        timer.resume()
    }

    func started(_ seed: UInt64) { running.withLock { $0[seed] = ContinuousClock.now } }
    func ended(_ seed: UInt64) { _ = running.withLock { $0.removeValue(forKey: seed) } }
    func stop() { timer.cancel() }

    func check() {
        let now = ContinuousClock.now
        guard let (seed, since) = running.withLock({ $0.first { now - $0.value > limit } }) else { return }
        let seconds = Int((now - since).timeInterval)
        FileHandle.standardError.write(Data("""
            soak: the scenario of seed \(seed) has run for \(seconds) s of wall time without ending (--scenario-timeout \(Int(limit.timeInterval))): a hang. \
            Replay it with 'ce sandbox soak --seed \(seed) --runs 1 --events'.

            """.utf8))
        exit(1)
    }
}
