import StrikeCore
import Testing

@Suite("ECO draft validation")
struct EcoDraftTests {
    /// Validates and returns the fields named in the refusal, or records an issue if it was accepted.
    static func problemFields(_ draft: EcoDraft) -> [String] {
        let error = #expect(throws: DomainError.self) { try draft.validated() }
        guard case .invalid(let problems)? = error else {
            Issue.record("expected .invalid, got \(String(describing: error))")
            return []
        }
        return problems.map(\.field)
    }

    @Test func descriptionIsTrimmed() throws {
        let checked = try Fixture.draft(description: "  \n Fiber cut on Main St\t ").validated()
        #expect(checked.description == "Fiber cut on Main St")
    }

    @Test(arguments: ["", "   ", "\n\t \n"])
    func emptyDescriptionIsRefused(description: String) {
        #expect(Self.problemFields(Fixture.draft(description: description)) == ["description"])
    }

    @Test func descriptionOf4000CharactersIsAccepted() throws {
        let description = String(repeating: "a", count: 4000)
        #expect(try Fixture.draft(description: description).validated().description == description)
        // Trimming happens before the length is counted.
        #expect(try Fixture.draft(description: "  " + description + "  ").validated().description == description)
    }

    @Test func descriptionOf4001CharactersIsRefused() {
        #expect(Self.problemFields(Fixture.draft(description: String(repeating: "a", count: 4001))) == ["description"])
    }

    @Test func nocAndOspMustDiffer() {
        #expect(Self.problemFields(Fixture.draft(noc: Fixture.noc, osp: Fixture.noc)) == ["ospTenantID"])
    }

    @Test func tenantsAreRequired() {
        #expect(Self.problemFields(Fixture.draft(noc: TenantID(""), osp: TenantID(""))) == ["nocTenantID", "ospTenantID"])
    }

    @Test func everyProblemIsReportedTogether() {
        // Given a draft wrong in three ways
        let draft = Fixture.draft(
            description: "  ", noc: Fixture.noc, osp: Fixture.noc,
            location: .point(Position(longitude: 181, latitude: 0)))

        // Then validation names all three fields at once
        #expect(Self.problemFields(draft) == ["location", "description", "ospTenantID"])
    }

    @Test func attachmentsAreLimited() {
        var draft = Fixture.draft()
        draft.attachments = Array(repeating: "photo.jpg", count: EcoDraft.maxAttachments + 1)
        #expect(Self.problemFields(draft) == ["attachments"])
        draft.attachments = ["photo.jpg", ""]
        #expect(Self.problemFields(draft) == ["attachments[1]"])
    }

    @Test func newEcoValidatesItsDraft() throws {
        #expect(throws: DomainError.self) {
            try NewEco(ecoID: Fixture.ecoID, draft: Fixture.draft(description: ""), jobID: Fixture.jobID)
        }
        let new = try NewEco(ecoID: Fixture.ecoID, draft: Fixture.draft(description: " Fiber cut "), jobID: Fixture.jobID)
        #expect(new.draft.description == "Fiber cut")
    }
}
