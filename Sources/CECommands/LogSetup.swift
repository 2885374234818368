import Logging
import Synchronization

/// Routes swift-log to standard error: debug level with `--verbose`, warnings otherwise. Logged AWS calls carry
/// service, operation, status and timing only, never headers or bodies, so no secret can reach the log.
enum LogSetup {
    private static let done = Mutex(false)

    static func bootstrap(verbose: Bool) {
        let first = done.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .warning
            return handler
        }
    }
}
