/// What `ce` accepts as a build's name, wherever it comes from — `--version`, `builds set-current`, or
/// `{prefix}version` as read from SSM — so that nothing else is ever written to `{prefix}{color}/version`, printed,
/// or journalled (the journal must fit a standard SSM parameter's 4 KB).
public enum BuildName {
    public static let maxLength = 128
    public static let rule = "1 to \(maxLength) characters: letters, digits and . _ - + : @ /, starting with a letter or digit (e.g. gh-12345)"

    /// Why `text` is not a build name, or `nil` when it is one.
    public static func problem(_ text: String) -> String? {
        if text.isEmpty { return "it is empty" }
        if text.count > maxLength { return "it is \(text.count) characters long" }
        if let bad = text.unicodeScalars.first(where: { !allowed($0) }) {
            return "it contains \(bad.properties.isWhitespace || bad.value < 32 ? "a space, tab or line break" : "'\(bad)'")"
        }
        if let first = text.unicodeScalars.first, !(("0"..."9").contains(first) || first.isASCIILetter) {
            return "it starts with '\(first)'"
        }
        return nil
    }

    /// `text` shown safely in one line: control characters escaped, at most 60 characters.
    public static func quoted(_ text: String) -> String {
        let escaped = text.unicodeScalars.map { $0.value < 32 || $0.value == 127 ? $0.escaped(asASCII: true) : String($0) }.joined()
        return "'" + (escaped.count > 60 ? escaped.prefix(57) + "…" : Substring(escaped)) + "'"
    }

    static func allowed(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCIILetter || ("0"..."9").contains(scalar) || "._-+:@/".unicodeScalars.contains(scalar)
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}

extension BuildName {
    /// The build a deploy installs: `--version`, else `{prefix}version` — refused when neither is set, the value
    /// read is not a build name, or it is the build the last deploy rolled back (it must then be named with
    /// `--version` to be deployed again). Nothing is written.
    public static func toDeploy(_ given: String?, snapshot: EnvironmentSnapshot) throws -> String {
        let env = snapshot.environment
        let name = env.parameters.version
        guard let version = given ?? snapshot.values[name] else {
            throw Refusal("No build to deploy: \(name) is not set. Run '\(env.command("builds set-current VERSION"))' or pass --version.")
        }
        if let problem = problem(version) {
            let source = given == nil ? "The build in \(name), \(quoted(version))," : "--version \(quoted(version))"
            throw Refusal("\(source) cannot be deployed: \(problem). A build name is \(rule). Nothing changed; run '\(env.command("builds set-current VERSION"))' or pass --version.")
        }
        if given == nil, let rolledBack = snapshot.status.rolledBackBuild, rolledBack.version == version {
            throw Refusal("The next build, \(version), was rolled back by \(rolledBack.id) at \(rolledBack.updatedAt) (\(rolledBack.note ?? "rolled back")). Nothing changed; to deploy it again anyway name it: '\(env.command("environment refresh --version \(version)"))', or choose another build with '\(env.command("builds set-current VERSION"))'.")
        }
        return version
    }
}
