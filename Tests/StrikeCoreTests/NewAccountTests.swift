import StrikeCore
import Testing

@Suite("New account")
struct NewAccountTests {
    static let member = NewAccount.Membership(tenant: Fixture.noc, role: .dispatcher)

    @Test func aValidAccountComesBackWithItsDisplayNameTrimmed() throws {
        let account = try NewAccount(
            username: "dana.ortiz", displayName: "  Dana Ortiz ", password: "a long enough password", isOwner: false, membership: Self.member
        ).validated()
        #expect(account.displayName == "Dana Ortiz")
        #expect(account.membership == Self.member)
    }

    @Test func everyBrokenRuleIsNamedAtOnce() {
        let account = NewAccount(username: "dana ortiz", displayName: "  ", password: "short", isOwner: false, membership: nil)
        #expect(throws: DomainError.invalid([
            FieldProblem(field: "username", message: "must be 1 to 64 letters, digits, '.', '_', '-' or '@'"),
            FieldProblem(field: "password", message: "must be 10 to 200 characters"),
            FieldProblem(field: "displayName", message: "is required"),
            FieldProblem(field: "tenant", message: "a user who is not the owner needs a tenant and a role"),
        ])) { try account.validated() }
    }

    @Test func theOwnerNeedsNoTenant() throws {
        let owner = NewAccount(username: "root", displayName: "NOC Lead", password: "a long enough password", isOwner: true, membership: nil)
        #expect(try owner.validated().isOwner)
    }
}
