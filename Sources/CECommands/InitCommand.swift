import ArgumentParser
import Deployment
import Foundation

/// `ce init`: reads an existing load balancer and proposes the config that describes it. Read-only.
struct InitCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Propose a config from an existing load balancer (read-only).",
        discussion: """
            Reads the load balancer's listeners and rules, its target groups, the Auto Scaling groups behind them and \
            ce's SSM parameters, and prints the proposed config: environments by default action, path or host, \
            their blue/green target groups and Auto Scaling groups, the preview rules found; a single-group \
            environment as one that needs 'environment migrate'; everything it could not decide as a commented \
            question. Changes nothing in AWS. --write FILE writes the proposal (never over an existing file unless \
            --force); check it with 'ce --config FILE --env ENV environment validate'.
            """
    )

    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    @Option(name: .customLong("load-balancer"), help: "The load balancer's name (default: the config's loadBalancer).")
    var loadBalancer: String?

    @Option(help: ArgumentHelp("Write the proposal to this file instead of printing it.", valueName: "file"))
    var write: String?

    @Flag(help: "With --write: replace the file if it exists.")
    var force = false

    func run() async throws {
        let options = self.options
        LogSetup.bootstrap(verbose: options.verbose)
        if let write {
            let folder = URL(fileURLWithPath: write).deletingLastPathComponent().path
            var isFolder: ObjCBool = false
            if !FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) || !isFolder.boolValue {
                throw CommandFailure.report(Refusal("cannot --write \(write): the folder \(folder) does not exist. Nothing was read or written."))
            }
            if !force, FileManager.default.fileExists(atPath: write) {
                throw CommandFailure.report(Refusal("\(write) exists: pass --force to replace it, or --write another file. Nothing was read or written."))
            }
        }
        let defaults: DeploymentConfiguration.Defaults
        do {
            defaults = try options.deploymentConfiguration().defaults
        } catch {
            throw CommandFailure.report(error)
        }
        let name = loadBalancer ?? defaults.loadBalancer
        let proposal: ConfigurationProposal?
        do {
            proposal = try await Backend.with(options) { backend in
                try await ConfigurationProposal.read(loadBalancer: name, ports: backend.ports, defaults: defaults)
            }
        } catch {
            throw CommandFailure.report(error)
        }
        guard let proposal else {
            let place = options.sandbox ? "in the sandbox" : "in this account and region (\(options.region ?? "the default region"))"
            let check = options.sandbox ? "check --load-balancer (or the config's loadBalancer)" : "check --load-balancer and --region"
            FileHandle.standardError.write(Data("error: no load balancer is named \(name) \(place); \(check)\n".utf8))
            throw ExitStatus.failed
        }
        let file = write ?? "ce.yaml"
        let here = options.invocation
        let validating = Invocation(
            sandbox: options.sandbox, config: file, profile: options.profile, region: options.region, endpointURL: options.endpointURL)
        let yaml = ProposalRenderer.yaml(
            proposal, command: here.command("init --load-balancer \(Invocation.quoted(name))"), validate: validating, defaults: defaults)
        if let write {
            do {
                try Data(yaml.utf8).write(to: URL(fileURLWithPath: write))
            } catch {
                FileHandle.standardError.write(Data("error: cannot write \(write): \(error.localizedDescription)\n".utf8))
                throw ExitStatus.failed
            }
        }
        switch options.outputFormat {
        case .json, .ndjson:
            print(try JSONOutput.string(ProposalRenderer.document(proposal, yaml: yaml, written: write), format: options.outputFormat))
        case .text:
            if let write {
                print(ProposalRenderer.summary(proposal, file: write, validate: validating))
            } else {
                print(yaml, terminator: "")
            }
        }
    }
}
