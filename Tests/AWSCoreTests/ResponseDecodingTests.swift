import Foundation
import Testing

@testable import AWSCore
@testable import AWSServices

struct ResponseDecodingTests {
    @Test func nestedMemberListsDecodeOnce() throws {
        let xml = """
            <GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult><MetricDataResults><member><Id>a</Id><Label>D Sum</Label><Timestamps><member>2026-11-27T00:21:23Z</member></Timestamps><Values><member>3.0</member></Values><StatusCode>Complete</StatusCode></member></MetricDataResults></GetMetricDataResult><ResponseMetadata><RequestId>P1</RequestId></ResponseMetadata></GetMetricDataResponse>
            """
        let output = try ResponseDecoding.decodeQuery(GetMetricDataOutput.self, from: Data(xml.utf8))
        #expect(output.metricDataResults.count == 1)
        #expect(output.metricDataResults.first?.values == [3.0])
        #expect(output.metricDataResults.first?.timestamps.count == 1)
    }
}
