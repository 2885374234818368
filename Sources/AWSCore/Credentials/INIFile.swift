import AWSSigner
import Foundation

/// The INI dialect of `~/.aws/credentials` and `~/.aws/config`.
///
/// `[section]` headers, `key = value` lines, `#` and `;` comments; an indented line after a key with an empty value
/// is a nested setting (as in `s3 =\n  max_concurrent_requests = 10`) and is kept as `key.sub`.
public struct INIFile: Sendable, Equatable {
    public var sections: [String: [String: String]]

    public init(sections: [String: [String: String]] = [:]) {
        self.sections = sections
    }

    public static func parse(_ text: String, path: String) throws -> INIFile {
        var sections: [String: [String: String]] = [:]
        var current: String?
        var nestedParent: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            let indented = rawLine.first == " " || rawLine.first == "\t"
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    throw CredentialsError.malformedFile(path: path, line: lineNumber, reason: "a section header must end with ']'")
                }
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else {
                    throw CredentialsError.malformedFile(path: path, line: lineNumber, reason: "empty section name")
                }
                current = name
                nestedParent = nil
                sections[name, default: [:]] = sections[name] ?? [:]
                continue
            }
            guard let section = current else {
                throw CredentialsError.malformedFile(
                    path: path, line: lineNumber, reason: "a setting appears before any [section] header")
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw CredentialsError.malformedFile(
                    path: path, line: lineNumber, reason: "expected 'key = value' or '[section]'")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if let comment = value.range(of: " #") ?? value.range(of: " ;") {
                value = value[..<comment.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            guard !key.isEmpty else {
                throw CredentialsError.malformedFile(path: path, line: lineNumber, reason: "a setting has no name")
            }
            if indented, let parent = nestedParent {
                sections[section]!["\(parent).\(key)"] = value
            } else {
                sections[section]![key] = value
                nestedParent = value.isEmpty ? key : nil
            }
        }
        return INIFile(sections: sections)
    }
}
