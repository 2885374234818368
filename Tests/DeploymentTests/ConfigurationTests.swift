import Testing

@testable import Deployment

struct ConfigurationTests {
    static let compilerExplorer = ["aarch64prod", "aarch64staging", "beta", "gpu", "prod", "staging", "winprod", "winstaging", "wintest"]

    @Test func builtInDefaultsAreCompilerExplorersLayout() throws {
        let config = DeploymentConfiguration.builtIn
        #expect(config.environments.keys.sorted() == Self.compilerExplorer)
        for (name, minimum) in ["prod": 2, "gpu": 2, "winprod": 2, "aarch64prod": 2, "beta": 0, "staging": 0, "wintest": 0, "winstaging": 0, "aarch64staging": 0] {
            #expect(try config.environment(name).minInstances == minimum, "\(name)")
            #expect(try config.environment(name).routing == (name == "prod" ? .listenerDefault : .pathPattern("/\(name)*")))
            #expect(try config.environment(name).routing.previewHeader == "X-Deployment-Color")
        }
        let prod = try config.environment("prod")
        #expect(prod.loadBalancerName == "GccExplorerApp")
        #expect(prod.routing == .listenerDefault)
        #expect(prod.targetGroupNames == ColorPair(blue: "Prod-Blue", green: "Prod-Green"))
        #expect(prod.autoScalingGroupNames == ColorPair(blue: "prod-blue", green: "prod-green"))
        #expect(prod.ssmPrefix == "/compiler-explorer/prod/")
        #expect(prod.minInstances == 2)
        #expect(prod.liveFloor == 2)
        let beta = try config.environment("beta")
        #expect(beta.routing == .pathPattern("/beta*"))
        #expect(beta.minInstances == 0)
        #expect(beta.liveFloor == 1)
        #expect(beta.parameters.activeColor == "/compiler-explorer/beta/active-color")
        #expect(beta.parameters.activeTargetGroupArn == "/compiler-explorer/beta/active-target-group-arn")
        #expect(beta.parameters.version == "/compiler-explorer/beta/version")
        #expect(beta.parameters.version(of: .green) == "/compiler-explorer/beta/green/version")
        #expect(throws: DeploymentError.unknownEnvironment("nope", known: Self.compilerExplorer)) {
            try config.environment("nope")
        }
    }

    @Test func yamlDefaultsAndEnvironments() throws {
        let config = try ConfigurationLoader.parse(
            """
            defaults:
              loadBalancer: Shop
              targetGroupPattern: "shop-{env}-{color}"
              asgPattern: "asg-{env}-{Color}"
              ssmPrefix: /shop/{env}
              health: {path: /ready, timeout: 5m, poll: 2s, stable: 30s}
              bake: 2m
              alarms: ["{env}-{color}-5xx", "{Env}-latency"]
            environments:
              live:
                routing: default
                minInstances: 3
                bake: 0
              preview:
                routing: /preview*
                loadBalancer: Internal
                targetGroups: {blue: PreviewA, green: PreviewB}
                strategy: rolling
            """, file: "ce.yaml")
        #expect(config.environments.keys.sorted() == ["live", "preview"])
        let live = try config.environment("live")
        #expect(live.loadBalancerName == "Shop")
        #expect(live.targetGroupNames == ColorPair(blue: "shop-live-blue", green: "shop-live-green"))
        #expect(live.autoScalingGroupNames == ColorPair(blue: "asg-live-Blue", green: "asg-live-Green"))
        #expect(live.ssmPrefix == "/shop/live/")
        #expect(live.minInstances == 3)
        #expect(live.health == HealthSettings(path: "/ready", port: 80, timeoutSeconds: 300, pollSeconds: 2, stableSeconds: 30))
        #expect(live.bakeSeconds == 0, "the environment's own value wins")
        #expect(live.alarmNames(for: .green) == ["live-green-5xx", "Live-latency"])
        let preview = try config.environment("preview")
        #expect(preview.loadBalancerName == "Internal")
        #expect(preview.routing == .pathPattern("/preview*"))
        #expect(preview.targetGroupNames == ColorPair(blue: "PreviewA", green: "PreviewB"))
        #expect(preview.strategy == .rolling)
        #expect(preview.bakeSeconds == 120)
    }

    @Test func defaultsAloneKeepTheBuiltInEnvironments() throws {
        let config = try ConfigurationLoader.parse("defaults:\n  loadBalancer: Other\n", file: "ce.yaml")
        #expect(config.environments.keys.sorted() == Self.compilerExplorer)
        #expect(try config.environment("prod").loadBalancerName == "Other")
        #expect(try config.environment("prod").minInstances == 2)
        #expect(try config.environment("gpu").minInstances == 2)
        #expect(try config.environment("beta").minInstances == 0)
        let raised = try ConfigurationLoader.parse("defaults:\n  minInstances: 1\n  previewHeader: X-Colour\n", file: "ce.yaml")
        #expect(try raised.environment("beta").minInstances == 1)
        #expect(try raised.environment("winprod").minInstances == 2, "a default never lowers a built-in minimum")
        #expect(try raised.environment("beta").routing.previewHeader == "X-Colour")
    }

    /// The hybrid of docs/configuration.md: a strategy (and its steps) per environment, over the defaults.
    @Test func aStrategyPerEnvironment() throws {
        let config = try ConfigurationLoader.parse(
            """
            defaults:
              strategy: blue-green
            environments:
              prod:    {routing: default, minInstances: 2, strategy: canary, steps: [10, 50, 100], stepBake: 5m, stickiness: 1h}
              beta:    {routing: "/beta*"}
              staging: {routing: "/staging*", strategy: linear, step: 25, stepBake: 2m}
              gpu:     {routing: "/gpu*", minInstances: 2, strategy: rolling}
            """, file: "ce.yaml")
        let prod = try config.environment("prod")
        #expect(prod.strategy == .canary)
        #expect(try prod.canary.steps(for: prod.strategy) == TrafficSteps(percentages: [10, 50, 100], stepBakeSeconds: 300, stickinessSeconds: 3600))
        #expect(try config.environment("beta").strategy == .blueGreen)
        let staging = try config.environment("staging")
        #expect(try staging.canary.steps(for: staging.strategy) == TrafficSteps(percentages: [25, 50, 75, 100], stepBakeSeconds: 120))
        #expect(try config.environment("gpu").strategy == .rolling)
        // The command line overrides the file; a canary's list gets its 100.
        #expect(try prod.canary.steps(for: .canary, canarySteps: [5, 20])?.percentages == [5, 20, 100])
        #expect(try prod.canary.steps(for: .blueGreen) == nil)
        #expect(throws: Refusal.self) { try prod.canary.steps(for: .canary, canarySteps: [20, 20]) }
    }

    @Test func hostListenersAndPinnedRules() throws {
        let config = try ConfigurationLoader.parse(
            """
            environments:
              prod: {routing: default, listeners: [443]}
              beta: {routing: "/beta*", host: beta.example.com, listeners: [443, 8443]}
              docs: {host: "*.docs.example.com", previewHeader: X-Colour}
              legacy: {rules: [101, "arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/app/x/1/2/3"]}
            """, file: "ce.yaml")
        #expect(try config.environment("prod").routing == Routing(match: .listenerDefault, listenerPorts: [443]))
        #expect(try config.environment("beta").routing == Routing(match: .rule(path: "/beta*", host: "beta.example.com"), listenerPorts: [443, 8443]))
        #expect(try config.environment("beta").routing.ruleConditions == [.pathPattern(["/beta*"]), .hostHeader(["beta.example.com"])])
        #expect(try config.environment("docs").routing == Routing(match: .rule(path: nil, host: "*.docs.example.com"), previewHeader: "X-Colour"))
        #expect(try config.environment("legacy").routing.pinnedRules == [.priority(101), .arn("arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/app/x/1/2/3")])
        #expect(try config.environment("prod").routing.description == "default action of listener :443")
        #expect(try config.environment("beta").routing.description == "rules with exactly path /beta* + host beta.example.com on :443, :8443")
    }

    @Test(arguments: [
        ("environments:\n  beta:\n    routing: /beta*\n    routng: x\n", 4, "environments.beta.routng", "unknown key"),
        ("defaults:\n  minInstances: many\n", 2, "defaults.minInstances", "whole number"),
        ("defaults:\n  health:\n    timeout: soon\n", 3, "defaults.health.timeout", "duration"),
        ("defaults:\n  targetGroupPattern: \"{Env}-tg\"\n", 2, "defaults.targetGroupPattern", "{color}"),
        ("environments:\n  beta:\n    minInstances: 1\n", 3, "environments.beta.routing", "missing"),
        ("environments:\n  beta:\n    routing: beta\n", 3, "environments.beta.routing", "path pattern"),
        ("colour: blue\n", 1, "colour", "unknown key"),
        ("defaults:\n  bake: later\n", 2, "defaults.bake", "duration"),
        ("defaults:\n  alarms: prod-5xx\n", 2, "defaults.alarms", "list of CloudWatch alarm names"),
        ("defaults:\n  health: {stable: 2h}\n", 2, "defaults.health.stable", "from 0 s to 3600 s"),
        ("defaults: [\n", 2, "(syntax)", "not valid YAML"),
        ("environments:\n  x:\n    routing: /x*\n    targetGroups: {blue: A, green: A}\n", 4, "environments.x.targetGroups", "differ"),
        ("environments:\n  x:\n    routing: default\n    host: x.example.com\n", 4, "environments.x.host", "routing: default"),
        ("environments:\n  x:\n    routing: default\n    rules: [3]\n", 4, "environments.x.rules", "listeners:"),
        ("environments:\n  x:\n    host: \"a b\"\n", 3, "environments.x.host", "host name"),
        ("environments:\n  x:\n    routing: /x*\n    listeners: 443\n", 4, "environments.x.listeners", "list of listener ports"),
        ("environments:\n  x:\n    routing: /x*\n    listeners: [70000]\n", 4, "environments.x.listeners[0]", "1 to 65535"),
        ("environments:\n  x:\n    rules: [first]\n", 3, "environments.x.rules[0]", "priority from 1 to 50000"),
        ("defaults:\n  previewHeader: \"X Colour\"\n", 2, "defaults.previewHeader", "HTTP header name"),
        ("defaults:\n  strategy: big-bang\n", 2, "defaults.strategy", "blue-green, canary, linear, rolling"),
        ("defaults:\n  steps: [50, 10]\n", 2, "defaults.steps", "must increase"),
        ("defaults:\n  steps: 10\n", 2, "defaults.steps", "list of percentages"),
        ("defaults:\n  step: 100\n", 2, "defaults.step", "1 to 99"),
        ("defaults:\n  stickiness: 8d\n", 2, "defaults.stickiness", "duration"),
    ])
    func badFilesNameTheKeyAndLine(_ yaml: String, _ line: Int, _ key: String, _ reason: String) throws {
        do {
            _ = try ConfigurationLoader.parse(yaml, file: "ce.yaml")
            Issue.record("expected an error for \(key)")
        } catch let error as DeploymentError {
            guard case .configuration(let file, let errorLine, let errorKey, let errorReason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(file == "ce.yaml")
            #expect(errorLine == line)
            #expect(errorKey == key)
            #expect(errorReason.contains(reason), "\(errorReason)")
            #expect(error.description.hasPrefix("ce.yaml line \(line): \(key):"))
        }
    }

    @Test func colors() throws {
        #expect(Color.blue.other == .green)
        #expect(Color.green.capitalized == "Green")
        #expect(try Color.parse("GREEN") == .green)
        #expect(throws: DeploymentError.invalidColor("red")) { try Color.parse("red") }
    }
}
