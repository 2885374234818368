import Foundation
import Testing

/// `ce simulate compare` as people and programs read it: the table (a golden file), the documented JSON, the HTML
/// report, and clear errors for bad input.
struct SimulateCommandTests {
    func ce(_ arguments: [String]) throws -> CLI.Result {
        let home = try CLI.temporaryHome()
        return try CLI.run(arguments, environment: CLI.environment(home: home, ["CE_SANDBOX_DIR": home + "/sandbox"]))
    }

    @Test func theTableReadsLikeThisAndIsTheSameEveryTime() throws {
        let arguments = ["simulate", "compare", "--env", "prod", "--instances", "4", "--rps", "10"]
        let result = try ce(arguments)
        #expect(result.status == 0, "\(result.all)")
        #expect(result.stderr.isEmpty)
        try GoldenFiles.expectMatches("$ ce \(arguments.joined(separator: " "))\n" + result.stdout, "simulate-compare.txt")
        #expect(try ce(arguments).stdout == result.stdout, "the same options and seed print the same figures")
        #expect(!result.stdout.split(separator: "\n").contains { $0.hasSuffix(" ") }, "no trailing spaces")
    }

    @Test func theJSONIsTheDocumentedShape() throws {
        let result = try ce(["simulate", "compare", "--env", "beta", "--instances", "2", "--strategies", "rolling,blue-green", "--runs", "2", "-o", "json"])
        #expect(result.status == 0, "\(result.all)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let docs = try String(contentsOfFile: CLI.repositoryRoot + "/docs/output.md", encoding: .utf8)
        let section = try #require(docs.components(separatedBy: "### `simulate compare`").dropFirst().first)
        let json = try #require(section.components(separatedBy: "```json\n").dropFirst().first?.components(separatedBy: "\n```").first)
        let documented = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(Set(document.keys) == Set(documented.keys))
        func first(_ object: [String: Any], _ key: String) throws -> [String: Any] {
            try #require((object[key] as? [[String: Any]])?.first, "\(key)")
        }
        #expect(Set(try #require(document["calibration"] as? [String: Any]).keys) == Set(try #require(documented["calibration"] as? [String: Any]).keys))
        let strategy = try first(document, "strategies")
        #expect(Set(strategy.keys) == Set(try first(documented, "strategies").keys))
        #expect(Set(try first(strategy, "runs").keys) == Set(try first(try first(documented, "strategies"), "runs").keys))
        #expect(Set(try #require(strategy["durationSeconds"] as? [String: Any]).keys) == ["median", "min", "max"])
        #expect((document["strategies"] as? [[String: Any]])?.map { $0["strategy"] as? String } == ["rolling", "blue-green"])
        #expect((strategy["runs"] as? [[String: Any]])?.count == 2)
    }

    @Test func theReportIsOneSelfContainedPageWithAChartPerStrategy() throws {
        let home = try CLI.temporaryHome()
        let file = home + "/compare.html"
        let result = try ce(["simulate", "compare", "--env", "prod", "--instances", "4", "--rps", "10", "--report", file])
        #expect(result.status == 0 && result.stdout.hasSuffix("report: \(file)\n"), "\(result.all)")
        let html = try String(contentsOfFile: file, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("</html>"))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 4, "one chart per strategy")
        for strategy in ["rolling", "blue-green", "instances", "canary"] { #expect(html.contains("<h2>\(strategy)</h2>")) }
        #expect(html.range(of: #"(src|href)\s*=\s*"(https?:)?//"#, options: .regularExpression) == nil, "nothing fetched when it is viewed")
        #expect(!html.contains("<script"), "no script: it draws as it is")
    }

    @Test(arguments: [
        (["--env", "prod", "--strategies", "blue-green,fast"], 64, "--strategies: 'fast' is not a strategy; use blue-green, canary, linear, rolling, instances."),
        (["--env", "prod", "--boot", "0"], 64, "--boot must be a duration of 1 s to 1 h"),
        (["--env", "prod", "--runs", "0"], 64, "--runs must be 1–50."),
        (["--env", "prdo"], 2, "Did you mean 'prod'?"),
        (["--strategies", "rolling"], 64, "Missing --env."),
    ])
    func badInputIsOneClearError(_ arguments: [String], _ status: Int32, _ message: String) throws {
        let result = try ce(["simulate", "compare"] + arguments)
        #expect(result.status == status, "\(result.all)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
