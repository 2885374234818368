import ArgumentParser

/// Options of every mutating command.
struct MutationOptions: ParsableArguments {
    @Flag(name: .customLong("dry-run"), help: "Print the exact AWS calls the command would make, and make none.")
    var dryRun = false
}
