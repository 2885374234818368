import AWSCore
import AWSServices
import ArgumentParser
import Deployment
import DeploymentAWS
import Foundation

/// `ce environment refresh --strategy blue-green`: deploy the build to the inactive colour, gate on health, switch.
struct EnvironmentRefreshCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Deploy a new build with zero downtime: the inactive colour is scaled up, health-gated, then gets all traffic at once.",
        discussion: "See the README's 'Deploying' section for every step, what happens on failure, and the exit codes."
    )

    enum Strategy: String, ExpressibleByArgument, CaseIterable {
        case blueGreen = "blue-green"
        case rolling
    }

    @Option(help: "blue-green (default, or the environment's configured strategy) or rolling.") var strategy: Strategy?
    @Option(help: "Instances for the new colour (default: the live colour's desired, at least the live floor).") var capacity: Int?
    @Option(help: "Build to deploy (default: the environment's version parameter, see 'builds set_current').") var version: String?
    @Option(help: "The colour to deploy to (optional; must be the inactive one).") var target: String?
    @Flag(help: "Deploy even if the inactive colour has capacity or SSM and the load balancer disagree.") var force = false
    @Flag(name: .customLong("keep-failed"), help: "On failure before the switch, leave the new colour running for inspection.")
    var keepFailed = false
    @Option(name: .customLong("min-healthy-percent"), help: "Rolling strategy: the share of instances kept in service (default 75).")
    var minHealthyPercent = 75
    @OptionGroup var mutation: MutationOptions
    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    func validate() throws {
        if let capacity, !(1...1000).contains(capacity) { throw ValidationError("--capacity must be between 1 and 1000.") }
        guard (0...100).contains(minHealthyPercent) else { throw ValidationError("--min-healthy-percent must be between 0 and 100.") }
        if let version, version.isEmpty || version.contains(where: \.isWhitespace) {
            throw ValidationError("--version must be a build name without spaces, e.g. gh-12345.")
        }
    }

    func run() async throws {
        let options = self.options
        LogSetup.bootstrap(verbose: options.verbose)
        try await Mutating.run {
            let environment = try options.environmentConfiguration()
            let chosen = strategy ?? (environment.strategy == .rolling ? .rolling : .blueGreen)
            let settings = options.awsSettings()
            let transport = AsyncHTTPClientTransport(connectTimeout: settings.timeouts.connect)
            let aws = try await AWSServices.live(settings, transport: transport)
            if chosen == .rolling {
                try await runRolling(environment: environment, aws: aws, options: options)
                return
            }
            let refresh = BlueGreenRefresh(
                environment: environment, reader: aws.statusReader(for: environment), applier: aws.mutationApplier,
                instances: AWSInstanceDirectory(ec2: aws.ec2), prober: HTTPHealthProber(transport: transport),
                clock: LiveDeploymentClock())
            let refreshOptions = BlueGreenRefresh.Options(
                version: version, capacity: capacity, force: force, keepFailed: keepFailed, target: try target.map(Color.parse))
            if mutation.dryRun {
                let snapshot = try await refresh.reader.snapshot()
                let plan = try BlueGreenRefresh.plan(snapshot, options: refreshOptions)
                let phase = { (phase: RefreshMachine.Phase) in
                    BlueGreenRefresh.mutations(for: phase, plan: plan, environment: environment, options: refreshOptions)
                }
                Mutating.printDryRun(phase(.protect) + phase(.deploy) + phase(.scale))
                print("then wait for \(plan.capacity) healthy instance(s) of \(plan.target.rawValue) (\(plan.targetGroupInUse ? "load balancer target health" : "HTTP \(environment.health.path) on each instance"), timeout \(environment.health.timeoutSeconds) s), and only then:")
                let switchPlan = try TrafficSwitch(snapshot: snapshot).plan(to: plan.target, force: true)
                for call in switchPlan + phase(.finalize) { print("  \(call)") }
                return
            }
            try await Mutating.locked(environment, aws: aws) {
                try Mutating.confirm(environment: environment.name, action: "Deploy to prod", yes: options.yes)
                let display = ProgressDisplay()
                do {
                    let report = try await refresh.run(options: refreshOptions) { display.show($0) }
                    display.finish()
                    print("\(environment.name): refresh done.")
                    Mutating.printReport(report)
                } catch let failure as BlueGreenRefresh.Failure {
                    display.finish()
                    Mutating.printReport(failure.report)
                    throw CommandError(failure.description)
                }
            }
        }
    }
}

