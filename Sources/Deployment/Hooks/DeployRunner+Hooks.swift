import Foundation

/// What the runner's hooks did in one run: the ledger of the deployment, a line per hook, and the failures that were
/// reported rather than stopping the deploy.
struct HookRun {
    var ledger: HookLedger?
    var lines: [String] = []
    var seconds = 0.0
    /// Failures of points that no longer decide (postRollback, postDeploy, onFailure; a postSwitch hook that says
    /// `onFailure: continue`).
    var reported: [String] = []
    var postDeployFailure: String?

    /// One `hooks` line in the report, when any hook ran.
    func summarize(into report: inout StepReport) {
        guard !lines.isEmpty else { return }
        report.add("hooks", seconds: seconds, lines.joined(separator: "; "))
    }
}

extension DeployRunner {
    /// Runs the hooks of the points `journal` reaches that have not run for its deployment (see `HookLedger`), in
    /// order. A failing hook of a point that still decides (`HookPoint.decides`, the deploy in progress) stops its
    /// point and is returned as `hookFailed`, for the machine to undo or roll back; any other failure is reported.
    func runHooks(at journal: DeploymentJournal, _ run: inout HookRun) async -> DeployEvent? {
        guard !environment.hooks.isEmpty, let strategy = DeployStrategy(journal: journal) else { return nil }
        let points = strategy.hookPoints(at: journal).filter { !environment.hooks[$0].isEmpty }
        guard !points.isEmpty else { return nil }
        let ledgerName = environment.parameters.deploymentHooks
        if run.ledger?.deployment != journal.id {
            run.ledger = HookLedger.decode(try? await ports.documents.read(name: ledgerName), deployment: journal.id)
        }
        var ledger = run.ledger ?? HookLedger(deployment: journal.id)
        defer { run.ledger = ledger }
        let pending = points.filter { !ledger.ran.contains($0) }
        guard !pending.isEmpty else { return nil }
        let context = await hookContext(journal, strategy: strategy)
        for point in pending {
            var failure: String?
            var stopped = false
            for hook in environment.hooks[point] {
                let result: HookResult
                if let smoke = hook.smoke {
                    result = await runSmoke(smoke, color: context.toColor, timeoutSeconds: hook.timeoutSeconds)
                } else {
                    result = await ports.hooks.run(hook, point: point, context: context, interruption: interruption)
                }
                run.lines.append("\(point.rawValue) \(hook.name) \(result)")
                run.seconds += result.seconds
                guard !result.succeeded else { continue }
                if point == .postSwitch && hook.continueOnFailure {
                    run.reported.append("The postSwitch hook \(hook.commandLine) failed (\(result)); the deploy went on (onFailure: continue)")
                    continue
                }
                failure = "\(hook.commandLine): \(result)"
                stopped = result.ending == .interrupted
                break
            }
            // Ran (whether it passed or not): a resumed deploy does not run it again.
            ledger.ran.append(point)
            try? await ports.documents.overwrite(name: ledgerName, value: ledger.json())
            guard let failure else { continue }
            if point.decides && journal.status == .inProgress { return .hookFailed(point, failure, interrupted: stopped) }
            run.reported.append("The \(point.rawValue) hook failed: \(failure)")
            if point == .postDeploy { run.postDeployFailure = failure }
        }
        return nil
    }

    /// A smoke check through the preview route to `color` — once a preview rule is proven to forward there: without
    /// one, the requests would reach whatever serves and prove nothing.
    func runSmoke(_ smoke: SmokeCheck, color: Color, timeoutSeconds: Int) async -> HookResult {
        let started = ports.clock.now()
        guard let snapshot = try? await ports.statusReader(for: environment).snapshot() else {
            return HookResult(ending: .checkFailed("could not read \(environment.name)'s routes to find its \(color.rawValue) preview rule"), seconds: 0)
        }
        let status = snapshot.status
        guard status.previews.contains(where: { $0.color == color && $0.percent[color.rawValue] == 100 }) else {
            let header = environment.routing.previewHeader
            return HookResult(
                ending: .checkFailed("no preview rule of \(environment.name) forwards '\(header): \(color.rawValue)' to \(environment.targetGroupNames[color]), so the smoke requests would not reach the new colour; add one (the serving conditions plus that header; see docs/routes.md)"),
                seconds: ports.clock.now().timeIntervalSince(started))
        }
        // The requests the check sends, routed as the load balancer routes them: each must reach a preview rule of the
        // colour, not a rule before it (the serving rule, when the previews come after it) that sends it elsewhere.
        if let problem = smoke.unreachedPreview(color: color, header: environment.routing.previewHeader, routes: snapshot.classified) {
            return HookResult(ending: .checkFailed(problem), seconds: ports.clock.now().timeIntervalSince(started))
        }
        var result = await smoke.run(
            color: color, header: environment.routing.previewHeader, prober: ports.smoke, clock: ports.clock, timeoutSeconds: timeoutSeconds,
            interruption: interruption)
        result.seconds = ports.clock.now().timeIntervalSince(started)
        return result
    }

    /// The facts a hook gets: the journal's, the new colour's instances and their addresses, the old colour's build.
    func hookContext(_ journal: DeploymentJournal, strategy: DeployStrategy) async -> HookContext {
        let group = environment.autoScalingGroupNames[journal.to]
        let ids = ((try? await ports.scalingGroups.groups(names: [group]))?[group]?.instances.map(\.id) ?? []).sorted()
        let addresses = ids.isEmpty ? [:] : ((try? await ports.instances.addresses(instanceIds: ids)) ?? [:])
        let previousName = environment.parameters.version(of: journal.from)
        // (A rolling deploy rewrites the serving colour's own build: the journal kept what it was.)
        var previous = journal.originalValues[previousName]
        if previous == nil { previous = (try? await ports.parameters.values(names: [previousName]))?[previousName] }
        return HookContext(
            environment: environment.name, strategy: strategy.rawValue, fromColor: journal.from, toColor: journal.to, version: journal.version,
            previousVersion: previous, targetGroupArn: journal.targetGroupArn, instanceIds: ids, instanceAddresses: ids.compactMap { addresses[$0] },
            deploymentId: journal.id)
    }
}
