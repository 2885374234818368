import Deployment
import Foundation

/// What `ce init` prints: the proposed config as YAML a person reads and keeps (every decision it made said in a
/// comment, every question it could not answer as a commented line), its JSON document, and the summary of `--write`.
enum ProposalRenderer {
    static func yaml(
        _ proposal: ConfigurationProposal, command: String, validate: Invocation, defaults: DeploymentConfiguration.Defaults
    ) -> String {
        let scalar = ConfigShowCommand.yamlScalar
        var lines = [
            "# Proposed by '\(command)' from \(proposal.listenerCount) listener(s) and \(proposal.ruleCount) rule(s): "
                + "\(proposal.environments.count) environment(s).",
            "# Check each with '\(validate.command(environment: "ENV", "environment validate"))'.",
            "defaults:",
            "  loadBalancer: \(scalar(proposal.loadBalancer))",
        ]
        // The patterns init named by, where they are not the built-in ones (from --config's defaults).
        let builtIn = DeploymentConfiguration.Defaults()
        for (key, value, standard) in [
            ("targetGroupPattern", defaults.targetGroupPattern, builtIn.targetGroupPattern), ("asgPattern", defaults.asgPattern, builtIn.asgPattern),
            ("ssmPrefix", defaults.ssmPrefix, builtIn.ssmPrefix), ("previewHeader", defaults.previewHeader, builtIn.previewHeader),
        ] where value != standard {
            lines.append("  \(key): \(scalar(value))")
        }
        if !proposal.builtInNamesFit {
            lines.append("  # some names do not follow \(defaults.targetGroupPattern) / \(defaults.asgPattern): each environment names its groups")
        }
        lines.append(proposal.environments.isEmpty ? "environments: {}" : "environments:")
        for environment in proposal.environments {
            lines.append("  \(scalar(environment.name)):")
            let serving = "\(environment.routes.joined(separator: ", ")) → \(environment.targetGroups[environment.live] ?? "?") (\(environment.live.rawValue) serves)"
            lines += routingLines(environment.routing, comment: serving)
            if environment.sharesOneTargetGroup {
                lines.append(commented("    strategy: instances", "one target group: instances switch inside it"))
                lines.append("    targetGroup: \(scalar(environment.targetGroups[.blue] ?? ""))")
                lines.append("    autoScalingGroups: {blue: \(scalar(environment.autoScalingGroups[.blue] ?? "")), green: \(scalar(environment.autoScalingGroups[.green] ?? ""))}")
            } else if !proposal.builtInNamesFit {
                lines.append("    targetGroups: {blue: \(scalar(environment.targetGroups[.blue] ?? "")), green: \(scalar(environment.targetGroups[.green] ?? ""))}")
                lines.append("    autoScalingGroups: {blue: \(scalar(environment.autoScalingGroups[.blue] ?? "")), green: \(scalar(environment.autoScalingGroups[.green] ?? ""))}")
            }
            if let minimum = environment.minInstances {
                lines.append(commented("    minInstances: \(minimum)", "\(environment.autoScalingGroups[environment.live] ?? "?")'s MinSize today"))
            }
            if environment.sharesOneTargetGroup {
                // Previews forward to a colour's target group: instance switching has one for both.
            } else if environment.previews.isEmpty {
                lines.append("    # no preview rules (\(defaults.previewHeader): blue|green): a smoke hook or the gate through the load balancer needs them")
            } else {
                let found = Color.allCases.compactMap { color in environment.previews[color].map { "\(color.rawValue) \($0)" } }
                lines.append("    # previews: \(found.joined(separator: ", "))")
            }
            if !environment.ssmFound {
                let prefix = DeploymentConfiguration.expand(defaults.ssmPrefix, env: environment.name, color: nil)
                lines.append("    # \(prefix)active-color does not exist: set ssmPrefix if ce's parameters live elsewhere; else "
                    + "'\(validate.command(environment: environment.name, "environment switch --to \(environment.live.rawValue)"))' records the serving colour")
            }
        }
        if !proposal.singleGroups.isEmpty {
            lines.append("# Not blue/green yet: one target group and one Auto Scaling group. 'environment migrate' is not in this version;")
            lines.append("# by hand, create the other colour's target group and Auto Scaling group (empty), then run init again.")
            for single in proposal.singleGroups {
                lines.append("#  \(single.name):")
                let behind = single.autoScalingGroup.map { " (group \($0))" } ?? ""
                lines += routingLines(single.routing, comment: "\(single.route) → \(single.targetGroup)\(behind)").map { "# " + $0.dropFirst(1) }
            }
        }
        if !proposal.questions.isEmpty {
            lines.append("# Questions init could not decide:")
            lines += proposal.questions.map { "#   - \($0)" }
        }
        if !proposal.skipped.isEmpty {
            lines.append("# Not environments (left alone):")
            lines += proposal.skipped.map { "#   - \($0)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `routing:` (and `host:`, `listeners:`) of an environment, the first line carrying `comment`.
    private static func routingLines(_ routing: ConfigurationProposal.Routing, comment: String) -> [String] {
        let scalar = ConfigShowCommand.yamlScalar
        switch routing {
        case .listenerDefault(let ports):
            var lines = [commented("    routing: default", comment)]
            if !ports.isEmpty { lines.append("    listeners: [\(ports.map(String.init).joined(separator: ", "))]") }
            return lines
        case .path(let path):
            return [commented("    routing: \(scalar(path))", comment)]
        case .host(let host, let path):
            return [commented("    host: \(scalar(host))", comment)] + (path.map { ["    routing: \(scalar($0))"] } ?? [])
        }
    }

    /// `body` with `# comment` in a column of its own.
    private static func commented(_ body: String, _ comment: String) -> String {
        body.padding(toLength: max(body.count + 1, 36), withPad: " ", startingAt: 0) + "# " + comment
    }

    static func summary(_ proposal: ConfigurationProposal, file: String, validate: Invocation) -> String {
        var text = "Wrote \(file): \(proposal.environments.count) environment(s) (\(proposal.environments.map(\.name).joined(separator: ", ")))"
        if !proposal.singleGroups.isEmpty { text += ", \(proposal.singleGroups.count) not blue/green yet (in comments)" }
        if !proposal.questions.isEmpty { text += ", \(proposal.questions.count) question(s) in comments" }
        text += ". Nothing in AWS changed."
        if let first = proposal.environments.first {
            text += "\nNext: '\(validate.command(environment: first.name, "environment validate"))' (and each other environment)."
        }
        return text
    }

    /// `-o json` (docs/output.md); absent values are null.
    struct Document: Encodable {
        struct Environment: Encodable {
            var name: String
            var strategy: String
            var routing: String
            @NullEncoded var host: String?
            var listeners: [Int]
            var routes: [String]
            var targetGroups, autoScalingGroups: [String: String]
            var live: String
            @NullEncoded var minInstances: Int?
            var previews: [String: String]
            var ssmFound: Bool
        }
        struct Single: Encodable {
            var name, route, targetGroup: String
            @NullEncoded var autoScalingGroup: String?
        }
        var loadBalancer: String
        var environments: [Environment]
        var needsMigrate: [Single]
        var questions: [String]
        var skipped: [String]
        @NullEncoded var written: String?
        var yaml: String
    }

    static func document(_ proposal: ConfigurationProposal, yaml: String, written: String?) -> Document {
        func names(_ values: [Color: String]) -> [String: String] {
            Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value) })
        }
        return Document(
            loadBalancer: proposal.loadBalancer,
            environments: proposal.environments.map { environment in
                let (routing, host, listeners): (String, String?, [Int])
                switch environment.routing {
                case .listenerDefault(let ports): (routing, host, listeners) = ("default", nil, ports)
                case .path(let path): (routing, host, listeners) = (path, nil, [])
                case .host(let name, let path): (routing, host, listeners) = (path ?? "", name, [])
                }
                return .init(
                    name: environment.name, strategy: environment.sharesOneTargetGroup ? "instances" : "blue-green", routing: routing, host: host, listeners: listeners, routes: environment.routes,
                    targetGroups: names(environment.targetGroups), autoScalingGroups: names(environment.autoScalingGroups),
                    live: environment.live.rawValue, minInstances: environment.minInstances,
                    previews: names(environment.previews), ssmFound: environment.ssmFound)
            },
            needsMigrate: proposal.singleGroups.map { .init(name: $0.name, route: $0.route, targetGroup: $0.targetGroup, autoScalingGroup: $0.autoScalingGroup) },
            questions: proposal.questions, skipped: proposal.skipped, written: written, yaml: yaml)
    }
}
