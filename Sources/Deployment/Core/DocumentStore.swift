/// Small documents kept in SSM parameters: the deploy lock and the deployment journal. `create` is atomic
/// (PutParameter with Overwrite=false): of two processes creating the same name, exactly one succeeds.
public protocol DocumentStore: Sendable {
    /// `false` when the name already exists.
    func create(name: String, value: String) async throws -> Bool
    func read(name: String) async throws -> String?
    func overwrite(name: String, value: String) async throws
    /// Deleting a name that does not exist is not an error.
    func delete(name: String) async throws
    /// Every document below `path` (`{path}/…`), by name.
    func list(path: String) async throws -> [String: String]
}
