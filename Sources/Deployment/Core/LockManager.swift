import Foundation

/// One mutating command per environment at a time.
///
/// `acquire` creates `{prefix}deploy-lock` atomically; if it exists, it refuses (nothing changed) naming the holder,
/// the command and the age — also when the value cannot be read (it counts as held) or has expired (reported; only
/// `environment unlock` breaks it). The holder extends it while it works and releases it on every exit path.
public struct LockManager: Sendable {
    public let environment: EnvironmentConfiguration
    public let store: any DocumentStore
    public let clock: any WallClock
    /// How long a lock lasts without being extended.
    public var ttlSeconds: Double = 900
    /// Whether a lock's holder is provably gone (the CLI: same host, no such process): a refusal says so, and
    /// `recover` and `refresh --resume` take such a lock over.
    public var holderIsGone: @Sendable (DeployLock) -> Bool = { _ in false }

    public init(environment: EnvironmentConfiguration, store: any DocumentStore, clock: any WallClock) {
        self.environment = environment
        self.store = store
        self.clock = clock
    }

    public var name: String { environment.parameters.deployLock }

    /// Takes the lock, or refuses naming its holder.
    /// - Parameter takeOver: whether a lock whose holder is gone (`holderIsGone`) may be taken over. It is deleted,
    ///   then created again atomically, so that of two processes taking over, one wins.
    public func acquire(_ identity: LockIdentity, takeOver: Bool = false) async throws -> DeployLock {
        var tookOver = false
        for _ in 0..<3 {
            let now = clock.now()
            let lock = DeployLock(
                holder: identity.holder, command: identity.command, pid: identity.pid, acquiredAt: now,
                expiresAt: now.addingTimeInterval(ttlSeconds))
            if try await store.create(name: name, value: lock.json()) { return lock }
            // Held: say by whom. If it vanished meanwhile, try again.
            guard let value = try await store.read(name: name) else { continue }
            // Our own create may have succeeded although its answer was lost (a retried call).
            if value == lock.json() { return lock }
            if takeOver, !tookOver, let held = DeployLock.decode(value), holderIsGone(held) {
                tookOver = true
                try await store.delete(name: name)
                continue
            }
            throw Refusal(describeHeld(value, now: now) + " Nothing changed.")
        }
        throw Refusal("Could not take \(name): it keeps appearing and disappearing. Nothing changed; try again.")
    }

    /// How a held lock reads to an operator.
    public func describeHeld(_ value: String, now: Date) -> String {
        guard let lock = DeployLock.decode(value) else {
            return "\(environment.name) is locked by an unreadable \(name) ('\(value.prefix(60))'). If nobody is deploying, run '\(environment.command("environment unlock"))'."
        }
        let age = lock.acquired.map { DurationText.of(now.timeIntervalSince($0)) } ?? "?"
        var text = "\(environment.name) is locked by \(lock.holder) running '\(lock.command)' (pid \(lock.pid)) for \(age)."
        if holderIsGone(lock) {
            text += " That process is no longer running on this host: '\(environment.command("environment recover"))' takes the lock over and finishes or undoes its work (or '\(environment.command("environment unlock"))' breaks it)."
        } else if let expires = lock.expires, expires < now {
            text += " The lock expired \(DurationText.of(now.timeIntervalSince(expires))) ago; if that command is gone, run '\(environment.command("environment unlock"))'."
        }
        return text
    }

    /// Pushes the expiry out, if the lock is still ours.
    public func extend(_ lock: DeployLock) async throws -> DeployLock {
        guard let value = try await store.read(name: name), let current = DeployLock.decode(value),
            current.holder == lock.holder, current.pid == lock.pid, current.acquiredAt == lock.acquiredAt
        else { throw Refusal("The deploy lock \(name) is no longer ours (it was broken or taken over).") }
        var extended = lock
        extended.expiresAt = DeployLock.format(clock.now().addingTimeInterval(ttlSeconds))
        try await store.overwrite(name: name, value: extended.json())
        return extended
    }

    /// Deletes the lock if it is still ours.
    public func release(_ lock: DeployLock) async throws {
        guard let value = try await store.read(name: name), let current = DeployLock.decode(value),
            current.holder == lock.holder, current.pid == lock.pid, current.acquiredAt == lock.acquiredAt
        else { return }
        try await store.delete(name: name)
    }

    /// Runs `body` holding the lock: extended every third of its lifetime (waiting on `keepAlive`, real time in the
    /// CLI; never the simulated clock, whose sleeps would move the world under the body), released whatever happens.
    /// A lock that cannot be released is never left silently: `LockNotReleased` says so, with `body`'s own error.
    public func withLock<T: Sendable>(
        _ identity: LockIdentity, keepAlive: (any WallClock)?, takeOver: Bool = false,
        _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let lock = try await acquire(identity, takeOver: takeOver)
        let keeper = Task { [self] in
            guard let keepAlive else { return }
            var current = lock
            while !Task.isCancelled {
                try? await keepAlive.sleep(for: .seconds(ttlSeconds / 3))
                if Task.isCancelled { break }
                if let extended = try? await extend(current) { current = extended }
            }
        }
        let result: T
        do {
            result = try await body()
        } catch {
            keeper.cancel()
            if let cause = await releaseFailure(lock) {
                throw LockNotReleased(environment: environment.name, name: name, cause: cause, underlying: error, unlockCommand: environment.command("environment unlock"))
            }
            throw error
        }
        keeper.cancel()
        if let cause = await releaseFailure(lock) {
            throw LockNotReleased(environment: environment.name, name: name, cause: cause, underlying: nil, unlockCommand: environment.command("environment unlock"))
        }
        return result
    }

    /// Releases the lock; why it could not be, or `nil`.
    func releaseFailure(_ lock: DeployLock) async -> String? {
        do {
            try await release(lock)
            return nil
        } catch {
            return String(describing: error)
        }
    }
}

/// The deploy lock could not be released (after the usual retries). What the command did stands — or its own error,
/// `underlying`, says what went wrong — but every other mutating command on the environment is refused until the
/// lock is cleared.
public struct LockNotReleased: Error, CustomStringConvertible {
    public var environment: String
    public var name: String
    public var cause: String
    public var underlying: (any Error)?
    /// The command that breaks the lock (`ce … --env NAME environment unlock`).
    public var unlockCommand: String

    public var description: String {
        "the deploy lock \(name) could not be released (\(cause)): other commands on \(environment) are refused until it is cleared; run '\(unlockCommand)'."
    }
}
