import AWSCore
import AWSServices
import Foundation

/// The checks behind `ce doctor`.
struct Doctor {
    var settings: AWSSettings
    /// The services whose endpoints to check; STS's check also reports the caller identity.
    var services: [AWSServiceDescriptor] = AWSServiceDescriptor.all

    func run() async -> DoctorReport {
        var report = DoctorReport()
        let aws: AWSServices
        var settings = settings
        // An operator waiting on doctor wants a quick answer: at most one retry unless asked for more.
        settings.retryPolicy.maxAttempts = min(settings.retryPolicy.maxAttempts, 2)
        settings.retryPolicy.baseDelay = .milliseconds(100)
        do {
            aws = try await AWSServices.live(settings)
        } catch {
            report.add(.init(name: "configuration", passed: false, detail: String(describing: error)))
            return report
        }
        let configuration = aws.configuration
        report.region = configuration.region
        report.add(.init(name: "region", passed: true, detail: "\(configuration.region) (from \(configuration.regionSource))"))
        report.add(.init(name: "profile", passed: true, detail: configuration.profileName))

        do {
            let credentials = try await configuration.credentialChain.credentials()
            let source = await configuration.credentialChain.sourceDescription
            var detail = "\(source), access key \(credentials.redactedAccessKeyId)"
            if credentials.sessionToken != nil { detail += ", temporary" }
            if let expiration = credentials.expiration {
                detail += ", expires \(ISO8601DateFormatter.awsString(from: expiration))"
            }
            report.credentialSource = source
            report.add(.init(name: "credentials", passed: true, detail: detail))
        } catch {
            report.add(.init(name: "credentials", passed: false, detail: String(describing: error)))
            return report
        }

        // The endpoints are independent: check them concurrently. STS's check is GetCallerIdentity itself.
        let results = await withTaskGroup(of: (Int, DoctorReport.Check, CallerIdentity?).self) { group in
            for (index, service) in self.services.enumerated() {
                group.addTask {
                    let endpoint = (try? configuration.endpoints.endpoint(for: service, region: configuration.region))
                    let where_ = endpoint.map { "\($0.url.absoluteString) (\($0.source.rawValue))" } ?? "?"
                    let started = ContinuousClock.now
                    do {
                        var caller: CallerIdentity?
                        if service == .sts { caller = try await aws.sts.getCallerIdentity() } else { try await aws.probe(service) }
                        let elapsed = ContinuousClock.now - started
                        return (index, .init(name: "endpoint \(service.name)", passed: true,
                            detail: "\(where_) answers (\(Self.milliseconds(elapsed)) ms)"), caller)
                    } catch {
                        return (index, .init(name: "endpoint \(service.name)", passed: false, detail: "\(where_): \(error)"), nil)
                    }
                }
            }
            return await group.reduce(into: [(Int, DoctorReport.Check, CallerIdentity?)]()) { $0.append($1) }
        }
        if let caller = results.lazy.compactMap(\.2).first {
            report.identity = caller.arn
            report.add(.init(name: "identity", passed: true, detail: "\(caller.arn ?? "?") (account \(caller.account ?? "?"))"))
        }
        for (_, check, _) in results.sorted(by: { $0.0 < $1.0 }) { report.add(check) }
        return report
    }

    static func milliseconds(_ duration: Duration) -> Int { Int((duration.timeInterval * 1000).rounded()) }
}

/// What `ce doctor` found, as text or JSON.
struct DoctorReport: Encodable {
    struct Check: Encodable {
        var name: String
        var passed: Bool
        var detail: String
    }

    var region: String?
    var credentialSource: String?
    var identity: String?
    var checks: [Check] = []
    var passed: Bool { !checks.isEmpty && checks.allSatisfy(\.passed) }

    mutating func add(_ check: Check) { checks.append(check) }

    var text: String {
        let width = (checks.map(\.name.count).max() ?? 0) + 2
        var lines = checks.map { check in
            "\(check.passed ? "ok  " : "FAIL") \(check.name.padding(toLength: width, withPad: " ", startingAt: 0))\(check.detail)"
        }
        let failed = checks.filter { !$0.passed }.count
        lines.append(failed == 0 ? "All checks passed." : "\(failed) check\(failed == 1 ? "" : "s") failed.")
        return lines.joined(separator: "\n") + "\n"
    }

    func json(format: OutputFormat = .json) throws -> String {
        struct Document: Encodable {
            var passed: Bool
            var region: String?
            var credentialSource: String?
            var identity: String?
            var checks: [Check]
            enum CodingKeys: String, CodingKey { case passed, region, credentialSource, identity, checks }
            /// Every key always present (docs/output.md).
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(passed, forKey: .passed)
                try c.encode(region, forKey: .region)
                try c.encode(credentialSource, forKey: .credentialSource)
                try c.encode(identity, forKey: .identity)
                try c.encode(checks, forKey: .checks)
            }
        }
        return try JSONOutput.string(
            Document(passed: passed, region: region, credentialSource: credentialSource, identity: identity, checks: checks), format: format)
    }
}
