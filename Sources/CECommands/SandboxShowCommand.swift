import ArgumentParser
import CloudSimulator
import Deployment
import Foundation

/// `ce sandbox show`: the simulated cloud's time, scripted builds, faults, alarms, recent events and invariants; as
/// one JSON document under `--output json` (docs/output.md).
struct SandboxShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the sandbox: time, builds, faults, recent events, invariants.")

    @Option(help: "How many recent events to show.") var events = 25
    @ParentCommand var root: CERootCommand

    /// `--output json`: every key always present.
    struct Document: Encodable {
        struct Faults: Encodable {
            var throttlePercent: Double
            var errorPercent: Double
            var latencyMilliseconds: Double
            var crashAtStep: String?
            var denied: [String]
            enum CodingKeys: String, CodingKey { case throttlePercent, errorPercent, latencyMilliseconds, crashAtStep, denied }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(throttlePercent, forKey: .throttlePercent)
                try c.encode(errorPercent, forKey: .errorPercent)
                try c.encode(latencyMilliseconds, forKey: .latencyMilliseconds)
                try c.encode(crashAtStep, forKey: .crashAtStep)
                try c.encode(denied, forKey: .denied)
            }
        }
        struct Alarm: Encodable {
            var name: String
            var state: String
            var forced: Bool
        }
        /// A data point ce published (config `metricsNamespace`).
        struct Metric: Encodable {
            var time: String
            var namespace: String
            var name: String
            var value: Double
            var unit: String
            var dimensions: [String: String]
        }
        var directory: String
        var virtualTime: String
        var secondsSinceReset: Double
        /// Build → how it behaves, for the builds scripted with `sandbox app` (every other build is healthy).
        var builds: [String: String]
        var faults: Faults
        var alarms: [Alarm]
        var events: [String]
        /// The last `--events N` data points ce published, oldest first.
        var metrics: [Metric]
        var invariantsHeld: Bool
        var violations: [String]
    }

    func run() throws {
        let format = root.global.outputFormat
        try SandboxEdit.run { sandbox in
            let document = sandbox.cloud.read { world in
                Document(
                    directory: sandbox.directory, virtualTime: DeployLock.format(world.now),
                    secondsSinceReset: world.now.timeIntervalSince(world.start),
                    builds: world.behaviours.mapValues(SandboxAppCommand.describe),
                    faults: Document.Faults(
                        throttlePercent: world.faults.throttleRate * 100, errorPercent: world.faults.errorRate * 100,
                        latencyMilliseconds: world.faults.latencySeconds * 1000, crashAtStep: world.faults.crashAtStep, denied: world.faults.denied),
                    alarms: world.alarms.keys.sorted().map { Document.Alarm(name: $0, state: world.alarms[$0]!.state, forced: world.alarms[$0]!.forced != nil) },
                    events: Array(world.events.suffix(events)),
                    metrics: (world.publishedMetrics ?? []).suffix(events).map {
                        Document.Metric(time: DeployLock.format($0.at), namespace: $0.namespace, name: $0.name, value: $0.value, unit: $0.unit, dimensions: $0.dimensions)
                    },
                    invariantsHeld: world.invariants.violations.isEmpty,
                    violations: world.invariants.violations)
            }
            if format.isMachine { return try JSONOutput.string(document, format: format) }
            let faults = sandbox.cloud.read { "\($0.faults)" }
            var lines = ["sandbox \(document.directory): virtual time \(document.virtualTime), \(DurationText.of(document.secondsSinceReset)) since reset"]
            lines.append("builds: " + (document.builds.isEmpty ? "every build healthy" : document.builds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; ")))
            lines.append("faults: \(faults)")
            lines.append("alarms: " + document.alarms.map { "\($0.name) \($0.state)\($0.forced ? " (forced)" : "")" }.joined(separator: ", "))
            if !document.metrics.isEmpty {
                lines.append("metrics published:")
                lines += document.metrics.map { metric in
                    let dimensions = metric.dimensions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                    return "  \(metric.time) \(metric.namespace) \(metric.name) \(metric.value) \(metric.unit) (\(dimensions))"
                }
            }
            lines.append("recent events:")
            lines += document.events.map { "  \($0)" }
            lines.append(document.invariantsHeld ? "invariants: all held" : "invariants violated:")
            lines += document.violations.map { "  \($0)" }
            return lines.joined(separator: "\n")
        }
    }
}
