import Deployment
import Foundation
import Synchronization

/// What a command says to the operator. In text mode it goes to standard output as it comes; with `--output json`
/// it goes to standard error (progress and words for a person) and the command ends with one JSON document on
/// standard output: the outcome, the exit code and its meaning, the steps with their durations, the error, and the
/// lines a person would have read. With `--output ndjson` standard output carries the command's events as JSON
/// lines as they happen (`progress`, `traffic`, `step`, then `result`, the same document); words go to standard
/// error. The shapes are in docs/output.md.
enum Console {
    struct State {
        var json = false
        var jsonLines = false
        var lines: [String] = []
        var steps: [StepDocument] = []
    }

    struct StepDocument: Encodable {
        var name: String
        var seconds: Double
        var detail: String
    }

    /// The document a mutating command ends with under `--output json`.
    struct Document: Encodable {
        var command: String
        var outcome: String
        var exitCode: Int32
        /// What the exit code means (README's exit codes).
        var meaning: String
        var error: String?
        var steps: [StepDocument]
        var lines: [String]

        enum CodingKeys: String, CodingKey { case command, outcome, exitCode, meaning, error, steps, lines }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(command, forKey: .command)
            try c.encode(outcome, forKey: .outcome)
            try c.encode(exitCode, forKey: .exitCode)
            try c.encode(meaning, forKey: .meaning)
            try c.encode(error, forKey: .error)
            try c.encode(steps, forKey: .steps)
            try c.encode(lines, forKey: .lines)
        }
    }

    /// The last event of `--output ndjson`: the same document as `--output json`, marked `"event": "result"`.
    struct Result: Encodable {
        var document: Document
        enum CodingKeys: String, CodingKey { case event }
        func encode(to encoder: any Encoder) throws {
            try document.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode("result", forKey: .event)
        }
    }

    private static let state = Mutex(State())

    static var isJSON: Bool { state.withLock { $0.json } }

    static func begin(json: Bool) { begin(format: json ? .json : .text) }

    static func begin(format: OutputFormat) {
        state.withLock { $0 = State(json: format.isMachine, jsonLines: format == .ndjson) }
    }

    /// Whether standard output carries JSON lines (`--output ndjson`).
    static var isLines: Bool { state.withLock { $0.jsonLines } }

    /// One event as a JSON line on standard output (`--output ndjson` only).
    static func event<T: Encodable>(_ value: T) {
        guard isLines, let text = try? JSONOutput.string(value, line: true) else { return }
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// A step as an event.
    struct StepEvent: Encodable {
        var event = "step"
        var name: String
        var seconds: Double
        var detail: String
    }

    /// A line for the operator.
    static func say(_ text: String) {
        let json = state.withLock { state -> Bool in
            if state.json { state.lines.append(text) }
            return state.json
        }
        // Unbuffered, as the progress lines are, so that the two never come out of order when piped.
        (json ? FileHandle.standardError : FileHandle.standardOutput).write(Data((text + "\n").utf8))
    }

    /// The steps a command took, with their durations (kept for the JSON document too).
    /// The steps shown so far (for the history record).
    static var shownSteps: [StepReport.Step] {
        state.withLock { $0.steps.map { StepReport.Step(name: $0.name, seconds: $0.seconds, detail: $0.detail) } }
    }

    static func steps(_ report: StepReport) {
        state.withLock { $0.steps += report.steps.map { StepDocument(name: $0.name, seconds: $0.seconds, detail: $0.detail) } }
        for step in report.steps { event(StepEvent(name: step.name, seconds: step.seconds, detail: step.detail)) }
        for step in report.steps {
            let seconds = String(format: "%7.2f", step.seconds)
            say("  \(step.name.padding(toLength: max(11, step.name.count), withPad: " ", startingAt: 0)) \(seconds) s  \(step.detail)")
        }
    }

    /// Steps said elsewhere (a failure's table, on standard error), kept for the closing document.
    static func record(_ report: StepReport) {
        state.withLock { $0.steps += report.steps.map { StepDocument(name: $0.name, seconds: $0.seconds, detail: $0.detail) } }
        for step in report.steps { event(StepEvent(name: step.name, seconds: step.seconds, detail: step.detail)) }
    }

    /// Where progress lines go: standard output in text mode, standard error under `--output json`.
    static var progress: FileHandle { isJSON ? .standardError : .standardOutput }

    /// Under `--output json`, the closing document on standard output.
    static func finish(exitCode: Int32, error: String?) {
        let (json, jsonLines, steps, lines) = state.withLock { ($0.json, $0.jsonLines, $0.steps, $0.lines) }
        guard json else { return }
        let (outcome, meaning): (String, String)
        switch exitCode {
        case 0: (outcome, meaning) = ("done", "done (or nothing to do)")
        case 2: (outcome, meaning) = ("refused", "refused before any change")
        case 3: (outcome, meaning) = ("rolled back", "rolled back: traffic went back to the colour that served before")
        case 64: (outcome, meaning) = ("bad arguments", "bad arguments")
        case 129...159: (outcome, meaning) = ("stopped", "stopped by signal \(exitCode - 128) after bringing the environment to a consistent state")
        default: (outcome, meaning) = ("failed", "failed; the error says what state it left")
        }
        let command = (["ce"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        let document = Document(command: command, outcome: outcome, exitCode: exitCode, meaning: meaning, error: error, steps: steps, lines: lines)
        if jsonLines {
            event(Result(document: document))
        } else if let text = try? JSONOutput.string(document) {
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
        }
    }
}
