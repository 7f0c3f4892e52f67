import Foundation
import StrikeCore
import StrikeIntegrations
import StrikeTestSupport
import Synchronization
import Testing

@Suite struct TwilioSignatureTests {
    static let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    static let parameters = [
        ("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"), ("Digits", "1234"), ("From", "+14158675309"), ("To", "+18005551212"),
    ]
    static let signature = "RSOYDt4T1cUTdK1PDd93/VVr8B8="

    @Test func twiliosPublishedExampleIsAccepted() {
        #expect(TwilioSignature.compute(authToken: "12345", url: Self.url, parameters: Self.parameters) == Self.signature)
        #expect(TwilioSignature.isValid(Self.signature, authToken: "12345", url: Self.url, parameters: Self.parameters.reversed()))
    }

    @Test func anyChangeOfURLParameterOrTokenIsRefused() {
        #expect(!TwilioSignature.isValid(Self.signature, authToken: "12346", url: Self.url, parameters: Self.parameters))
        for url in ["https://mycompany.com/myapp.php?foo=1&bar=3", "http://mycompany.com/myapp.php?foo=1&bar=2", "https://mycompany.com/myapp.php"] {
            #expect(!TwilioSignature.isValid(Self.signature, authToken: "12345", url: url, parameters: Self.parameters), "\(url)")
        }
        var changed = Self.parameters
        changed[2] = ("Digits", "1235")
        #expect(!TwilioSignature.isValid(Self.signature, authToken: "12345", url: Self.url, parameters: changed))
        #expect(!TwilioSignature.isValid(Self.signature, authToken: "12345", url: Self.url, parameters: Array(Self.parameters.dropLast())))
        #expect(!TwilioSignature.isValid(Self.signature, authToken: "12345", url: Self.url, parameters: Self.parameters + [("Extra", "")]))
    }

    @Test func theDefaultPortMayBeThereOrNot() {
        let withPort = "https://mycompany.com:443/myapp.php?foo=1&bar=2"
        #expect(TwilioSignature.isValid(Self.signature, authToken: "12345", url: withPort, parameters: Self.parameters))
        let signedWithPort = TwilioSignature.compute(authToken: "12345", url: withPort, parameters: Self.parameters)
        #expect(TwilioSignature.isValid(signedWithPort, authToken: "12345", url: Self.url, parameters: Self.parameters))
        let otherPort = "https://mycompany.com:8443/myapp.php?foo=1&bar=2"
        #expect(!TwilioSignature.isValid(Self.signature, authToken: "12345", url: otherPort, parameters: Self.parameters))
    }
}

@Suite struct TwilioClientTests {
    static let account = TwilioCredentials(
        accountSID: "AC0123456789abcdef0123456789abcdef", authToken: "token", baseURL: URL(string: "http://127.0.0.1:9/sim/twilio")!)
    static let call = CallRequest(
        to: "+13035550101", from: "+13035550199", twiml: TwiML.gather(message: "Fiber cut", action: "https://strike.example/twilio/gather"),
        statusCallback: URL(string: "https://strike.example/twilio/status?run=r1&attempt=0")!)

    @Test func aCallIsPostedAsTwilioExpectsIt() async throws {
        let transport = FakeTransport { _ in json(201, ["sid": "CA1", "status": "queued"]) }
        let placed = try await TwilioClient(transport: transport, clock: .instantSleeps).placeCall(Self.call, account: Self.account)
        #expect(placed == PlacedCall(sid: "CA1", status: "queued"))
        let request = try #require(transport.requests.first)
        #expect(request.url.absoluteString == "http://127.0.0.1:9/sim/twilio/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls.json")
        #expect(request.headers["Authorization"] == "Basic " + Data("AC0123456789abcdef0123456789abcdef:token".utf8).base64EncodedString())
        let form = FormEncoding.decode(request.body ?? Data())
        #expect(form.first { $0.0 == "To" }?.1 == "+13035550101")
        #expect(form.first { $0.0 == "StatusCallback" }?.1 == "https://strike.example/twilio/status?run=r1&attempt=0")
        #expect(form.filter { $0.0 == "StatusCallbackEvent" }.map(\.1) == ["initiated", "ringing", "answered", "completed"])
        #expect(form.first { $0.0 == "Twiml" }?.1.contains(#"<Gather numDigits="1""#) == true)
    }

    @Test func theAccountIsReadWithoutPlacingACallAndARefusalIsNamed() async throws {
        let active = FakeTransport { _ in json(200, ["sid": "AC0123456789abcdef0123456789abcdef", "status": "active"]) }
        #expect(try await TwilioClient(transport: active, clock: .instantSleeps).accountStatus(Self.account) == "active")
        let request = try #require(active.requests.first)
        #expect(request.method == "GET")
        #expect(request.url.absoluteString == "http://127.0.0.1:9/sim/twilio/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef.json")

        let refusing = FakeTransport { _ in
            json(401, ["code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401])
        }
        await #expect(
            throws: TwilioError.refused(status: 401, code: 20003, message: "Authenticate", moreInfo: "https://www.twilio.com/docs/errors/20003")
        ) {
            try await TwilioClient(transport: refusing, clock: .instantSleeps).accountStatus(Self.account)
        }
    }

    @Test func aRateLimitIsRetriedAndAnyOtherRefusalIsNot() async throws {
        let limited = Mutex(2)
        let busy = FakeTransport { _ in
            limited.withLock { $0 -= 1; return $0 >= 0 }
                ? json(429, ["code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429])
                : json(201, ["sid": "CA2", "status": "queued"])
        }
        #expect(try await TwilioClient(transport: busy, clock: .instantSleeps).placeCall(Self.call, account: Self.account).sid == "CA2")
        #expect(busy.requests.count == 3)

        let refusing = FakeTransport { _ in
            json(400, ["code": 21211, "message": "The 'To' number is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400])
        }
        await #expect(
            throws: TwilioError.refused(
                status: 400, code: 21211, message: "The 'To' number is not a valid phone number.", moreInfo: "https://www.twilio.com/docs/errors/21211")
        ) {
            try await TwilioClient(transport: refusing, clock: .instantSleeps).placeCall(Self.call, account: Self.account)
        }
        #expect(refusing.requests.count == 1)
    }

    @Test func theTwiMLAsksForOneDigitAndEscapesTheMessage() {
        let twiml = TwiML.gather(message: "Cut at 5th & <Main>", action: "https://strike.example/twilio/gather?a=1&b=2")
        #expect(twiml.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?><Response><Gather numDigits="1""#))
        #expect(twiml.contains("Cut at 5th &amp; &lt;Main&gt;"))
        #expect(twiml.contains(#"action="https://strike.example/twilio/gather?a=1&amp;b=2""#))
        #expect(twiml.contains("Press 1 to accept"))
        #expect(!twiml.contains("<Main>"))
    }
}
