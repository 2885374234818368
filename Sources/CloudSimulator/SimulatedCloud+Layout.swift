import Deployment

extension SimulatedCloud {
    /// Reads `environment` from this cloud, as `EnvironmentStatusReader` does from AWS.
    public func statusReader(for environment: EnvironmentConfiguration) -> EnvironmentStatusReader {
        EnvironmentStatusReader(environment: environment, loadBalancer: self, scalingGroups: self, parameters: self)
    }

    /// The design document's layout, as `ce`'s built-in configuration names it: listeners on 80 and 443 whose
    /// default actions forward to Prod-Blue, a `/{env}*` rule per other environment on each listener, blue live
    /// everywhere at `version`, green at 0. Instances of every version are healthy unless told otherwise.
    public static func designDocument(
        environments: [String] = ["prod", "beta", "staging"], version: String = "v1",
        configuration: DeploymentConfiguration = .builtIn
    ) throws -> SimulatedCloud {
        let cloud = SimulatedCloud()
        var rulePriority = 1
        for name in environments {
            let env = try configuration.environment(name)
            var arns: [Color: String] = [:]
            for color in Color.allCases { arns[color] = cloud.addTargetGroup(name: env.targetGroupNames[color]!) }
            switch env.routing {
            case .listenerDefault:
                for port in [80, 443] {
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
            for color in Color.allCases {
                let size = color == .blue ? env.liveFloor : 0
                cloud.addGroup(
                    name: env.autoScalingGroupNames[color]!, minSize: color == .blue ? env.minInstances : 0, desiredCapacity: size,
                    maxSize: 24, targetGroupArn: arns[color]!, tags: ["Environment": name, "Color": color.rawValue],
                    versionParameter: names.version(of: color))
            }
        }
        cloud.settle()
        return cloud
    }
}
