import Foundation
import Testing

@testable import AWSCore
@testable import AWSServices

struct AWSClientTests {
    static let emptyGroups =
        "<DescribeTargetGroupsResponse><DescribeTargetGroupsResult><TargetGroups/></DescribeTargetGroupsResult><ResponseMetadata><RequestId>ok</RequestId></ResponseMetadata></DescribeTargetGroupsResponse>"

    @Test func throttlingIsRetriedWithFullJitterOnTheInjectedClock() async throws {
        let transport = ScriptedTransport([
            ScriptedTransport.queryError(400, code: "Throttling"),
            ScriptedTransport.queryError(429, code: "TooManyRequestsException"),
            ScriptedTransport.queryError(503, code: "ServiceUnavailable"),
            .fail(HTTPTransportError(.connect, "connection refused")),
            ScriptedTransport.xml(200, Self.emptyGroups),
        ])
        let clock = ManualClock()
        let client = scriptedClient(
            transport, clock: clock,
            retry: RetryPolicy(maxAttempts: 5, baseDelay: .seconds(2), maxDelay: .seconds(5)), random: 0.5)
        let groups = try await ELBv2(client: client).describeTargetGroups(.init())
        #expect(groups.isEmpty)
        #expect(transport.requests.count == 5)
        // Half of min(5 s, 2 s · 2^(n-1)).
        #expect(clock.sleeps == [.seconds(1), .seconds(2), .milliseconds(2500), .milliseconds(2500)])
        #expect(client.callCounters.calls == 1)
        #expect(client.callCounters.attempts == 5)
        // Each attempt is signed anew, at the clock's time.
        let dates = transport.requests.map { request in request.headers.first { $0.name == "X-Amz-Date" }!.value }
        #expect(Set(dates).count > 1)
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let transport = ScriptedTransport([ScriptedTransport.queryError(400, code: "ValidationError", message: "bad input")])
        let clock = ManualClock()
        let client = scriptedClient(transport, clock: clock)
        do {
            _ = try await ELBv2(client: client).describeTargetGroups(.init())
            Issue.record("expected an error")
        } catch let error as AWSServiceError {
            #expect(error.code == "ValidationError")
            #expect(error.message == "bad input")
            #expect(error.requestId == "req-1")
            #expect(error.operation == "DescribeTargetGroups")
            #expect(error.service == "ELBv2")
        }
        #expect(transport.requests.count == 1)
        #expect(clock.sleeps.isEmpty)
    }

    @Test func attemptsAreBounded() async throws {
        let transport = ScriptedTransport([], fallback: ScriptedTransport.queryError(500, code: "InternalFailure"))
        let client = scriptedClient(transport, retry: RetryPolicy(maxAttempts: 3))
        await #expect(throws: AWSServiceError.self) { _ = try await ELBv2(client: client).describeTargetGroups(.init()) }
        #expect(transport.requests.count == 3)
    }

    /// Nothing listens at an endpoint that has never answered (a wrong --endpoint-url): a refused connection there is
    /// given up on after three attempts — under a second — not after the patient policy's minute and a half.
    @Test func anEndpointThatNeverAnsweredAndRefusesIsGivenUpOnQuickly() async throws {
        let refused = ScriptedTransport([], fallback: .fail(HTTPTransportError(.connect, "connection refused")))
        let clock = ManualClock()
        let client = scriptedClient(refused, clock: clock, retry: .patient)
        await #expect(throws: AWSClientError.self) { _ = try await ELBv2(client: client).describeTargetGroups(.init()) }
        #expect(refused.requests.count == AWSClient.firstContactAttempts)
        #expect(clock.sleeps.reduce(Duration.zero, +) < .seconds(1))

        // Once it has answered, a refusal is a blip like any connection failure: retried patiently.
        let flaky = ScriptedTransport(
            [ScriptedTransport.xml(200, Self.emptyGroups)], fallback: .fail(HTTPTransportError(.connect, "connection refused")))
        let known = scriptedClient(flaky, clock: ManualClock(), retry: .patient)
        _ = try await ELBv2(client: known).describeTargetGroups(.init())
        await #expect(throws: AWSClientError.self) { _ = try await ELBv2(client: known).describeTargetGroups(.init()) }
        #expect(flaky.requests.count == 1 + RetryPolicy.patient.maxAttempts)
    }

