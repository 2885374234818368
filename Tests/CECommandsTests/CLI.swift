import Foundation
import Testing

/// Runs the built `ce` executable as a real process.
enum CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var all: String { stdout + stderr }
    }

    static var executable: URL {
        // The test bundle is built next to the products: .build/<triple>/debug/.
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("ce")
    }

    static let motoEndpoint: String? = {
        guard let value = ProcessInfo.processInfo.environment["CE_MOTO_ENDPOINT"], !value.isEmpty else { return nil }
        precondition(URL(string: value)?.host == "127.0.0.1", "CE_MOTO_ENDPOINT must point at 127.0.0.1")
        return value
    }()

    /// A clean environment: a temporary HOME, no instance metadata, and only the variables given.
    static func environment(home: String, _ extra: [String: String] = [:]) -> [String: String] {
        var environment = ["HOME": home, "PATH": "/usr/bin:/bin", "AWS_EC2_METADATA_DISABLED": "true"]
        environment.merge(extra) { $1 }
        return environment
    }

    static func run(_ arguments: [String], environment: [String: String]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently with the process so neither can fill up and block it.
        let stderrData = Mutex2<Data>()
        let reader = Thread { stderrData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !stderrData.isSet { usleep(1000) }
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderrData.value ?? Data(), as: UTF8.self))
    }

    static func temporaryHome() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ce-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path + "/.aws", withIntermediateDirectories: true)
        return path
    }
}

/// A value set once from another thread.
final class Mutex2<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?
    private var done = false
    func set(_ value: Value) { lock.withLock { stored = value; done = true } }
    var isSet: Bool { lock.withLock { done } }
    var value: Value? { lock.withLock { stored } }
}
