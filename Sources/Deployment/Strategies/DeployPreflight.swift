/// Refusals every strategy that deploys to the idle colour shares (blue-green, canary, linear, instances).
enum DeployPreflight {
    /// Refuses when a bake period would watch alarms that do not exist.
    static func checkBakeAlarms(_ env: EnvironmentConfiguration, target: Color, status: EnvironmentStatus, bakeSeconds: Int) throws {
        guard bakeSeconds > 0 else { return }
        let missing = env.alarmNames(for: target).filter { status.alarms[$0] == nil || status.alarms[$0] == "missing" }
        if !missing.isEmpty {
            throw Refusal("The bake period would watch alarm\(missing.count == 1 ? "" : "s") that do not exist: \(missing.joined(separator: ", ")). Nothing changed; create them or fix 'alarms' in the config.")
        }
    }

    /// The new colour's size: `--capacity`, else the live colour's (at least the live floor); refused below the floor
    /// unless forced.
    static func capacity(_ options: DeployOptions, liveGroup: ScalingGroupSnapshot, env: EnvironmentConfiguration) throws -> Int {
        let capacity = options.capacity ?? max(liveGroup.desiredCapacity, env.liveFloor)
        guard capacity >= 1 else { throw Refusal("--capacity must be at least 1. Nothing changed.") }
        if capacity < env.liveFloor && !options.force {
            throw Refusal("--capacity \(capacity) is below \(env.name)'s live floor of \(env.liveFloor) (max(1, min instances)): all its traffic would rest on fewer instances through the bake. Nothing changed; give --capacity \(env.liveFloor) or more, or --force.")
        }
        return capacity
    }

    /// The colour deployed to (the one not serving; `--target` must name it) and both colours' Auto Scaling groups.
    static func colours(
        _ snapshot: EnvironmentSnapshot, live: Color, options: DeployOptions
    ) throws -> (target: Color, liveGroup: ScalingGroupSnapshot, targetGroup: ScalingGroupSnapshot) {
        let env = snapshot.environment
        let target = live.other
        if let wanted = options.target, wanted != target {
            throw Refusal("--target \(wanted.rawValue) is the colour serving \(env.name); a deploy goes to the inactive colour (\(target.rawValue)). Nothing changed.")
        }
        guard let liveGroup = snapshot.groups[env.autoScalingGroupNames[live]] else {
            throw DeploymentError.missingAutoScalingGroup(env.autoScalingGroupNames[live])
        }
        guard let targetGroup = snapshot.groups[env.autoScalingGroupNames[target]] else {
            throw DeploymentError.missingAutoScalingGroup(env.autoScalingGroupNames[target])
        }
        return (target, liveGroup, targetGroup)
    }
}
