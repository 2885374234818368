import Foundation
import Testing

@testable import AWSCore

struct EndpointResolverTests {
    @Test func precedence() throws {
        let environment = [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:4000",
            "AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:4001",
            "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2": "http://127.0.0.1:4002",
        ]
        let resolver = EndpointResolver(environment: environment)
        #expect(try resolver.endpoint(for: .ssm, region: "us-east-1") == .init(url: URL(string: "http://127.0.0.1:4001")!, source: .serviceVariable))
        #expect(try resolver.endpoint(for: .elbv2, region: "us-east-1").url.absoluteString == "http://127.0.0.1:4002")
        #expect(try resolver.endpoint(for: .ec2, region: "us-east-1") == .init(url: URL(string: "http://127.0.0.1:4000")!, source: .globalVariable))

        let commandLine = EndpointResolver(commandLineURL: "http://127.0.0.1:5000", environment: environment)
        for service in AWSServiceDescriptor.all {
            #expect(try commandLine.endpoint(for: service, region: "us-east-1").source == .commandLine)
        }
    }

    @Test func everyServiceHasItsOwnVariable() throws {
        let names = ["ELASTIC_LOAD_BALANCING_V2", "AUTO_SCALING", "SSM", "CLOUDWATCH", "EC2", "STS"]
        #expect(Set(AWSServiceDescriptor.all.map(\.endpointVariable)) == Set(names))
        for (index, service) in AWSServiceDescriptor.all.enumerated() {
            let resolver = EndpointResolver(environment: ["AWS_ENDPOINT_URL_\(service.endpointVariable)": "http://127.0.0.1:\(6000 + index)"])
            #expect(try resolver.endpoint(for: service, region: "eu-west-1").url.port == 6000 + index)
        }
    }

    @Test func regionalDefaults() throws {
        let resolver = EndpointResolver(environment: [:])
        #expect(try resolver.endpoint(for: .elbv2, region: "us-east-1").url.absoluteString == "https://elasticloadbalancing.us-east-1.amazonaws.com")
        #expect(try resolver.endpoint(for: .cloudWatch, region: "eu-west-2").url.absoluteString == "https://monitoring.eu-west-2.amazonaws.com")
        #expect(try resolver.endpoint(for: .autoScaling, region: "cn-north-1").url.absoluteString == "https://autoscaling.cn-north-1.amazonaws.com.cn")
        #expect(throws: AWSClientError.self) { try resolver.endpoint(for: .ssm, region: "us east/1") }
    }

    @Test func badEndpointURLs() {
        for bad in ["ftp://127.0.0.1", "not a url", "http://", "127.0.0.1:5000"] {
            #expect(throws: AWSClientError.self, "\(bad)") {
                try EndpointResolver(commandLineURL: bad, environment: [:]).endpoint(for: .ssm, region: "us-east-1")
            }
        }
    }
}
