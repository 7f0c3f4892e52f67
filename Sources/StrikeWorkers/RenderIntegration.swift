import Foundation
import Logging
import StrikeCore
public import StrikeIntegrations
public import StrikeRuntime
public import StrikeStore

/// DESIGN §5, the Render integration: for each new ECO (and each operator retry after `FAILED(render)`), makes
/// sure the OSP's Render instance holds one task for the ECO's subsector, and records `TASKED` with its id, or
/// `FAILED(render)` with a reason an operator can act on.
///
/// Never two tasks for one subsector: the subsector is listed before anything is created, on every attempt,
/// so a redelivered event, a lost answer, or a crash between the creation and its record finds the task.
public struct RenderIntegration: EventConsumer {
    public let name = "render-integration"
    /// ECOs handled at once: each waits mostly on Render's answers, so a burst of new ECOs drains about this many
    /// times faster than one at a time. Safe because `handle` is idempotent per ECO (it lists the subsector first).
    public let concurrency = 8

    let store: any EventStore & FieldAccounts
    let client: RenderClient
    let endpoints: Endpoints
    let clock: ApplianceClock
    let retry: RetryPolicy
    private let logger = Logger(label: "strike.render")

    public init(
        store: any EventStore & FieldAccounts, client: RenderClient, endpoints: Endpoints, clock: ApplianceClock,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 3, initialDelay: .seconds(2), maxDelay: .seconds(30))
    ) {
        self.store = store
        self.client = client
        self.endpoints = endpoints
        self.clock = clock
        self.retry = retry
    }

    public func wants(_ event: RecordedEvent) -> Bool {
        event.streamType == Eco.streamType && (event.type == "EcoCreated" || event.type == "EcoIntegrationStatusChanged")
    }

    /// Acts only while the ECO waits for Render (`PENDING`, not closed): whatever the event, the current state
    /// decides, so every delivery after the first finds nothing to do.
    public func handle(_ event: RecordedEvent, _ context: ConsumerContext) async throws {
        let eco = try await store.load(Eco.self, id: event.streamID).state
        guard let ecoID = eco.id, eco.integration == .pending, !eco.status.isFinal else { return }
        let outcome = try await task(for: eco)
        switch outcome {
        case .success(let taskID):
            try await context.execute(.markTasked(renderTaskID: taskID), on: ecoID, actor: .system(name))
        case .failure(let reason):
            logger.warning("Render task not made", metadata: ["eco": "\(ecoID)", "reason": "\(reason)"])
            try await context.execute(.failIntegration(.render, reason: reason), on: ecoID, actor: .system(name))
        }
    }

    enum Outcome { case success(String), failure(String) }

    /// What Render did for the ECO. A cancellation (the appliance stopping) is thrown, never recorded: the
    /// event is delivered again after the restart.
    private func task(for eco: Eco) async throws -> Outcome {
        let instance: RenderCredentials
        let taskType: String
        do {
            guard let found = try await endpoints.render(osp: eco.ospTenantID, in: store) else {
                return .failure("no Render instance is set up for this OSP")
            }
            (instance, taskType) = (found.credentials, found.instance.defaultTaskType)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return .failure("the OSP's Render settings could not be read: \(error)")
        }
        let new = NewRenderTask(
            subsector: eco.jobID.subsector, taskType: taskType, description: eco.description, location: eco.location,
            externalReference: eco.id?.rawValue ?? "")
        // The one retry layer of this call: the subsector is listed again on every attempt.
        do {
            return .success(
                try await retry.run(on: clock, isRetryable: { ($0 as? RenderError)?.isTransient ?? false }) {
                    if let existing = try await client.tasks(inSubsector: new.subsector, on: instance).first { return existing.id }
                    return try await client.createTask(new, on: instance).id
                })
        } catch let error as RenderError {
            return .failure(error.description)
        }
    }
}
