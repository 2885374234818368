import ArgumentParser
import Deployment
import Foundation

extension GlobalOptions {
    /// The effective configuration: `--config`, `./ce.yaml`, `~/.config/ce/config.yaml`, or the built-in defaults.
    func deploymentConfiguration() throws -> DeploymentConfiguration {
        // The sandbox's world is the design document's layout: its configuration, unless a file is named.
        if sandbox && config == nil { return Sandbox.configuration() }
        let environment = ProcessInfo.processInfo.environment
        let path = try ConfigurationLoader.locate(
            explicit: config, workingDirectory: FileManager.default.currentDirectoryPath,
            home: environment["HOME"] ?? NSHomeDirectory())
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

/// Turns domain and AWS errors into one line on standard error and exit code 1.
enum CommandFailure {
    static func report(_ error: any Error) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        return ExitCode(1)
    }
}

