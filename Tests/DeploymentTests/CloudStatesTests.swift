import Foundation
import Testing

@testable import Deployment

/// The states AWS reports are enums: known spellings map to their case, anything else is kept as spelt, and each
/// is a plain string on the wire and in JSON.
struct CloudStatesTests {
    @Test func knownAndUnknownStates() throws {
        #expect(TargetHealthState.parse("healthy") == .healthy)
        #expect(TargetHealthState.parse("Healthy") == .other("Healthy"), "AWS's spelling is exact: no guessing")
        #expect(LifecycleState.parse("InService") == .inService && LifecycleState.parse("Warmed:Pending") == .other("Warmed:Pending"))
        #expect(AlarmState.parse("INSUFFICIENT_DATA") == .insufficientData)
        #expect(RefreshState.parse("Baking") == .baking && !RefreshState.baking.isFinished)
        #expect(RefreshState.parse("Unknown").isFinished, "a state nobody knows is not followed forever")
        #expect(InstanceRefreshStatus(id: "r", status: "RollbackInProgress", percentComplete: nil, reason: nil).isFinished == false)
        let data = try JSONEncoder().encode([TargetHealthState.draining, .other("x")])
        #expect(String(decoding: data, as: UTF8.self) == #"["draining","x"]"#)
        #expect(try JSONDecoder().decode([AlarmState].self, from: Data(#"["ALARM","OK"]"#.utf8)) == [.alarm, .ok])
    }
}
