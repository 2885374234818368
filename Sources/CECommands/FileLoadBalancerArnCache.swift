import DeploymentAWS
import Foundation
import Synchronization

/// `LoadBalancerArnCache` in a small JSON file (`$XDG_CACHE_HOME/ce/load-balancers.json`, else
/// `~/.cache/ce/load-balancers.json`), keyed by region, endpoint and profile as well as the name, so that two accounts
/// or a moto server never share an entry. Best effort: a file that cannot be read or written only costs the lookup.
/// `CE_NO_CACHE=1` turns it off.
final class FileLoadBalancerArnCache: LoadBalancerArnCache {
    let path: String
    let scope: String
    private let entries: Mutex<[String: String]?> = Mutex(nil)

    init(path: String, scope: String) {
        self.path = path
        self.scope = scope
    }

    /// The cache for this process's settings, or `nil` when turned off.
    static func standard(scope: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> FileLoadBalancerArnCache? {
        if let off = environment["CE_NO_CACHE"], !off.isEmpty, off != "0" { return nil }
        let base: String
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else if let home = environment["HOME"], !home.isEmpty {
            base = home + "/.cache"
        } else {
            return nil
        }
        return FileLoadBalancerArnCache(path: base + "/ce/load-balancers.json", scope: scope)
    }

    func key(_ name: String) -> String { "\(scope) \(name)" }

    func arn(forName name: String) -> String? {
        entries.withLock { entries in
            if entries == nil { entries = load() }
            return entries?[key(name)]
        }
    }

    func remember(arn: String, forName name: String) {
        update { $0[key(name)] = arn }
    }

    func forget(name: String) {
        update { $0[key(name)] = nil }
    }

    private func update(_ change: (inout [String: String]) -> Void) {
        entries.withLock { entries in
            var current = entries ?? load()
            change(&current)
            entries = current
            save(current)
        }
    }

    private func load() -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path),
            let decoded = try? JSONDecoder().decode([String: String].self, from: data)
        else { return [:] }
        return decoded
    }

    private func save(_ entries: [String: String]) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard let data = try? encoder.encode(entries) else { return }
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
