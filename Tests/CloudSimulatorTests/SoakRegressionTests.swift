import Deployment
import Foundation
import Testing

@testable import CloudSimulator

/// Every seed the soak found breaking an invariant or never ending, replayed: each must end, hold every invariant,
/// and still reach the path that found the defect (so that a change to how scenarios are drawn cannot make the test
/// pass by no longer reaching it).
struct SoakRegressionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var seed: UInt64
        /// The outcome that shows the scenario still takes the path.
        var result: String
        var defect: String
        /// Found before scenarios could draw one build object for both colours (and a rollback after): replayed as it
        /// was drawn then.
        var asFoundBeforeSharedObjects = true
        var testDescription: String { "seed \(seed): \(defect)" }
    }

    static let cases: [Case] = [
        // The propagation rule (PropagationGuard): every path that takes capacity waits for the route change.
        Case(
            seed: 747, result: "deploy failed at switch",
            defect: "the switch's SSM write denied, the routes sent back and the new colour scaled to 0 before the change propagated"),
        Case(seed: 1563, result: "deploy failed at switch", defect: "the same, the switch denied at its 14th change"),
        Case(seed: 1765, result: "deploy failed at switch", defect: "the same, denied after the change was made"),
        // Every wait lasts its duration once a stop request has been delivered.
        Case(
            seed: 5359, result: "deploy rolled back",
            defect: "Ctrl-C during an instance switch's way back: every later wait returned at once and the deploy polled without end"),
        // A bake watched by alarms lasts its own time plus the alarms' delay.
        Case(seed: 1523, result: "deploy rolled back", defect: "a 5xx-raising canary promoted past 25%: its step bake ended before the alarms had seen most of it"),
        Case(seed: 12794, result: "deploy rolled back", defect: "the same, then a crash in the bake and a recover that finished the erroring build"),
        // A deploy whose bake never passed goes back to the warm colour (a stop request, recover).
        Case(seed: 2451, result: "crashed → recover: done", defect: "an instance switch crashed while draining; recover finished a flapping build left serving"),
        Case(seed: 16784, result: "deploy interrupted at bake", defect: "Ctrl-C during an instance switch's bake finalized a flapping build"),
        Case(seed: 10205, result: "deploy failed at rollback → recover: done", defect: "an instance switch's way back denied; recover refused twice and left it unfinished"),
        // An undo that did not finish is finished by recover, never resumed forward.
        Case(
            seed: 3332, result: "deploy failed at health gate → resume refused → recover: done",
            defect: "a resumed deploy went on after its undo had put the recorded build back: the new colour served v2 recorded as v1"),
        Case(seed: 11966, result: "deploy interrupted at health gate → resume refused → recover: done", defect: "the same after Ctrl-C"),
        // A broken build is never registered into a group without a healthy target, and leaves one that loses them.
        Case(seed: 5532, result: "deploy failed at health gate", defect: "the only live instance lost while a broken build's target was registered: the group failed open to it"),
        Case(seed: 2561, result: "crashed → resume failed at health gate", defect: "the same after a crash and --resume"),
        // Routes go back only to a colour that can take them.
        Case(seed: 16994, result: "deploy failed at switch → resume: done", defect: "a denied switch sent beta back to a colour that had lost its only instance"),
        // A rollback (or switch) to the colour of a deploy that failed, was rolled back or stopped is refused unless forced.
        Case(
            seed: 55, result: "deploy failed at health gate → rollback refused",
            defect: "an operator's rollback after a failed gate sent beta to the failed build's colour, left with a broken instance",
            asFoundBeforeSharedObjects: false),
        Case(
            seed: 200, result: "deploy rolled back → rollback refused",
            defect: "a rollback after an aborted canary served the erroring build, its group left pinned at the canary's capacity",
            asFoundBeforeSharedObjects: false),
        // An instance switch whose undo could not finish leaves its journal unfinished, as a blue-green deploy does.
        Case(
            seed: 6227, result: "deploy failed at health gate → recover: done → rollback refused",
            defect: "an instance switch's undo denied its last write (the shared build object): the journal said failed, recover never ran, the object named the failed build",
            asFoundBeforeSharedObjects: false),
        Case(
            seed: 2190, result: "deploy interrupted at health gate → resume refused → recover: done",
            defect: "then --resume went on with that instance switch: green served v2 recorded as v1"),
    ]

    @Test(arguments: cases) func aSeedThatFoundADefectHoldsEveryInvariant(_ found: Case) async throws {
        var scenario = SoakScenario.random(seed: found.seed)
        if found.asFoundBeforeSharedObjects {
            scenario.sharedBuildObject = false
            scenario.rollbackAfter = false
        }
        let outcome = await Soak.run(scenario)
        #expect(outcome.result == found.result, "\(scenario)")
        #expect(outcome.violations == [], "\(scenario) → \(outcome.result)")
    }
}
