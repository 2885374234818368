import ArgumentParser

/// `ce environment …`: the commands that act on one environment (`--env`).
struct EnvironmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "environment",
        abstract: "Inspect and deploy one environment (--env).",
        subcommands: [
            EnvironmentStatusCommand.self, EnvironmentRefreshCommand.self, EnvironmentSwitchCommand.self,
            EnvironmentRollbackCommand.self,
            EnvironmentCleanupCommand.self, EnvironmentStartCommand.self, EnvironmentStopCommand.self,
            EnvironmentValidateCommand.self, EnvironmentTestBlueGreenCommand.self, EnvironmentHealthCheckCommand.self,
            EnvironmentRecoverCommand.self, EnvironmentUnlockCommand.self, EnvironmentPromoteCommand.self, EnvironmentAbortCommand.self,
            EnvironmentHistoryCommand.self,
        ]
    )
}
