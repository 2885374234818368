import Foundation

/// The one JSON style of `--output json`: pretty, sorted keys, unescaped slashes.
enum JSONOutput {
    /// - Parameter line: one line (JSON lines, `--output ndjson`) rather than pretty.
    static func string<T: Encodable>(_ value: T, line: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = line ? [.sortedKeys, .withoutEscapingSlashes] : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A document in the style `format` asks for: pretty for `json`, one line for `ndjson`.
    static func string<T: Encodable>(_ value: T, format: OutputFormat) throws -> String {
        try string(value, line: format == .ndjson)
    }
}
