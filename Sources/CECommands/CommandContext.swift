import AWSCore
import ArgumentParser
import Foundation

/// What a leaf command needs from the run: the merged global options.
protocol GlobalOptionsCommand: AsyncParsableCommand {
    var localGlobal: GlobalOptions { get }
    var root: CERootCommand { get }
}

extension GlobalOptionsCommand {
    /// Global options from before and after the subcommand name.
    var options: GlobalOptions { root.global.merged(with: localGlobal) }
}
