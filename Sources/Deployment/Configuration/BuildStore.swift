/// Where an environment keeps the names of its builds (config `builds:`): the build the next deploy installs
/// (`builds set-current`) and the build each colour's instances read at boot.
public enum BuildStore: Sendable, Equatable {
    /// SSM parameters under the environment's prefix: `{prefix}version`, `{prefix}{color}/version` (the default).
    case ssm
    /// S3 objects: `s3://bucket/key-pattern` with `{env}` and `{color}` in the pattern; each colour's build is the
    /// object of its colour, the next build the object with `{color}` as `current`.
    case s3(bucket: String, keyPattern: String)
    /// One S3 object per environment that both colours' instances boot from (Compiler Explorer's
    /// `s3://compiler-explorer/version/{branch}`): `s3://bucket/key-pattern` with `{env}` and `{branch}` in the pattern,
    /// no `{color}`. Each colour's build is still recorded in SSM (`{prefix}{color}/version`), and the next build in
    /// `{prefix}version`; `ce` writes the object just before a colour scales up with a build, and puts it back to the
    /// serving colour's build whenever traffic settles on a colour (switch, rollback, an undone deploy). An instance the
    /// warm colour launches after a deploy boots the new build: a rollback is to instances, not builds.
    case sharedObject(bucket: String, keyPattern: String)

    /// The S3 object a build name stands for (`s3://bucket/key`), or `nil` for an SSM parameter name.
    public static func s3Object(_ name: String) -> (bucket: String, key: String)? {
        guard name.hasPrefix("s3://") else { return nil }
        let rest = name.dropFirst(5)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        return (String(rest[..<slash]), String(rest[rest.index(after: slash)...]))
    }

    /// Bucket names S3 accepts: 3–63 of lower-case letters, digits, dots and dashes, starting and ending with a
    /// letter or digit.
    public static func isBucketName(_ name: String) -> Bool {
        name.range(of: #"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"#, options: .regularExpression) != nil && !name.contains("..")
    }

    /// `ssm`, or the `s3://` setting as written.
    public var description: String {
        switch self {
        case .ssm: return "ssm"
        case .s3(let bucket, let pattern), .sharedObject(let bucket, let pattern): return "s3://\(bucket)/\(pattern)"
        }
    }

    /// Whether both colours boot one object (`sharedObject`).
    public var isShared: Bool {
        switch self {
        case .sharedObject: return true
        case .ssm, .s3: return false
        }
    }
}
