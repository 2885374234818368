import Foundation

/// A deploy of any strategy that stopped: the step, the cause, and what state it left. The one failure type of the
/// engine: its text is what the operator reads, never rewritten by the command.
public struct DeployFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Something failed; `state` says what was undone or is left.
        case failed
        /// A stop was requested (a signal) and the environment was brought to a consistent state.
        case interrupted
        /// The bake period (or a canary's step) failed and traffic went back to the old colour.
        case rolledBack = "rolled back"
    }
    public var step: String
    public var cause: String
    public var state: String
    public var report: StepReport
    public var kind: Kind = .failed
    /// What stopped, as the operator calls it: `refresh`, `rolling refresh`.
    public var operation = "refresh"

    public init(step: String, cause: String, state: String, report: StepReport, kind: Kind = .failed, operation: String = "refresh") {
        self.step = step
        self.cause = cause
        self.state = state
        self.report = report
        self.kind = kind
        self.operation = operation
    }

    /// The failure as the operator reads it: a short first line (what failed), then each sentence of `state` on
    /// its own line (whether traffic moved, what was undone — a list item each — what is left, the next command).
    public var lines: [String] {
        var lines = [firstLine]
        for sentence in Self.sentences(state) {
            if let colon = sentence.firstIndex(of: ":"), sentence[..<colon].split(separator: " ").count <= 3, sentence.contains("; ") {
                // "Undone: a; b; c." → the items one per line.
                lines.append("  " + sentence[...colon])
                let items = sentence[sentence.index(after: colon)...].trimmingCharacters(in: CharacterSet(charactersIn: " ."))
                lines += items.components(separatedBy: "; ").map { "    " + $0 }
            } else {
                lines.append("  " + sentence)
            }
        }
        return lines
    }

    var firstLine: String {
        switch kind {
        case .failed: return "\(operation) failed at \(step): \(cause)"
        case .interrupted: return "\(operation) stopped at \(step): \(cause)"
        case .rolledBack: return "\(operation) rolled back: \(cause)"
        }
    }

    /// `text` cut into sentences at ". " before a capital letter or a quote (not inside "e.g. " or a version).
    static func sentences(_ text: String) -> [String] {
        var sentences: [String] = []
        var current = ""
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            current.append(character)
            let next = index + 2 < characters.count ? characters[index + 2] : nil
            if character == ".", index + 1 < characters.count, characters[index + 1] == " ", let next, next.isUppercase || next == "'" {
                sentences.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            }
        }
        let last = current.trimmingCharacters(in: .whitespaces)
        if !last.isEmpty { sentences.append(last) }
        return sentences
    }

    public var description: String {
        switch kind {
        case .failed: return "\(operation) failed at \(step): \(cause). \(state)"
        case .interrupted: return "\(operation) stopped at \(step): \(cause). \(state)"
        case .rolledBack: return "\(operation) rolled back: \(cause). \(state)"
        }
    }
}

