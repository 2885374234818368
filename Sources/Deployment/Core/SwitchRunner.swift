import Foundation

/// Performs a plan: every route change concurrently and one read-back round to verify (a switch), then the other
/// changes — concurrently for different resources (both SSM parameters at once), in order for one resource (a
/// group's min before its desired size).
///
/// If a route change fails, or the read-back shows a route not forwarding to the target, SSM is not written and
/// the error says exactly which routes moved; if a later change fails, the error says which were made. Nothing is
/// left half-done silently.
public struct SwitchRunner: Sendable {
    public let environment: EnvironmentConfiguration
    /// Every change goes through the propagation rule (`GuardedApplier`).
    public let applier: GuardedApplier
    public let loadBalancer: any LoadBalancerReader
    public let clock: any WallClock

    public init(environment: EnvironmentConfiguration, ports: CloudPorts) {
        self.environment = environment
        self.applier = ports.applier(for: environment)
        self.loadBalancer = ports.loadBalancer
        self.clock = ports.clock
    }

    /// On fakes (tests): `changes` behind a guard of its own.
    init(environment: EnvironmentConfiguration, changes: any MutationApplier, loadBalancer: any LoadBalancerReader, clock: any WallClock) {
        self.environment = environment
        self.applier = GuardedApplier(environment: environment, base: changes, propagation: PropagationGuard(), clock: clock)
        self.loadBalancer = loadBalancer
        self.clock = clock
    }

    public struct PartialSwitch: Error, Sendable, CustomStringConvertible {
        public var moved: [String]
        public var failed: [String]
        public var description: String {
            "the switch did not complete: moved \(moved.isEmpty ? "no route" : moved.joined(separator: ", ")); not moved: \(failed.joined(separator: "; ")). SSM was not changed. Run the switch again, or switch back."
        }
    }

    /// A switch whose route changes failed part-way, every route put back as first read and verified: nothing changed.
    public struct SwitchPutBack: Error, Sendable, CustomStringConvertible {
        public var partial: PartialSwitch
        public var description: String {
            "the switch did not complete (not moved: \(partial.failed.joined(separator: "; "))), so every route it had moved was put back as it was and read back: nothing changed. Run the switch again once the cause is fixed."
        }
    }

    /// A switch whose route changes failed part-way, and putting the routes back failed too: traffic may be split.
    public struct SwitchNotPutBack: Error, Sendable, CustomStringConvertible {
        public var partial: PartialSwitch
        public var cause: String
        public var recoverCommand: String
        public var description: String {
            "the switch did not complete: moved \(partial.moved.isEmpty ? "no route" : partial.moved.joined(separator: ", ")); not moved: \(partial.failed.joined(separator: "; ")). SSM was not changed. Putting the routes back failed too (\(cause)): traffic may be split. Run '\(recoverCommand)', or the switch again."
        }
    }

    /// As `run`, but a switch whose route changes fail part-way (some routes moved, some not) puts every route of
    /// the plan back as it was first read, verified, so that a failed switch never leaves traffic split between the
    /// colours (as a deploy's switch does).
    public func runAllOrNothing(_ plan: [Mutation]) async throws -> StepReport {
        do {
            return try await run(plan)
        } catch let partial as PartialSwitch {
            // Every route no longer as first read goes back (one whose change was made but its answer lost
            // included); a route that did not move is left alone. Without a read, all of them.
            let originals = plan.compactMap { mutation -> (Route, ForwardAction)? in
                guard let (route, _) = mutation.routeChange, let original = route.forward else { return nil }
                return (route, original)
            }
            let now = (try? await loadBalancer.reread(originals.map(\.0))).map { Dictionary($0.map { ($0.arn, $0) }) { first, _ in first } }
            let back = originals.filter { route, original in
                guard let read = now?[route.arn]?.forward else { return true }
                return !read.isEquivalent(to: original)
            }.map { Mutation.setForward(route: $0.0, forward: $0.1) }
            do {
                _ = try await run(back)
            } catch {
                throw SwitchNotPutBack(partial: partial, cause: String(describing: error), recoverCommand: environment.command("environment recover"))
            }
            throw SwitchPutBack(partial: partial)
        }
    }

    /// The route changes were all accepted but could not be read back (the read failed): nothing is known to be wrong,
    /// nothing is known to be right, so SSM is left alone.
    public struct UnverifiedSwitch: Error, Sendable, CustomStringConvertible {
        /// The command that shows where traffic goes (`ce … --env NAME environment status`).
        public var statusCommand: String
        public var changed: [String]
        public var cause: String
        public var description: String {
            "the route changes were made (\(changed.joined(separator: ", "))) but could not be read back to verify them (\(cause)). SSM was not changed. Run '\(statusCommand)' to see where traffic goes, then the switch again (it is safe to repeat)."
        }
    }

    /// A change in the ordered part failed after `done` of the changes were made.
    public struct StoppedPlan: Error, Sendable, CustomStringConvertible {
        public var done: [String]
        public var failed: String
        public var cause: String
        public var description: String {
            "stopped at '\(failed)' (\(cause)) after \(done.count) change(s)\(done.isEmpty ? "" : ": " + done.joined(separator: "; "))"
        }
    }

