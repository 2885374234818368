/// How to talk to one AWS service: its names, protocol and API version.
public struct AWSServiceDescriptor: Sendable, Hashable {
    public enum WireProtocol: Sendable, Hashable {
        /// AWS query: form-encoded POST, XML answers, lists as `.member.N`.
        case query
        /// EC2's query dialect: lists as `.N`, answers without a `…Result` wrapper.
        case ec2Query
        /// JSON 1.1 with `X-Amz-Target: <targetPrefix>.<Operation>`.
        case json(targetPrefix: String)
        /// REST with XML answers (S3): the method, path and query name the operation; sent with `AWSClient.send`.
        case restXML
    }

    /// A short name for messages, e.g. `ELBv2`.
    public var name: String
    /// The SigV4 signing name, e.g. `elasticloadbalancing`.
    public var signingName: String
    /// The first label of the regional endpoint host.
    public var endpointPrefix: String
    /// The suffix of the `AWS_ENDPOINT_URL_<SUFFIX>` variable that overrides this service's endpoint.
    public var endpointVariable: String
    public var wireProtocol: WireProtocol
    public var apiVersion: String

    public init(
        name: String, signingName: String, endpointPrefix: String, endpointVariable: String,
        wireProtocol: WireProtocol, apiVersion: String
    ) {
        self.name = name
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.endpointVariable = endpointVariable
        self.wireProtocol = wireProtocol
        self.apiVersion = apiVersion
    }
}

extension AWSServiceDescriptor {
    public static let elbv2 = AWSServiceDescriptor(
        name: "ELBv2", signingName: "elasticloadbalancing", endpointPrefix: "elasticloadbalancing",
        endpointVariable: "ELASTIC_LOAD_BALANCING_V2", wireProtocol: .query, apiVersion: "2015-12-01")
    public static let autoScaling = AWSServiceDescriptor(
        name: "AutoScaling", signingName: "autoscaling", endpointPrefix: "autoscaling",
        endpointVariable: "AUTO_SCALING", wireProtocol: .query, apiVersion: "2011-01-01")
    public static let ssm = AWSServiceDescriptor(
        name: "SSM", signingName: "ssm", endpointPrefix: "ssm", endpointVariable: "SSM",
        wireProtocol: .json(targetPrefix: "AmazonSSM"), apiVersion: "2014-11-06")
    public static let cloudWatch = AWSServiceDescriptor(
        name: "CloudWatch", signingName: "monitoring", endpointPrefix: "monitoring", endpointVariable: "CLOUDWATCH",
        wireProtocol: .query, apiVersion: "2010-08-01")
    public static let ec2 = AWSServiceDescriptor(
        name: "EC2", signingName: "ec2", endpointPrefix: "ec2", endpointVariable: "EC2", wireProtocol: .ec2Query,
        apiVersion: "2016-11-15")
    public static let sts = AWSServiceDescriptor(
        name: "STS", signingName: "sts", endpointPrefix: "sts", endpointVariable: "STS", wireProtocol: .query,
        apiVersion: "2011-06-15")

    public static let s3 = AWSServiceDescriptor(
        name: "S3", signingName: "s3", endpointPrefix: "s3", endpointVariable: "S3", wireProtocol: .restXML, apiVersion: "2006-03-01")

    /// Every service `ce` uses, in the order `ce doctor` checks them (S3 only where builds live there).
    public static let all: [AWSServiceDescriptor] = [.sts, .elbv2, .autoScaling, .ec2, .ssm, .cloudWatch]
}