    @Test func scalingActivitiesAreDecodedAcrossPages() async throws {
        func page(_ id: String, status: String, next: String?) -> ScriptedTransport.Step {
            ScriptedTransport.xml(200, """
                <DescribeScalingActivitiesResponse><DescribeScalingActivitiesResult><Activities><member>\
                <ActivityId>\(id)</ActivityId><AutoScalingGroupName>prod-blue</AutoScalingGroupName>\
                <Description>Launching a new EC2 instance: i-1</Description><Cause>desired capacity changed</Cause>\
                <StatusCode>\(status)</StatusCode><Progress>100</Progress></member></Activities>\
                \(next.map { "<NextToken>\($0)</NextToken>" } ?? "")</DescribeScalingActivitiesResult>\
                <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeScalingActivitiesResponse>
                """)
        }
        let transport = ScriptedTransport([page("a-1", status: "Successful", next: "t2"), page("a-2", status: "Failed", next: nil)])
        let activities = try await AutoScaling(client: scriptedClient(transport)).describeScalingActivities(.init(autoScalingGroupName: "prod-blue"))
        #expect(activities.map(\.activityId) == ["a-1", "a-2"])
        #expect(activities.map(\.statusCode) == ["Successful", "Failed"] && activities.first?.progress == 100)
        #expect(transport.requests.count == 2)
    }

