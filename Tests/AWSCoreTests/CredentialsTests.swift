import Foundation
import Synchronization
import Testing

@testable import AWSCore
import TestPredicates

/// A temporary HOME with `~/.aws/credentials` and `~/.aws/config`.
struct TemporaryAWSHome {
    let path: String
    init(credentials: String? = nil, config: String? = nil) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("ce-home-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path + "/.aws", withIntermediateDirectories: true)
        if let credentials { try credentials.write(toFile: path + "/.aws/credentials", atomically: true, encoding: .utf8) }
        if let config { try config.write(toFile: path + "/.aws/config", atomically: true, encoding: .utf8) }
    }
    var environment: [String: String] { ["HOME": path, "AWS_EC2_METADATA_DISABLED": "true"] }
}

/// Records AssumeRole requests and answers with derived credentials.
final class RecordingRoleAssumer: RoleAssumer {
    let calls = Mutex<[(roleArn: String, sourceKey: String, externalId: String?, region: String)]>([])
    func assumeRole(
        roleArn: String, sessionName: String, externalId: String?, durationSeconds: Int?,
        using credentials: AWSCredentials, region: String
    ) async throws -> AWSCredentials {
        calls.withLock { $0.append((roleArn, credentials.accessKeyId, externalId, region)) }
        return AWSCredentials(
            accessKeyId: "ASIA-\(roleArn.split(separator: "/").last!)", secretAccessKey: "role-secret",
            sessionToken: "role-token", expiration: Date(timeIntervalSince1970: 1_800_003_600))
    }
}

struct CredentialsTests {
    func resolve(_ settings: AWSSettings, roleAssumer: (any RoleAssumer)? = nil) async throws -> AWSConfiguration {
        try await AWSConfiguration.resolve(settings, transport: AsyncHTTPClientTransport(), roleAssumer: roleAssumer, clock: ManualClock())
    }

