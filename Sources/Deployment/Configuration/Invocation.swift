/// The options the operator ran `ce` with that choose where it acts — `--sandbox`, `--config`, `--profile`,
/// `--region`, `--endpoint-url` — so that every command the tool tells them to run ("run 'ce --env prod environment
/// recover'") carries them and, pasted, acts in the same place: never on the real account after a sandbox run, never
/// on another profile's.
public struct Invocation: Sendable, Equatable {
    /// The options, each already quoted for a POSIX shell where needed.
    public var options: [String]

    public init(options: [String] = []) {
        self.options = options
    }

    /// `ce` with no option: the defaults.
    public static let plain = Invocation()

    /// Whether it runs on the embedded sandbox cloud (one command at a time, on virtual time).
    public var isSandbox: Bool { options.contains("--sandbox") }

    /// The invocation of these options (`nil` ones left out).
    public init(sandbox: Bool, config: String?, profile: String?, region: String?, endpointURL: String?) {
        var options: [String] = sandbox ? ["--sandbox"] : []
        for (name, value) in [("--config", config), ("--profile", profile), ("--region", region), ("--endpoint-url", endpointURL)] {
            if let value { options += [name, Self.quoted(value)] }
        }
        self.init(options: options)
    }

    /// `ce [options] --env ENVIRONMENT REST`.
    public func command(environment: String, _ rest: String) -> String {
        (["ce"] + options + ["--env", Self.quoted(environment), rest]).joined(separator: " ")
    }

    /// `ce [options] REST`, for commands that name no environment.
    public func command(_ rest: String) -> String {
        (["ce"] + options + [rest]).joined(separator: " ")
    }

    /// `value` as a shell word: as is when it holds only safe characters, else in single quotes.
    public static func quoted(_ value: String) -> String {
        let safe = value.allSatisfy { $0.isLetter || $0.isNumber || "-_./:@%+=,".contains($0) }
        if safe && !value.isEmpty { return value }
        return "'" + value.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
