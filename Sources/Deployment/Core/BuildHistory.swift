import Foundation

/// One value a build name held: the build, when it was written and by whom where the store says, and the store's
/// version of it (SSM's version number, S3's version id).
public struct BuildRecord: Sendable, Equatable, Codable {
    public var build: String
    public var at: Date?
    public var by: String?
    public var version: String

    public init(build: String, at: Date?, by: String?, version: String) {
        self.build = build
        self.at = at
        self.by = by
        self.version = version
    }
}

/// The values a build name held, newest first (`builds list`): SSM parameter history, or S3 object versions.
public protocol BuildHistoryReader: Sendable {
    /// At most `limit` values, newest first. `keepsHistory` false: the store keeps only the current value (an S3
    /// bucket without versioning).
    func history(of name: String, limit: Int) async throws -> (records: [BuildRecord], keepsHistory: Bool)
}

/// No history can be read here (the default of `CloudPorts`).
public struct UnavailableBuildHistory: BuildHistoryReader {
    public init() {}
    public func history(of name: String, limit: Int) async throws -> (records: [BuildRecord], keepsHistory: Bool) {
        throw DeploymentError.unsupported("build history cannot be read here")
    }
}
