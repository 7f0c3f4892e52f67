import Foundation
import Hummingbird
import Prometheus
import StrikeCore
import StrikeStore

/// The appliance's Prometheus metrics: requests by route and status with latency histograms, counted as they
/// happen; the log, consumer lag and dead letters read from the database when scraped.
final class ApplianceMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let store: StrikeStore

    init(store: StrikeStore) { self.store = store }

    static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: .init(namespace: "strike", metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered"),
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(namespace: "strike", metricName: "http_request_duration", unitName: "seconds", helpText: "Time to answer"),
            labels: [("method", method), ("route", route)], buckets: Self.latencyBuckets
        ).record(duration)
    }

    /// The exposition text, with the database gauges brought up to date first.
    func scrape() async throws -> String {
        registry.makeGauge(
            descriptor: .init(namespace: "strike", metricName: "event_log_position", unitName: "", helpText: "Events appended to the log")
        ).set(Double(try await store.lastPosition()))
        for lag in try await store.consumerLag() {
            registry.makeGauge(
                descriptor: .init(namespace: "strike", metricName: "consumer_lag", unitName: "events", helpText: "Events a consumer has yet to handle"),
                labels: [("consumer", lag.consumer)]
            ).set(Double(lag.lag))
        }
        registry.makeGauge(
            descriptor: .init(namespace: "strike", metricName: "dead_letters", unitName: "", helpText: "Events parked in the dead-letter table")
        ).set(Double(try await store.deadLetters().count))
        registry.makeGauge(
            descriptor: .init(namespace: "strike", metricName: "wal_syncs", unitName: "", helpText: "WAL syncs since start (one or more per write transaction)")
        ).set(Double(StorageSyncs.wal))
        let committed = store.committed
        registry.makeGauge(
            descriptor: .init(
                namespace: "strike", metricName: "write_transactions", unitName: "",
                helpText: "Write transactions that changed the database since start (group commit: one or more writes each)")
        ).set(Double(committed.transactions))
        registry.makeGauge(
            descriptor: .init(namespace: "strike", metricName: "writes", unitName: "", helpText: "Writes committed since start, each acknowledged after its commit")
        ).set(Double(committed.writes))
        let backups = try await store.backupOutcomes()
        for (name, help, at) in [
            ("backup_last_success_timestamp", "When the last scheduled backup succeeded (Unix time)", backups.lastSuccess?.at),
            ("backup_last_failure_timestamp", "When the last scheduled backup failed (Unix time)", backups.lastFailure?.at),
        ] {
            guard let date = at.flatMap(ISO8601.date(from:)) else { continue }
            registry.makeGauge(descriptor: .init(namespace: "strike", metricName: name, unitName: "seconds", helpText: help))
                .set(date.timeIntervalSince1970)
        }
        registry.makeGauge(
            descriptor: .init(namespace: "strike", metricName: "backup_failing", unitName: "", helpText: "1 when the last scheduled backup failed")
        ).set(Double(backups.failing ? 1 : 0))
        return registry.emitToString()
    }
}

/// Counts every answer by its route template (never the raw path, which would make a series per ECO).
/// Counts and times every answer, and logs it at debug level: method, path (never the query or body), status.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = StrikeRequestContext
    let metrics: ApplianceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let duration = ContinuousClock.now - started
        metrics.recordRequest(
            method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: response.status.code, duration: duration)
        context.logger.debug(
            "answered",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
                "ms": "\(duration.components.attoseconds / 1_000_000_000_000_000 + duration.components.seconds * 1000)",
            ])
        return response
    }
}

struct MetricsRoutes {
    let metrics: ApplianceMetrics

    func register(_ api: APIRouter) {
        api.add(.get, "/metrics", access: .signedIn, scrape)
    }

    @Sendable func scrape(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: try await metrics.scrape())))
    }
}