    @Test func environmentVariables() async throws {
        let home = try TemporaryAWSHome()
        var environment = home.environment
        environment["AWS_ACCESS_KEY_ID"] = "AKIDENV"
        environment["AWS_SECRET_ACCESS_KEY"] = "env-secret"
        environment["AWS_SESSION_TOKEN"] = "env-token"
        environment["AWS_REGION"] = "eu-west-1"
        let configuration = try await resolve(AWSSettings(environment: environment))
        #expect(try await configuration.credentialChain.credentials() == AWSCredentials(accessKeyId: "AKIDENV", secretAccessKey: "env-secret", sessionToken: "env-token"))
        #expect(await configuration.credentialChain.sourceDescription == "environment variables")
        #expect(configuration.region == "eu-west-1")
        #expect(configuration.regionSource == "AWS_REGION")

        environment["AWS_SECRET_ACCESS_KEY"] = nil
        let incomplete = try await resolve(AWSSettings(environment: environment))
        await #expect(throws: CredentialsError.incompleteEnvironment(missing: "AWS_SECRET_ACCESS_KEY")) {
            _ = try await incomplete.credentialChain.credentials()
        }
    }

    @Test func sharedFilesWithProfiles() async throws {
        let home = try TemporaryAWSHome(
            credentials: """
                # keys
                [default]
                aws_access_key_id = AKIDDEFAULT
                aws_secret_access_key = default-secret

                [ops]
                aws_access_key_id=AKIDOPS
                aws_secret_access_key=ops-secret ; trailing comment
                aws_session_token = ops-token
                """,
            config: """
                [default]
                region = us-west-2

                [profile ops]
                region = eu-central-1
                s3 =
                  max_concurrent_requests = 20
                aws_access_key_id = AKIDOVERRIDDEN
                """)
        let defaults = try await resolve(AWSSettings(environment: home.environment))
        #expect(try await defaults.credentialChain.credentials().accessKeyId == "AKIDDEFAULT")
        #expect(defaults.region == "us-west-2")
        #expect(defaults.regionSource == "profile default")

        let ops = try await resolve(AWSSettings(profile: "ops", environment: home.environment))
        #expect(try await ops.credentialChain.credentials() == AWSCredentials(accessKeyId: "AKIDOPS", secretAccessKey: "ops-secret", sessionToken: "ops-token"))
        #expect(ops.region == "eu-central-1")
        #expect(await ops.credentialChain.sourceDescription == "shared config files (profile ops)")

        var environment = home.environment
        environment["AWS_PROFILE"] = "ops"
        environment["AWS_REGION"] = "ap-southeast-2"
        let fromVariable = try await resolve(AWSSettings(environment: environment))
        #expect(try await fromVariable.credentialChain.credentials().accessKeyId == "AKIDOPS")
        #expect(fromVariable.region == "ap-southeast-2")
        let fromFlag = try await resolve(AWSSettings(region: "sa-east-1", environment: environment))
        #expect(fromFlag.region == "sa-east-1")
    }

    @Test func explicitProfileWinsOverEnvironmentKeys() async throws {
        let home = try TemporaryAWSHome(credentials: "[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = s\n")
        var environment = home.environment
        environment["AWS_ACCESS_KEY_ID"] = "AKIDENV"
        environment["AWS_SECRET_ACCESS_KEY"] = "env-secret"
        environment["AWS_REGION"] = "us-east-1"
        #expect(try await resolve(AWSSettings(environment: environment)).credentialChain.credentials().accessKeyId == "AKIDENV")
        #expect(try await resolve(AWSSettings(profile: "ops", environment: environment)).credentialChain.credentials().accessKeyId == "AKIDOPS")
    }

    @Test func unknownProfileIsAnErrorAtOnce() async throws {
        let home = try TemporaryAWSHome(credentials: "[default]\naws_access_key_id = A\naws_secret_access_key = s\n")
        await #expect(throws: CredentialsError.unknownProfile("nope")) {
            _ = try await resolve(AWSSettings(region: "us-east-1", profile: "nope", environment: home.environment))
        }
        var environment = home.environment
        environment["AWS_PROFILE"] = "also-nope"
        await #expect(throws: CredentialsError.unknownProfile("also-nope")) {
            _ = try await resolve(AWSSettings(region: "us-east-1", environment: environment))
        }
    }

    @Test func malformedFilesNameTheLine() async throws {
        let home = try TemporaryAWSHome(credentials: "[default]\naws_access_key_id = A\nthis line is wrong\n")
        do {
            _ = try await resolve(AWSSettings(region: "us-east-1", environment: home.environment))
            Issue.record("expected an error")
        } catch let error as CredentialsError {
            guard case .malformedFile(let path, let line, _) = error else { Issue.record("\(error)"); return }
            #expect(path.hasSuffix("/.aws/credentials"))
            #expect(line == 3)
            #expect(error.description.contains("line 3"))
        }
        #expect(throws: CredentialsError.self) { try INIFile.parse("key = value\n", path: "f") }
        #expect(throws: CredentialsError.self) { try INIFile.parse("[broken\n", path: "f") }
    }

    @Test func customFileLocations() async throws {
        let home = try TemporaryAWSHome()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ce-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "[team]\naws_access_key_id = AKIDCUSTOM\naws_secret_access_key = s\n".write(to: directory.appendingPathComponent("creds"), atomically: true, encoding: .utf8)
        try "[profile team]\nregion = ca-central-1\n".write(to: directory.appendingPathComponent("conf"), atomically: true, encoding: .utf8)
        var environment = home.environment
        environment["AWS_SHARED_CREDENTIALS_FILE"] = directory.appendingPathComponent("creds").path
        environment["AWS_CONFIG_FILE"] = directory.appendingPathComponent("conf").path
        let configuration = try await resolve(AWSSettings(profile: "team", environment: environment))
        #expect(try await configuration.credentialChain.credentials().accessKeyId == "AKIDCUSTOM")
        #expect(configuration.region == "ca-central-1")
    }

    @Test func roleChainsThroughSourceProfiles() async throws {
        let home = try TemporaryAWSHome(
            credentials: "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n",
            config: """
                [profile middle]
                role_arn = arn:aws:iam::111111111111:role/middle
                source_profile = base
                region = eu-west-1

                [profile deployer]
                role_arn = arn:aws:iam::222222222222:role/deployer
                source_profile = middle
                external_id = ext-42

                [profile loop-a]
                role_arn = arn:aws:iam::1:role/a
                source_profile = loop-b

                [profile loop-b]
                role_arn = arn:aws:iam::1:role/b
                source_profile = loop-a

                [profile dangling]
                role_arn = arn:aws:iam::1:role/d
                """)
        let assumer = RecordingRoleAssumer()
        let configuration = try await resolve(AWSSettings(region: "us-east-1", profile: "deployer", environment: home.environment), roleAssumer: assumer)
        let credentials = try await configuration.credentialChain.credentials()
        #expect(credentials.accessKeyId == "ASIA-deployer")
        let calls = assumer.calls.withLock { $0 }
        #expect(calls.map(\.roleArn) == ["arn:aws:iam::111111111111:role/middle", "arn:aws:iam::222222222222:role/deployer"])
        #expect(calls.map(\.sourceKey) == ["AKIDBASE", "ASIA-middle"])
        #expect(calls.map(\.externalId) == [nil, "ext-42"])
        #expect(calls.map(\.region) == ["eu-west-1", "us-east-1"])

        let looping = try await resolve(AWSSettings(region: "us-east-1", profile: "loop-a", environment: home.environment), roleAssumer: assumer)
        await #expect(throws: CredentialsError.profileCycle(["loop-a", "loop-b", "loop-a"])) {
            _ = try await looping.credentialChain.credentials()
        }
        let dangling = try await resolve(AWSSettings(region: "us-east-1", profile: "dangling", environment: home.environment), roleAssumer: assumer)
        await #expect(throws: CredentialsError.self) { _ = try await dangling.credentialChain.credentials() }
    }

    @Test func containerCredentialsFromAFullURIWithAToken() async throws {
        let server = try FakeMetadataServer()
        let home = try TemporaryAWSHome()
        let tokenFile = home.path + "/token"
        try "container-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        var environment = home.environment
        environment["AWS_REGION"] = "us-east-1"
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "\(server.url)/container/credentials"
        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = tokenFile
        let configuration = try await resolve(AWSSettings(environment: environment))
        let credentials = try await configuration.credentialChain.credentials()
        #expect(credentials.accessKeyId == "ASIACONTAINER0001")
        #expect(credentials.sessionToken == "container-session")
        #expect(credentials.expiration != nil)
        #expect(await configuration.credentialChain.sourceDescription == "container credentials endpoint")

        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = nil
        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "wrong"
        let unauthorized = try await resolve(AWSSettings(environment: environment))
        await #expect(throws: CredentialsError.sourceFailed(source: "container credentials endpoint", reason: "HTTP 401")) {
            _ = try await unauthorized.credentialChain.credentials()
        }
    }

    @Test func containerURIsAreValidatedWithoutAnyRequest() throws {
        let relative = ContainerCredentialProvider(
            environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"], transport: ScriptedTransport([]))
        #expect(try relative.endpointURL()?.absoluteString == "http://169.254.170.2/v2/credentials/abc")
        let remote = ContainerCredentialProvider(
            environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://198.51.100.7/creds"], transport: ScriptedTransport([]))
        #expect(throws: CredentialsError.self) { try remote.endpointURL() }
        let none = ContainerCredentialProvider(environment: [:], transport: ScriptedTransport([]))
        #expect(try none.endpointURL() == nil)
    }

    @Test func instanceMetadataWithIMDSv2() async throws {
        let server = try FakeMetadataServer()
        let home = try TemporaryAWSHome()
        var environment = home.environment
        environment["AWS_EC2_METADATA_DISABLED"] = nil
        environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = server.url
        let configuration = try await resolve(AWSSettings(environment: environment))
        #expect(configuration.region == "eu-west-2")
        #expect(configuration.regionSource == "EC2 instance metadata")
        let credentials = try await configuration.credentialChain.credentials()
        #expect(credentials.accessKeyId == "ASIAIMDSROLE00001")
        #expect(credentials.sessionToken == "imds-session")
        #expect(await configuration.credentialChain.sourceDescription == "EC2 instance metadata")

        let log = try await server.log()
        #expect(log.filter { $0.method == "PUT" }.isNonEmptyAndAll { $0.headers["x-aws-ec2-metadata-token-ttl-seconds"] == "21600" })
        #expect(log.filter { $0.method == "GET" }.isNonEmptyAndAll { $0.headers["x-aws-ec2-metadata-token"] == "imds-session-token" })
        #expect(log.contains { $0.path == "/latest/meta-data/iam/security-credentials/ce-admin-role" })
    }

    @Test func instanceWithoutARoleSaysSo() async throws {
        let server = try FakeMetadataServer()
        let provider = InstanceMetadataCredentialProvider(
            metadata: InstanceMetadataClient(
                environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "\(server.url)/norole"], transport: AsyncHTTPClientTransport()))
        await #expect(throws: CredentialsError.sourceFailed(source: "EC2 instance metadata", reason: "this instance has no IAM role attached")) {
            _ = try await provider.credentialsIfAvailable()
        }
    }

    @Test func metadataDisabledOrAbsentMeansNoCredentialsAndNoRegion() async throws {
        let transport = ScriptedTransport([])
        let disabled = InstanceMetadataCredentialProvider(
            metadata: InstanceMetadataClient(environment: ["AWS_EC2_METADATA_DISABLED": "true"], transport: transport))
        #expect(try await disabled.credentialsIfAvailable() == nil)
        #expect(transport.requests.isEmpty)

        // A closed port on 127.0.0.1: nothing answers, as off EC2.
        let absent = InstanceMetadataCredentialProvider(
            metadata: InstanceMetadataClient(
                environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9"], transport: AsyncHTTPClientTransport()))
        #expect(try await absent.credentialsIfAvailable() == nil)

        let home = try TemporaryAWSHome()
        await #expect(throws: AWSClientError.missingRegion) { _ = try await resolve(AWSSettings(environment: home.environment)) }
        let configuration = try await resolve(AWSSettings(region: "us-east-1", environment: home.environment))
        do {
            _ = try await configuration.credentialChain.credentials()
            Issue.record("expected no credentials")
        } catch let error as CredentialsError {
            guard case .noCredentials(let tried) = error else { Issue.record("\(error)"); return }
            #expect(tried == ["environment variables", "shared config files (profile default)", "container credentials endpoint", "EC2 instance metadata"])
        }
    }

    @Test func cachesUntilFiveMinutesBeforeExpiry() async throws {
        final class Counting: OptionalCredentialProvider {
            let count = Mutex(0)
            let clock: ManualClock
            init(clock: ManualClock) { self.clock = clock }
            var name: String { "counting" }
            func credentialsIfAvailable() async throws -> AWSCredentials? {
                let n = count.withLock { value -> Int in
                    value += 1
                    return value
                }
                return AWSCredentials(accessKeyId: "K\(n)", secretAccessKey: "s", expiration: clock.now().addingTimeInterval(3600))
            }
        }
        let clock = ManualClock()
        let provider = Counting(clock: clock)
        let chain = CredentialProviderChain(providers: [provider], clock: clock)
        async let a = chain.credentials()
        async let b = chain.credentials()
        #expect(try await [a.accessKeyId, b.accessKeyId] == ["K1", "K1"])
        clock.advance(by: 3600 - 301)
        #expect(try await chain.credentials().accessKeyId == "K1")
        clock.advance(by: 2)
        #expect(try await chain.credentials().accessKeyId == "K2")
        #expect(provider.count.withLock { $0 } == 2)
    }

    @Test func errorsNeverContainSecrets() async throws {
        let home = try TemporaryAWSHome(credentials: "[default]\naws_secret_access_key = super-secret-value\n")
        let configuration = try await resolve(AWSSettings(region: "us-east-1", environment: home.environment))
        do {
            _ = try await configuration.credentialChain.credentials()
            Issue.record("expected an error")
        } catch {
            #expect(String(describing: error).contains("aws_access_key_id is missing"))
            #expect(!String(describing: error).contains("super-secret-value"))
        }
    }
}
