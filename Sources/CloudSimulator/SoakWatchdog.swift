import Dispatch
import Foundation
import Synchronization

/// The soak's guard against a scenario that never ends: every second (on a timer of its own, outside the task pool a
/// spinning scenario may hold) it looks at the scenarios in flight; one running longer than `limit` of wall time is
/// handed to `onHang` with the command that replays it — `ce sandbox soak` and the CI soak then exit 1: a hang fails,
/// it never stalls.
/// (`@unchecked`: the timer is set up in `init` and only cancelled after; a dispatch source is safe to use from any
/// thread.)
public final class SoakWatchdog: @unchecked Sendable {
    let limit: Duration
    let running = Mutex<[UInt64: ContinuousClock.Instant]>([:])
    let timer: DispatchSourceTimer
    let onHang: @Sendable (String) -> Void

    /// - Parameter onHang: told what hung, with the command that replays it (it should end the process).
    public init(limit: Duration, onHang: @escaping @Sendable (String) -> Void) {
        self.limit = limit
        self.onHang = onHang
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "ce.soak.watchdog"))
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [weak self] in self?.check() }
        timer.resume()
    }

    /// Writes what hung on standard error and exits 1: the end `ce sandbox soak` and the CI soak give a hang.
    public static let exitOnHang: @Sendable (String) -> Void = { message in
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(1)
    }

    public func started(_ seed: UInt64) { running.withLock { $0[seed] = ContinuousClock.now } }
    public func ended(_ seed: UInt64) { _ = running.withLock { $0.removeValue(forKey: seed) } }
    public func stop() { timer.cancel() }

    func check() {
        let now = ContinuousClock.now
        guard let (seed, since) = running.withLock({ $0.first { now - $0.value > limit } }) else { return }
        running.withLock { $0[seed] = nil }
        let seconds = Int((now - since).timeInterval)
        onHang(
            "soak: the scenario of seed \(seed) has run for \(seconds) s of wall time without ending (limit \(Int(limit.timeInterval)) s): a hang. Replay it with 'ce sandbox soak --seed \(seed) --runs 1 --events'.")
    }
}
