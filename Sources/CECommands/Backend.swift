import AWSCore
import AWSServices
import ArgumentParser
import CloudSimulator
import Deployment
import DeploymentAWS
import Foundation
import Synchronization

/// Where a command runs: AWS (or any endpoint speaking its protocols, such as moto), or with `--sandbox` the
/// simulated cloud kept in a local folder. Commands only see `ports`.
final class Backend: Sendable {
    let ports: CloudPorts
    /// The ports for a mutating command: the same cloud, every call retried patiently (`RetryPolicy.patient`) so
    /// that a throttled minute does not leave a deploy half-done.
    let persistentPorts: CloudPorts
    /// Extends the deploy lock while a command works: real time on AWS; none in the sandbox, where a command's
    /// virtual minutes pass in milliseconds.
    let keepAlive: (any WallClock)?
    let sandbox: Sandbox?
    /// The AWS services, when not in the sandbox (for saying where a command acts).
    let aws: AWSServices?
    /// The HTTP client, when not in the sandbox (for the test traffic of `environment test-blue-green`).
    let transport: (any HTTPTransport)?
    /// Who `ce` acts as, read once per process (the prod confirmation and the history record both need it).
    private let caller = Mutex<CallerIdentity?>(nil)

    init(
        ports: CloudPorts, persistentPorts: CloudPorts, keepAlive: (any WallClock)?, sandbox: Sandbox?, aws: AWSServices? = nil,
        transport: (any HTTPTransport)? = nil
    ) {
        self.aws = aws
        self.transport = transport
        self.ports = ports
        self.persistentPorts = persistentPorts
        self.keepAlive = keepAlive
        self.sandbox = sandbox
    }

    /// The backend the global options name.
    static func make(_ options: GlobalOptions) async throws -> Backend {
        if options.sandbox {
            // (Options given on both sides of the subcommand are only merged here.)
            var merged = options
            try merged.validate()
            let sandbox = try Sandbox()
            // --verbose logs the simulated calls as it logs AWS's (service, operation, outcome; never contents).
            if options.verbose {
                sandbox.cloud.observeCalls { line in FileHandle.standardError.write(Data("sandbox: \(line)\n".utf8)) }
            }
            var persistent = sandbox.cloud.patientPorts
            persistent.hooks = ProcessHookRunner(sandbox: true)
            return Backend(ports: sandbox.cloud.ports, persistentPorts: persistent, keepAlive: nil, sandbox: sandbox)
        }
        let settings = options.awsSettings()
        let transport = AsyncHTTPClientTransport(connectTimeout: settings.timeouts.connect)
        let aws = try await AWSServices.live(settings, transport: transport)
        let elbEndpoint = (try? aws.configuration.endpoints.endpoint(for: .elbv2, region: aws.configuration.region).url.absoluteString) ?? "?"
        let arnCache = FileLoadBalancerArnCache.standard(
            scope: "\(aws.configuration.region) \(elbEndpoint) \(aws.configuration.profileName)", environment: settings.environment)
        func ports(_ aws: AWSServices) -> CloudPorts {
            var ports = CloudPorts(
                loadBalancer: AWSLoadBalancerReader(elbv2: aws.elbv2, arnCache: arnCache), scalingGroups: AWSScalingGroupReader(autoScaling: aws.autoScaling),
                parameters: AWSParameterReader(ssm: aws.ssm), applier: aws.mutationApplier, documents: SSMDocumentStore(ssm: aws.ssm),
                alarms: CloudWatchAlarmReader(cloudWatch: aws.cloudWatch), instances: AWSInstanceDirectory(ec2: aws.ec2),
                prober: HTTPHealthProber(transport: transport), refresher: AWSInstanceRefresher(autoScaling: aws.autoScaling),
                clock: LiveClock(), random: LiveRandomSource())
            ports.hooks = ProcessHookRunner(sandbox: false)
            ports.metrics = CloudWatchTrafficMetrics(cloudWatch: aws.cloudWatch)
            ports.smoke = HTTPSmokeProber(transport: transport)
            ports.deployMetrics = CloudWatchDeployMetrics(cloudWatch: aws.cloudWatch)
            ports.buildHistory = AWSBuildHistory(ssm: aws.ssm)
            return ports
        }
        return Backend(
            ports: ports(aws), persistentPorts: ports(aws.retrying(with: .patient)), keepAlive: LiveClock(), sandbox: nil, aws: aws, transport: transport)
    }

