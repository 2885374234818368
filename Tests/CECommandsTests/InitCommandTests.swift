import CETestSupport
import Deployment
import Foundation
import Testing
import TestPredicates

/// `ce init` through the binary: it proposes Compiler Explorer's nine environments from their load balancer (in the
/// sandbox and on moto's crowded copy), another team's host-routed environment with its own names, marks a single-group
/// environment as needing `environment migrate`, changes nothing, and what it writes passes `validate`.
struct InitCommandTests {
    struct Proposal: Decodable {
        struct Environment: Decodable {
            var name: String
            var strategy: String
            var routing: String
            var host: String?
            var targetGroups: [String: String]
            var autoScalingGroups: [String: String]
            var live: String
            var previews: [String: String]
            var ssmFound: Bool
        }
        struct Single: Decodable {
            var name, targetGroup: String
            var autoScalingGroup: String?
        }
        var environments: [Environment]
        var needsMigrate: [Single]
        var questions: [String]
        var skipped: [String]
        var written: String?
        var yaml: String
    }

    static let nine = DeploymentConfiguration.compilerExplorerEnvironments.map(\.name)

    @Test func theSandboxsLoadBalancerGivesCompilerExplorersNineEnvironmentsAndAConfigThatValidates() throws {
        let home = try CLI.temporaryHome()
        func ce(_ arguments: [String]) throws -> CLI.Result {
            try CLI.run(arguments, environment: CLI.environment(home: home, ["CE_SANDBOX_DIR": home + "/sandbox"]))
        }
        #expect(try ce(["sandbox", "reset"]).status == 0)
        let file = home + "/proposed.yaml"
        let result = try ce(["--sandbox", "init", "--write", file, "--output", "json"])
        #expect(result.status == 0, "\(result.all)")
        let proposal = try JSONDecoder().decode(Proposal.self, from: Data(result.stdout.utf8))
        #expect(proposal.environments.map(\.name).sorted() == Self.nine.sorted())
        #expect(proposal.written == file)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == proposal.yaml)
        let prod = try #require(proposal.environments.first { $0.name == "prod" })
        #expect(prod.routing == "default" && prod.targetGroups == ["blue": "Prod-Blue", "green": "Prod-Green"])
        #expect(prod.autoScalingGroups == ["blue": "prod-blue", "green": "prod-green"] && prod.live == "blue")
        let staging = try #require(proposal.environments.first { $0.name == "staging" })
        #expect(staging.routing == "/staging*" && staging.previews.keys.sorted() == ["blue", "green"])
        #expect(proposal.skipped.contains { $0.contains("CE-Status") }, "another service's rule is left alone: \(proposal.skipped)")
        for env in Self.nine {
            let validate = try ce(["--sandbox", "--config", file, "--env", env, "environment", "validate"])
            #expect(validate.status == 0, "\(env): \(validate.all)")
        }
        let again = try ce(["--sandbox", "init", "--write", file])
        #expect(again.status == 2 && again.stderr.contains("proposed.yaml exists: pass --force to replace it"), "\(again.all)")
        let nowhere = try ce(["--sandbox", "init", "--write", home + "/no/such/folder.yaml"])
        #expect(nowhere.status == 2 && nowhere.stderr.contains("the folder \(home)/no/such does not exist"), "\(nowhere.all)")
    }

    /// The design document's hybrid: beta's one target group with a group per colour is instance switching.
    @Test func theHybridsInstanceSwitchingEnvironmentIsProposedAsSuch() throws {
        let home = try CLI.temporaryHome()
        func ce(_ arguments: [String]) throws -> CLI.Result {
            try CLI.run(arguments, environment: CLI.environment(home: home, ["CE_SANDBOX_DIR": home + "/sandbox"]))
        }
        #expect(try ce(["--config", CLI.repositoryRoot + "/docs/examples/hybrid.yaml", "sandbox", "reset"]).status == 0)
        let file = home + "/hybrid.yaml"
        let result = try ce(["--sandbox", "init", "--write", file, "--output", "json"])
        #expect(result.status == 0, "\(result.all)")
        let proposal = try JSONDecoder().decode(Proposal.self, from: Data(result.stdout.utf8))
        #expect(proposal.environments.map(\.name).sorted() == ["beta", "gpu", "prod", "staging"])
        let beta = try #require(proposal.environments.first { $0.name == "beta" })
        #expect(beta.strategy == "instances" && beta.targetGroups == ["blue": "Beta", "green": "Beta"])
        #expect(beta.autoScalingGroups == ["blue": "beta-blue", "green": "beta-green"] && beta.live == "blue")
        #expect(proposal.yaml.contains("    strategy: instances") && proposal.yaml.contains("    targetGroup: Beta\n"))
        #expect(proposal.environments.filter { $0.name != "beta" }.isNonEmptyAndAll { $0.strategy == "blue-green" })
        let validate = try ce(["--sandbox", "--config", file, "--env", "beta", "environment", "validate"])
        #expect(validate.status == 0, "\(validate.all)")
    }
}

