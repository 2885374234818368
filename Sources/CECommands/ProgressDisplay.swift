import Deployment
import Foundation
import Synchronization

/// Live progress of a deploy: one redrawn line on a terminal (in colour unless `NO_COLOR` is set), timestamped plain
/// lines otherwise (no escape codes); a line of its own when traffic moves; while instances are not ready, what each
/// waits for; the total time at the end. Under `--output json` it all goes to standard error.
final class ProgressDisplay: Sendable {
    let clock: any WallClock
    let started: Date

    init(clock: any WallClock) {
        self.clock = clock
        started = clock.now()
    }

    var isTerminal: Bool { isatty(Console.isJSON ? STDERR_FILENO : STDOUT_FILENO) == 1 }
    /// Colour only on a terminal, and never when `NO_COLOR` is set (no-color.org).
    var usesColour: Bool { isTerminal && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty }

    enum Tint: String { case label = "1", good = "32", waiting = "33", bad = "31" }

    func paint(_ text: String, _ tint: Tint) -> String {
        usesColour ? "\u{1B}[\(tint.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// A reading as an `--output ndjson` event.
    struct ProgressEvent: Encodable {
        var event: String
        var time: String
        var stage: String
        var color: String
        var inService, healthy, wanted: Int
        var elapsedSeconds, limitSeconds: Double
        var stableSeconds: Double?
        var percent: Int?
        var alarmsFiring, waiting: [String]
        var refresh: String?

        enum CodingKeys: String, CodingKey {
            case event, time, stage, color, inService, healthy, wanted, elapsedSeconds, limitSeconds, stableSeconds, percent, alarmsFiring, waiting,
                refresh
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(event, forKey: .event)
            try c.encode(time, forKey: .time)
            try c.encode(stage, forKey: .stage)
            try c.encode(color, forKey: .color)
            try c.encode(inService, forKey: .inService)
            try c.encode(healthy, forKey: .healthy)
            try c.encode(wanted, forKey: .wanted)
            try c.encode(elapsedSeconds, forKey: .elapsedSeconds)
            try c.encode(limitSeconds, forKey: .limitSeconds)
            try c.encode(stableSeconds, forKey: .stableSeconds)
            try c.encode(percent, forKey: .percent)
            try c.encode(alarmsFiring, forKey: .alarmsFiring)
            try c.encode(waiting, forKey: .waiting)
            try c.encode(refresh, forKey: .refresh)
        }
    }

    /// Traffic moved, as an `--output ndjson` event.
    struct TrafficEvent: Encodable {
        var event = "traffic"
        var time: String
        var color: String
        var percent: Int
    }

    /// A pause for approval began, as an `--output ndjson` event (once per pause).
    struct ApprovalEvent: Encodable {
        var event = "approval"
        var time: String
        var color: String
        var percent: Int
        var promote: String?
        var abort: String?
        var deadline: String
        var atTimeout: String

        enum CodingKeys: String, CodingKey { case event, time, color, percent, promote, abort, deadline, atTimeout }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(event, forKey: .event)
            try c.encode(time, forKey: .time)
            try c.encode(color, forKey: .color)
            try c.encode(percent, forKey: .percent)
            try c.encode(promote, forKey: .promote)
            try c.encode(abort, forKey: .abort)
            try c.encode(deadline, forKey: .deadline)
            try c.encode(atTimeout, forKey: .atTimeout)
        }
    }

    /// The deadline of the pause already announced, and the last minute of it shown in a log.
    private let announcedPause = Mutex<String?>(nil)
    private let lastPauseMinute = Mutex<Int?>(nil)

    /// Whether this reading starts a pause not announced yet.
    func startsPause(_ approval: DeployProgress.Approval) -> Bool {
        announcedPause.withLock { seen in
            guard seen != approval.deadline else { return false }
            seen = approval.deadline
            lastPauseMinute.withLock { $0 = nil }
            return true
        }
    }

