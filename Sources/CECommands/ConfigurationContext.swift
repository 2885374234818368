import ArgumentParser
import Deployment
import Foundation
import Synchronization

extension GlobalOptions {
    /// The effective configuration: `--config`, `./ce.yaml`, `~/.config/ce/config.yaml`, or the built-in defaults.
    func deploymentConfiguration() throws -> DeploymentConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let path = try ConfigurationLoader.locate(
            explicit: config, workingDirectory: FileManager.default.currentDirectoryPath,
            home: environment["HOME"] ?? NSHomeDirectory())
        // The sandbox's world is the design document's layout: its own configuration, unless a file is named — and
        // it says so when a file would have been used without --sandbox, rather than ignoring it silently.
        if sandbox && config == nil {
            // A sandbox laid out from a file (`ce --config FILE sandbox reset`) keeps using that file.
            if let remembered = Sandbox.rememberedConfiguration() {
                SandboxNote.once("sandbox: using \(remembered), which laid this sandbox out ('sandbox reset --config'); 'ce sandbox reset' goes back to Compiler Explorer's layout.")
                return try ConfigurationLoader.load(path: remembered)
            }
            if let path {
                SandboxNote.once("sandbox: using the sandbox's own configuration (Compiler Explorer's nine environments, alarms \(Sandbox.alarmPattern)), not \(path); pass --config \(Invocation.quoted(path)) to use that file.")
            }
            return Sandbox.configuration()
        }
        return try ConfigurationLoader.load(path: path)
    }

    /// How `ce` was run, for the commands it tells the operator to run: pasted, they act in the same place.
    var invocation: Invocation {
        Invocation(sandbox: sandbox, config: config, profile: profile, region: region, endpointURL: endpointURL)
    }

    /// The environment named by `--env`; a clear error when missing or unknown.
    func environmentConfiguration() throws -> EnvironmentConfiguration {
        guard let env, !env.isEmpty else {
            throw ValidationError("Missing --env. Say which environment, e.g. --env beta.")
        }
        var environment = try deploymentConfiguration().environment(env)
        environment.invocation = invocation
        return environment
    }
}

/// Turns domain and AWS errors of a reading command into one line on standard error and its exit code: 2 for an
/// unknown environment or a refusal (as for every command, see the README's exit codes), 1 otherwise.
enum CommandFailure {
    static func report(_ error: any Error) -> ExitCode {
        switch error {
        case DeploymentError.unknownEnvironment, is Refusal:
            FileHandle.standardError.write(Data("refused: \(error)\n".utf8))
            return ExitCode(2)
        default:
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            return ExitCode(1)
        }
    }
}


/// A line on standard error, said once per process.
enum SandboxNote {
    private static let said = Mutex(false)
    static func once(_ text: String) {
        guard said.withLock({ said in defer { said = true }; return !said }) else { return }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