@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct InitOnMotoTests {
    let keys = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"]

    func ce(_ home: String, _ arguments: [String]) throws -> CLI.Result {
        try CLI.run(["--endpoint-url", Moto.endpoint!] + arguments, environment: CLI.environment(home: home, keys))
    }

    @Test func compilerExplorersCrowdedLoadBalancerGivesItsNineEnvironmentsAndNothingChanges() async throws {
        let layout = try Moto.layout("init", envs: InitCommandTests.nine, crowded: true)
        let home = try CLI.temporaryHome()
        // Only the layout's name patterns (its prefix), as a team would start: no environments.
        let config = home + "/patterns.yaml"
        try layout.configYAML.write(toFile: config, atomically: true, encoding: .utf8)
        let before = try await RawLoadBalancer.members(loadBalancerArn: layout.loadBalancerArn)
        let file = home + "/ce.yaml"
        let result = try ce(home, ["--config", config, "init", "--load-balancer", layout.prefix + "GccExplorerApp", "--write", file, "-o", "json"])
        #expect(result.status == 0, "\(result.all)")
        let proposal = try JSONDecoder().decode(InitCommandTests.Proposal.self, from: Data(result.stdout.utf8))
        #expect(proposal.environments.map(\.name).sorted() == InitCommandTests.nine.sorted())
        for environment in proposal.environments {
            let expected = try #require(layout.environments[environment.name])
            #expect(environment.targetGroups == expected.targetGroups.mapValues(ConfigurationProposal.name(ofTargetGroupArn:)), "\(environment.name)")
            #expect(environment.autoScalingGroups == ["blue": layout.prefix + environment.name + "-blue", "green": layout.prefix + environment.name + "-green"])
            #expect(environment.previews.keys.sorted() == ["blue", "green"], "\(environment.name): \(environment.previews)")
            #expect(environment.ssmFound)
        }
        #expect(proposal.needsMigrate.isEmpty && proposal.questions.isEmpty, "\(proposal.questions)")
        #expect(proposal.yaml.contains("  targetGroupPattern: \"\(layout.prefix){Env}-{Color}\""))
        #expect(try await RawLoadBalancer.members(loadBalancerArn: layout.loadBalancerArn) == before, "init changed the load balancer")
        for env in ["prod", "beta", "staging"] {
            let validate = try ce(home, ["--config", file, "--env", env, "environment", "validate"])
            #expect(validate.status == 0, "\(env): \(validate.all)")
        }
    }

    struct TeamLayout: Decodable {
        var prefix: String
        var loadBalancerArn: String
        var targetGroups: [String: String]
        var ssmPrefix: String
    }

    @Test func anotherTeamsHostRoutedLoadBalancerWithItsOwnNames() async throws {
        let script = CLI.repositoryRoot + "/scripts/moto_team_layout.py"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--endpoint", Moto.endpoint!, "--prefix", Moto.uniquePrefix("team")]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let layout = try JSONDecoder().decode(TeamLayout.self, from: data)
        let p = layout.prefix

        let home = try CLI.temporaryHome()
        let config = home + "/patterns.yaml"
        try "defaults:\n  ssmPrefix: \"/\(p)shop/{env}/\"\n  health: {stable: 0s}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let before = try await RawLoadBalancer.members(loadBalancerArn: layout.loadBalancerArn)
        let file = home + "/shop.yaml"
        let result = try ce(home, ["--config", config, "init", "--load-balancer", p + "Shop", "--write", file, "-o", "json"])
        #expect(result.status == 0, "\(result.all)")
        let proposal = try JSONDecoder().decode(InitCommandTests.Proposal.self, from: Data(result.stdout.utf8))
        #expect(proposal.environments.map(\.name) == ["api"])
        let api = try #require(proposal.environments.first)
        #expect(api.host == "api.shop.example" && api.routing == "")
        #expect(api.targetGroups == ["blue": p + "api-tg-blue", "green": p + "api-tg-green"])
        #expect(api.autoScalingGroups == ["blue": p + "api-fleet-a", "green": p + "api-fleet-b"])
        #expect(api.previews == ["blue": "rule 8 on :80", "green": "rule 9 on :80"] && api.ssmFound)
        #expect(proposal.needsMigrate.map(\.name) == ["www"] && api.strategy == "blue-green")
        #expect(proposal.needsMigrate.first?.targetGroup == p + "www" && proposal.needsMigrate.first?.autoScalingGroup == p + "www-asg")
        #expect(proposal.skipped.isNonEmptyAndAll { !$0.contains("api-tg") })
        #expect(proposal.skipped.contains { $0.contains("rule 30") && $0.contains("does not forward") }, "\(proposal.skipped)")
        #expect(proposal.skipped.contains { $0.contains("rule 40") && $0.contains("query") }, "\(proposal.skipped)")
        #expect(proposal.yaml.contains("    targetGroups: {blue: \(p)api-tg-blue, green: \(p)api-tg-green}"), "\(proposal.yaml)")
        #expect(proposal.yaml.contains("# Not blue/green yet: one target group and one Auto Scaling group."))
        #expect(try await RawLoadBalancer.members(loadBalancerArn: layout.loadBalancerArn) == before, "init changed the load balancer")

        let validate = try ce(home, ["--config", file, "--env", "api", "environment", "validate"])
        #expect(validate.status == 0, "\(validate.all)")
    }

    @Test func anUnknownLoadBalancerIsAClearErrorAndNothingIsWritten() throws {
        let home = try CLI.temporaryHome()
        let result = try ce(home, ["init", "--load-balancer", "NoSuchBalancer", "--write", home + "/x.yaml"])
        #expect(result.status == 1 && result.stderr.contains("no load balancer is named NoSuchBalancer"), "\(result.all)")
        #expect(!FileManager.default.fileExists(atPath: home + "/x.yaml"))
    }
}
