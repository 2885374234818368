import CETestSupport
import Foundation
import Testing
import TestPredicates

@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct SwitchCommandTests {
    let keys = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"]

    struct Fixture {
        var layout: Moto.Layout
        var home: String
        var config: String
    }

    func fixture(_ tag: String) throws -> Fixture {
        let layout = try Moto.layout(tag)
        let home = try CLI.temporaryHome()
        try layout.configYAML.write(toFile: home + "/ce.yaml", atomically: true, encoding: .utf8)
        return Fixture(layout: layout, home: home, config: home + "/ce.yaml")
    }

    func ce(_ f: Fixture, _ arguments: [String]) throws -> CLI.Result {
        try CLI.run(["--config", f.config, "--endpoint-url", Moto.endpoint!] + arguments, environment: CLI.environment(home: f.home, keys))
    }

    func scale(_ f: Fixture, _ group: String, _ size: Int) async throws {
        try await Moto.services.autoScaling.updateAutoScalingGroup(
            .init(autoScalingGroupName: f.layout.prefix + group, minSize: 0, maxSize: 24, desiredCapacity: size))
    }

    @Test func prodSwitchMovesBothListenersThenRollbackReturns() async throws {
        let f = try fixture("sw")
        let prod = f.layout.environments["prod"]!
        let untouchedRules = try await Moto.world(f.layout).split(separator: "\n").filter { $0.hasPrefix("rule") && !$0.hasPrefix("rule default") }

        // Green has no instances: refused, nothing changed.
        let before = try await Moto.world(f.layout)
        let refused = try ce(f, ["--env", "prod", "environment", "switch", "--to", "green", "--yes"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("refused: green has no healthy capacity: 0 instance(s) InService"))
        #expect(try await Moto.world(f.layout) == before)

        try await scale(f, "prod-green", 2)
        let dryRun = try ce(f, ["--env", "prod", "environment", "switch", "--to", "green", "--dry-run"])
        #expect(dryRun.status == 0)
        #expect(dryRun.stdout.components(separatedBy: "ELBv2 ModifyListener").count == 3)
        #expect(dryRun.stdout.contains("SSM PutParameter Name=/\(f.layout.prefix)compiler-explorer/prod/active-color Value=green"))
        let afterScale = try await Moto.world(f.layout)
        #expect(try await Moto.world(f.layout) == afterScale, "dry run changed nothing")

        let noTerminal = try ce(f, ["--env", "prod", "environment", "switch", "--to", "green"])
        #expect(noTerminal.status == 2)
        #expect(noTerminal.stderr.contains("pass --yes"))
        let wrongFrom = try ce(f, ["--env", "prod", "environment", "switch", "--to", "green", "--from", "green", "--yes"])
        #expect(wrongFrom.status == 2)
        #expect(try await Moto.world(f.layout) == afterScale)

        let switched = try ce(f, ["--env", "prod", "environment", "switch", "--to", "green", "--from", "blue", "--yes"])
        #expect(switched.status == 0, "\(switched.all)")
        #expect(switched.stdout.contains("verify"))
        for listener in f.layout.listenerArns.values {
            let actions = try await Moto.services.elbv2.describeListeners(.init(listenerArns: [listener])).first!.defaultActions
            #expect(actions.map(\.forwardWeights) == [[prod.targetGroups["green"]!: 1]])
        }
        #expect(try await Moto.services.ssm.getParameter(name: prod.ssmPrefix + "active-color").value == "green")
        #expect(try await Moto.services.ssm.getParameter(name: prod.ssmPrefix + "active-target-group-arn").value == prod.targetGroups["green"])
        let rulesAfter = try await Moto.world(f.layout).split(separator: "\n").filter { $0.hasPrefix("rule") && !$0.hasPrefix("rule default") }
        #expect(rulesAfter == untouchedRules, "a prod switch leaves the other environments' rules alone")

        let again = try ce(f, ["--env", "prod", "environment", "switch", "--to", "green", "--yes"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("nothing to do"))

        let rollback = try ce(f, ["--env", "prod", "environment", "rollback", "--yes"])
        #expect(rollback.status == 0, "\(rollback.all)")
        let status = try ce(f, ["--env", "prod", "environment", "status"])
        #expect(status.status == 0)
        #expect(status.stdout.contains("active       SSM: blue   load balancer: blue"))
    }

    @Test func betaSwitchMovesOnlyItsRules() async throws {
        let f = try fixture("swb")
        try await scale(f, "beta-green", 1)
        let before = try await Moto.world(f.layout).split(separator: "\n")
        let result = try ce(f, ["--env", "beta", "environment", "switch", "--to", "green"])
        #expect(result.status == 0, "\(result.all)")
        let after = try await Moto.world(f.layout).split(separator: "\n")
        // (Lines new or changed: the history adds a line, so positions shift.)
        let changed = Set(after).subtracting(before).sorted()
        let betaGreen = f.layout.environments["beta"]!.targetGroups["green"]!
        #expect(changed.filter { $0.hasPrefix("rule") }.count == 1, "the one /beta* rule, on :443")
        #expect(changed.filter { $0.hasPrefix("rule") }.isNonEmptyAndAll { $0.contains("/beta*") && $0.contains(betaGreen) })
        #expect(!changed.contains { $0.hasPrefix("listener") })
        #expect(changed.filter { $0.hasPrefix("ssm") }.isNonEmptyAndAll { $0.contains("/beta/active-") || $0.contains("/beta/history/") }, "beta's records and its history")
    }

    @Test func buildsCurrentAndSetCurrent() async throws {
        let f = try fixture("bld")
        #expect(try ce(f, ["--env", "beta", "builds", "current"]).stdout == "v1\n")
        let before = try await Moto.world(f.layout)
        let dry = try ce(f, ["--env", "prod", "builds", "set_current", "gh-77", "--dry-run"])
        #expect(dry.stdout.contains("SSM PutParameter Name=/\(f.layout.prefix)compiler-explorer/prod/version Value=gh-77"))
        let unconfirmed = try ce(f, ["--env", "prod", "builds", "set_current", "gh-77"])
        #expect(unconfirmed.status == 2)
        let bad = try ce(f, ["--env", "prod", "builds", "set_current", "two words", "--yes"])
        #expect(bad.status == 64)
        #expect(try await Moto.world(f.layout) == before)

        #expect(try ce(f, ["--env", "prod", "builds", "set_current", "gh-77", "--yes"]).status == 0)
        #expect(try ce(f, ["builds", "current", "--env", "prod"]).stdout == "gh-77\n")
    }
}