    func show(_ progress: DeployProgress) {
        if Console.isLines {
            let time = DeployLock.format(clock.now())
            if progress.stage == .approval {
                if let approval = progress.approval, startsPause(approval) {
                    Console.event(ApprovalEvent(
                        time: time, color: progress.color.rawValue, percent: progress.percent ?? 0, promote: approval.promote, abort: approval.abort,
                        deadline: approval.deadline, atTimeout: approval.atTimeout))
                }
            } else if progress.stage == .moved {
                Console.event(TrafficEvent(time: time, color: progress.color.rawValue, percent: progress.percent ?? 100))
            } else {
                Console.event(ProgressEvent(
                    event: "progress", time: time, stage: progress.stage.rawValue, color: progress.color.rawValue, inService: progress.inService,
                    healthy: progress.healthy, wanted: progress.wanted, elapsedSeconds: progress.elapsedSeconds, limitSeconds: progress.limitSeconds,
                    stableSeconds: progress.stableSeconds, percent: progress.percent, alarmsFiring: progress.alarmsFiring, waiting: progress.waiting,
                    refresh: progress.refresh.map { "\($0.id) \($0.status)" }))
            }
            return
        }
        let color = progress.color.rawValue
        switch progress.stage {
        case .healthGate, .launch:
            let ready = progress.healthy >= progress.wanted && progress.inService >= progress.wanted
            var text = "\(paint(progress.stage.rawValue, .label)): \(color) InService \(progress.inService)/\(progress.wanted), healthy "
                + paint("\(progress.healthy)/\(progress.wanted)", ready ? .good : .waiting)
            if let stable = progress.stableSeconds, progress.neededStableSeconds > 0 {
                text += ", stable \(Int(stable))/\(Int(progress.neededStableSeconds)) s"
            }
            text += ", \(Int(progress.elapsedSeconds)) s of \(Int(progress.limitSeconds)) s"
            if !progress.waiting.isEmpty {
                let shown = progress.waiting.prefix(3).joined(separator: ", ")
                text += "; waiting: \(shown)\(progress.waiting.count > 3 ? " and \(progress.waiting.count - 3) more" : "")"
            }
            write(text)
        case .step:
            write("\(paint("step bake", .label)): \(color) at \(progress.percent ?? 0)%, healthy \(progress.healthy)/\(progress.inService), \(alarms(progress)), \(Int(progress.elapsedSeconds)) s of \(Int(progress.limitSeconds)) s")
        case .bake:
            write("\(paint("bake", .label)): \(color) healthy \(progress.healthy)/\(progress.inService), \(alarms(progress)), \(Int(progress.elapsedSeconds)) s of \(Int(progress.limitSeconds)) s")
        case .instanceRefresh:
            guard let refresh = progress.refresh else { return }
            write("\(paint("instance refresh", .label)) \(refresh.id): \(refresh.status) \(refresh.percentComplete.map { "\($0)%" } ?? "")")
        case .approval:
            guard let approval = progress.approval else { return }
            if startsPause(approval) {
                finishLine()
                line("\(paint("approval", .label)): waiting for \(approval.answers), until \(approval.deadline); then \(approval.atTimeout)")
            }
            // Redrawn on a terminal; in a log, once a minute (a pause may last hours).
            let minute = Int(progress.elapsedSeconds) / 60
            guard isTerminal || lastPauseMinute.withLock({ last in defer { last = minute }; return last != minute }) else { return }
            write("\(paint("approval", .label)): \(color) has \(progress.percent ?? 0)% of the traffic; \(paint("waiting", .waiting)) \(Int(progress.elapsedSeconds)) s of \(Int(progress.limitSeconds)) s")
        case .moved:
            // Said on a line of its own, kept on the screen: the moment traffic moved.
            finishLine()
            let share = progress.percent == 100 ? "all its traffic" : "\(progress.percent ?? 0)%"
            line("\(paint("traffic", .label)): every serving route now sends \(share) to \(color)")
        }
    }

    func alarms(_ progress: DeployProgress) -> String {
        progress.alarmsFiring.isEmpty ? paint("alarms OK", .good) : paint("ALARM: \(progress.alarmsFiring.joined(separator: ", "))", .bad)
    }

    private let redrawing = Mutex(false)
    /// In a log: the last reading written (without its counters of seconds), and when.
    private let lastLogged = Mutex<(state: String, at: Date)?>(nil)

    /// A progress reading: redrawn in place on a terminal. In a log (not a terminal) a timestamped line when something
    /// changes — a count, a state, what an instance waits for — and otherwise once a minute, not one per poll.
    func write(_ text: String) {
        if isTerminal {
            redrawing.withLock { $0 = true }
            Console.progress.write(Data("\r\u{1B}[K\(text)".utf8))
            return
        }
        let now = clock.now()
        let state = Self.withoutCounters(text)
        let due = lastLogged.withLock { last -> Bool in
            guard last == nil || last!.state != state || now.timeIntervalSince(last!.at) >= 60 else { return false }
            last = (state, now)
            return true
        }
        if due { Console.progress.write(Data("\(DeployLock.format(now)) \(text)\n".utf8)) }
    }

    /// A reading without the seconds it counts ("stable 5/10 s", "35 s of 600 s"), which change at every poll.
    static func withoutCounters(_ text: String) -> String {
        text.replacingOccurrences(of: #"(stable )?\d+(/\d+)? s( of \d+ s)?"#, with: "", options: .regularExpression)
    }

    /// A line that stays.
    func line(_ text: String) {
        Console.progress.write(Data((isTerminal ? text : "\(DeployLock.format(clock.now())) \(text)") .utf8 + Data("\n".utf8)))
    }

    /// Ends a redrawn line, if one is on the screen.
    func finishLine() {
        let redrawn = redrawing.withLock { was in defer { was = false }; return was }
        if isTerminal && redrawn { Console.progress.write(Data("\n".utf8)) }
    }

    /// Runs a deploy showing its progress, then its steps and durations and the total time, also when it fails.
    func following(done: String, _ body: () async throws -> StepReport) async throws {
        do {
            let report = try await body()
            finishLine()
            Console.say(done)
            Mutating.printReport(report)
            total()
        } catch let failure as DeployFailure {
            // The failure says what failed first; its steps (the failed one included) follow it (Mutating.report).
            finishLine()
            throw failure
        }
    }

    /// The wall time of the whole command (virtual time in the sandbox).
    func total() {
        let seconds = String(format: "%7.2f", clock.now().timeIntervalSince(started))
        Console.say("  \("total".padding(toLength: 11, withPad: " ", startingAt: 0)) \(seconds) s")
    }
}
