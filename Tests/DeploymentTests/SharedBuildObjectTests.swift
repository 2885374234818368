import CloudSimulator
import Foundation
import Testing

@testable import Deployment
import TestPredicates

/// `builds: s3://compiler-explorer/version/{branch}` with `branches: {prod: release}`: one object per environment that
/// both colours' instances boot from, as Compiler Explorer's instances do today. `ce` records each colour's build in
/// SSM, writes the object just before the new colour scales up, and puts it back to the serving colour's build whenever
/// traffic settles (switch, rollback, an undone or aborted deploy, recover). What each colour's instances boot is read
/// from the simulated instances themselves.
struct SharedBuildObjectTests {
    static let object = "s3://compiler-explorer/version/release"

    static let configuration: DeploymentConfiguration = {
        var configuration = SimulatedProd.configuration
        for name in configuration.environments.keys {
            configuration.environments[name]!.builds = .sharedObject(bucket: "compiler-explorer", keyPattern: "version/{branch}")
            configuration.environments[name]!.buildBranch = name == "prod" ? "release" : name
        }
        return configuration
    }()
    let prod = try! Self.configuration.environment("prod")
    let first = LockIdentity(holder: "alice@admin", command: "ce --env prod environment refresh", pid: 1)

    func world() throws -> SimulatedCloud {
        let cloud = try SimulatedCloud.designDocument(
            environments: ["prod", "beta"], configuration: Self.configuration, seed: 1, requestsPerSecond: 2, alarms: "{env}-{color}-5xx")
        cloud.setBootSeconds(40...70)
        cloud.setBehaviour(version: "v2", .healthy(startSeconds: 20))
        return cloud
    }

    func deploy(_ cloud: SimulatedCloud, traffic: TrafficSteps? = nil) async throws -> StepReport {
        let prod = self.prod
        let identity = first
        return try await SimulatedProd.locked(cloud, identity) {
            try await BlueGreenRefresh(environment: prod, ports: cloud.patientPorts, identity: identity)
                .run(.fresh(.init(version: "v2", traffic: traffic, strategyName: traffic == nil ? "blue-green" : "canary")))
        }
    }

    func rollback(_ cloud: SimulatedCloud) async throws {
        let prod = self.prod
        try await FanOut.$sequential.withValue(true) {
            let switching = TrafficSwitch(snapshot: try await cloud.patientPorts.statusReader(for: prod).snapshot())
            _ = try await SwitchRunner(environment: prod, ports: cloud.patientPorts).runAllOrNothing(try switching.plan(to: try switching.rollbackTarget()))
        }
    }

    /// The builds the running instances of `group` booted, sorted.
    func booted(_ cloud: SimulatedCloud, _ group: String) -> [String] {
        cloud.read { world in world.instances.values.filter { $0.group == group && $0.terminatingAt == nil }.map { $0.version ?? "-" }.sorted() }
    }

    /// One more instance in `group`, booted: what it booted.
    func scaleOut(_ cloud: SimulatedCloud, _ group: String) async throws -> String? {
        let before = Set(cloud.read { $0.groups[group]!.instanceIds })
        cloud.change { $0.groups[group]!.desiredCapacity += 1 }
        try await cloud.clock.sleep(for: .seconds(5))
        let added = cloud.read { world in world.groups[group]!.instanceIds.filter { !before.contains($0) } }
        #expect(added.count == 1)
        return added.first.flatMap { id in cloud.read { $0.instances[id]?.version } }
    }

