import CloudSimulator
import Deployment
import Foundation

/// `ce --sandbox`: the simulated cloud kept in a local folder (`./.ce-sandbox/`, or `CE_SANDBOX_DIR`), so that
/// successive commands see the same world. Each command loads it, runs on it (virtual time moves while the tool
/// waits), prints what traffic saw meanwhile, and saves it. One command at a time holds the folder (flock).
final class Sandbox: @unchecked Sendable {
    static let defaultSeed: UInt64 = 2026
    /// The sandbox's alarms, watched during the bake period: one 5xx alarm per colour.
    static let alarmPattern = "{env}-{color}-5xx"

    let directory: String
    let cloud: SimulatedCloud
    let startedAt: Date
    let violationsBefore: Int
    private let lockDescriptor: Int32

    var statePath: String { directory + "/world.json" }

    static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dir = environment["CE_SANDBOX_DIR"], !dir.isEmpty { return dir }
        return FileManager.default.currentDirectoryPath + "/.ce-sandbox"
    }

    /// Opens the sandbox, creating the design document's world on first use.
    /// - Parameter fresh: start from a new world whatever the folder holds (`ce sandbox reset`).
    init(directory: String = Sandbox.directory(), fresh: SimulatedCloud? = nil) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        lockDescriptor = open(directory + "/lock", O_CREAT | O_RDWR, 0o644)
        guard lockDescriptor >= 0 else { throw CommandError("Cannot open the sandbox folder \(directory). Check its permissions.") }
        if flock(lockDescriptor, LOCK_EX | LOCK_NB) != 0 {
            // Another sandbox command holds the folder (one world, one command at a time): say so, then wait.
            FileHandle.standardError.write(Data("sandbox: waiting for another 'ce' command using \(directory) to finish…\n".utf8))
            flock(lockDescriptor, LOCK_EX)
        }
        let path = directory + "/world.json"
        let cloud: SimulatedCloud
        if let fresh {
            cloud = fresh
        } else if let data = FileManager.default.contents(atPath: path) {
            do {
                cloud = try SimulatedCloud(decoding: data)
            } catch {
                throw CommandError("The sandbox state \(path) cannot be read (\(error)). Run 'ce sandbox reset' to start afresh.")
            }
        } else {
            cloud = try Self.newWorld(seed: Self.defaultSeed)
        }
        self.cloud = cloud
        // The previous command's process is gone: whatever it left "crashed" reaches the cloud again.
        cloud.restartTool()
        cloud.change { $0.trafficCounts = [:] }
        startedAt = cloud.now
        violationsBefore = cloud.violations.count
    }

    deinit {
        flock(lockDescriptor, LOCK_UN)
        close(lockDescriptor)
    }

    /// Compiler Explorer's load balancer: prod and the eight path environments (each at its live floor), blue live at
    /// v1, other services' rules, preview rules for both colours, a 5xx alarm per colour, traffic to every
    /// environment, instances booting in 45–75 s.
    /// - Parameter configuration: a configuration file's, to lay the world out as it says (its environments, routes,
    ///   target groups, one per environment for `strategy: instances`); `nil`: Compiler Explorer's.
    static func newWorld(
        seed: UInt64, requestsPerSecond: Double = 5, prodInstances: Int? = nil, configuration given: DeploymentConfiguration? = nil
    ) throws -> SimulatedCloud {
        let configuration = given ?? configuration()
        let environments = given.map { $0.environments.keys.sorted() } ?? DeploymentConfiguration.compilerExplorerEnvironments.map(\.name)
        // The alarms the configuration watches exist (one pattern: the first configured, else the sandbox's).
        let alarms = environments.lazy.compactMap { configuration.environments[$0]?.alarms.first }.first ?? alarmPattern
        let cloud = try SimulatedCloud.designDocument(
            environments: environments, configuration: configuration, seed: seed,
            liveInstances: prodInstances.map { ["prod": $0] } ?? [:], requestsPerSecond: requestsPerSecond, alarms: alarms,
            // Compiler Explorer's own other services only on its own load balancer; previews for every layout.
            neighbours: given == nil, previews: true)
        cloud.setBootSeconds(45...75)
        // As AWS behaves: rule changes propagate for seconds, Describe calls share a token bucket, alarms lag.
        cloud.setCalibration(.aws)
        cloud.change { $0.keepRequests = false }
        return cloud
    }

    /// The sandbox's configuration: the built-in layout, with the sandbox's alarms watched during the bake period.
    static func configuration() -> DeploymentConfiguration {
        var configuration = DeploymentConfiguration.builtIn
        for name in configuration.environments.keys { configuration.environments[name]!.alarms = [alarmPattern] }
        configuration.source = "built-in defaults (sandbox: alarms \(alarmPattern))"
        return configuration
    }

    /// After a simulated crash (`sandbox faults --crash-at`): what the "killed" process left, as `status` says it —
    /// the step its journal stopped at and the two ways on — or `nil` when the tool did not crash.
    func crash(of environment: EnvironmentConfiguration) -> SandboxCrash? {
        guard cloud.isCrashed else { return nil }
        let journal = cloud.parameter(environment.parameters.deployment).flatMap(DeploymentJournal.decode)
        return SandboxCrash(environment: environment, journal: journal?.isUnfinished == true ? journal : nil)
    }

    /// The file that names the configuration a sandbox was laid out from (`ce --config FILE sandbox reset`).
    static func configurationRecord(_ directory: String = Sandbox.directory()) -> String { directory + "/configuration-path" }

    /// The configuration file the sandbox in `directory` was laid out from, if it was laid out from one that still exists.
    static func rememberedConfiguration(_ directory: String = Sandbox.directory()) -> String? {
        guard let data = FileManager.default.contents(atPath: configurationRecord(directory)),
            case let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), !path.isEmpty,
            FileManager.default.fileExists(atPath: path)
        else { return nil }
        return path
    }

    /// Remembers the file the sandbox was laid out from (`nil`: Compiler Explorer's layout, nothing to remember).
    static func remember(configuration path: String?, in directory: String = Sandbox.directory()) throws {
        let record = configurationRecord(directory)
        guard let path else {
            try? FileManager.default.removeItem(atPath: record)
            return
        }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        try Data((absolute + "\n").utf8).write(to: URL(fileURLWithPath: record))
    }

    /// Saves the world; keeps the event log short.
    func save() throws {
        cloud.change { world in
            world.calls = []
            world.requests = []
            if world.events.count > 500 { world.events.removeFirst(world.events.count - 500) }
        }
        try cloud.encoded().write(to: URL(fileURLWithPath: statePath), options: .atomic)
    }

    /// What happened during this command: virtual time, traffic, and any invariant the simulator saw broken.
    func summary() -> String {
        let (now, traffic, violations) = cloud.read { ($0.now, $0.trafficSummary, $0.invariants.violations) }
        var lines = ["sandbox: \(DurationText.of(now.timeIntervalSince(startedAt))) of virtual time passed"]
        if traffic.isEmpty {
            lines[0] += "; no traffic meanwhile"
        } else {
            lines[0] += "; traffic meanwhile:"
            let width = traffic.map(\.environment.count).max() ?? 8
            for environment in Array(Set(traffic.map(\.environment))).sorted() {
                let rows = traffic.filter { $0.environment == environment }
                let total = rows.reduce(0) { $0 + $1.count }
                let errors = rows.filter { $0.status >= 500 }.reduce(0) { $0 + $1.count }
                var servedBy: [String: Int] = [:]
                for row in rows where row.status < 500 { servedBy["\(row.color) \(row.version)", default: 0] += row.count }
                let served = servedBy.sorted { $0.key < $1.key }.map { "\($0.value) by \($0.key)" }.joined(separator: ", ")
                lines.append("  \(environment.padding(toLength: width, withPad: " ", startingAt: 0)) \(total) requests: \(served.isEmpty ? "none served" : served); \(errors) 5xx")
            }
        }
        let new = violations.dropFirst(violationsBefore)
        lines.append(new.isEmpty ? "  invariants: all held" : "  INVARIANTS VIOLATED:")
        lines += new.map { "    \($0)" }
        return lines.joined(separator: "\n")
    }
}

/// The sandbox's tool "crashed" (`sandbox faults --crash-at STEP`): the lock and the journal are left as a killed
/// process leaves them, and the next operator finishes or undoes the deploy.
struct SandboxCrash: Error, CustomStringConvertible {
    var environment: EnvironmentConfiguration
    var journal: DeploymentJournal?

    var description: String {
        guard let journal else {
            return "the tool crashed (simulated, 'sandbox faults --crash-at'); its lock is left as a killed process leaves it. Run '\(environment.command("environment recover"))' to release it."
        }
        return "the tool crashed (simulated, 'sandbox faults --crash-at') right after journalling step '\(journal.step)' of \(journal.id); the lock and the journal are left as a killed process leaves them. Run '\(environment.command("environment refresh --resume"))' to finish it, or '\(environment.command("environment recover"))' to undo it."
    }
}
