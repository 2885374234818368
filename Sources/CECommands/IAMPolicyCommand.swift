import ArgumentParser
import Deployment
import DeploymentAWS
import Foundation

/// `ce iam-policy`: the IAM policy the tool needs for the configured environments, to attach to the role it runs as.
struct IAMPolicyCommand: GlobalOptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "iam-policy",
        abstract: "Print the IAM policy ce needs: exactly the actions it may call, scoped to the environments' resources.",
        discussion: """
            For every environment of the configuration, or the one --env names. Resources are the environments' load \
            balancers (listeners and rules), target groups, Auto Scaling groups and SSM parameter paths; the Describe \
            calls, which IAM only grants on '*', are in a statement of their own. --region and --account fill the ARNs \
            (default '*'). The policy is JSON whatever --output says. A profile that assumes a role needs sts:AssumeRole \
            on its source identity, not in this policy.
            """)

    @Option(help: "The AWS account id the ARNs name (12 digits; default '*').") var account: String?
    @OptionGroup var localGlobal: GlobalOptions
    @ParentCommand var root: CERootCommand

    mutating func validate() throws {
        if let account, account.count != 12 || !account.allSatisfy(\.isNumber) {
            throw ValidationError("--account must be a 12-digit AWS account id, e.g. --account 123456789012.")
        }
    }

    func run() async throws {
        let options = self.options
        let environments: [EnvironmentConfiguration]
        do {
            let configuration = try options.deploymentConfiguration()
            if let env = options.env {
                environments = [try configuration.environment(env)]
            } else {
                environments = configuration.environments.keys.sorted().compactMap { configuration.environments[$0] }
            }
        } catch {
            throw CommandFailure.report(error)
        }
        let policy = IAMPolicy.make(environments: environments, region: options.region, account: account)
        print(try JSONOutput.string(policy))
    }
}
