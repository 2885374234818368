import Foundation

/// An environment's history in AWS: one SSM parameter per record under `{prefix}history/`, named by time so that
/// they sort; the oldest beyond `keep` are deleted as new ones are written.
public struct History: Sendable {
    public var environment: EnvironmentConfiguration
    public var store: any DocumentStore
    /// Records kept per environment.
    public static let keep = 50

    public init(environment: EnvironmentConfiguration, store: any DocumentStore) {
        self.environment = environment
        self.store = store
    }

    /// `{prefix}history` (the path; records are below it).
    public var path: String { environment.parameters.history }

    /// Writes `record` as `{prefix}history/{time}-{pid}`, then deletes the oldest beyond `keep`.
    public func append(_ record: HistoryRecord, pid: Int) async throws {
        let stamp = record.at.replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await store.overwrite(name: "\(path)/\(stamp)-\(pid)", value: String(decoding: try encoder.encode(record), as: UTF8.self))
        let names = try await store.list(path: path).keys.sorted()
        for name in names.dropLast(Self.keep) { try await store.delete(name: name) }
    }

    /// The newest `limit` records, newest first (a record that cannot be read is left out).
    public func read(limit: Int) async throws -> [HistoryRecord] {
        let values = try await store.list(path: path)
        let decoder = JSONDecoder()
        return values.keys.sorted(by: >).prefix(limit).compactMap { name in
            values[name].flatMap { try? decoder.decode(HistoryRecord.self, from: Data($0.utf8)) }
        }
    }
}
