import Foundation

/// The value of `{prefix}deploy-lock`: who holds the environment and until when.
public struct DeployLock: Sendable, Equatable, Codable {
    public var holder: String
    public var command: String
    public var pid: Int
    public var acquiredAt: String
    public var expiresAt: String

    public init(holder: String, command: String, pid: Int, acquiredAt: Date, expiresAt: Date) {
        self.holder = holder
        self.command = command
        self.pid = pid
        self.acquiredAt = Self.format(acquiredAt)
        self.expiresAt = Self.format(expiresAt)
    }

    /// `2026-11-27T01:50:00Z`. (A format style, not a new `ISO8601DateFormatter` per call: the simulator formats
    /// a timestamp for every journal write.)
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    public var acquired: Date? { Self.parse(acquiredAt) }
    public var expires: Date? { Self.parse(expiresAt) }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// `nil` for anything that is not a complete lock document: such a value counts as held.
    public static func decode(_ text: String) -> DeployLock? {
        guard let lock = try? JSONDecoder().decode(DeployLock.self, from: Data(text.utf8)), lock.acquired != nil, lock.expires != nil
        else { return nil }
        return lock
    }
}

/// Who is taking the lock.
public struct LockIdentity: Sendable, Equatable {
    public var holder: String
    public var command: String
    public var pid: Int
    public init(holder: String, command: String, pid: Int) {
        self.holder = holder
        self.command = command
        self.pid = pid
    }
}