    /// The traffic `environment test-blue-green` watches: the sandbox's simulated users, or on AWS `ce`'s own
    /// requests to `url` (through the load balancer).
    func trafficWatch(url: URL?, requestsPerSecond: Double) throws -> any TrafficWatch {
        if let sandbox { return sandbox.cloud }
        guard let url, let transport else {
            throw ValidationError("--url is needed on AWS: the address that reaches the environment through its load balancer, e.g. --url https://beta.example.com/healthcheck.")
        }
        return HTTPTrafficWatch(url: url, requestsPerSecond: requestsPerSecond, transport: transport, clock: LiveClock())
    }

    /// Runs `body` on the backend of `options`; in the sandbox the world is saved and the traffic summary printed
    /// afterwards, whatever the outcome.
    static func with<T>(_ options: GlobalOptions, _ body: (Backend) async throws -> T) async throws -> T {
        let backend = try await make(options)
        do {
            let result = try await body(backend)
            try backend.finish()
            return result
        } catch {
            try? backend.finish()
            throw error
        }
    }

    /// Where a command acts, for the operator confirming it: the sandbox, or the AWS account (asked of STS; said
    /// when it cannot be) and region, and the endpoint when one is given.
    func whereItActs() async -> String {
        guard let aws else { return "the sandbox (the simulated cloud in \(sandbox?.directory ?? "./.ce-sandbox"); no AWS account)" }
        let region = aws.configuration.region
        let endpoint = (try? aws.configuration.endpoints.endpoint(for: .sts, region: region).url.absoluteString).map { " at \($0)" } ?? ""
        do {
            let caller = try await callerIdentity(aws)
            return "AWS account \(caller.account ?? "?") in \(region)\(endpoint)"
        } catch {
            return "AWS region \(region)\(endpoint) (the account could not be read: \(error))"
        }
    }

    /// Who `ce` acts as: the caller identity's ARN, `sandbox`, or `nil` when it cannot be read.
    func callerArn() async -> String? {
        guard let aws else { return "sandbox" }
        return try? await callerIdentity(aws).arn
    }

    /// STS GetCallerIdentity, once: the first successful answer is kept.
    private func callerIdentity(_ aws: AWSServices) async throws -> CallerIdentity {
        if let known = caller.withLock({ $0 }) { return known }
        let identity = try await aws.sts.getCallerIdentity()
        caller.withLock { $0 = identity }
        return identity
    }

    /// In the sandbox: saves the world, and shows on standard error, once the command's own output is out, what
    /// traffic saw meanwhile (standard output stays the command's, e.g. valid JSON).
    func finish() throws {
        guard let sandbox else { return }
        try sandbox.save()
        SandboxSummary.showAtExit(sandbox.summary())
    }

    /// In the sandbox, tells the simulator that the operator takes `environment` down on purpose (`environment stop`)
    /// or brings it back (`start`), so that its invariants do not count the stop as downtime caused by the tool.
    func declareDowntime(_ environment: String, onPurpose: Bool) {
        sandbox?.cloud.change { world in
            if onPurpose {
                world.invariants.downtimeAllowed.insert(environment)
            } else {
                world.invariants.downtimeAllowed.remove(environment)
            }
        }
    }
}

extension AWSServices {
    var mutationApplier: AWSMutationApplier { AWSMutationApplier(elbv2: elbv2, ssm: ssm, autoScaling: autoScaling) }
}

/// The sandbox summary, written when the process exits (after everything the command printed).
enum SandboxSummary {
    private static let pending = Mutex<String?>(nil)

    static func showAtExit(_ text: String) {
        let first = pending.withLock { pending -> Bool in
            defer { pending = text }
            return pending == nil
        }
        guard first else { return }
        atexit {
            fflush(nil)
            if let text = SandboxSummary.pending.withLock({ $0 }) {
                FileHandle.standardError.write(Data((text + "\n").utf8))
            }
        }
    }
}