    public func run(_ plan: [Mutation]) async throws -> StepReport {
        var report = StepReport()
        // Route changes: the mutation, the route as read and the forward it gets.
        let forwards = plan.compactMap { mutation in mutation.routeChange.map { (mutation: mutation, route: $0.route, forward: $0.forward) } }
        let others = plan.filter { $0.routeChange == nil }

        if !forwards.isEmpty {
            let started = clock.now()
            let applier = self.applier
            let outcomes = await FanOut.map(forwards) { change -> (route: Route, error: String?) in
                do {
                    try await applier.apply(change.mutation)
                    return (change.route, nil)
                } catch {
                    return (change.route, String(describing: error))
                }
            }
            let failed = outcomes.compactMap { outcome in outcome.error.map { "\(outcome.route.label) (\($0))" } }
            if !failed.isEmpty {
                throw PartialSwitch(moved: outcomes.filter { $0.error == nil }.map(\.route.label).sorted(), failed: failed.sorted())
            }
            report.add("switch", seconds: clock.now().timeIntervalSince(started), "\(forwards.count) route(s) changed concurrently")

            let verifyStarted = clock.now()
            let reread: [Route]
            do {
                reread = try await loadBalancer.reread(forwards.map(\.route))
            } catch {
                throw UnverifiedSwitch(statusCommand: environment.command("environment status"), changed: forwards.map(\.route.label), cause: String(describing: error))
            }
            let readBack = Dictionary(reread.map { ($0.arn, $0) }, uniquingKeysWith: { first, _ in first })
            var verified: [String] = []
            var wrong: [String] = []
            for (_, route, forward) in forwards {
                guard let now = readBack[route.arn] else {
                    wrong.append("\(route.label) no longer exists")
                    continue
                }
                if let expected = route.actions(replacingForwardWith: forward), now.holds(expected), now.hasForward(forward, from: route) {
                    verified.append(route.label)
                } else {
                    wrong.append("\(route.label) reads back \(now.orderedActions.map(\.description).joined(separator: ", "))")
                }
            }
            if !wrong.isEmpty { throw PartialSwitch(moved: verified, failed: wrong) }
            let split = forwards.contains { $0.forward.receivers.count > 1 }
            report.add("verify", seconds: clock.now().timeIntervalSince(verifyStarted), "\(forwards.count) route(s) read back \(split ? "with the new weights" : "forwarding to the target"), everything else kept")
        }
        // Capacity behind a route that was just moved away from goes only once every load balancer node has the change
        // (the propagation rule: `GuardedApplier` holds every change to it; waiting here first reports the wait).
        if let wait = try await applier.settle(before: others) {
            report.add("settle", seconds: wait.seconds, applier.describe(wait))
        }
        if !others.isEmpty {
            let started = clock.now()
            // One sequence per resource, the sequences concurrently.
            var sequences: [[Mutation]] = []
            for mutation in others {
                if let index = sequences.firstIndex(where: { $0[0].resource == mutation.resource }) {
                    sequences[index].append(mutation)
                } else {
                    sequences.append([mutation])
                }
            }
            let applier = self.applier
            let outcomes = await FanOut.map(sequences) { sequence -> (done: [String], failure: (String, String)?) in
                var done: [String] = []
                for mutation in sequence {
                    do {
                        try await applier.apply(mutation)
                    } catch {
                        return (done, (mutation.description, String(describing: error)))
                    }
                    done.append(mutation.description)
                }
                return (done, nil)
            }
            if let failure = outcomes.compactMap(\.failure).first {
                throw StoppedPlan(done: outcomes.flatMap(\.done), failed: failure.0, cause: failure.1)
            }
            let recordsOnly = others.allSatisfy { if case .putParameter = $0 { true } else { false } }
            report.add(recordsOnly ? "record" : "apply", seconds: clock.now().timeIntervalSince(started), "\(others.count) change(s): " + others.map(Self.short).joined(separator: ", "))
        }
        return report
    }

    /// Whether `arn` is the target group named `targetGroup` (`…:targetgroup/Prod-Green/0123…`, or the simulator's
    /// `arn:sim:targetgroup/Prod-Green`).
    static func names(_ arn: String, targetGroup: String) -> Bool {
        arn.hasSuffix("targetgroup/\(targetGroup)") || arn.contains("targetgroup/\(targetGroup)/")
    }

    /// A change in a few words: `rule 101 on :443 → Beta-Green`, `/…/active-color=green`, `prod-blue min 2`.
    public static func short(_ mutation: Mutation) -> String {
        switch mutation {
        case .putParameter(let name, let value): return "\(name)=\(value.count > 40 ? "…" + value.suffix(30) : Substring(value))"
        case .resizeGroup(let name, let min, let desired, let max):
            return "\(name) " + [min.map { "min \($0)" }, desired.map { "desired \($0)" }, max.map { "max \($0)" }].compactMap { $0 }.joined(separator: " ")
        case .forward, .setForward:
            guard let (route, forward) = mutation.routeChange else { return "" }
            return "\(route.label) → \(forward)"
        case .registerTargets(_, let ids): return "registered \(ids.count) target(s)"
        case .deregisterTargets(_, let ids): return "deregistered \(ids.count) target(s)"
        case .attachTargetGroup(let group, let arn): return "\(group) attached to \(arn.split(separator: "/").dropLast().last.map(String.init) ?? arn)"
        case .detachTargetGroup(let group, let arn): return "\(group) detached from \(arn.split(separator: "/").dropLast().last.map(String.init) ?? arn)"
        }
    }
}
