import Foundation
import StrikeCore
import Testing

@Suite("Job id")
struct JobIDTests {
    @Test func formatsWithFiveDigits() {
        let id = JobID(prefix: "E2", number: 524, year: 2025)
        #expect(id.description == "E2-00524-2025")
        #expect(id.subsector == "ECO-E2-00524-2025")
    }

    @Test func largeNumbersAreNotTruncated() {
        #expect(JobID(prefix: "E2", number: 99_999, year: 2025).description == "E2-99999-2025")
        #expect(JobID(prefix: "E2", number: 123_456, year: 2025).description == "E2-123456-2025")
    }

    @Test(arguments: [
        JobID(prefix: "E2", number: 524, year: 2025),
        JobID(prefix: "E2", number: 1, year: 2026),
        JobID(prefix: "NORTH-1", number: 123_456, year: 2030),
    ])
    func parsingRoundTrips(id: JobID) throws {
        #expect(JobID(parsing: id.description) == id)
        let data = try JSONEncoder().encode(id)
        #expect(String(decoding: data, as: UTF8.self) == "\"\(id.description)\"")
        #expect(try JSONDecoder().decode(JobID.self, from: data) == id)
    }

    @Test(arguments: ["", "E2", "E2-00524", "E2-abc-2025", "E2-00524-twenty"])
    func parsingRefusesGarbage(text: String) {
        #expect(JobID(parsing: text) == nil)
    }

    @Test func yearIsTakenInUTC() throws {
        // 2025-12-31 23:30 in New York is already 2026 in UTC.
        let date = try #require(ISO8601.date(from: "2026-01-01T04:30:00Z"))
        #expect(JobID(prefix: "E2", number: 7, allocatedAt: date).description == "E2-00007-2026")
    }

    @Test(arguments: ["E", "E2", "OSP", "ABCDEFGH", "A1B2"])
    func validPrefixes(prefix: String) {
        #expect(JobID.isValidPrefix(prefix))
    }

    @Test(arguments: ["", "e2", "2E", "ABCDEFGHI", "E-2", "E 2", "É2"])
    func invalidPrefixes(prefix: String) {
        #expect(!JobID.isValidPrefix(prefix))
    }
}
