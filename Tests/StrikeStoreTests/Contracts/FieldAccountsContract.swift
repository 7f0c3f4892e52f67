import Foundation
import StrikeCore
import StrikeStore
import StrikeTestSupport
import Testing

@Suite("FieldAccounts contract") struct FieldAccountsContract {
    @Test(arguments: StoreEngine.allCases)
    func aRenderSecretIsKeptUntilANewOneIsGiven(_ engine: StoreEngine) async throws {
        let accounts: any FieldAccounts = try await engine.open().store
        #expect(try await accounts.renderInstance(osp: TestWorld.osp) == nil)
        let made = try await accounts.setRenderInstance(
            osp: TestWorld.osp,
            RenderInstanceChange(mode: .live, baseURL: "https://render.example", clientID: "client-1", clientSecret: "secret-1", projectID: "P-1"),
            actor: .system("test"))
        #expect(made.clientSecretSet)
        #expect(try await accounts.renderClientSecret(osp: TestWorld.osp) == "secret-1")
        _ = try await accounts.setRenderInstance(
            osp: TestWorld.osp,
            RenderInstanceChange(mode: .live, baseURL: "https://render.example", clientID: "client-2", clientSecret: nil, projectID: "P-1"),
            actor: .system("test"))
        #expect(try await accounts.renderInstance(osp: TestWorld.osp)?.clientID == "client-2")
        #expect(try await accounts.renderClientSecret(osp: TestWorld.osp) == "secret-1", "a nil secret keeps the stored one")
    }

    @Test(arguments: StoreEngine.allCases)
    func aTwilioTokenChangeIsSeenAtOnceAndABadAccountChangesNothing(_ engine: StoreEngine) async throws {
        let accounts: any FieldAccounts = try await engine.open().store
        let sid = "AC" + String(repeating: "0", count: 32)
        _ = try await accounts.setTwilioAccount(
            noc: TestWorld.noc, TwilioAccountChange(mode: .live, accountSID: sid, authToken: "token-1", fromNumber: "+14155550100"),
            actor: .system("test"))
        #expect(try await accounts.twilioAccountWithToken(noc: TestWorld.noc)?.authToken == "token-1")
        _ = try await accounts.setTwilioAccount(
            noc: TestWorld.noc, TwilioAccountChange(mode: .live, accountSID: sid, authToken: "token-2", fromNumber: "+14155550100"),
            actor: .system("test"))
        #expect(try await accounts.twilioAccountWithToken(noc: TestWorld.noc)?.authToken == "token-2")
        await #expect(throws: DomainError.self) {
            try await accounts.setTwilioAccount(
                noc: TestWorld.noc, TwilioAccountChange(mode: .live, accountSID: "AC-nope", authToken: "token-3", fromNumber: "555"),
                actor: .system("test"))
        }
        let account = try #require(try await accounts.twilioAccount(noc: TestWorld.noc))
        #expect(account.accountSID == sid)
        #expect(account.authTokenSet)
        #expect(try await accounts.twilioAccountWithToken(noc: TestWorld.noc)?.authToken == "token-2")
        await #expect(throws: DomainError.self) {
            try await accounts.setTwilioAccount(
                noc: TestWorld.osp, TwilioAccountChange(mode: .live, accountSID: sid, authToken: "t", fromNumber: "+14155550100"),
                actor: .system("test"))
        }
    }
}
