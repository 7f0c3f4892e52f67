import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import StrikeApp
import StrikeCore
import StrikeIntegrations
@testable import StrikeStore
import StrikeTestSupport
import Testing

/// Twilio's webhooks through HTTP: only a request signed with the NOC's auth token for the callback URL moves
/// a pager run; anything else is 403 and changes nothing.
@Suite struct TwilioWebhookTests {
    static let authToken = "twilio-auth-token"
    static let accountSID = "AC" + String(repeating: "1", count: 32)

    /// An ECO whose pager run is ringing its first contact, and that run.
    private func ringing(_ api: APIWorld) async throws -> (EcoID, PagerRunID) {
        let store = api.world.store
        _ = try await store.setTwilioAccount(
            noc: TestWorld.noc,
            TwilioAccountChange(mode: .simulated, accountSID: Self.accountSID, authToken: Self.authToken, fromNumber: "+13035550199"),
            actor: TestWorld.actor)
        let ring = [(-105.1, 39.6), (-104.8, 39.6), (-104.8, 39.9), (-105.1, 39.9), (-105.1, 39.6)].map { Position(longitude: $0.0, latitude: $0.1) }
        let list = try await store.createPagerList(
            PagerListDraft(ospTenantID: TestWorld.osp, name: "Denver", region: try Region(polygons: [[ring]])), actor: TestWorld.actor)
        _ = try await store.setPagerListContacts(
            list.id, osp: TestWorld.osp, contacts: [PagerContact(name: "Ana", phone: "+13035550101"), PagerContact(name: "Ben", phone: "+13035550102")],
            actor: TestWorld.actor)
        let eco = try #require(try await api.world.createEco().state.id)
        try await store.execute(.markTasked(renderTaskID: "T-1"), on: eco, actor: TestWorld.actor)
        try await ConsumerRunner(store: store, consumers: [api.appliance.pager]).drain()
        let run = try #require(try await store.writer.read { db in
            try String.fetchOne(db, sql: "SELECT run_id FROM pager_process WHERE eco_id = ?", arguments: [eco.rawValue])
        })
        return (eco, PagerRunID(run))
    }

    /// A form post as Twilio makes it, signed with `token` over `signedURL` (the callback the appliance gave).
    private func post(
        _ client: any TestClientProtocol, _ path: String, _ form: [(String, String)], token: String = authToken, signedForm: [(String, String)]? = nil
    ) async throws -> TestResponse {
        let url = "http://127.0.0.1:8080" + path
        let signature = TwilioSignature.compute(authToken: token, url: url, parameters: signedForm ?? form)
        return try await client.execute(
            uri: path, method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-Twilio-Signature")!: signature],
            body: ByteBuffer(data: FormEncoding.encode(form)))
    }

    private func attempts(_ api: APIWorld, _ run: PagerRunID) async throws -> [PagerAttemptKind] {
        try await api.world.store.load(PagerRun.self, id: run.rawValue).state.attempts.map(\.kind)
    }

    @Test func signedCallbacksMoveTheRunAndAKeyPressDispatches() async throws {
        let twilio = FakeTwilio()
        let api = try await APIWorld.make(transport: twilio)
        let (eco, run) = try await ringing(api)
        #expect(twilio.calledNumbers == ["+13035550101"])
        let query = "?run=\(run.rawValue)&attempt=0"
        try await api.test { client async throws in
            let ringing = [("CallSid", "CA1"), ("CallStatus", "ringing"), ("AccountSid", Self.accountSID)]
            #expect(try await post(client, "/twilio/status" + query, ringing).status == .noContent)
            #expect(try await post(client, "/twilio/status" + query, ringing).status == .noContent, "a duplicate is taken")
            #expect(try await attempts(api, run) == [.calling, .ringing], "and changes nothing")

            let pressed = try await post(client, "/twilio/gather" + query, [("CallSid", "CA1"), ("AccountSid", Self.accountSID), ("Digits", "1")])
            #expect(pressed.status == .ok)
            #expect(pressed.headers[.contentType] == "text/xml; charset=utf-8")
            #expect(pressed.text.contains("<Say>Thank you. The callout is yours.</Say>"))
        }
        let dispatched = try await api.world.store.load(Eco.self, id: eco.rawValue).state
        #expect(dispatched.integration == .dispatched)
        #expect(dispatched.acceptedBy == "Ana")
    }

    @Test func aKeyPressOnACallThePagerGaveUpOnIsToldSo() async throws {
        let twilio = FakeTwilio()
        let api = try await APIWorld.make(transport: twilio)
        let (eco, run) = try await ringing(api)
        try await api.appliance.pager.signal(.digits(attempt: 0, digits: "2"), run: run)
        try await api.test { client async throws in
            let late = try await post(
                client, "/twilio/gather?run=\(run.rawValue)&attempt=0", [("CallSid", "CA1"), ("AccountSid", Self.accountSID), ("Digits", "1")])
            #expect(late.status == .ok)
            #expect(late.text.contains("no longer waiting for your answer"))
        }
        #expect(try await api.world.store.load(Eco.self, id: eco.rawValue).state.integration == .tasked)
        #expect(twilio.calledNumbers == ["+13035550101", "+13035550102"])
    }

    @Test func anUnsignedOrWronglySignedCallbackIs403AndChangesNothing() async throws {
        let api = try await APIWorld.make(transport: FakeTwilio())
        let (eco, run) = try await ringing(api)
        let query = "?run=\(run.rawValue)&attempt=0"
        let accept = [("CallSid", "CA1"), ("AccountSid", Self.accountSID), ("Digits", "1")]
        try await api.test { client async throws in
            let unsigned = try await client.execute(
                uri: "/twilio/gather" + query, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(data: FormEncoding.encode(accept)))
            #expect(unsigned.status == .forbidden)
            #expect(try await post(client, "/twilio/gather" + query, accept, token: "another-token").status == .forbidden)
            #expect(try await post(client, "/twilio/gather" + query, accept, signedForm: [("CallSid", "CA1"), ("AccountSid", Self.accountSID), ("Digits", "2")]).status == .forbidden)
            let otherRun = "?run=\(PagerRunID.random().rawValue)&attempt=0"
            #expect(try await post(client, "/twilio/gather" + otherRun, accept).status == .forbidden)
        }
        #expect(try await attempts(api, run) == [.calling])
        #expect(try await api.world.store.load(Eco.self, id: eco.rawValue).state.integration == .tasked)
    }

    /// The auth token is kept in memory once read; a new one signs the very next callback, and the old one no
    /// longer does.
    @Test func aChangedAuthTokenSignsTheNextCallbackAndTheOldOneNoLonger() async throws {
        let api = try await APIWorld.make(transport: FakeTwilio())
        let (_, run) = try await ringing(api)
        _ = try await api.world.store.setTwilioAccount(
            noc: TestWorld.noc,
            TwilioAccountChange(mode: .simulated, accountSID: Self.accountSID, authToken: "rotated-token", fromNumber: "+13035550199"),
            actor: TestWorld.actor)
        let query = "?run=\(run.rawValue)&attempt=0"
        let ringing = [("CallSid", "CA1"), ("AccountSid", Self.accountSID), ("CallStatus", "ringing")]
        try await api.test { client async throws in
            #expect(try await post(client, "/twilio/status" + query, ringing).status == .forbidden)
            #expect(try await post(client, "/twilio/status" + query, ringing, token: "rotated-token").status == .noContent)
        }
        #expect(try await attempts(api, run) == [.calling, .ringing])
    }

    /// Twilio may deliver a status callback twice: the second one, though about a call the run has moved on
    /// from, records nothing and calls nobody.
    @Test func aStatusCallbackDeliveredTwiceIsRecordedOnce() async throws {
        let twilio = FakeTwilio()
        let api = try await APIWorld.make(transport: twilio)
        let (_, run) = try await ringing(api)
        let busy = [("CallSid", "CA1"), ("CallStatus", "busy"), ("AccountSid", Self.accountSID)]
        try await api.test { client async throws in
            #expect(try await post(client, "/twilio/status?run=\(run.rawValue)&attempt=0", busy).status == .noContent)
            #expect(try await post(client, "/twilio/status?run=\(run.rawValue)&attempt=0", busy).status == .noContent, "a duplicate is taken")
        }
        #expect(try await attempts(api, run) == [.calling, .busy, .calling], "one BUSY for the first call, then the second contact's call")
        #expect(twilio.calledNumbers == ["+13035550101", "+13035550102"])
    }

    /// A callback signed with the NOC's token but about another account's call, or a call the run never made
    /// for that attempt, is refused and moves nothing.
    @Test func aCallbackForAnotherAccountOrAnotherCallIs403AndChangesNothing() async throws {
        let twilio = FakeTwilio()
        let api = try await APIWorld.make(transport: twilio)
        let (eco, run) = try await ringing(api)
        let first = "?run=\(run.rawValue)&attempt=0"
        let otherAccount = "AC" + String(repeating: "2", count: 32)
        try await api.test { client async throws in
            let wrongAccount = [("CallSid", "CA1"), ("CallStatus", "busy"), ("AccountSid", otherAccount)]
            #expect(try await post(client, "/twilio/status" + first, wrongAccount).status == .forbidden)
            let noAccount = [("CallSid", "CA1"), ("CallStatus", "busy")]
            #expect(try await post(client, "/twilio/status" + first, noAccount).status == .forbidden)
            let wrongCall = [("CallSid", "CA9"), ("CallStatus", "busy"), ("AccountSid", Self.accountSID)]
            #expect(try await post(client, "/twilio/status" + first, wrongCall).status == .forbidden)
            let otherAccountAccepts = [("CallSid", "CA1"), ("AccountSid", otherAccount), ("Digits", "1")]
            #expect(try await post(client, "/twilio/gather" + first, otherAccountAccepts).status == .forbidden)
            let otherCallAccepts = [("CallSid", "CA9"), ("AccountSid", Self.accountSID), ("Digits", "1")]
            #expect(try await post(client, "/twilio/gather" + first, otherCallAccepts).status == .forbidden)
        }
        #expect(try await attempts(api, run) == [.calling])
        #expect(try await api.world.store.load(Eco.self, id: eco.rawValue).state.integration == .tasked)

        // Once the run moved on, the first call's SID still names attempt 0 only, and no other SID does.
        try await api.appliance.pager.signal(.digits(attempt: 0, digits: "2"), run: run)
        try await api.test { client async throws in
            let secondCallAsFirst = [("CallSid", "CA2"), ("CallStatus", "busy"), ("AccountSid", Self.accountSID)]
            #expect(try await post(client, "/twilio/status" + first, secondCallAsFirst).status == .forbidden)
            let firstCallAsSecond = [("CallSid", "CA1"), ("CallStatus", "busy"), ("AccountSid", Self.accountSID)]
            #expect(try await post(client, "/twilio/status?run=\(run.rawValue)&attempt=1", firstCallAsSecond).status == .forbidden)
        }
        #expect(try await attempts(api, run) == [.calling, .declined, .calling])
        #expect(twilio.calledNumbers == ["+13035550101", "+13035550102"])
    }
}
