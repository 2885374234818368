import Deployment
import Dispatch
import Foundation
import Synchronization

/// SIGINT, SIGTERM and SIGHUP while a mutating command holds the lock. The first asks the command to stop
/// (`interruption`): waits end, the current step is brought to a consistent state (before the switch: undone;
/// after it: the bookkeeping finished, the live colour never shrunk), the lock is released, and the command exits
/// with 128 + the signal's number. A second signal (a second Ctrl-C, or any of the three) exits at once, leaving
/// the lock and the journal for `environment recover`.
final class SignalTrap: @unchecked Sendable {
    let interruption = Interruption()
    private let received = Mutex<[Int32]>([])
    private var sources: [DispatchSourceSignal] = []
    private let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    /// The command that recovers the environment, as the operator should type it (their options included).
    private let recoverCommand: String
    /// Runs before a second signal exits at once: the sandbox saves its world as a killed process leaves it (lock
    /// and journal in place), so that `recover` can be tried there.
    private let beforeExit: @Sendable () -> Void

    init(recoverCommand: String, beforeExit: @escaping @Sendable () -> Void = {}) {
        self.recoverCommand = recoverCommand
        self.beforeExit = beforeExit
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            // Signals arriving together are coalesced into one event: `data` says how many.
            source.setEventHandler { [weak self] in
                for _ in 0..<max(1, source.data) { self?.receive(number) }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Puts the default handlers back.
    func cancel() {
        for source in sources { source.cancel() }
        sources = []
        for number in signals { signal(number, SIG_DFL) }
    }

    /// 128 + the first signal's number, once one was received.
    var exitCode: Int32? { received.withLock { $0.first.map { 128 + $0 } } }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(number)"
        }
    }

    private func receive(_ number: Int32) {
        let count = received.withLock { list -> Int in
            list.append(number)
            return list.count
        }
        if count == 1 {
            FileHandle.standardError.write(Data("\n\(Self.name(number)): stopping — bringing the environment to a consistent state and releasing the lock (send it again to exit at once).\n".utf8))
            interruption.request(Self.name(number))
        } else {
            FileHandle.standardError.write(Data("\n\(Self.name(number)): a second signal, exiting at once. The lock and the journal are left; run '\(recoverCommand)'.\n".utf8))
            beforeExit()
            _exit(128 + number)
        }
    }
}
