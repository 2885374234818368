import ArgumentParser
import Deployment
import Foundation

/// `ce builds list`: the last values of the build the next deploy installs (or of a colour's build), newest first,
/// with when and by whom where the store says: SSM parameter history, or S3 object versions.
struct BuildsListCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the last builds named for the next deploy (or a colour), newest first, with when and by whom.",
        discussion: "SSM: the parameter's history (who is the caller's ARN). S3 (builds: s3://…): the object's versions where the bucket keeps versions (S3 does not record who). --output json gives the keys documented in docs/output.md.")

    @Option(help: "How many to list (default 10).") var limit = 10
    @Option(help: "A colour's build (what its instances boot) instead of the next deploy's.", completion: .list(["blue", "green"]))
    var color: String?
    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func validate() throws {
        guard (1...100).contains(limit) else { throw ValidationError("--limit must be between 1 and 100.") }
        if let color { _ = try Color.parse(color) }
    }

    /// `--output json`: every key always present.
    struct Document: Encodable {
        struct Build: Encodable {
            var build: String
            var at: String?
            var by: String?
            var version: String
            enum CodingKeys: String, CodingKey { case build, at, by, version }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(build, forKey: .build)
                try c.encode(at, forKey: .at)
                try c.encode(by, forKey: .by)
                try c.encode(version, forKey: .version)
            }
        }
        var environment: String
        var name: String
        var store: String
        var keepsHistory: Bool
        var builds: [Build]
    }

    func run() async throws {
        let options = self.options
        LogSetup.bootstrap(verbose: options.verbose)
        let environment: EnvironmentConfiguration
        let found: (records: [BuildRecord], keepsHistory: Bool)
        let name: String
        do {
            environment = try options.environmentConfiguration()
            name = try color.map { environment.parameters.version(of: try Color.parse($0)) } ?? environment.parameters.version
            let limit = self.limit
            found = try await Backend.with(options) { try await $0.ports.buildHistory.history(of: name, limit: limit) }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandFailure.report(error)
        }
        let document = Document(
            environment: environment.name, name: name, store: BuildStore.s3Object(name) == nil ? "ssm" : "s3", keepsHistory: found.keepsHistory,
            builds: found.records.map { .init(build: $0.build, at: $0.at.map(DeployLock.format), by: $0.by, version: $0.version) })
        switch options.outputFormat {
        case .json, .ndjson:
            print(try JSONOutput.string(document, format: options.outputFormat))
        case .text:
            guard !document.builds.isEmpty else {
                print("\(environment.name): \(name) has never been set. Run '\(environment.command("builds set-current VERSION"))'.")
                return
            }
            print("\(environment.name): \(name), newest first:")
            let width = document.builds.map(\.build.count).max() ?? 0
            for build in document.builds {
                print("  \(build.at ?? "-")  \(build.build.padding(toLength: width, withPad: " ", startingAt: 0))  \(build.by.map { "by \($0)" } ?? "by (not recorded)")  (version \(build.version))")
            }
            if !document.keepsHistory {
                print("  (the bucket keeps no versions: only the current value is known; enable versioning on it to keep the history)")
            }
        }
    }
}
