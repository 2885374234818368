import AWSServices
import CETestSupport
import Deployment
import DeploymentAWS
import Foundation
import Testing

/// `ce` on a load balancer laid out like Compiler Explorer's production one and as crowded as real ones are: other
/// services' rules, preview rules, a host rule sharing `/beta*`, a redirect, a fixed response, authenticate actions.
/// After every command, every listener and rule that is not one of the environment's serving routes is byte-identical
/// (`DescribeListeners` / `DescribeRules` as moto answers them), and a serving route keeps everything but its forward.
@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct CrowdedLoadBalancerTests {
    let keys = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"]

    struct World {
        var layout: Moto.Layout
        var home: String
        var configuration: DeploymentConfiguration
        /// Every listener and rule as first answered.
        var before: [String: String]
        /// The decoded routes as first read.
        var routes: LoadBalancerRoutes
    }

    func world(_ tag: String, envs: [String] = ["prod", "beta", "staging"], crowded: Bool = true) async throws -> World {
        let layout = try Moto.layout(tag, envs: envs, crowded: crowded)
        let home = try CLI.temporaryHome()
        try layout.configYAML.write(toFile: home + "/ce.yaml", atomically: true, encoding: .utf8)
        let configuration = try ConfigurationLoader.parse(layout.configYAML, file: "ce.yaml")
        return World(
            layout: layout, home: home, configuration: configuration,
            before: try await RawLoadBalancer.members(loadBalancerArn: layout.loadBalancerArn), routes: try await routes(layout))
    }

    func routes(_ layout: Moto.Layout) async throws -> LoadBalancerRoutes {
        try #require(try await AWSLoadBalancerReader(elbv2: Moto.services.elbv2).routes(loadBalancerName: layout.prefix + "GccExplorerApp"))
    }

    func ce(_ w: World, _ arguments: [String]) throws -> CLI.Result {
        try CLI.run(
            ["--config", w.home + "/ce.yaml", "--endpoint-url", Moto.endpoint!] + arguments, environment: CLI.environment(home: w.home, keys))
    }

    /// Every route that is not `env`'s serving route is byte-identical to the first answer; each serving route kept its
    /// conditions and every action but the forward, and forwards all its traffic to `color`.
    func expectOnlyServingRoutesMoved(_ w: World, _ env: String, to color: String, after step: String) async throws {
        let environment = try w.configuration.environment(env)
        let serving = w.routes.classify(for: environment).serving
        #expect(!serving.isEmpty)
        let servingArns = Set(serving.map(\.arn))
        let now = try await RawLoadBalancer.members(loadBalancerArn: w.layout.loadBalancerArn)
        #expect(Set(now.keys) == Set(w.before.keys), "no listener or rule appeared or vanished (\(step))")
        for (key, member) in w.before where !servingArns.contains(String(key.split(separator: " ")[0])) {
            let arn = key
            #expect(now[arn] == member, "\(step) changed \(arn), which is not \(env)'s")
        }
        let target = w.layout.environments[env]!.targetGroups[color]!
        let read = try await routes(w.layout)
        for original in serving {
            let current = try #require(read.routes.first { $0.arn == original.arn })
            #expect(current.forwardsOnly(to: target), "\(step): \(current.label) forwards to \(color)")
            #expect(current.conditions == original.conditions)
            let others = { (route: Route) in route.orderedActions.filter { $0.forward == nil } }
            #expect(others(current) == others(original), "\(step): \(current.label) kept its other actions")
            #expect(current.forward?.effectiveStickinessForTests == original.forward?.effectiveStickinessForTests)
        }
    }

    func scale(_ w: World, _ group: String, min: Int = 0, _ size: Int) async throws {
        try await Moto.services.autoScaling.updateAutoScalingGroup(
            .init(autoScalingGroupName: w.layout.prefix + group, minSize: min, maxSize: 24, desiredCapacity: size))
    }

    func sizes(_ w: World, _ group: String) async throws -> (Int, Int) {
        let found = try await Moto.services.autoScaling.describeAutoScalingGroups(.init(autoScalingGroupNames: [w.layout.prefix + group]))
        return (found.first?.minSize ?? -1, found.first?.desiredCapacity ?? -1)
    }

    @Test(arguments: ["beta", "prod"])
    func everyCommandChangesOnlyTheEnvironmentsServingRoutes(env: String) async throws {
        let w = try await world("crowd\(env.prefix(1))")
        let floor = env == "prod" ? 2 : 1

        let status = try ce(w, ["--env", env, "environment", "status"])
        #expect(status.status == 0, "\(status.all)")
        #expect(!status.stdout.contains("DRIFT"))
        #expect(status.stdout.contains("previews (never switched)"))
        #expect(status.stdout.contains(env == "prod" ? "rule 990 on :443         blue preview → blue 100%" : "rule 99 on :443          blue preview → blue 100%"))
        let verbose = try ce(w, ["--env", env, "environment", "status", "--verbose"])
        #expect(verbose.stdout.contains("path /beta* + host beta.internal.example → forward \(w.layout.prefix)Internal-Beta"))
        #expect(verbose.stdout.contains("path /api/internal/* + method POST + query token=* | debug + source 10.0.0.0/8"))
        let validate = try ce(w, ["--env", env, "environment", "validate"])
        #expect(validate.status == 0, "\(validate.all)")
        #expect(validate.stdout.contains("info preview blue"))
        try await expectOnlyServingRoutesMoved(w, env, to: "blue", after: "status and validate")

        let refresh = try ce(w, ["--env", env, "environment", "refresh", "--version", "v2", "--yes"])
        #expect(refresh.status == 0, "\(refresh.all)")
        try await expectOnlyServingRoutesMoved(w, env, to: "green", after: "refresh")

        let switched = try ce(w, ["--env", env, "environment", "switch", "--to", "blue", "--yes"])
        #expect(switched.status == 0, "\(switched.all)")
        try await expectOnlyServingRoutesMoved(w, env, to: "blue", after: "switch")
        #expect(try await sizes(w, "\(env)-blue") == (floor, floor), "the serving colour gets the live floor")
        #expect(try await sizes(w, "\(env)-green").0 == 0, "the other colour keeps running with min 0")

        let rollback = try ce(w, ["--env", env, "environment", "rollback", "--yes"])
        #expect(rollback.status == 0, "\(rollback.all)")
        try await expectOnlyServingRoutesMoved(w, env, to: "green", after: "rollback")
        #expect(try await sizes(w, "\(env)-green") == (floor, floor))
        #expect(try await sizes(w, "\(env)-blue").0 == 0)

        // A deploy that stopped half-way through its switch: the journal says 'switch', and (for prod) one listener
        // had moved back. `recover` sends every serving route back to the warm old colour, nothing else.
        let prefix = w.layout.environments[env]!.ssmPrefix
        let journal = try #require(DeploymentJournal.decode(try await Moto.services.ssm.getParameter(name: prefix + "deployment").value))
        var unfinished = journal
        unfinished.status = .inProgress
        unfinished.step = "switch"
        (unfinished.from, unfinished.to) = (.blue, .green)
        try await Moto.services.ssm.putParameter(.init(name: prefix + "deployment", value: unfinished.json(), overwrite: true))
        if env == "prod" {
            _ = try await Moto.services.elbv2.modifyListener(
                .init(listenerArn: w.layout.listenerArns["80"]!, defaultActions: [.forward(to: w.layout.environments["prod"]!.targetGroups["blue"]!)]))
        }
        let recover = try ce(w, ["--env", env, "environment", "recover", "--yes"])
        #expect(recover.status == 0, "\(recover.all)")
        try await expectOnlyServingRoutesMoved(w, env, to: env == "prod" ? "blue" : "green", after: "recover")
        let after = try ce(w, ["--env", env, "environment", "status"])
        #expect(after.status == 0, "\(after.all)")
    }

    /// Every route that is not `env`'s serving route is byte-identical to the first answer, and every serving route
    /// splits its traffic `blue`/`green` percent as read back from `DescribeRules` / `DescribeListeners`, keeping its
    /// conditions and every other action.
    func expectServingRoutesSplit(_ w: World, _ env: String, green: Int, after step: String) async throws {
        let environment = try w.configuration.environment(env)
        let serving = w.routes.classify(for: environment).serving
        let servingArns = Set(serving.map(\.arn))
        let now = try await RawLoadBalancer.members(loadBalancerArn: w.layout.loadBalancerArn)
        for (key, member) in w.before where !servingArns.contains(String(key.split(separator: " ")[0])) {
            #expect(now[key] == member, "\(step) changed \(key), which is not \(env)'s")
        }
        let groups = w.layout.environments[env]!.targetGroups
        let read = try await routes(w.layout)
        for original in serving {
            let current = try #require(read.routes.first { $0.arn == original.arn })
            #expect(current.forward?.weights == [groups["blue"]!: 100 - green, groups["green"]!: green], "\(step): \(current.label)")
            #expect(current.conditions == original.conditions)
            let others = { (route: Route) in route.orderedActions.filter { $0.forward == nil } }
            #expect(others(current) == others(original), "\(step): \(current.label) kept its other actions")
        }
    }

    @Test(arguments: ["beta", "prod"])
    func aCanaryOnMotoSplitsOnlyTheServingRoutesThenPromoteAndAbort(env: String) async throws {
        let w = try await world("canary\(env.prefix(1))")
        let canary = try start(w, ["--env", env, "environment", "refresh", "--strategy", "canary", "--steps", "10", "--step-bake", "10m", "--version", "v2", "--yes"])
        #expect(canary.waitFor("step bake: green at 10%"), "\(canary.stdout)\(canary.stderr)")
        try await expectServingRoutesSplit(w, env, green: 10, after: "the canary's first step")
        let status = try ce(w, ["--env", env, "environment", "status"])
        #expect(status.stdout.contains("CANARY       green 10%, blue 90% (split 1 of 1: 10% → 100%; at 'step bake', step bake "), "\(status.all)")
        #expect(!status.stdout.contains("DRIFT"))
        let promote = try ce(w, ["--env", env, "environment", "promote"])
        #expect(promote.status == 0, "\(promote.all)")
        #expect(canary.finish() == 0, "\(canary.stdout)\(canary.stderr)")
        #expect(canary.stdout.contains("promoted after"))
        try await expectOnlyServingRoutesMoved(w, env, to: "green", after: "the promoted canary")

        // The next one, back to blue, aborted at 50%: all traffic returns to green, nothing is scaled down.
        let cleanup = try ce(w, ["--env", env, "environment", "cleanup", "--yes", "--force"])
        #expect(cleanup.status == 0, "\(cleanup.all)")
        let linear = try start(w, ["--env", env, "environment", "refresh", "--strategy", "linear", "--step", "50", "--step-bake", "10m", "--version", "v3", "--yes"])
        #expect(linear.waitFor("step bake: blue at 50%"), "\(linear.stdout)\(linear.stderr)")
        let split = try await routes(w.layout)
        let groups = w.layout.environments[env]!.targetGroups
        for route in split.classify(for: try w.configuration.environment(env)).serving {
            #expect(route.forward?.weights == [groups["blue"]!: 50, groups["green"]!: 50], "\(route.label)")
        }
        let abort = try ce(w, ["--env", env, "environment", "abort"])
        #expect(abort.status == 0, "\(abort.all)")
        #expect(linear.finish() == 3, "\(linear.stdout)\(linear.stderr)")
        #expect(linear.stderr.contains("aborted by 'environment abort'"))
        try await expectOnlyServingRoutesMoved(w, env, to: "green", after: "the aborted linear deploy")
        #expect(try await sizes(w, "\(env)-blue").1 >= 1, "the aborted colour is left running")
        let after = try ce(w, ["--env", env, "environment", "status"])
        #expect(after.status == 0, "\(after.all)")
        let nothing = try ce(w, ["--env", env, "environment", "abort"])
        #expect(nothing.status == 2 && nothing.stderr.contains("No canary or linear deploy of \(env) is in progress"), "\(nothing.all)")
    }

    /// `--approve` with two processes: the deploy waits after its gate with nothing moved, `status` says who must act,
    /// `environment promote` from a second process lets it go on; the next deploy is aborted from a second process
    /// while it waits, and undone (traffic never moved).
    @Test func anApprovalOnMotoWaitsForASecondProcess() async throws {
        let w = try await world("approve", envs: ["prod", "beta"])
        let deploy = try start(w, ["--env", "prod", "environment", "refresh", "--approve", "--approve-timeout", "10m", "--version", "v2", "--yes"])
        #expect(deploy.waitFor("approval: waiting for '"), "\(deploy.stdout)\(deploy.stderr)")
        try await expectOnlyServingRoutesMoved(w, "prod", to: "blue", after: "the pause: nothing moved")
        let status = try ce(w, ["--env", "prod", "environment", "status"])
        #expect(status.stdout.contains("APPROVAL     d-"), "\(status.all)")
        #expect(status.stdout.contains("(no traffic on green yet); at "), "\(status.all)")
        #expect(status.stdout.contains("--env prod environment promote' to go on, or 'ce --config "), "\(status.all)")
        #expect(status.stdout.contains("--env prod environment abort' to undo it"), "\(status.all)")
        let json = try ce(w, ["--env", "prod", "environment", "status", "--output", "json"])
        let approval = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["approval"] as? [String: Any])
        #expect(approval["waiting"] as? Bool == true && approval["atTimeout"] as? String == "abort" && approval["percent"] as? Int == 0)
        let promote = try ce(w, ["--env", "prod", "environment", "promote"])
        #expect(promote.status == 0 && promote.stdout.contains("approved d-"), "\(promote.all)")
        #expect(deploy.finish() == 0, "\(deploy.stdout)\(deploy.stderr)")
        #expect(deploy.stdout.contains("approved by "), "\(deploy.stdout)")
        try await expectOnlyServingRoutesMoved(w, "prod", to: "green", after: "the approved deploy")

        let cleanup = try ce(w, ["--env", "prod", "environment", "cleanup", "--yes", "--force"])
        #expect(cleanup.status == 0, "\(cleanup.all)")
        let next = try start(w, ["--env", "prod", "environment", "refresh", "--approve", "--version", "v3", "--yes"])
        #expect(next.waitFor("approval: waiting for '"), "\(next.stdout)\(next.stderr)")
        let abort = try ce(w, ["--env", "prod", "environment", "abort"])
        #expect(abort.status == 0 && abort.stdout.contains("undoes the deploy (green keeps serving)"), "\(abort.all)")
        #expect(next.finish() == 3, "\(next.stdout)\(next.stderr)")
        #expect(next.stderr.contains("aborted by ") && next.stderr.contains("Traffic was not touched (green still serves)"), "\(next.stderr)")
        try await expectOnlyServingRoutesMoved(w, "prod", to: "green", after: "the aborted deploy")
        let nothing = try ce(w, ["--env", "prod", "environment", "promote"])
        #expect(nothing.status == 2 && nothing.stderr.contains("none waits for approval"), "\(nothing.all)")
    }

    /// `environment test-blue-green` on moto: the whole beta cycle through the binary, ce's test traffic going to a
    /// local server (never to moto's fake instance addresses). Every criterion met: exit 0, blue serves again, only
    /// the serving routes ever moved. A server answering 503 fails the 5xx criterion: exit 1, saying which.
    @Test func theBetaTestCycleOnMoto() async throws {
        let w = try await world("cycle", envs: ["prod", "beta"])
        let server = try LocalHealthServer()
        let url = "http://127.0.0.1:\(server.port)/healthcheck"
        let cycle = try ce(w, ["--env", "beta", "environment", "test-blue-green", "--version", "v2", "--bake", "0", "--url", url, "--rate", "20"])
        #expect(cycle.status == 0, "\(cycle.all)")
        #expect(cycle.stdout.contains("beta: test cycle blue → green → blue with v2:"), "\(cycle.stdout)")
        for criterion in ["test deployment", "health checks", "switch time", "rollback time", "5xx errors"] {
            #expect(cycle.stdout.contains("  ok   \(criterion)"), "\(criterion): \(cycle.stdout)")
        }
        #expect(cycle.stdout.contains(" of ") && !cycle.stdout.contains("5xx errors       0 of 0 "), "test traffic was sent: \(cycle.stdout)")
        try await expectOnlyServingRoutesMoved(w, "beta", to: "blue", after: "the test cycle")

        let failing = try LocalHealthServer(status: 503)
        _ = try ce(w, ["--env", "beta", "environment", "cleanup", "--yes", "--force"])
        let bad = try ce(w, ["--env", "beta", "environment", "test-blue-green", "--version", "v3", "--bake", "0", "--url", "http://127.0.0.1:\(failing.port)/healthcheck"])
        #expect(bad.status == 1, "\(bad.all)")
        #expect(bad.stdout.contains("  FAIL 5xx errors ") && bad.stdout.contains("1 criterion missed."), "\(bad.stdout)")
        #expect(bad.stderr.contains("error: the design document's success criteria not met: 5xx errors (see the table above)."), "\(bad.stderr)")
        let missing = try ce(w, ["--env", "beta", "environment", "test-blue-green"])
        #expect(missing.status == 64 && missing.stderr.contains("--url is needed on AWS"), "\(missing.all)")
    }

    /// The built-in smoke hook on moto through the binary: its requests carry `X-Deployment-Color: green` to the URL
    /// configured (a local server standing in for the load balancer, answering 200 only to that header), after the
    /// preview rule to green is proven to exist on the (crowded) load balancer. A server answering anything else
    /// (here 404) stops the deploy before traffic moves.
    @Test func aSmokeHookOnMoto() async throws {
        let w = try await world("smoke", envs: ["prod", "beta"])
        let script = """
            import http.server
            class H(http.server.BaseHTTPRequestHandler):
                def log_message(self, *a): pass
                def do_GET(self):
                    code = 200 if self.headers.get("X-Deployment-Color") == "green" and self.path == "/beta/healthcheck" else 418
                    self.send_response(code); self.send_header("Content-Length", "0"); self.end_headers()
            s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """
        let server = try LocalPythonServer(arguments: ["-c", script])
        func configure(_ url: String) throws {
            let yaml = w.layout.configYAML + """
                  hooks:
                    preSwitch: {smoke: {url: "\(url)", paths: [/beta/healthcheck]}, timeout: 10s}

                """
            try yaml.write(toFile: w.home + "/ce.yaml", atomically: true, encoding: .utf8)
        }
        try configure("http://127.0.0.1:\(server.port)")
        let dry = try ce(w, ["--env", "beta", "environment", "refresh", "--version", "v2", "--dry-run"])
        #expect(dry.stdout.contains("run hook preSwitch: smoke GET http://127.0.0.1:\(server.port)/beta/healthcheck expecting 200"), "\(dry.all)")
        let deploy = try ce(w, ["--env", "beta", "environment", "refresh", "--version", "v2", "--yes"])
        #expect(deploy.status == 0, "\(deploy.all)")
        #expect(deploy.stdout.contains("preSwitch smoke passed: 1 path(s) answered through the green preview route"), "\(deploy.stdout)")
        try await expectOnlyServingRoutesMoved(w, "beta", to: "green", after: "a deploy with a smoke hook")

        let failing = try LocalHealthServer(status: 500)
        try configure("http://127.0.0.1:\(failing.port)")
        _ = try ce(w, ["--env", "beta", "environment", "cleanup", "--yes", "--force"])
        let bad = try ce(w, ["--env", "beta", "environment", "refresh", "--version", "v3", "--yes"])
        #expect(bad.status == 1, "\(bad.all)")
        #expect(bad.stderr.contains("the preSwitch hook failed: smoke GET") && bad.stderr.contains("answered 404"), "\(bad.stderr)")
        try await expectOnlyServingRoutesMoved(w, "beta", to: "green", after: "a deploy stopped by its smoke hook")
    }

    func start(_ w: World, _ arguments: [String]) throws -> RunningCE {
        try RunningCE(
            ["--config", w.home + "/ce.yaml", "--endpoint-url", Moto.endpoint!] + arguments, environment: CLI.environment(home: w.home, keys))
    }

    @Test func aListenerThatRedirectsIsNotProds() async throws {
        let w = try await world("redir", envs: ["prod", "beta"], crowded: false)
        _ = try await Moto.services.elbv2.modifyListener(
            .init(
                listenerArn: w.layout.listenerArns["80"]!,
                defaultActions: [Action(type: "redirect", redirectConfig: .init(statusCode: "HTTP_301", protocol_: "HTTPS", port: "443"))]))
        let redirected = World(
            layout: w.layout, home: w.home, configuration: w.configuration,
            before: try await RawLoadBalancer.members(loadBalancerArn: w.layout.loadBalancerArn), routes: try await routes(w.layout))

        let status = try ce(redirected, ["--env", "prod", "environment", "status"])
        #expect(status.status == 0, "\(status.all)")
        #expect(status.stdout.contains("listener :80 default     not prod's: it answers redirect HTTP_301"))
        let validate = try ce(redirected, ["--env", "prod", "environment", "validate"])
        #expect(validate.status == 0, "\(validate.all)")
        #expect(validate.stdout.contains("info not serving"))

        try await scale(redirected, "prod-green", 2)
        let switched = try ce(redirected, ["--env", "prod", "environment", "switch", "--to", "green", "--yes"])
        #expect(switched.status == 0, "\(switched.all)")
        #expect(switched.stdout.contains("1 route(s) changed concurrently"))
        try await expectOnlyServingRoutesMoved(redirected, "prod", to: "green", after: "switch")
    }

    @Test func pinnedListenersAndHostRouting() async throws {
        let w = try await world("pin", envs: ["prod", "beta"])
        // Beta's rule is on :443 only; pinning :80 as well makes validate fail (and says where), pinning :443 passes.
        let pinned = w.layout.configYAML + """
            environments:
              beta: {routing: "/beta*", listeners: [80, 443]}
              internal: {routing: "/beta*", host: beta.internal.example, targetGroups: {blue: \(w.layout.prefix)Internal-Beta, green: \(w.layout.prefix)CE-Lambda}}

            """
        try pinned.write(toFile: w.home + "/ce.yaml", atomically: true, encoding: .utf8)
        let validate = try ce(w, ["--env", "beta", "environment", "validate"])
        #expect(validate.status == 1)
        #expect(validate.stdout.contains("FAIL routing"))
        #expect(validate.stdout.contains("nothing on pinned listener :80"))
        // The other service's rule (path and host) is an environment of its own when configured so.
        let status = try ce(w, ["--env", "internal", "environment", "status", "--output", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let routes = document["routes"] as? [[String: Any]] ?? []
        #expect(routes.map { $0["route"] as? String } == ["rule 95 on :443"])
        #expect(document["albColor"] as? String == "blue")
    }
}

extension ForwardAction {
    /// Stickiness as it acts (absent and disabled alike).
    var effectiveStickinessForTests: Stickiness? { stickiness?.enabled == true ? stickiness : nil }
}