    @Test func theObjectIsTheEnvironmentsAndTheBranchMapNamesIt() throws {
        let yaml = """
            defaults:
              builds: s3://compiler-explorer/version/{branch}
              branches: {prod: release}
            """
        let configuration = try ConfigurationLoader.parse(yaml, file: "ce.yaml")
        let prod = try configuration.environment("prod").parameters
        let beta = try configuration.environment("beta").parameters
        #expect(prod.bootObject == Self.object && beta.bootObject == "s3://compiler-explorer/version/beta")
        #expect(prod.version(of: .green) == "/compiler-explorer/prod/green/version", "each colour's build is still recorded in SSM")
        #expect(prod.version == "/compiler-explorer/prod/version", "the next build too: writing it must not change what instances boot")
        #expect(prod.recording("v2", for: .green).map(\.description) == [
            "SSM PutParameter Name=/compiler-explorer/prod/green/version Value=v2 Type=String Overwrite=true",
            "S3 PutObject Bucket=compiler-explorer Key=version/release Body=v2",
        ])
        #expect(try ConfigurationLoader.parse("defaults: {}", file: "ce.yaml").environment("prod").parameters.bootObject == nil)
    }

    @Test(arguments: [
        ("defaults:\n  builds: s3://b-1/version/{branch}\n  branches: {prdo: release}\n", "defaults.branches.prdo: no environment is named prdo; did you mean 'prod'?"),
        ("defaults:\n  branches: {prod: release}\n", "defaults.branches: no environment's builds: has {branch}"),
        ("defaults:\n  builds: s3://b-1/version/{branch}\n  branches: {prod: 'rel ease'}\n", "defaults.branches.prod: must be a branch name"),
        ("defaults:\n  builds: s3://b-1/{branch}/{color}\n", "defaults.builds: a per-colour pattern takes {env} and {color} only"),
        ("defaults:\n  builds: s3://b-1/version/{brnch}\n", "defaults.builds: an object shared by both colours is one per environment: {env} or {branch} in its key (and no other placeholder)"),
        ("environments:\n  prod: {routing: default, branches: {prod: release}}\n", "environments.prod.branches: unknown key"),
        ("defaults:\n  builds: s3://b-1/version/release\n", "defaults.builds: an object shared by both colours is one per environment: {env} or {branch}"),
        ("defaults:\n  builds: s3://b-1/version/{branch}\n  branches: {prod: release, beta: release}\n", "prod and beta would both boot s3://b-1/version/release"),
    ])
    func aBadSettingIsNamedAtItsKey(yaml: String, expected: String) {
        #expect(throws: DeploymentError.self) { try ConfigurationLoader.parse(yaml, file: "ce.yaml") }
        do {
            _ = try ConfigurationLoader.parse(yaml, file: "ce.yaml")
        } catch {
            #expect(String(describing: error).contains(expected), "\(error)")
        }
    }

    @Test func aDeployWritesTheObjectBeforeTheNewColourScalesUpAndARollbackPutsItBack() async throws {
        let cloud = try world()
        #expect(cloud.parameter(Self.object) == "v1" && booted(cloud, "prod-blue").isNonEmptyAndAll { $0 == "v1" })

        let prod = self.prod
        let snapshot = try await FanOut.$sequential.withValue(true) { try await cloud.patientPorts.statusReader(for: prod).snapshot() }
        let dryRun = try BlueGreenRefresh.plannedSteps(snapshot, plan: try BlueGreenRefresh.plan(snapshot, options: .init(version: "v2")), options: .init(version: "v2"))
        let deployStep = try #require(dryRun.first { $0.name == "deploy" })
        #expect(deployStep.calls.contains("S3 PutObject Bucket=compiler-explorer Key=version/release Body=v2"), "the dry run shows the write")
        let writes = dryRun.flatMap(\.calls).filter { $0.hasPrefix("S3 PutObject") }
        #expect(writes == ["S3 PutObject Bucket=compiler-explorer Key=version/release Body=v2"], "one write, as the run makes: \(writes)")

        let report = try await deploy(cloud)
        #expect(report.steps.contains { $0.name == "deploy" })
        // The write came before the scale-up: every instance green launched booted v2.
        let calls = cloud.read { $0.events }
        let write = try #require(calls.firstIndex { $0.contains("S3 PutObject") && $0.contains("Body=v2") })
        let scale = try #require(calls.firstIndex { $0.contains("UpdateAutoScalingGroup AutoScalingGroupName=prod-green MinSize=2") })
        #expect(write < scale)
        #expect(cloud.parameter(Self.object) == "v2" && booted(cloud, "prod-green").isNonEmptyAndAll { $0 == "v2" })
        #expect(booted(cloud, "prod-blue").isNonEmptyAndAll { $0 == "v1" }, "blue, kept warm, still runs v1")

        // The stated consequence: an instance the warm colour launches now boots the new build.
        #expect(try await scaleOut(cloud, "prod-blue") == "v2")

        try await rollback(cloud)
        #expect(SimulatedProd.servingColor(cloud) == "blue")
        #expect(cloud.parameter(Self.object) == "v1", "the object names the build of the colour that serves again")
        #expect(try await scaleOut(cloud, "prod-blue") == "v1")
        #expect(try await scaleOut(cloud, "prod-green") == "v1", "and so does green's next instance, now that blue serves")
        #expect(cloud.checkEnd(["prod"]).isEmpty)
    }

    @Test func aFailedGateAndAnAbortedCanaryPutTheObjectBack() async throws {
        let failed = try world()
        failed.setBehaviour(version: "v2", .neverHealthy)
        await #expect(throws: DeployFailure.self) { try await deploy(failed) }
        #expect(failed.parameter(Self.object) == "v1" && failed.parameter("/compiler-explorer/prod/green/version") == "v1")
        #expect(failed.checkEnd(["prod"]).isEmpty)

        let aborted = try world()
        aborted.setBehaviour(version: "v2", .erroring(0.5, startSeconds: 20))
        await #expect(throws: DeployFailure.self) { try await deploy(aborted, traffic: TrafficSteps(percentages: [10, 100], stepBakeSeconds: 120)) }
        #expect(SimulatedProd.servingColor(aborted) == "blue")
        #expect(aborted.parameter(Self.object) == "v1", "green keeps v2 recorded (it still runs it), but new instances boot v1")
        #expect(aborted.parameter("/compiler-explorer/prod/green/version") == "v2")
        #expect(aborted.checkEnd(["prod"]).isEmpty)
        // And a rollback to the colour of that aborted build is refused unless forced.
        let snapshot = try await FanOut.$sequential.withValue(true) { try await aborted.patientPorts.statusReader(for: prod).snapshot() }
        #expect(throws: Refusal.self) { try TrafficSwitch(snapshot: snapshot).plan(to: .green) }
        #expect(try TrafficSwitch(snapshot: snapshot).plan(to: .green, force: true).isEmpty == false)
    }

    @Test func anObjectChangedByHandIsDriftTheEndCheckCatchesAndRecoverPutsBack() async throws {
        let cloud = try world()
        cloud.setParameter(Self.object, "v9")
        let violations = cloud.checkEnd(["prod"])
        #expect(violations.contains { $0.contains("the shared build object \(Self.object) names v9 but blue serves v1") }, "\(violations)")

        let prod = self.prod
        let status = try await FanOut.$sequential.withValue(true) { try await cloud.patientPorts.statusReader(for: prod).read() }
        #expect(status.drift && status.bootObject == .init(object: Self.object, build: "v9"))
        #expect(status.driftReasons.contains("\(Self.object) names v9 but blue serves v1: an instance launched now boots v9; 'ce --env prod environment recover' puts it back"))
        let refused = try? BlueGreenRefresh.plan(
            try await FanOut.$sequential.withValue(true) { try await cloud.patientPorts.statusReader(for: prod).snapshot() }, options: .init(version: "v2"))
        #expect(refused == nil, "a deploy refuses drift unless forced")

        let (plan, _) = try await SimulatedProd.locked(cloud, first) { try await Recovery(environment: prod, ports: cloud.patientPorts).run(by: "alice") }
        #expect(plan.mutations.map(\.description).contains("S3 PutObject Bucket=compiler-explorer Key=version/release Body=v1"))
        #expect(cloud.parameter(Self.object) == "v1")
        let after = try await FanOut.$sequential.withValue(true) { try await cloud.patientPorts.statusReader(for: prod).read() }
        #expect(!after.drift, "\(after.driftReasons)")
    }

    @Test func aServingColourWithoutARecordedBuildIsDriftWithTheCommandThatRecordsIt() async throws {
        let cloud = try world()
        cloud.change { $0.parameters["/compiler-explorer/prod/blue/version"] = nil }
        let prod = self.prod
        let status = try await FanOut.$sequential.withValue(true) { try await cloud.patientPorts.statusReader(for: prod).read() }
        #expect(status.drift)
        #expect(status.driftReasons.contains(
            "/compiler-explorer/prod/blue/version is not set, so ce cannot tell which build \(Self.object) must name for blue, which serves: record the build it runs with 'aws ssm put-parameter --name /compiler-explorer/prod/blue/version --type String --overwrite --value BUILD'"),
            "\(status.driftReasons)")
    }

    @Test func anInstanceSwitchMovesTheObjectWithTheTraffic() async throws {
        var configuration = Self.configuration
        var environment = try configuration.environment("prod")
        environment.targetGroupNames = ColorPair(blue: "Prod", green: "Prod")
        environment.strategy = .instances
        configuration.environments["prod"] = environment
        let switching = environment
        let cloud = try SimulatedCloud.designDocument(environments: ["prod"], configuration: configuration, seed: 3, requestsPerSecond: 2, alarms: "{env}-{color}-5xx")
        cloud.setBootSeconds(40...70)
        cloud.setBehaviour(version: "v2", .healthy(startSeconds: 20))
        let identity = first
        _ = try await SimulatedProd.locked(cloud, identity) {
            try await Deploy.run(.fresh(.instances, .init(version: "v2", strategyName: "instances")), environment: switching, ports: cloud.patientPorts, identity: identity)
        }
        #expect(cloud.parameter(Self.object) == "v2")
        _ = try await SimulatedProd.locked(cloud, identity) {
            try await Deploy.run(.switchInstances(to: .blue, from: .green, force: false), environment: switching, ports: cloud.patientPorts, identity: identity)
        }
        #expect(cloud.parameter(Self.object) == "v1", "switching back to blue's instances puts the object back to blue's build")
        #expect(cloud.checkEnd(["prod"]).isEmpty)
    }
}
