import Foundation
import Testing

struct DoctorCommandTests {
    let keys = ["AWS_ACCESS_KEY_ID": "AKIAEXAMPLEKEY01234", "AWS_SECRET_ACCESS_KEY": "never-print-this-secret", "AWS_SESSION_TOKEN": "never-print-this-token"]

    @Test func versionAndHelp() throws {
        let home = try CLI.temporaryHome()
        let version = try CLI.run(["--version"], environment: CLI.environment(home: home))
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
        let help = try CLI.run(["--help"], environment: CLI.environment(home: home))
        #expect(help.status == 0)
        #expect(help.stdout.contains("doctor"))
        #expect(help.stdout.contains("--endpoint-url"))
    }

    @Test func missingRegionIsOneClearLine() throws {
        let home = try CLI.temporaryHome()
        let result = try CLI.run(["doctor", "--endpoint-url", "http://127.0.0.1:9"], environment: CLI.environment(home: home, keys))
        #expect(result.status == 1)
        let failures = result.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL") }
        #expect(failures.count == 1)
        #expect(failures.first?.contains("No AWS region is set. Pass --region") == true)
        #expect(!result.all.contains("never-print"))
    }

    @Test func unknownProfileAndMalformedFile() throws {
        let home = try CLI.temporaryHome()
        let unknown = try CLI.run(["doctor", "--region", "us-east-1", "--profile", "nope"], environment: CLI.environment(home: home))
        #expect(unknown.status == 1)
        #expect(unknown.stdout.contains("The AWS profile 'nope' is not defined"))

        try "[default]\naws_access_key_id = AKIAFILE\ngarbage here\naws_secret_access_key = never-print-this-secret\n"
            .write(toFile: home + "/.aws/credentials", atomically: true, encoding: .utf8)
        let malformed = try CLI.run(["doctor", "--region", "us-east-1"], environment: CLI.environment(home: home))
        #expect(malformed.status == 1)
        #expect(malformed.stdout.contains(".aws/credentials line 3"))
        #expect(!malformed.all.contains("never-print"))
        #expect(!malformed.all.contains("Stack") && !malformed.all.contains("Fatal"))
    }

    @Test func unreachableEndpointFailsFastAndSaysWhere() throws {
        let home = try CLI.temporaryHome()
        let result = try CLI.run(
            ["--endpoint-url", "http://127.0.0.1:9", "doctor", "--region", "us-east-1"], environment: CLI.environment(home: home, keys))
        #expect(result.status == 1)
        #expect(result.stdout.contains("could not reach http://127.0.0.1:9: connection refused"))
        #expect(result.stdout.contains("ok   credentials"))
        #expect(result.stdout.contains("access key ***************1234, temporary"))
        #expect(!result.all.contains("never-print"))
        #expect(!result.all.contains("AKIAEXAMPLEKEY"))
    }

    @Test func badEndpointURLIsOneLine() throws {
        let home = try CLI.temporaryHome()
        let result = try CLI.run(["doctor", "--region", "us-east-1", "--endpoint-url", "ftp://127.0.0.1"], environment: CLI.environment(home: home, keys))
        #expect(result.status == 1)
        #expect(result.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL") }.count == 1)
        #expect(result.stdout.contains("the scheme must be http or https"))
    }

    @Test(.enabled(if: CLI.motoEndpoint != nil, "CE_MOTO_ENDPOINT is not set"))
    func allChecksPassAgainstMoto() throws {
        let home = try CLI.temporaryHome()
        let result = try CLI.run(
            ["doctor", "--endpoint-url", CLI.motoEndpoint!, "--region", "us-east-1", "--verbose"],
            environment: CLI.environment(home: home, keys))
        #expect(result.status == 0, "\(result.all)")
        #expect(result.stdout.contains("All checks passed."))
        for service in ["STS", "ELBv2", "AutoScaling", "EC2", "SSM", "CloudWatch"] {
            #expect(result.stdout.contains("ok   endpoint \(service)"))
        }
        #expect(result.stdout.contains("arn:aws:sts::123456789012:user/moto"))
        #expect(result.stderr.contains("STS GetCallerIdentity 200 "), "verbose logs each call: service, operation, status, time")
        #expect(result.stderr.range(of: #"ELBv2 DescribeLoadBalancers 200 \d+ ms \(round 1\)"#, options: .regularExpression) != nil)
        #expect(!result.all.contains("never-print"))

        let json = try CLI.run(
            ["--output", "json", "doctor", "--endpoint-url", CLI.motoEndpoint!, "--region", "us-east-1"],
            environment: CLI.environment(home: home, keys))
        #expect(json.status == 0)
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(document?["passed"] as? Bool == true)
        #expect(document?["region"] as? String == "us-east-1")
        #expect(document?["credentialSource"] as? String == "environment variables")
    }

    @Test(.enabled(if: CLI.motoEndpoint != nil, "CE_MOTO_ENDPOINT is not set"))
    func assumesARoleThroughASourceProfile() throws {
        let home = try CLI.temporaryHome()
        try "[base]\naws_access_key_id = AKIABASEPROFILE0001\naws_secret_access_key = never-print-this-secret\n"
            .write(toFile: home + "/.aws/credentials", atomically: true, encoding: .utf8)
        try "[profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/ce-deployer\nsource_profile = base\nregion = us-east-1\n"
            .write(toFile: home + "/.aws/config", atomically: true, encoding: .utf8)
        let result = try CLI.run(
            ["doctor", "--profile", "deployer", "--endpoint-url", CLI.motoEndpoint!], environment: CLI.environment(home: home))
        #expect(result.status == 0, "\(result.all)")
        #expect(result.stdout.contains("shared config files (profile deployer)"))
        #expect(result.stdout.contains("temporary, expires"))
        #expect(result.stdout.contains("region                us-east-1 (from profile deployer)"))
        #expect(result.stdout.contains("assumed-role/ce-deployer"))
        #expect(!result.all.contains("never-print"))
    }
}
