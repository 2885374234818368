import Foundation
import Testing

@testable import AWSCore

/// AWS's XML answers parsed and decoded by `ce` itself (no FoundationXML, so no libxml2 or ICU in the binary).
struct XMLDecodingTests {
    struct Target: Decodable, Equatable {
        var id: String
        var port: Int?
        var healthy: Bool?
        var registeredAt: Date?
    }

    struct Page: Decodable, Equatable {
        @QueryList var targets: [Target]
        @QueryList var names: [String]
        var nextToken: String?
        var description: String?
    }

    @Test func aQueryAnswerWithListsEntitiesCDATAAndNamespacesDecodes() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment before the root -->
            <aws:PageResponse xmlns:aws="https://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
              <Targets>
                <member><Id>i-1</Id><Port> 80 </Port><Healthy>true</Healthy><RegisteredAt>2026-12-07T10:00:00.5Z</RegisteredAt></member>
                <member><Id>i-2</Id><!-- none --><Healthy>false</Healthy></member>
              </Targets>
              <Names><member>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#233;&#x263A;</member><member><![CDATA[<raw> & kept]]></member></Names>
              <NextToken/>
              <Description>caf\u{E9} \u{1F600}</Description>
            </aws:PageResponse>
            """
        let page = try XMLTreeDecoder().decode(Page.self, from: Data(xml.utf8))
        #expect(page.targets.map(\.id) == ["i-1", "i-2"])
        #expect(page.targets[0].port == 80 && page.targets[0].healthy == true && page.targets[1].port == nil && page.targets[1].healthy == false)
        #expect(page.targets[0].registeredAt == Date(timeIntervalSince1970: 1_796_637_600.5))
        #expect(page.names == ["a & b <c> \"d\" 'e' \u{E9}\u{263A}", "<raw> & kept"])
        #expect(page.nextToken == nil, "an empty element is nil")
        #expect(page.description == "caf\u{E9} \u{1F600}")
    }

    @Test func missingAndEmptyListsAreEmptyAndAMissingRequiredValueIsAnError() throws {
        let empty = try XMLTreeDecoder().decode(Page.self, from: Data("<R><Targets/></R>".utf8))
        #expect(empty.targets.isEmpty && empty.names.isEmpty && empty.nextToken == nil)
        #expect(throws: DecodingError.self) { try XMLTreeDecoder().decode(Target.self, from: Data("<T><Port>80</Port></T>".utf8)) }
        #expect(throws: DecodingError.self) { try XMLTreeDecoder().decode(Target.self, from: Data("<T><Id>i</Id><Port>eighty</Port></T>".utf8)) }
    }

    @Test(arguments: [
        ("", "no root element"), ("<A><B></A>", "</A> closes <B>"), ("<A>", "<A> is not closed"), ("<A x=1/>", "unquoted attribute"),
        ("<A>&nope;</A>", "unknown entity &nope;"), ("<A/><B/>", "content after the root element"), ("<A><![CDATA[x</A>", "unterminated CDATA"),
    ])
    func malformedXMLIsAnErrorSayingWhere(xml: String, reason: String) {
        do {
            _ = try XMLElementTree.parse(Data(xml.utf8))
            Issue.record("'\(xml)' parsed")
        } catch let error as XMLParseError {
            #expect(error.description.contains(reason), "\(error)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func attributesAreReadPastAndTheQueryEnvelopeFindsItsResult() throws {
        struct Result: Decodable { var value: String }
        let xml = #"<OpResponse xmlns="x"><OpResult a="1" b='2'><Value>v</Value></OpResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></OpResponse>"#
        #expect(try ResponseDecoding.decodeQuery(Result.self, from: Data(xml.utf8)).value == "v")
    }
}
