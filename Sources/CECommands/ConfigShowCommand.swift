import ArgumentParser
import Deployment
import Foundation

/// `ce config …`.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Show the effective configuration.", subcommands: [ConfigShowCommand.self])
}

/// `ce config show`: every environment with its resolved resource names.
struct ConfigShowCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print the effective configuration (from --config, ./ce.yaml, ~/.config/ce/config.yaml or built-in).")

    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    @Flag(help: "Print the inputs of terraform/modules/blue_green for these environments (HCL), with ce's names.")
    var terraform = false

    struct Document: Encodable {
        struct Environment: Encodable {
            var name, loadBalancer, routing, ssmPrefix, strategy: String
            var host: String?
            var listeners: [Int]
            var rules: [String]
            var previewHeader: String
            var targetGroups, autoScalingGroups: [String: String]
            var minInstances: Int
            var health: [String: String]
            var bake: String
            var alarms: [String]
            /// Canary and linear: the shares of traffic on the new colour at each step, the step bake, stickiness.
            var steps: [Int]?
            var stepBake: String?
            var stickiness: String?
            /// Hooks by point: each its argv, timeout and (postSwitch) whether a failure rolls back.
            var hooks: [String: [Hook]]
            struct Hook: Encodable {
                var run: [String]
                var timeout: String
                var onFailure: String?
            }
        }
        var source: String
        var environments: [Environment]
    }

    func run() async throws {
        let options = self.options
        let configuration: DeploymentConfiguration
        do {
            configuration = try options.deploymentConfiguration()
        } catch {
            throw CommandFailure.report(error)
        }
        var names = configuration.environments.keys.sorted()
        if let env = options.env {
            do {
                _ = try configuration.environment(env)
            } catch {
                throw CommandFailure.report(error)
            }
            names = [env]
        }
        if terraform {
            print(TerraformRenderer.hcl(configuration, names: names), terminator: "")
            return
        }
        let document = Document(
            source: configuration.source,
            environments: names.map { name in
                let e = configuration.environments[name]!
                let routing: String
                switch e.routing.match {
                case .listenerDefault: routing = "default"
                case .rule(let path, _): routing = path ?? "-"
                }
                return .init(
                    name: name, loadBalancer: e.loadBalancerName, routing: routing, ssmPrefix: e.ssmPrefix, strategy: e.strategy.rawValue,
                    host: e.routing.host, listeners: e.routing.listenerPorts,
                    rules: e.routing.pinnedRules.map { if case .priority(let p) = $0 { String(p) } else { $0.description } },
                    previewHeader: e.routing.previewHeader,
                    targetGroups: ["blue": e.targetGroupNames.blue, "green": e.targetGroupNames.green],
                    autoScalingGroups: ["blue": e.autoScalingGroupNames.blue, "green": e.autoScalingGroupNames.green],
                    minInstances: e.minInstances,
                    health: [
                        "path": e.health.path, "port": String(e.health.port), "timeout": "\(e.health.timeoutSeconds)s",
                        "poll": "\(e.health.pollSeconds)s", "stable": "\(e.health.stableSeconds)s",
                    ], bake: "\(e.bakeSeconds)s", alarms: e.alarms,
                    steps: (try? e.canary.steps(for: e.strategy))??.percentages,
                    stepBake: e.strategy.splitsTraffic ? "\(e.canary.stepBakeSeconds)s" : nil,
                    stickiness: e.strategy.splitsTraffic ? e.canary.stickinessSeconds.map { "\($0)s" } : nil,
                    hooks: Dictionary(uniqueKeysWithValues: e.hooks.byPoint.map { point, hooks in
                        (point.rawValue, hooks.map { .init(run: $0.argv, timeout: "\($0.timeoutSeconds)s", onFailure: point == .postSwitch ? ($0.continueOnFailure ? "continue" : "rollback") : nil) })
                    }))
            })
        switch options.outputFormat {
        case .json, .ndjson:
            print(try JSONOutput.string(document, format: options.outputFormat))
        case .text:
            print("# source: \(document.source)")
            for e in document.environments {
                print("\(e.name):")
                print("  loadBalancer: \(e.loadBalancer)")
                print("  routing: \(e.routing == "default" ? "default   # each listener's default action that forwards" : e.routing)")
                if let host = e.host { print("  host: \(host)") }
                if !e.listeners.isEmpty { print("  listeners: [\(e.listeners.map(String.init).joined(separator: ", "))]") }
                if !e.rules.isEmpty { print("  rules: [\(e.rules.joined(separator: ", "))]") }
                print("  previewHeader: \(e.previewHeader)")
                if e.targetGroups["blue"] == e.targetGroups["green"] {
                    print("  targetGroup: \(e.targetGroups["blue"]!)   # one group: instance switching")
                } else {
                    print("  targetGroups: {blue: \(e.targetGroups["blue"]!), green: \(e.targetGroups["green"]!)}")
                }
                print("  autoScalingGroups: {blue: \(e.autoScalingGroups["blue"]!), green: \(e.autoScalingGroups["green"]!)}")
                print("  ssmPrefix: \(e.ssmPrefix)")
                print("  minInstances: \(e.minInstances)")
                print("  strategy: \(e.strategy)")
                if let steps = e.steps {
                    print("  steps: [\(steps.map(String.init).joined(separator: ", "))]   # % of traffic on the new colour")
                    print("  stepBake: \(e.stepBake ?? "-")")
                    if let stickiness = e.stickiness { print("  stickiness: \(stickiness)") }
                }
                print("  health: {path: \(e.health["path"]!), port: \(e.health["port"]!), timeout: \(e.health["timeout"]!), poll: \(e.health["poll"]!), stable: \(e.health["stable"]!)}")
                print("  bake: \(e.bake)")
                print("  alarms: [\(e.alarms.map { "\"\($0)\"" }.joined(separator: ", "))]")
                if !e.hooks.isEmpty {
                    print("  hooks:")
                    for point in HookPoint.allCases {
                        for hook in e.hooks[point.rawValue] ?? [] {
                            print("    \(point.rawValue): {run: [\(hook.run.map(Self.yamlScalar).joined(separator: ", "))], timeout: \(hook.timeout)\(hook.onFailure.map { ", onFailure: \($0)" } ?? "")}")
                        }
                    }
                }
            }
        }
    }
}

extension ConfigShowCommand {
    /// A string as a YAML flow scalar that reads back as the same string: plain when it holds nothing YAML would read
    /// otherwise, else double-quoted with escapes — so that what `config show` prints can be pasted into a config.
    static func yamlScalar(_ value: String) -> String {
        let plain = !value.isEmpty && value.allSatisfy { $0.isLetter || $0.isNumber || "-_./@%+=".contains($0) }
            && !["true", "false", "yes", "no", "on", "off", "null", "~"].contains(value.lowercased()) && Double(value) == nil
        if plain { return value }
        var escaped = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            default:
                if scalar.value < 0x20 { escaped += String(format: "\\x%02X", scalar.value) } else { escaped.unicodeScalars.append(scalar) }
            }
        }
        return "\"\(escaped)\""
    }
}
