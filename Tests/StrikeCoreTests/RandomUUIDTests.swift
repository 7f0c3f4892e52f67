import Foundation
import StrikeCore
import Testing

@Suite struct RandomUUIDTests {
    /// The ids the appliance makes are RFC 4122 version 4 UUIDs, as Foundation's were, and never repeat.
    @Test func randomUUIDsAreVersionFourOfTheRFCVariantAndDistinct() {
        let ids = (0..<10_000).map { _ in UUID.random() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(100) {
            let text = id.uuidString
            #expect(Array(text)[14] == "4", "version 4 in \(text)")
            #expect("89AB".contains(Array(text)[19]), "the RFC 4122 variant in \(text)")
        }
        let ecoID = EcoID.random().rawValue
        #expect(ecoID == ecoID.lowercased() && UUID(uuidString: ecoID) != nil, "an ECO id is a lower-case UUID")
    }
}
