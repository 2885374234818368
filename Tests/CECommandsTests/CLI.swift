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

    /// The repository's root (this file is Tests/CECommandsTests/CLI.swift).
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
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

    /// Runs `ce` on a pseudo-terminal (util-linux `script`), typing `input`: what an operator sees at a terminal.
    /// The terminal's output (both streams, as shown) is `stdout`.
    static func runInTerminal(_ arguments: [String], input: String, environment: [String: String]) throws -> Result {
        let command = ([executable.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.environment = environment
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self), stderr: "")
    }

    static func run(_ arguments: [String], environment: [String: String]) throws -> Result {
        let process = try RunningCE(arguments, environment: environment)
        let status = process.finish()
        return Result(status: status, stdout: process.stdout, stderr: process.stderr)
    }

    static func temporaryHome() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ce-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path + "/.aws", withIntermediateDirectories: true)
        return path
    }
}

/// A `ce` process whose output the test can read while it runs, and signal.
final class RunningCE: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    private var open = 2

    init(_ arguments: [String], environment: [String: String]) throws {
        process.executableURL = CLI.executable
        process.arguments = arguments
        process.environment = environment
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        try process.run()
        // One thread per pipe reads until the end, so neither pipe can fill up and block the process.
        for (handle, isOut) in [(outPipe.fileHandleForReading, true), (errPipe.fileHandleForReading, false)] {
            Thread { [self] in
                while case let data = handle.availableData, !data.isEmpty {
                    lock.withLock { isOut ? out.append(data) : err.append(data) }
                }
                lock.withLock { open -= 1 }
            }.start()
        }
    }

    var stdout: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

    /// Waits until standard output contains `text` (or the process ends, or 60 s pass).
    func waitFor(_ text: String) -> Bool {
        for _ in 0..<6000 {
            if stdout.contains(text) { return true }
            if !process.isRunning { return stdout.contains(text) }
            usleep(10_000)
        }
        return false
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the exit and for all of its output.
    func finish() -> Int32 {
        process.waitUntilExit()
        while lock.withLock({ open > 0 }) { usleep(1000) }
        return process.terminationStatus
    }
}
