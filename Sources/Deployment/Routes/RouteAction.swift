/// One action of a listener's default actions or of a rule, in `order`: authentication first, then exactly one of
/// forward, redirect or fixed response. Complete enough to be sent back unchanged.
public struct RouteAction: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable, Codable {
        case forward(ForwardAction)
        case redirect(RedirectAction)
        case fixedResponse(FixedResponseAction)
        case authenticateOIDC(AuthenticateOIDCAction)
        case authenticateCognito(AuthenticateCognitoAction)
        /// An action type `ce` cannot send back unchanged: a route carrying one is never modified.
        case unrecognized(type: String)
    }

    public var order: Int?
    public var kind: Kind

    public init(order: Int? = nil, _ kind: Kind) {
        self.order = order
        self.kind = kind
    }

    /// A plain forward of all traffic to one target group.
    public static func forward(to targetGroupArn: String, order: Int? = nil) -> RouteAction {
        RouteAction(order: order, .forward(ForwardAction(targetGroups: [.init(arn: targetGroupArn)])))
    }

    /// The type as AWS spells it.
    public var type: String {
        switch kind {
        case .forward: return "forward"
        case .redirect: return "redirect"
        case .fixedResponse: return "fixed-response"
        case .authenticateOIDC: return "authenticate-oidc"
        case .authenticateCognito: return "authenticate-cognito"
        case .unrecognized(let type): return type
        }
    }

    public var forward: ForwardAction? {
        if case .forward(let forward) = kind { return forward }
        return nil
    }

    /// "forward arn…", "authenticate-oidc https://issuer", "redirect HTTP_301", "fixed-response 404".
    public var description: String {
        switch kind {
        case .forward(let forward): return "forward \(forward)"
        case .redirect(let redirect): return "redirect \(redirect.statusCode)"
        case .fixedResponse(let fixed): return "fixed-response \(fixed.statusCode)"
        case .authenticateOIDC(let oidc): return "authenticate-oidc \(oidc.issuer)"
        case .authenticateCognito(let cognito): return "authenticate-cognito \(cognito.userPoolDomain)"
        case .unrecognized(let type): return type
        }
    }

    /// Whether `other` has the same effect: the same type, order and settings; forwards compared by where their
    /// traffic goes and their stickiness (so a plain forward equals a one-group `ForwardConfig`).
    public func isEquivalent(to other: RouteAction) -> Bool {
        guard order == other.order else { return false }
        switch (kind, other.kind) {
        case (.forward(let a), .forward(let b)): return a.isEquivalent(to: b)
        default: return kind == other.kind
        }
    }
}

/// A forward to one or more target groups, with weights (0–999) and optional target-group stickiness.
public struct ForwardAction: Sendable, Hashable, Codable, CustomStringConvertible {
    public struct TargetGroup: Sendable, Hashable, Codable {
        public var arn: String
        /// `nil` for a plain forward (weight 1).
        public var weight: Int?
        public init(arn: String, weight: Int? = nil) {
            self.arn = arn
            self.weight = weight
        }
    }

    public struct Stickiness: Sendable, Hashable, Codable {
        public var enabled: Bool
        public var durationSeconds: Int?
        public init(enabled: Bool, durationSeconds: Int?) {
            self.enabled = enabled
            self.durationSeconds = durationSeconds
        }
    }

    public var targetGroups: [TargetGroup]
    public var stickiness: Stickiness?
    /// Read as a `ForwardConfig` (weights, stickiness) rather than a plain `TargetGroupArn`; sent back the same way.
    public var usesForwardConfig: Bool

    public init(targetGroups: [TargetGroup], stickiness: Stickiness? = nil, usesForwardConfig: Bool = false) {
        self.targetGroups = targetGroups
        self.stickiness = stickiness
        self.usesForwardConfig = usesForwardConfig
    }

    /// A weighted forward.
    public init(weights: [String: Int], stickiness: Stickiness? = nil) {
        let plain = weights.count == 1 && weights.first?.value == 1 && stickiness == nil
        self.init(
            targetGroups: weights.sorted { $0.key < $1.key }.map { TargetGroup(arn: $0.key, weight: plain ? nil : $0.value) },
            stickiness: stickiness, usesForwardConfig: !plain)
    }

    /// Target group ARN → weight (a plain forward is weight 1).
    public var weights: [String: Int] {
        Dictionary(targetGroups.map { ($0.arn, $0.weight ?? 1) }, uniquingKeysWith: +)
    }

    /// The target groups that get traffic (weight above 0).
    public var receivers: Set<String> { Set(weights.filter { $0.value > 0 }.keys) }

    /// Whether `arn` gets some of the traffic.
    public func sends(to arn: String) -> Bool {
        targetGroups.contains { $0.arn == arn && ($0.weight ?? 1) > 0 }
    }

    /// This forward with all traffic sent to `arn`; stickiness and form kept.
    public func sendingAll(to arn: String) -> ForwardAction {
        ForwardAction(targetGroups: [TargetGroup(arn: arn, weight: usesForwardConfig ? 1 : nil)], stickiness: stickiness, usesForwardConfig: usesForwardConfig)
    }

