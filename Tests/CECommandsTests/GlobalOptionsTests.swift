import AWSCore
import ArgumentParser
import Testing

@testable import CECommands

struct GlobalOptionsTests {
    func doctorOptions(_ arguments: [String]) throws -> GlobalOptions {
        let command = try CERootCommand.parseAsRoot(arguments)
        let doctor = try #require(command as? DoctorCommand)
        return doctor.options
    }

    @Test(arguments: [
        ["--endpoint-url", "http://127.0.0.1:5000", "--region", "eu-west-1", "--profile", "ops", "doctor"],
        ["doctor", "--endpoint-url", "http://127.0.0.1:5000", "--region", "eu-west-1", "--profile", "ops"],
        ["--region", "eu-west-1", "doctor", "--profile", "ops", "--endpoint-url", "http://127.0.0.1:5000"],
    ])
    func globalOptionsWorkOnEitherSideOfTheSubcommand(_ arguments: [String]) throws {
        let options = try doctorOptions(arguments)
        #expect(options.endpointURL == "http://127.0.0.1:5000")
        #expect(options.region == "eu-west-1")
        #expect(options.profile == "ops")
    }

    @Test func theValueAfterTheSubcommandWins() throws {
        let options = try doctorOptions(["--region", "us-east-1", "--output", "json", "doctor", "--region", "eu-west-2", "--verbose"])
        #expect(options.region == "eu-west-2")
        #expect(options.outputFormat == .json)
        #expect(options.verbose)
    }

    @Test func retriesAndTimeoutsReachTheAWSSettings() throws {
        let options = try doctorOptions(["--max-attempts", "3", "doctor", "--connect-timeout", "1.5", "--request-timeout", "45"])
        let settings = options.awsSettings(environment: [:])
        #expect(settings.retryPolicy.maxAttempts == 3)
        #expect(settings.timeouts.connect == .milliseconds(1500))
        #expect(settings.timeouts.request == .seconds(45))
        let defaults = try doctorOptions(["doctor"]).awsSettings(environment: [:])
        #expect(defaults.retryPolicy == RetryPolicy())
        #expect(defaults.timeouts == Timeouts())
    }

    @Test func badValuesAreRejectedByTheParser() {
        #expect(throws: (any Error).self) { try CERootCommand.parseAsRoot(["doctor", "--max-attempts", "0"]) }
        #expect(throws: (any Error).self) { try CERootCommand.parseAsRoot(["--request-timeout", "-1", "doctor"]) }
        #expect(throws: (any Error).self) { try CERootCommand.parseAsRoot(["doctor", "--output", "xml"]) }
        #expect(throws: (any Error).self) { try CERootCommand.parseAsRoot(["doctor", "--no-such-option"]) }
    }
}
