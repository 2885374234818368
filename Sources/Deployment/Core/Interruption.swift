import Foundation
import Synchronization

/// A request to stop, from a signal (SIGINT, SIGTERM, SIGHUP) or a test. Waits end early; the deploy then brings
/// its current step to a consistent state (see `BlueGreenMachine`) instead of dying half-way.
public final class Interruption: Sendable {
    struct State {
        var reason: String?
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    let state = Mutex(State())

    public init() {}

    /// Why the stop was requested (`SIGINT`, …), or `nil`.
    public var reason: String? { state.withLock { $0.reason } }

    /// Asks to stop; the first reason is kept. Wakes every interruptible wait.
    public func request(_ reason: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if state.reason == nil { state.reason = reason }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Sleeps for `duration` on `clock` unless a stop is requested before or meanwhile. `false` when interrupted.
    public func sleep(on clock: any WallClock, for duration: Duration) async throws -> Bool {
        if reason != nil { return false }
        let completed = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await clock.sleep(for: duration)
                return true
            }
            group.addTask {
                await self.waitForRequest()
                return false
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
        return completed && reason == nil
    }

    func waitForRequest() async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.reason != nil || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