extension EnvironmentRefreshCommand {
    /// `--strategy rolling`: an instance refresh of the live colour (old and new builds serve side by side meanwhile).
    func runRolling(environment: EnvironmentConfiguration, aws: AWSServices, options: GlobalOptions) async throws {
        guard capacity == nil, target == nil, !keepFailed else {
            throw ValidationError("--capacity, --target and --keep-failed belong to the blue-green strategy.")
        }
        let rolling = RollingRefresh(
            environment: environment, reader: aws.statusReader(for: environment), applier: aws.mutationApplier,
            refresher: AWSInstanceRefresher(autoScaling: aws.autoScaling), clock: LiveDeploymentClock())
        let rollingOptions = RollingRefresh.Options(version: version, minHealthyPercentage: minHealthyPercent)
        if mutation.dryRun {
            let snapshot = try await rolling.reader.snapshot()
            guard let live = snapshot.status.albColor, let build = version ?? snapshot.values[environment.parameters.version] else {
                throw Refusal("Nothing to roll: no single live colour or no build set. Nothing changed.")
            }
            Mutating.printDryRun([.putParameter(name: environment.parameters.version(of: live), value: build)])
            print("  AutoScaling StartInstanceRefresh AutoScalingGroupName=\(environment.autoScalingGroupNames[live]!) Preferences={MinHealthyPercentage=\(minHealthyPercent), InstanceWarmup=60}")
            return
        }
        try await Mutating.locked(environment, aws: aws) {
            try Mutating.confirm(environment: environment.name, action: "Rolling deploy to prod", yes: options.yes)
            let display = ProgressDisplay()
            do {
                let report = try await rolling.run(options: rollingOptions) { display.show(rolling: $0) }
                display.finish()
                print("\(environment.name): rolling refresh done.")
                Mutating.printReport(report)
            } catch let failure as BlueGreenRefresh.Failure {
                display.finish()
                Mutating.printReport(failure.report)
                throw CommandError(failure.description.replacingOccurrences(of: "refresh failed", with: "rolling refresh failed"))
            }
        }
    }
}

/// Live progress of the health gate: one rewritten line on a terminal, timestamped lines otherwise.
final class ProgressDisplay: Sendable {
    let isTerminal = isatty(STDOUT_FILENO) == 1
    let clock: any DeploymentClock

    init(clock: any DeploymentClock = LiveDeploymentClock()) {
        self.clock = clock
    }

    func show(_ progress: BlueGreenRefresh.Progress) {
        write("health gate: \(progress.color.rawValue) InService \(progress.inService)/\(progress.wanted), healthy \(progress.healthy)/\(progress.wanted), \(Int(progress.elapsedSeconds)) s of \(Int(progress.timeoutSeconds)) s")
    }

    func show(rolling status: InstanceRefreshStatus) {
        write("instance refresh \(status.id): \(status.status) \(status.percentComplete.map { "\($0)%" } ?? "")")
    }

    func write(_ text: String) {
        if isTerminal {
            FileHandle.standardOutput.write(Data("\r\u{1B}[K\(text)".utf8))
        } else {
            print("\(ISO8601DateFormatter.awsString(from: clock.now())) \(text)")
        }
    }

    func finish() {
        if isTerminal { FileHandle.standardOutput.write(Data("\n".utf8)) }
    }
}
