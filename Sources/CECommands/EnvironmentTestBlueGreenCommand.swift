import ArgumentParser
import Deployment
import Foundation

/// `ce environment test-blue-green`: the design document's beta test plan in one command — deploy to the idle colour,
/// switch, validate, switch back — with each timing against its success criteria (`BlueGreenTestCycle`).
/// `--validate` alone runs the validate checklist, as the document's first step does.
struct EnvironmentTestBlueGreenCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-blue-green",
        abstract: "Run the beta test cycle: deploy to the idle colour, switch, validate, switch back; judge switch time, rollback time and 5xx against the design document's criteria.",
        discussion: """
            Traffic is watched through the load balancer the whole time: in the sandbox, the simulated users; on AWS, \
            ce's own GET requests to --url (an address that reaches the environment through its load balancer). \
            Exit codes: 0 every criterion met; 1 a criterion missed (the table says which) or the deploy failed; \
            2 refused (the environment is not ready: see 'environment validate'), nothing changed; 3 the deploy rolled \
            back. With --validate: only the validate checklist.
            """)

    @Flag(name: .customLong("validate"), help: "Only run the validate checklist (the design document's first step).") var checklistOnly = false
    @Option(help: "Build to deploy (default: the environment's version parameter).") var version: String?
    @Option(help: "AWS: the URL to send test traffic to, through the load balancer (e.g. https://beta.example.com/healthcheck).")
    var url: String?
    @Option(help: "AWS: test requests per second (default 5).") var rate: Double = 5
    @Option(help: "Watch the new colour this long after the switch (e.g. 30s; default from the config).") var bake: String?
    @OptionGroup var mutation: MutationOptions
    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func validate() throws {
        if let url, URL(string: url).map({ ["http", "https"].contains($0.scheme ?? "") && $0.host != nil }) != true {
            throw ValidationError("--url must be an http or https address such as https://beta.example.com/healthcheck, not '\(url)'.")
        }
        guard (0.2...100).contains(rate) else { throw ValidationError("--rate must be between 0.2 and 100 requests per second.") }
        if let version, let problem = BuildName.problem(version) {
            throw ValidationError("--version \(BuildName.quoted(version)) cannot be used: \(problem). A build name is \(BuildName.rule).")
        }
        if let bake, ConfigurationLoader.seconds(bake).map({ $0 <= 3600 }) != true {
            throw ValidationError("--bake must be a duration such as 0, 30s or 5m (at most 1h), not '\(bake)'.")
        }
        if checklistOnly && (version != nil || url != nil || bake != nil || mutation.dryRun) {
            throw ValidationError("--validate only runs the checklist: drop --version, --url, --bake and --dry-run.")
        }
    }

    func run() async throws {
        let options = self.options
        if checklistOnly { return try await EnvironmentValidateCommand.runChecklist(options: options) }
        if mutation.dryRun {
            throw ValidationError("test-blue-green has no dry run: 'environment refresh --dry-run' shows the deploy it makes, 'environment switch --dry-run' the switch back.")
        }
        if options.sandbox && url != nil {
            throw ValidationError("--url has no meaning with --sandbox: the sandbox's simulated users are the test traffic.")
        }
        LogSetup.bootstrap(verbose: options.verbose)
        try await Mutating.run(output: options.outputFormat) {
            let environment = try options.environmentConfiguration()
            try await Backend.with(options) { backend in
                let watch = try backend.trafficWatch(url: url.flatMap(URL.init(string:)), requestsPerSecond: rate)
                let deploy = DeployOptions(version: version, bakeSeconds: bake.flatMap(ConfigurationLoader.seconds), strategyName: DeployStrategy.blueGreen.rawValue)
                let request = deploy
                if Mutating.needsConfirmation(environment: environment.name, yes: options.yes) {
                    try Mutating.confirm(
                        environment: environment.name, action: "Run the blue-green test cycle on \(environment.name) in \(await backend.whereItActs())",
                        details: ["deploy to the idle colour, switch, validate, switch back to the serving colour"], yes: options.yes)
                }
                let result = try await Mutating.locked(environment, backend: backend) { interruption in
                    let display = ProgressDisplay(clock: backend.ports.clock)
                    defer { display.finishLine() }
                    return try await BlueGreenTestCycle(
                        environment: environment, ports: backend.persistentPorts, identity: Mutating.lockIdentity(), interruption: interruption
                    ).run(request, watch: watch, say: { line in display.finishLine(); Console.say("test: \(line)") }, progress: display.show)
                }
                Self.render(result, environment: environment)
                let missed = result.checks.filter { !$0.passed }.map(\.name)
                if !missed.isEmpty {
                    throw CommandError("the design document's success criteria not met: \(missed.joined(separator: ", ")) (see the table above).")
                }
            }
        }
    }

    static func render(_ result: BlueGreenTestCycle.Result, environment: EnvironmentConfiguration) {
        Console.say("\(environment.name): test cycle \(result.from.rawValue) → \(result.to.rawValue) → \(result.from.rawValue) with \(result.version):")
        var report = result.deploy
        report.steps += result.rollback.steps.map { StepReport.Step(name: "back \($0.name)", seconds: $0.seconds, detail: $0.detail) }
        Mutating.printReport(report)
        Console.say("success criteria (design document):")
        let width = (result.checks.map(\.name.count).max() ?? 0) + 2
        for check in result.checks {
            Console.say("  \(check.passed ? "ok  " : "FAIL") \(check.name.padding(toLength: width, withPad: " ", startingAt: 0))\(check.measured) (target \(check.target))")
        }
        let missed = result.checks.filter { !$0.passed }.count
        Console.say(missed == 0 ? "All criteria met; \(result.from.rawValue) serves again, \(result.to.rawValue) is kept warm ('\(environment.command("environment cleanup"))' scales it down)." : "\(missed) criteri\(missed == 1 ? "on" : "a") missed.")
    }
}
