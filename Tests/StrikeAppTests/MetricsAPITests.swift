import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import StrikeApp
import StrikeHTTP
import StrikeTestSupport
import Testing

@Suite struct MetricsAPITests {
    @Test func metricsCountRequestsByRouteTemplateAndShowTheLog() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let dispatcher = try await client.signIn("noc-dispatcher")
            let created = try await client.post("/api/ecos", EcoAPITests.cut, headers: dispatcher.headers)
            let id = try #require((created.json["eco"] as? [String: Any])?["id"] as? String)
            _ = try await client.get("/api/ecos/\(id)", headers: dispatcher.headers)
            _ = try await client.get("/api/ecos/\(id)", headers: dispatcher.headers)

            let scrape = try await client.get("/metrics", headers: dispatcher.headers)
            #expect(scrape.status == .ok)
            #expect(scrape.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = scrape.text
            #expect(text.contains(#"strike_http_requests_total{method="POST",route="/api/ecos",status="201"} 1"#), "\(text)")
            #expect(text.contains(#"strike_http_requests_total{method="GET",route="/api/ecos/{id}",status="200"} 2"#))
            #expect(text.contains(#"strike_http_request_duration_seconds_bucket{method="GET",route="/api/ecos/{id}",le="+Inf"} 2"#))
            #expect(!text.contains(id))
            #expect(text.contains("strike_event_log_position 1"))
            #expect(text.contains("strike_dead_letters 0"))
        }
    }
}
