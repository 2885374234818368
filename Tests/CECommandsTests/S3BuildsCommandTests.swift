import AWSServices
import CETestSupport
import Foundation
import Testing

/// Builds kept in S3 (`builds: s3://bucket/{env}/{color}`) on moto, through the binary: `builds set-current` writes
/// the `current` object, a deploy writes the new colour's object before its instances boot (the dry run says so),
/// status and `builds current` read them back, `builds list` lists the object's versions.
@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct S3BuildsCommandTests {
    let keys = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"]

    @Test func buildsLiveInS3() async throws {
        let layout = try Moto.layout("s3b", envs: ["prod", "beta"], crowded: true)
        let bucket = "ce-\(layout.prefix)builds".lowercased()
        let s3 = Moto.services.s3
        try await s3.createBucket(bucket)
        try await s3.enableVersioning(bucket)
        try await s3.putObject(bucket: bucket, key: "beta/blue", body: Data("v1\n".utf8))
        try await s3.putObject(bucket: bucket, key: "beta/green", body: Data("v1\n".utf8))
        let home = try CLI.temporaryHome()
        try (layout.config() + "  builds: \"s3://\(bucket)/{env}/{color}\"\n").write(toFile: home + "/ce.yaml", atomically: true, encoding: .utf8)
        let keys = self.keys
        func ce(_ arguments: [String]) throws -> CLI.Result {
            try CLI.run(["--config", home + "/ce.yaml", "--endpoint-url", Moto.endpoint!, "--env", "beta"] + arguments, environment: CLI.environment(home: home, keys))
        }
        let unset = try ce(["builds", "current"])
        #expect(unset.status == 1 && unset.stderr.contains("s3://\(bucket)/beta/current is not set"), "\(unset.all)")
        for build in ["v2", "v3"] {
            let set = try ce(["builds", "set-current", build, "--yes"])
            #expect(set.status == 0, "\(set.all)")
        }
        #expect(try await s3.getObject(bucket: bucket, key: "beta/current") == Data("v3\n".utf8))
        #expect(try ce(["builds", "current"]).stdout == "v3\n")

        let dry = try ce(["environment", "refresh", "--dry-run"])
        #expect(dry.stdout.contains("S3 PutObject Bucket=\(bucket) Key=beta/green Body=v3"), "\(dry.stdout)")
        let deploy = try ce(["environment", "refresh", "--yes"])
        #expect(deploy.status == 0, "\(deploy.all)")
        #expect(try await s3.getObject(bucket: bucket, key: "beta/green") == Data("v3\n".utf8), "the new colour's instances boot v3")
        let status = try ce(["environment", "status", "-o", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let green = try #require((document["colors"] as? [String: Any])?["green"] as? [String: Any])
        #expect(green["version"] as? String == "v3" && document["nextVersion"] as? String == "v3", "\(status.stdout)")

        let list = try ce(["builds", "list", "-o", "json"])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        #expect(listed["store"] as? String == "s3" && listed["keepsHistory"] as? Bool == true)
        #expect((listed["builds"] as? [[String: Any]])?.map { $0["build"] as? String } == ["v3", "v2"], "\(list.stdout)")
        let text = try ce(["builds", "list", "--color", "green"])
        #expect(text.stdout.contains("beta: s3://\(bucket)/beta/green, newest first:") && text.stdout.contains("by (not recorded)"), "\(text.all)")
    }
}
