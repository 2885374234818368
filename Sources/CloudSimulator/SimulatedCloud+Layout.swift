import Deployment
import Foundation

extension SimulatedCloud {
    /// The design document's layout, as `ce`'s configuration names it: listeners on 80 and 443 whose default actions
    /// forward to Prod-Blue, a `/{env}*` rule per other environment on each listener, blue live everywhere at
    /// `version`, green at 0, target groups with the design document's health check (every 10 s, 2 to be healthy,
    /// 3 to be unhealthy) and a 20 s deregistration delay, groups replacing unhealthy instances after 240 s.
    /// Instances of every version are healthy unless told otherwise. Watching begins with every environment up.
    ///
    /// - Parameters:
    ///   - liveInstances: instances of each environment's live colour (default: its live floor).
    ///   - requestsPerSecond: traffic sent to each environment.
    ///   - alarms: also create a 5xx alarm per colour, named by this pattern (`{env}`, `{color}` …).
    public static func designDocument(
        environments: [String] = ["prod", "beta", "staging"], version: String = "v1",
        configuration: DeploymentConfiguration = .builtIn, seed: UInt64 = 1, liveInstances: [String: Int] = [:],
        requestsPerSecond: Double = 1, alarms: String? = nil
    ) throws -> SimulatedCloud {
        let cloud = SimulatedCloud(seed: seed)
        var rulePriority = 1
        for name in environments {
            let env = try configuration.environment(name)
            var arns: [Color: String] = [:]
            for color in Color.allCases { arns[color] = cloud.addTargetGroup(name: env.targetGroupNames[color]!) }
            switch env.routing {
            case .listenerDefault:
                for port in [80, 443] where !cloud.routes().contains(where: { $0.arn == "arn:sim:listener/\(port)" }) {
                    cloud.addRoute(.init(kind: .listenerDefault, arn: "arn:sim:listener/\(port)", listenerPort: port, weights: [arns[.blue]!: 1]))
                }
            case .pathPattern(let pattern):
                for port in [80, 443] {
                    cloud.addRoute(
                        .init(kind: .rule, arn: "arn:sim:rule/\(port)/\(name)", listenerPort: port, priority: String(rulePriority),
                            pathPatterns: [pattern], weights: [arns[.blue]!: 1]))
                }
                rulePriority += 1
            }
            let names = env.parameters
            for (parameter, value) in [
                (names.activeColor, "blue"), (names.activeTargetGroupArn, arns[.blue]!), (names.version, version),
                (names.version(of: .blue), version), (names.version(of: .green), version),
            ] {
                cloud.setParameter(parameter, value)
            }
            let live = liveInstances[name] ?? env.liveFloor
            let maxSize = max(24, live)
            for color in Color.allCases {
                cloud.addGroup(
                    name: env.autoScalingGroupNames[color]!, minSize: color == .blue ? env.minInstances : 0,
                    desiredCapacity: color == .blue ? live : 0, maxSize: maxSize, targetGroupArn: arns[color]!,
                    tags: ["Environment": name, "Color": color.rawValue], versionParameter: names.version(of: color))
                if let alarms {
                    cloud.addAlarm(name: DeploymentConfiguration.expand(alarms, env: name, color: color), targetGroup: env.targetGroupNames[color]!)
                }
            }
            cloud.change { world in
                world.environments.append(
                    .init(
                        name: name, pathPattern: { if case .pathPattern(let p) = env.routing { return p } else { return nil } }(),
                        targetGroupArns: Dictionary(uniqueKeysWithValues: arns.map { ($0.key.rawValue, $0.value) }),
                        groups: Dictionary(uniqueKeysWithValues: env.autoScalingGroupNames.map { ($0.key.rawValue, $0.value) }),
                        ssmPrefix: env.ssmPrefix, floor: env.liveFloor,
                        maxSizes: ["blue": maxSize, "green": maxSize], requestsPerSecond: requestsPerSecond))
            }
        }
        if !cloud.routes().contains(where: { $0.kind == .listenerDefault }) {
            // Without prod the listeners still exist; their default action is a fixed 404.
            for port in [80, 443] {
                cloud.addRoute(.init(kind: .listenerDefault, arn: "arn:sim:listener/\(port)", listenerPort: port, weights: [:]))
            }
        }
        cloud.settle()
        return cloud
    }
}