    /// This forward splitting traffic by `weights` (a `ForwardConfig`), with `stickiness` when given, else its own.
    public func splitting(_ weights: [String: Int], stickiness override: Stickiness? = nil) -> ForwardAction {
        ForwardAction(
            targetGroups: weights.sorted { $0.key < $1.key }.map { TargetGroup(arn: $0.key, weight: $0.value) },
            stickiness: override ?? stickiness, usesForwardConfig: true)
    }

    /// All traffic to `arn` with target-group stickiness switched off: the end of a split that set its own.
    public static func unsticky(to arn: String) -> ForwardAction {
        ForwardAction(targetGroups: [TargetGroup(arn: arn, weight: 1)], stickiness: Stickiness(enabled: false, durationSeconds: nil), usesForwardConfig: true)
    }

    /// Same receivers with the same weights, and the same stickiness (absent and disabled being the same).
    public func isEquivalent(to other: ForwardAction) -> Bool {
        weights.filter { $0.value > 0 } == other.weights.filter { $0.value > 0 } && effectiveStickiness == other.effectiveStickiness
    }

    public var effectiveStickiness: Stickiness? {
        guard let stickiness, stickiness.enabled else { return nil }
        return stickiness
    }

    /// `Beta-Blue` from `arn:aws:elasticloadbalancing:…:targetgroup/Beta-Blue/73e2d6bc24d8a067`; the ARN itself
    /// when it does not look like one.
    public static func shortName(ofTargetGroupArn arn: String) -> String {
        guard let range = arn.range(of: "targetgroup/") else { return arn }
        return String(arn[range.upperBound...].prefix { $0 != "/" })
    }

    public var description: String {
        let name = Self.shortName(ofTargetGroupArn:)
        let groups = weights.count == 1 ? name(weights.keys.first!) : weights.sorted { $0.key < $1.key }.map { "\(name($0.key))=\($0.value)" }.joined(separator: ", ")
        return groups + (effectiveStickiness.map { " (sticky \($0.durationSeconds.map { "\($0) s" } ?? ""))" } ?? "")
    }
}

public struct RedirectAction: Sendable, Hashable, Codable {
    public var statusCode: String
    public var protocolName: String?
    public var port: String?
    public var host: String?
    public var path: String?
    public var query: String?
    public init(statusCode: String, protocolName: String? = nil, port: String? = nil, host: String? = nil, path: String? = nil, query: String? = nil) {
        self.statusCode = statusCode
        self.protocolName = protocolName
        self.port = port
        self.host = host
        self.path = path
        self.query = query
    }
}

public struct FixedResponseAction: Sendable, Hashable, Codable {
    public var statusCode: String
    public var contentType: String?
    public var messageBody: String?
    public init(statusCode: String, contentType: String? = nil, messageBody: String? = nil) {
        self.statusCode = statusCode
        self.contentType = contentType
        self.messageBody = messageBody
    }
}

/// `authenticate-oidc`, without the client secret: AWS does not return it and `ce` never holds it; a rule sent back
/// keeps its secret (`UseExistingClientSecret`).
public struct AuthenticateOIDCAction: Sendable, Hashable, Codable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var userInfoEndpoint: String
    public var clientId: String
    public var sessionCookieName: String?
    public var scope: String?
    public var sessionTimeout: Int64?
    public var extraParams: [String: String]
    public var onUnauthenticatedRequest: String?
    public init(
        issuer: String, authorizationEndpoint: String, tokenEndpoint: String, userInfoEndpoint: String, clientId: String,
        sessionCookieName: String? = nil, scope: String? = nil, sessionTimeout: Int64? = nil, extraParams: [String: String] = [:],
        onUnauthenticatedRequest: String? = nil
    ) {
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.userInfoEndpoint = userInfoEndpoint
        self.clientId = clientId
        self.sessionCookieName = sessionCookieName
        self.scope = scope
        self.sessionTimeout = sessionTimeout
        self.extraParams = extraParams
        self.onUnauthenticatedRequest = onUnauthenticatedRequest
    }
}

public struct AuthenticateCognitoAction: Sendable, Hashable, Codable {
    public var userPoolArn: String
    public var userPoolClientId: String
    public var userPoolDomain: String
    public var sessionCookieName: String?
    public var scope: String?
    public var sessionTimeout: Int64?
    public var extraParams: [String: String]
    public var onUnauthenticatedRequest: String?
    public init(
        userPoolArn: String, userPoolClientId: String, userPoolDomain: String, sessionCookieName: String? = nil, scope: String? = nil,
        sessionTimeout: Int64? = nil, extraParams: [String: String] = [:], onUnauthenticatedRequest: String? = nil
    ) {
        self.userPoolArn = userPoolArn
        self.userPoolClientId = userPoolClientId
        self.userPoolDomain = userPoolDomain
        self.sessionCookieName = sessionCookieName
        self.scope = scope
        self.sessionTimeout = sessionTimeout
        self.extraParams = extraParams
        self.onUnauthenticatedRequest = onUnauthenticatedRequest
    }
}
