import AWSSigner
import Foundation

/// `~/.aws/credentials` and `~/.aws/config` (or `AWS_SHARED_CREDENTIALS_FILE` / `AWS_CONFIG_FILE`), merged per profile.
public struct SharedConfigFiles: Sendable, Equatable {
    public var credentialsPath: String
    public var configPath: String
    public var credentials: INIFile
    public var config: INIFile

    /// Reads both files; a missing file counts as empty, a malformed one is an error naming the line.
    public static func load(environment: [String: String]) throws -> SharedConfigFiles {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let credentialsPath = Self.expand(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials", home: home)
        let configPath = Self.expand(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config", home: home)
        return SharedConfigFiles(
            credentialsPath: credentialsPath, configPath: configPath,
            credentials: try read(credentialsPath), config: try read(configPath))
    }

    static func read(_ path: String) throws -> INIFile {
        guard FileManager.default.fileExists(atPath: path) else { return INIFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CredentialsError.malformedFile(path: path, line: 0, reason: "the file cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CredentialsError.malformedFile(path: path, line: 0, reason: "the file is not UTF-8 text")
        }
        return try INIFile.parse(text, path: path)
    }

    static func expand(_ path: String, home: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst() : path
    }

    /// The settings of `profile`: its `[profile name]` (or `[default]`) section of the config file, overlaid by its
    /// section of the credentials file. `nil` if neither file defines it.
    public func profile(_ name: String) -> [String: String]? {
        let configSection = config.sections[name == "default" ? "default" : "profile \(name)"]
            ?? (name == "default" ? config.sections["profile default"] : nil)
        let credentialsSection = credentials.sections[name]
        if configSection == nil && credentialsSection == nil { return nil }
        return (configSection ?? [:]).merging(credentialsSection ?? [:]) { _, fromCredentials in fromCredentials }
    }
}