    /// A rolling deploy's instance refresh launches before it terminates: both healthy percentages are sent.
    @Test func anInstanceRefreshCarriesBothHealthyPercentages() async throws {
        let transport = ScriptedTransport([
            ScriptedTransport.xml(200, "<StartInstanceRefreshResponse><StartInstanceRefreshResult><InstanceRefreshId>r-1</InstanceRefreshId></StartInstanceRefreshResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></StartInstanceRefreshResponse>")
        ])
        let id = try await AutoScaling(client: scriptedClient(transport)).startInstanceRefresh(
            .init(autoScalingGroupName: "beta-blue", preferences: .init(minHealthyPercentage: 75, maxHealthyPercentage: 175, instanceWarmup: 60)))
        #expect(id == "r-1")
        let body = String(decoding: try #require(transport.requests.first).body, as: UTF8.self)
        for part in ["Action=StartInstanceRefresh", "Preferences.MinHealthyPercentage=75", "Preferences.MaxHealthyPercentage=175", "Preferences.InstanceWarmup=60"] {
            #expect(body.contains(part), "\(body)")
        }
    }

    @Test func delaysAreCappedAndRandomised() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(200), maxDelay: .seconds(2))
        #expect(policy.delay(beforeRetry: 1, unit: 0) == .zero)
        #expect(policy.delay(beforeRetry: 1, unit: 0.999_999) <= .milliseconds(200))
        #expect(policy.delay(beforeRetry: 3, unit: 0.5) == .milliseconds(400))
        #expect(policy.delay(beforeRetry: 9, unit: 1) == .seconds(2))
        #expect(policy.delay(beforeRetry: 60, unit: 1) == .seconds(2))
    }

    @Test func transportFailuresBecomeTypedErrorsNamingTheEndpoint() async throws {
        let transport = ScriptedTransport([], fallback: .fail(HTTPTransportError(.timeout, "timed out after 20 seconds")))
        let client = scriptedClient(transport, retry: RetryPolicy(maxAttempts: 2))
        do {
            _ = try await SSM(client: client).getParameter(name: "/x")
            Issue.record("expected an error")
        } catch let error as AWSClientError {
            #expect(error.description.contains("127.0.0.1:1"))
            #expect(error.description.contains("timed out"))
            #expect(error.description.contains("SSM GetParameter"))
        }
        #expect(transport.requests.count == 2)
    }

    @Test func jsonErrorsKeepCodeMessageAndRequestId() async throws {
        let body = #"{"__type":"com.amazonaws.ssm#ParameterNotFound","message":"Parameter /x not found."}"#
        let transport = ScriptedTransport([
            .respond(HTTPResponse(status: 400, headers: [("x-amzn-RequestId", "json-req")], body: Data(body.utf8)))
        ])
        do {
            _ = try await SSM(client: scriptedClient(transport)).getParameter(name: "/x")
            Issue.record("expected an error")
        } catch let error as AWSServiceError {
            #expect(error == AWSServiceError(
                service: "SSM", operation: "GetParameter", httpStatus: 400, code: "ParameterNotFound",
                message: "Parameter /x not found.", requestId: "json-req"))
        }
        let request = try #require(transport.requests.first)
        #expect(request.headers.contains { $0 == ("X-Amz-Target", "AmazonSSM.GetParameter") })
        #expect(request.headers.contains { $0 == ("Content-Type", "application/x-amz-json-1.1") })
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"Name":"/x","WithDecryption":true}"#)
    }

    @Test func ec2ErrorShape() async throws {
        let transport = ScriptedTransport([
            ScriptedTransport.xml(
                400,
                "<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The instance ID 'i-1' does not exist</Message></Error></Errors><RequestID>ec2-req</RequestID></Response>"
            )
        ])
        do {
            _ = try await EC2(client: scriptedClient(transport)).describeInstances(instanceIds: ["i-1"])
            Issue.record("expected an error")
        } catch let error as AWSServiceError {
            #expect(error.code == "InvalidInstanceID.NotFound")
            #expect(error.message == "The instance ID 'i-1' does not exist")
            #expect(error.requestId == "ec2-req")
        }
    }

    @Test func nonXMLServerErrorsStillGetACode() async throws {
        let transport = ScriptedTransport([], fallback: ScriptedTransport.xml(500, "<!doctype html><title>500 Internal Server Error</title>"))
        do {
            _ = try await AutoScaling(client: scriptedClient(transport, retry: .none)).startInstanceRefresh(
                .init(autoScalingGroupName: "g"))
            Issue.record("expected an error")
        } catch let error as AWSServiceError {
            #expect(error.code == "InternalFailure")
            #expect(error.httpStatus == 500)
            #expect(error.description.contains("AutoScaling StartInstanceRefresh failed"))
        }
    }

    @Test func paginationFollowsTokensAndStopsOnALoop() async throws {
        func page(_ name: String, next: String?) -> ScriptedTransport.Step {
            ScriptedTransport.xml(
                200,
                "<R><DescribeAutoScalingGroupsResult><AutoScalingGroups><member><AutoScalingGroupName>\(name)</AutoScalingGroupName><MinSize>0</MinSize><MaxSize>1</MaxSize><DesiredCapacity>0</DesiredCapacity><Instances/></member></AutoScalingGroups>\(next.map { "<NextToken>\($0)</NextToken>" } ?? "")</DescribeAutoScalingGroupsResult></R>"
            )
        }
        let transport = ScriptedTransport([page("a", next: "t1"), page("b", next: "t2"), page("c", next: nil)])
        let groups = try await AutoScaling(client: scriptedClient(transport)).describeAutoScalingGroups(.init())
        #expect(groups.map(\.autoScalingGroupName) == ["a", "b", "c"])
        let bodies = transport.requests.map { String(decoding: $0.body, as: UTF8.self) }
        #expect(!bodies[0].contains("NextToken"))
        #expect(bodies[1].contains("NextToken=t1"))
        #expect(bodies[2].contains("NextToken=t2"))

        let looping = ScriptedTransport([page("a", next: "same"), page("b", next: "same")])
        await #expect(throws: AWSClientError.paginationLoop(service: "AutoScaling", operation: "DescribeAutoScalingGroups")) {
            _ = try await AutoScaling(client: scriptedClient(looping)).describeAutoScalingGroups(.init())
        }
    }

    @Test func requestsAreSignedAndNeverCarryTheSecret() async throws {
        let transport = ScriptedTransport([ScriptedTransport.xml(200, Self.emptyGroups)])
        _ = try await ELBv2(client: scriptedClient(transport)).describeTargetGroups(.init(names: ["Prod-Blue"]))
        let request = try #require(transport.requests.first)
        #expect(request.url.absoluteString == "http://127.0.0.1:1/")
        #expect(request.method == "POST")
        let authorization = try #require(request.headers.first { $0.name == "Authorization" }?.value)
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDTESTTESTTEST/"))
        #expect(authorization.contains("/us-east-1/elasticloadbalancing/aws4_request"))
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == "Action=DescribeTargetGroups&Version=2015-12-01&Names.member.1=Prod-Blue")
        let everything = request.headers.map { "\($0.name): \($0.value)" }.joined() + String(decoding: request.body, as: UTF8.self)
        #expect(!everything.contains("secret-never-printed"))
    }

    @Test func malformedAnswersAreTypedErrors() async throws {
        let transport = ScriptedTransport([ScriptedTransport.xml(200, "<R><GetCallerIdentityResult><Account>1</Account></GetCallerIdentityResult></R>")])
        _ = try await STS(client: scriptedClient(transport)).getCallerIdentity()
        let broken = ScriptedTransport([ScriptedTransport.xml(200, "<R><DescribeAutoScalingGroupsResult><AutoScalingGroups><member><MinSize>x</MinSize></member></AutoScalingGroups></DescribeAutoScalingGroupsResult></R>")])
        do {
            _ = try await AutoScaling(client: scriptedClient(broken)).describeAutoScalingGroups(.init())
            Issue.record("expected an error")
        } catch let error as AWSClientError {
            guard case .malformedResponse(let service, let operation, let status, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect((service, operation, status) == ("AutoScaling", "DescribeAutoScalingGroups", 200))
        }
    }
}
