import Deployment
import Foundation

extension SimulatedCloud {
    /// The listener-rule priority of each Compiler Explorer environment on `:443`, as on the real load balancer.
    public static let compilerExplorerPriorities: [String: Int] = [
        "beta": 101, "staging": 111, "gpu": 121, "wintest": 151, "winstaging": 161, "winprod": 171, "aarch64prod": 181,
        "aarch64staging": 191,
    ]

    /// Compiler Explorer's load balancer, as `ce`'s configuration names it: listeners on 80 and 443 whose default
    /// actions forward to prod's live colour, and on `:443` one rule per other environment (its configured path and/or
    /// host, at the real priorities 101…191); blue live everywhere at `version`, green at 0; target groups with the
    /// design document's health check (every 10 s, 2 to be healthy, 3 to be unhealthy) and a 20 s deregistration
    /// delay; groups replacing unhealthy instances after 240 s. Instances of every version are healthy unless told
    /// otherwise. Watching begins with every environment up.
    ///
    /// With `neighbours`, the load balancer is as crowded as Compiler Explorer's: other services' rules (`/api/status`,
    /// a host-header rule, a host redirect, the router's paths), a fixed response, a rule sharing `/beta*` but with a
    /// host condition that forwards to another service, and staging's rule authenticating (Cognito) before a sticky
    /// forward. With `previews` (default: as `neighbours`), per-colour preview rules for every environment (its
    /// conditions plus `X-Deployment-Color: blue|green`), each at a priority evaluated before its serving rule, as a
    /// preview must be to be reached at all. An environment of no Compiler Explorer priority gets its rules from 201
    /// on, ten apart: its previews, then its serving rule.
    ///
    /// - Parameters:
    ///   - liveInstances: instances of each environment's live colour (default: its live floor).
    ///   - requestsPerSecond: traffic sent to each environment.
    ///   - alarms: also create a 5xx alarm per colour, named by this pattern (`{env}`, `{color}` …).
    ///
    /// An environment whose colours share one target group (`strategy: instances`) gets that one group, blue's
    /// Auto Scaling group attached to it and green's not (the design document's current architecture).
    public static func designDocument(
        environments: [String] = ["prod", "beta", "staging"], version: String = "v1",
        configuration: DeploymentConfiguration = .builtIn, seed: UInt64 = 1, liveInstances: [String: Int] = [:],
        requestsPerSecond: Double = 1, alarms: String? = nil, neighbours: Bool = false, previews: Bool? = nil
    ) throws -> SimulatedCloud {
        let previews = previews ?? neighbours
        let balancers = Set(try environments.map { try configuration.environment($0).loadBalancerName })
        guard balancers.count <= 1 else {
            throw DeploymentError.configuration(
                file: configuration.source, line: nil, key: "loadBalancer",
                reason: "the simulated cloud has one load balancer, but the environments name \(balancers.sorted().joined(separator: ", "))")
        }
        let cloud = SimulatedCloud(seed: seed, loadBalancerName: balancers.first ?? "GccExplorerApp")
        let listeners = [80: "arn:sim:listener/80", 443: "arn:sim:listener/443"]
        var defaultActions: [RouteAction] = [RouteAction(.fixedResponse(.init(statusCode: "404", contentType: "text/plain")))]
        var rules: [Route] = []
        func rule(_ name: String, _ priority: Int, port: Int = 443, _ conditions: [RouteCondition], _ actions: [RouteAction]) {
            rules.append(
                Route(
                    kind: .rule, arn: "arn:sim:rule/\(port)/\(name)", listenerArn: listeners[port]!, listenerPort: port,
                    priority: String(priority), conditions: conditions, actions: actions))
        }
        var nextPriority = 201
        for name in environments {
            let env = try configuration.environment(name)
            var arns: [Color: String] = [:]
            for color in Color.allCases { arns[color] = cloud.addTargetGroup(name: env.targetGroupNames[color]) }
            let servingConditions = env.routing.ruleConditions
            switch env.routing.match {
            case .listenerDefault:
                defaultActions = [.forward(to: arns[.blue]!)]
            case .rule:
                // (Two below for the previews, which come first.)
                let priority = compilerExplorerPriorities[name] ?? nextPriority + 2
                let ports = env.routing.listenerPorts.isEmpty ? [443] : env.routing.listenerPorts.filter { listeners[$0] != nil }
                for port in ports {
                    var actions: [RouteAction] = [.forward(to: arns[.blue]!)]
                    if neighbours && name == "staging" {
                        actions = [
                            RouteAction(order: 1, .authenticateCognito(.init(
                                userPoolArn: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_sim", userPoolClientId: "ce-staff",
                                userPoolDomain: "ce-staff", onUnauthenticatedRequest: "authenticate"))),
                            RouteAction(order: 2, .forward(ForwardAction(
                                targetGroups: [.init(arn: arns[.blue]!, weight: 1)], stickiness: .init(enabled: true, durationSeconds: 300),
                                usesForwardConfig: true))),
                        ]
                    }
                    rule(port == 443 ? name : "\(name)-\(port)", priority, port: port, servingConditions, actions)
                }
            }
            if previews && !env.sharesOneTargetGroup {
                // Before the serving rule (the listener's default action comes after every rule anyway).
                let base = compilerExplorerPriorities[name].map { $0 - 2 } ?? (env.routing.match == .listenerDefault ? 990 : nextPriority)
                for (offset, color) in Color.allCases.enumerated() {
                    rule(
                        "\(name)-preview-\(color.rawValue)", base + offset,
                        servingConditions + [.httpHeader(name: env.routing.previewHeader, values: [color.rawValue])],
                        [.forward(to: arns[color]!)])
                }
            }
            if env.routing.match != .listenerDefault && compilerExplorerPriorities[name] == nil { nextPriority += 10 }
            let names = env.parameters
            for (parameter, value) in [
                (names.activeColor, "blue"), (names.activeTargetGroupArn, arns[.blue]!), (names.version, version),
                (names.version(of: .blue), version), (names.version(of: .green), version),
            ] + (names.bootObject.map { [($0, version)] } ?? []) {
                cloud.setParameter(parameter, value)
            }
            let live = liveInstances[name] ?? env.liveFloor
            let maxSize = max(24, live)
            for color in Color.allCases {
                cloud.addGroup(
                    name: env.autoScalingGroupNames[color], minSize: color == .blue ? env.liveFloor : 0,
                    // One shared group (instance switching): the serving colour's group is attached, the idle one not.
                    desiredCapacity: color == .blue ? live : 0, maxSize: maxSize,
                    targetGroupArn: env.sharesOneTargetGroup && color == .green ? nil : arns[color]!,
                    tags: ["Environment": name, "Color": color.rawValue], versionParameter: names.bootObject ?? names.version(of: color))
                if let alarms {
                    cloud.addAlarm(name: DeploymentConfiguration.expand(alarms, env: name, color: color), targetGroup: env.targetGroupNames[color])
                }
            }
            cloud.change { world in
                world.environments.append(
                    .init(
                        name: name, routing: env.routing,
                        targetGroupArns: Dictionary(uniqueKeysWithValues: arns.map { ($0.key.rawValue, $0.value) }),
                        groups: Dictionary(uniqueKeysWithValues: Color.allCases.map { ($0.rawValue, env.autoScalingGroupNames[$0]) }),
                        ssmPrefix: env.ssmPrefix,
                        buildNames: Dictionary(uniqueKeysWithValues: Color.allCases.map { ($0.rawValue, names.version(of: $0)) }),
                        bootObject: names.bootObject, floor: env.liveFloor,
                        maxSizes: ["blue": maxSize, "green": maxSize], requestsPerSecond: requestsPerSecond))
            }
        }
        if neighbours {
            let status = cloud.addTargetGroup(name: "CE-Status")
            let lambda = cloud.addTargetGroup(name: "CE-Lambda")
            let router = cloud.addTargetGroup(name: "CE-Router")
            rule("api-status", 40, [.pathPattern(["/api/status"])], [.forward(to: status)])
            rule("lambda-host", 50, [.hostHeader(["lambda.compiler-explorer.com"])], [.forward(to: lambda)])
            rule(
                "www-redirect", 60, [.hostHeader(["www.compiler-explorer.com"])],
                [RouteAction(.redirect(.init(statusCode: "HTTP_301", protocolName: "HTTPS", port: "443", host: "compiler-explorer.com")))])
            for (offset, path) in ["/router/*", "/router-api/*", "/router-ws/*"].enumerated() {
                rule("router-\(offset)", 70 + offset, [.pathPattern([path])], [.forward(to: router)])
            }
            rule(
                "maintenance", 80, [.pathPattern(["/maintenance*"])],
                [RouteAction(.fixedResponse(.init(statusCode: "503", contentType: "text/plain", messageBody: "maintenance")))])
            if environments.contains("beta") {
                let internalBeta = cloud.addTargetGroup(name: "Internal-Beta")
                rule("beta-internal", 95, [.pathPattern(["/beta*"]), .hostHeader(["beta.internal.example"])], [.forward(to: internalBeta)])
            }
        }
        for port in listeners.keys.sorted() {
            cloud.addRoute(Route(kind: .listenerDefault, arn: listeners[port]!, listenerArn: listeners[port]!, listenerPort: port, actions: defaultActions))
        }
        for route in rules.sorted(by: { ($0.listenerPort ?? 0, Int($0.priority ?? "") ?? 0) < ($1.listenerPort ?? 0, Int($1.priority ?? "") ?? 0) }) {
            cloud.addRoute(route)
        }
        cloud.settle()
        return cloud
    }
}
