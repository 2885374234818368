import Foundation
import Testing

/// `keepOldFor` through the binary in the sandbox: after a deploy the old colour stays warm for rollback;
/// `cleanup --expired` (for a cron job) leaves it until the time is over and says until when, exit 0; a plain
/// `cleanup` before then asks (and, with no terminal to ask on, refuses until --yes); once over, cleanup proves the
/// colour idle and scales it down.
struct KeepWarmCommandTests {
    let home: String
    init() throws { home = try CLI.temporaryHome() }

    func ce(_ arguments: String) throws -> CLI.Result {
        try CLI.run(arguments.split(separator: " ").map(String.init), environment: CLI.environment(home: home, ["CE_SANDBOX_DIR": home + "/sandbox", "USER": "tester"]))
    }

    func blueDesired() throws -> String? {
        let status = try ce("--sandbox --env beta environment status -o json").stdout
        let document = try JSONSerialization.jsonObject(with: Data(status.utf8)) as? [String: Any]
        let blue = (document?["colors"] as? [String: Any])?["blue"] as? [String: Any]
        return (blue?["desired"] as? Int).map(String.init)
    }

    @Test func theOldColourStaysWarmUntilKeepOldForIsOver() throws {
        #expect(try ce("sandbox reset").status == 0)
        #expect(try ce("--sandbox --env beta environment refresh --version v2").status == 0)
        try #require(try blueDesired() == "1")

        let early = try ce("--sandbox --env beta environment cleanup --expired")
        #expect(early.status == 0, "\(early.all)")
        #expect(early.stdout.contains("beta: nothing to do yet: blue is kept warm for rollback until") && early.stdout.contains("(keepOldFor 1h00m)"), "\(early.stdout)")
        #expect(early.stdout.contains("'ce --sandbox --env beta environment cleanup --expired' scales it down after that."), "a hint to paste")
        let asked = try ce("--sandbox --env beta environment cleanup")
        #expect(asked.status == 2 && asked.stderr.contains("needs confirmation, and there is no terminal to ask: pass --yes"), "\(asked.all)")
        #expect(try blueDesired() == "1", "nothing changed")

        #expect(try ce("sandbox advance 61m").status == 0)
        let done = try ce("--sandbox --env beta environment cleanup --expired")
        #expect(done.status == 0, "\(done.all)")
        #expect(done.stdout.contains("beta: cleanup done.") && done.stdout.contains("CloudWatch counted 0 requests"), "\(done.stdout)")
        #expect(try blueDesired() == "0")
    }

    @Test func aDeployCanKeepItsOldColourLongerOrNotAtAll() throws {
        #expect(try ce("sandbox reset").status == 0)
        #expect(try ce("--sandbox --env beta environment refresh --version v2 --keep-old-for 0").status == 0)
        #expect(try ce("sandbox advance 10m").status == 0)
        let cleanup = try ce("--sandbox --env beta environment cleanup --expired")
        #expect(cleanup.status == 0 && cleanup.stdout.contains("cleanup done."), "\(cleanup.all)")

        #expect(try ce("--sandbox --env beta environment refresh --version v3 --keep-old-for 3h").status == 0)
        #expect(try ce("sandbox advance 2h").status == 0)
        #expect(try ce("--sandbox --env beta environment cleanup --expired").stdout.contains("(keepOldFor 3h00m)"))
        #expect(try ce("--sandbox --env beta environment refresh --version v4 --keep-old-for 9d").status == 64)
    }
}
