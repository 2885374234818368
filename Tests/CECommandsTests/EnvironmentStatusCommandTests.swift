import CETestSupport
import Foundation
import Testing
import TestPredicates

struct EnvironmentStatusCommandTests {
    let keys = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"]

    @Test(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
    func statusOnMotoAsTextAndJSON() throws {
        let layout = try Moto.layout("cli")
        let home = try CLI.temporaryHome()
        let config = home + "/ce.yaml"
        try layout.configYAML.write(toFile: config, atomically: true, encoding: .utf8)
        let text = try CLI.run(
            ["--env", "prod", "environment", "status", "--config", config, "--endpoint-url", Moto.endpoint!, "--region", "us-east-1"],
            environment: CLI.environment(home: home, keys))
        #expect(text.status == 0, "\(text.all)")
        #expect(text.stdout.contains("active       SSM: blue   load balancer: blue"))
        #expect(text.stdout.contains("listener :443 default    blue 100%"))
        #expect(text.stdout.contains("2 InService"))

        let json = try CLI.run(
            ["environment", "status", "--env", "beta", "--config", config, "--endpoint-url", Moto.endpoint!, "--region", "us-east-1", "--output", "json"],
            environment: CLI.environment(home: home, keys))
        #expect(json.status == 0, "\(json.all)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["environment"] as? String == "beta")
        #expect(document["activeColor"] as? String == "blue")
        #expect(document["albColor"] as? String == "blue")
        #expect(document["drift"] as? Bool == false)
        let colors = try #require(document["colors"] as? [String: [String: Any]])
        for key in ["asg", "min", "desired", "max", "instances", "targetHealth", "version", "targetGroupArn"] {
            #expect(colors["blue"]?[key] != nil, "colors.blue.\(key)")
            #expect(colors["green"]?.keys.contains(key) == true || key == "version", "colors.green.\(key)")
        }
    }

    @Test func badInputIsOneLineAndChangesNothing() throws {
        let home = try CLI.temporaryHome()
        let unknown = try CLI.run(["--env", "nope", "environment", "status", "--region", "us-east-1"], environment: CLI.environment(home: home, keys))
        // Exit 2 as for every command (README: refused before any change), one line.
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "refused: Unknown environment 'nope'. Known environments: aarch64prod, aarch64staging, beta, gpu, prod, staging, winprod, winstaging, wintest (add it to the config file's environments).\n")
        // A typo gets a suggestion, whichever command meets it.
        for command in [["environment", "status"], ["environment", "refresh", "--yes"], ["environment", "validate"], ["builds", "current"], ["config", "show"]] {
            let typo = try CLI.run(["--env", "Prod"] + command + ["--region", "us-east-1"], environment: CLI.environment(home: home, keys))
            #expect(typo.status == 2 && typo.stderr.contains("Unknown environment 'Prod'. Did you mean 'prod'?"), "\(command): \(typo.all)")
        }

        let missing = try CLI.run(["environment", "status", "--region", "us-east-1"], environment: CLI.environment(home: home, keys))
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("Missing --env"))

        try "environments:\n  beta:\n    routing: /beta*\n    minInstance: 1\n".write(toFile: home + "/bad.yaml", atomically: true, encoding: .utf8)
        let malformed = try CLI.run(
            ["--env", "beta", "environment", "status", "--config", home + "/bad.yaml", "--region", "us-east-1"],
            environment: CLI.environment(home: home, keys))
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains("bad.yaml line 4: environments.beta.minInstance: unknown key; did you mean 'minInstances'?"))
        #expect(malformed.stderr.split(separator: "\n").count == 1)

        let colour = try CLI.run(["--env", "beta", "environment", "switch", "--to", "red", "--region", "us-east-1"], environment: CLI.environment(home: home, keys))
        #expect(colour.status == 64, "what the command line alone decides is bad arguments")
        #expect(colour.stderr.hasPrefix("Error: --to must be blue or green, not 'red'.\n"), "\(colour.stderr)")

        let absent = try CLI.run(["config", "show", "--config", home + "/none.yaml"], environment: CLI.environment(home: home))
        #expect(absent.status == 1)
        #expect(absent.stderr.contains("none.yaml: --config: no such file"))
    }

    @Test func configShowPrintsTheEffectiveConfiguration() throws {
        let home = try CLI.temporaryHome()
        let builtIn = try CLI.run(["config", "show", "--env", "prod"], environment: CLI.environment(home: home))
        #expect(builtIn.status == 0)
        #expect(builtIn.stdout.contains("# source: built-in defaults"))
        #expect(builtIn.stdout.contains("targetGroups: {blue: Prod-Blue, green: Prod-Green}"))
        #expect(builtIn.stdout.contains("minInstances: 2"))

        try FileManager.default.createDirectory(atPath: home + "/.config/ce", withIntermediateDirectories: true)
        try "defaults:\n  loadBalancer: Shop\n".write(toFile: home + "/.config/ce/config.yaml", atomically: true, encoding: .utf8)
        let fromHome = try CLI.run(["config", "show", "--output", "json"], environment: CLI.environment(home: home))
        #expect(fromHome.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(fromHome.stdout.utf8)) as? [String: Any])
        #expect((document["source"] as? String)?.hasSuffix("/.config/ce/config.yaml") == true)
        let environments = try #require(document["environments"] as? [[String: Any]])
        #expect(environments.count == 9)
        #expect(environments.isNonEmptyAndAll { $0["loadBalancer"] as? String == "Shop" })
    }
}
