/// Runs independent calls concurrently, or one after another when `sequential` is set for the task (the simulated
/// cloud sets it, so that the order of calls, and with it every seeded fault, is the same on every run).
public enum FanOut {
    @TaskLocal public static var sequential = false

    /// `body` for each item, results in the items' order.
    public static func map<Item: Sendable, Result: Sendable>(
        _ items: [Item], _ body: @escaping @Sendable (Item) async -> Result
    ) async -> [Result] {
        if sequential {
            var results: [Result] = []
            for item in items { results.append(await body(item)) }
            return results
        }
        return await withTaskGroup(of: (Int, Result).self) { group in
            for (index, item) in items.enumerated() { group.addTask { (index, await body(item)) } }
            var results = [Result?](repeating: nil, count: items.count)
            for await (index, result) in group { results[index] = result }
            return results.map { $0! }
        }
    }

    /// `body` for each item, results in the items' order; the first error is thrown.
    public static func mapThrowing<Item: Sendable, Result: Sendable>(
        _ items: [Item], _ body: @escaping @Sendable (Item) async throws -> Result
    ) async throws -> [Result] {
        if sequential {
            var results: [Result] = []
            for item in items { results.append(try await body(item)) }
            return results
        }
        return try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            for (index, item) in items.enumerated() { group.addTask { (index, try await body(item)) } }
            var results = [Result?](repeating: nil, count: items.count)
            for try await (index, result) in group { results[index] = result }
            return results.map { $0! }
        }
    }
}
