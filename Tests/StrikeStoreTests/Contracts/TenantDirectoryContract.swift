import Foundation
import StrikeCore
import StrikeStore
import StrikeTestSupport
import Testing

@Suite("TenantDirectory contract") struct TenantDirectoryContract {
    private static let password = "a long enough password"

    private func account(_ username: String, owner: Bool = false, role: Role? = .admin) -> NewAccount {
        NewAccount(
            username: username, displayName: username, password: Self.password, isOwner: owner,
            membership: role.map { NewAccount.Membership(tenant: TestWorld.noc, role: $0) })
    }

    @Test(arguments: StoreEngine.allCases)
    func tenantsAndTheirLinks(_ engine: StoreEngine) async throws {
        let directory: any TenantDirectory = try await engine.open().store
        #expect(try await directory.tenants().map(\.id) == [TestWorld.noc, TestWorld.osp])
        #expect(try await directory.tenant(TestWorld.osp)?.jobPrefix == "E2")
        #expect(try await directory.link(noc: TestWorld.noc, osp: TestWorld.osp)?.status == .active)
        try await directory.setLink(noc: TestWorld.noc, osp: TestWorld.osp, status: .suspended, actor: .system("test"))
        #expect(try await directory.links(of: TestWorld.osp).map(\.status) == [.suspended])
        await #expect(throws: (any Error).self) {
            try await directory.setLink(noc: TestWorld.osp, osp: TestWorld.noc, status: .active, actor: .system("test"))
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func oneOwnerAndUniqueUsernamesWithThePasswordKeptAsAHash(_ engine: StoreEngine) async throws {
        let directory: any TenantDirectory = try await engine.open().store
        #expect(try await !directory.hasOwner())
        let owner = try await directory.createAccount(account("root", owner: true, role: nil), passwordCost: 4, requireNoOwner: true, actor: .system("test"))
        #expect(try await directory.hasOwner())
        await #expect(throws: AccountError.self) {
            try await directory.createAccount(account("second", owner: true, role: nil), passwordCost: 4, requireNoOwner: true, actor: .system("test"))
        }
        await #expect(throws: AccountError.self) {
            try await directory.createAccount(account("root"), passwordCost: 4, requireNoOwner: false, actor: .system("test"))
        }
        await #expect(throws: DomainError.self) {
            try await directory.createAccount(
                NewAccount(username: "short", displayName: "S", password: "short", isOwner: false, membership: nil),
                passwordCost: 4, requireNoOwner: false, actor: .system("test"))
        }
        let stored = try #require(try await directory.credentials(username: "root"))
        #expect(stored.user == owner)
        #expect(stored.passwordHash.hasPrefix("$2"), "a bcrypt hash")
        #expect(!stored.passwordHash.contains(Self.password))
        #expect(try await directory.credentials(username: "short") == nil)
    }

    @Test(arguments: StoreEngine.allCases)
    func sessionsExpireAndRevokedTokensStop(_ engine: StoreEngine) async throws {
        let clock = ManualNow()
        let directory: any TenantDirectory = try await engine.open(clock: clock).store
        let user = try await directory.createAccount(account("dana"), passwordCost: 4, requireNoOwner: false, actor: .system("test"))
        try await directory.createSession(idHash: "s-1", userID: user.id, csrfToken: "c-1", expiresAt: clock.date.addingTimeInterval(60))
        let session = try #require(try await directory.session(idHash: "s-1"))
        #expect(session.csrfToken == "c-1")
        #expect(session.user == user)
        #expect(session.memberships.map(\.tenantID) == [TestWorld.noc], "the session comes with the user's memberships")
        #expect(session.memberships == (try await directory.memberships(userID: user.id)))
        clock.advance(seconds: 61)
        #expect(try await directory.session(idHash: "s-1") == nil, "expired")
        try await directory.createSession(idHash: "s-2", userID: user.id, csrfToken: "c-2", expiresAt: clock.date.addingTimeInterval(60))
        try await directory.deleteSession(idHash: "s-2")
        #expect(try await directory.session(idHash: "s-2") == nil, "signed out")

        let token = try await directory.createToken(
            id: "t-1", tokenHash: "h-1", name: "wallboard", tenantID: TestWorld.noc, role: .viewer, createdBy: "user:\(user.id)",
            actor: .user(user.id))
        #expect(try await directory.useToken(tokenHash: "h-1")?.id == token.id)
        #expect(try await directory.tokens(tenantID: TestWorld.noc).map(\.name) == ["wallboard"])
        #expect(try await directory.revokeToken(id: "t-1", tenantID: TestWorld.osp, actor: .user(user.id)) == false, "another tenant's")
        #expect(try await directory.revokeToken(id: "t-1", tenantID: TestWorld.noc, actor: .user(user.id)))
        #expect(try await directory.useToken(tokenHash: "h-1") == nil)
    }

    @Test(arguments: StoreEngine.allCases)
    func aTenantIsNeverLeftWithoutAnAdmin(_ engine: StoreEngine) async throws {
        let directory: any TenantDirectory = try await engine.open().store
        let admin = try await directory.createAccount(account("admin"), passwordCost: 4, requireNoOwner: false, actor: .system("test"))
        let viewer = try await directory.createAccount(account("viewer", role: .viewer), passwordCost: 4, requireNoOwner: false, actor: .system("test"))
        await #expect(throws: AccountError.self) {
            try await directory.changeMembership(userID: admin.id, tenantID: TestWorld.noc, role: .viewer, actor: .system("test"))
        }
        #expect(try await directory.changeMembership(userID: viewer.id, tenantID: TestWorld.noc, role: .admin, actor: .system("test")))
        #expect(try await directory.changeMembership(userID: admin.id, tenantID: TestWorld.noc, role: nil, actor: .system("test")))
        #expect(try await directory.members(of: TestWorld.noc).map(\.user.username) == ["viewer"])
        #expect(try await directory.memberships(userID: viewer.id).map(\.role) == [.admin])
        #expect(try await directory.auditLog(tenant: TestWorld.noc, limit: 1, beforeID: nil).first?.action == "remove")
    }
}
