import Foundation
import StrikeCore
import StrikeIntegrations
import StrikeStore
import StrikeTestSupport
import StrikeWorkers
import Testing

@Suite struct EndpointsTests {
    static let local = URL(string: "http://127.0.0.1:8080")!
    static let public_ = URL(string: "https://strike.example.net")!

    @Test func simulatedAccountsReachTheBuiltInSimulatorsAndAreCalledBackOnTheLoopback() throws {
        let endpoints = Endpoints(publicBaseURL: Self.public_, localBaseURL: Self.local)
        #expect(endpoints.twilio(.simulated).absoluteString == "http://127.0.0.1:8080/sim/twilio")
        #expect(try endpoints.callbacks(.simulated) == Self.local)
        #expect(endpoints.callbackBases == [Self.public_, Self.local])
    }

    @Test func liveAccountsReachTwilioAndAreCalledBackOnThePublicAddressWhichTheyNeed() throws {
        #expect(Endpoints(publicBaseURL: Self.public_, localBaseURL: Self.local).twilio(.live) == TwilioCredentials.live)
        #expect(try Endpoints(publicBaseURL: Self.public_, localBaseURL: Self.local).callbacks(.live) == Self.public_)
        #expect(throws: PagerError.noPublicBaseURL) { try Endpoints(publicBaseURL: nil, localBaseURL: Self.local).callbacks(.live) }
    }

    @Test func aRenderInstanceIsReachedAtItsOwnURLWhenLiveAndAtTheSimulatorWhenSimulated() async throws {
        let world = try await TestWorld.make()
        let endpoints = Endpoints(publicBaseURL: nil, localBaseURL: Self.local)
        #expect(try await endpoints.render(osp: TestWorld.osp, in: world.store) == nil, "none set up")
        _ = try await world.store.setRenderInstance(
            osp: TestWorld.osp,
            RenderInstanceChange(mode: .simulated, baseURL: nil, clientID: "strike", clientSecret: "s3cret", projectID: "P-1"),
            actor: TestWorld.actor)
        let simulated = try #require(try await endpoints.render(osp: TestWorld.osp, in: world.store)).credentials
        #expect(simulated.baseURL.absoluteString == "http://127.0.0.1:8080/sim/render")
        #expect(simulated.clientSecret == "s3cret")
        _ = try await world.store.setRenderInstance(
            osp: TestWorld.osp,
            RenderInstanceChange(mode: .live, baseURL: "https://render.example.net/api", clientID: "strike", clientSecret: nil, projectID: "P-1"),
            actor: TestWorld.actor)
        #expect(try await endpoints.render(osp: TestWorld.osp, in: world.store)?.credentials.baseURL.absoluteString == "https://render.example.net/api")
    }
}
