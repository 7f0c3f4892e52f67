public import Foundation
public import StrikeCore
public import StrikeRuntime

// The store, one concern at a time. `StrikeStore` (SQLite with SpatiaLite, through GRDB) implements every one;
// another engine implements the same protocols and runs the same contract suites (`Tests/StrikeStoreTests/
// Contracts`). No signature here names a GRDB type. Each write is atomic and acknowledged only once durable.

/// The append-only event log and the aggregates made from it: ECOs and pager runs.
public protocol EventStore: Sendable {
    /// The appliance's clock, which stamps every event.
    var clock: ApplianceClock { get }
    /// Tells its subscribers each time a commit appended events.
    var commits: CommitSignal { get }
    /// Appends events to one stream at an expected version, outside any aggregate (tools and tests).
    @discardableResult
    func append(streamID: String, streamType: String, expectedVersion: Int, events: [NewEvent]) async throws -> [RecordedEvent]
    func stream(_ streamID: String) async throws -> [RecordedEvent]
    func events(afterPosition: Int64, limit: Int) async throws -> [RecordedEvent]
    func lastPosition() async throws -> Int64
    /// The aggregate's current state and version, from its latest snapshot and the events after it.
    func load<A: Aggregate>(_: A.Type, id: String) async throws -> Loaded<A>
    /// The aggregate replayed from its first event, ignoring snapshots.
    func replay<A: Aggregate>(_: A.Type, id: String) async throws -> Loaded<A>
    /// Opens an ECO: a job number from its OSP's sequence, the `EcoCreated` event and its read model, at once;
    /// a repeated idempotency key answers the first creation.
    func createEco(
        _ draft: EcoDraft, actor: ActorID, ecoID: EcoID, idempotency: IdempotencyKey?, correlationID: String?
    ) async throws -> EcoCreation
    func recordIdempotentResponse(_ idempotency: IdempotencyKey, response: String) async throws
    /// Runs a command on an existing ECO, refused with `VersionConflict` when `expectedVersion` is not current.
    @discardableResult
    func execute(_ command: EcoCommand, on ecoID: EcoID, actor: ActorID, expectedVersion: Int?) async throws -> CommandResult<Eco>
}

/// The ECO read models as the API and the dashboard ask for them.
public protocol EcoQueries: Sendable {
    func eco(_ id: EcoID, visibleTo visibility: Visibility) async throws -> EcoRecord?
    /// ECOs newest first; `cursor` continues after the last item of a previous page.
    func ecos(visibleTo visibility: Visibility, filter: EcoFilter, cursor: String?, limit: Int) async throws -> EcoPage
    func tasks(of ecoID: EcoID) async throws -> [TaskRecord]
    func pagerRuns(of ecoID: EcoID) async throws -> [(run: PagerRunRecord, attempts: [PagerRunRecord.Attempt])]
    /// The ECO, its tasks and its latest pager run, in one snapshot; nil when the tenant does not see it.
    func ecoDetail(_ id: EcoID, visibleTo visibility: Visibility) async throws -> EcoDetail?
    func timeline(of ecoID: EcoID) async throws -> [TimelineEntry]
    func eco(_ id: EcoID, asOf instant: Date) async throws -> (state: Eco, version: Int)?
    func actorNames(_ actors: Set<String>) async throws -> [String: String]
    /// Events after `position` of the ECOs the tenant sees, and the position the scan covered.
    func liveEvents(after position: Int64, visibleTo visibility: Visibility, limit: Int) async throws -> (events: [LiveEvent], scannedTo: Int64)
    /// Every ECO the tenant sees that needs a person now, with its causes, the oldest first.
    func attention(visibleTo visibility: Visibility) async throws -> [AttentionEntry]
    func attention(of eco: EcoID, visibleTo visibility: Visibility) async throws -> AttentionEntry?
    /// The OSP's ECOs showing `display` (`Dispatched`, `Paging`) since their integration status last moved
    /// before `before`, without `cause` listed yet: the candidates for a time-based cause.
    func ecosShowing(
        _ display: DisplayStatus, osp: TenantID, integrationChangedBefore before: Date, without cause: AttentionCause
    ) async throws -> [EcoID]
}

/// Each pager run's ring-down as its `PagerProcess`, versioned, with the events its steps record.
public protocol PagerRuns: Sendable {
    /// The process and the events of its first steps, at once (with the consumer's checkpoint, when given); an
    /// ECO has one live run at most.
    func startPagerRun(_ process: PagerProcess, steps: [PagerStep], noc: TenantID, actor: ActorID, checkpoint: ConsumerContext?) async throws
    func pagerProcess(_ runID: PagerRunID) async throws -> StoredPagerProcess?
    func livePagerRun(eco: EcoID) async throws -> PagerRunID?
    /// Runs still ringing whose contact deadline has passed, and runs waiting for a busy contact of whom one is
    /// free now.
    func overduePagerRuns(at now: Date) async throws -> [PagerRunID]
    /// The phones live runs other than `run` are ringing now: one call at a time per person.
    func ringingPhones(except run: PagerRunID?) async throws -> Set<String>
    /// Saves a process changed from version `expected` with what its steps record (and, when the run ends, its
    /// ECO's move), at once; `VersionConflict` when another writer moved it first.
    func advancePagerRun(_ process: PagerProcess, from expected: Int, steps: [PagerStep], acceptedBy: String?, actor: ActorID) async throws
    func pagerRunMessage(_ runID: PagerRunID) async throws -> String?
}

/// What the Render poller follows and keeps per ECO.
public protocol RenderPolls: Sendable {
    /// ECOs dispatched and not yet closed, with their OSP.
    func followedEcos() async throws -> [(eco: EcoID, osp: TenantID)]
    /// Since when Render has shown no change for the ECO.
    func lastFieldChange(of eco: EcoID) async throws -> Date?
    /// A poll's commands on the ECO, and the poll noted, at once.
    func recordPoll(of eco: EcoID, commands: [EcoCommand], at now: Date, actor: ActorID) async throws
}

/// Tenants, their links and settings, users, memberships, sessions, API tokens and the audit log.
public protocol TenantDirectory: Sendable {
    func createTenant(kind: TenantKind, name: String, jobPrefix: String?, id: TenantID, actor: ActorID) async throws -> Tenant
    func tenants() async throws -> [Tenant]
    func tenant(_ id: TenantID) async throws -> Tenant?
    func setLink(noc: TenantID, osp: TenantID, status: LinkStatus, actor: ActorID) async throws
    func links(of tenant: TenantID?) async throws -> [TenantLink]
    func link(noc: TenantID, osp: TenantID) async throws -> TenantLink?
    func settings(of tenant: TenantID) async throws -> TenantSettings
    func changeSettings(of tenant: TenantID, _ change: TenantSettingsChange, actor: ActorID) async throws -> TenantSettings
    /// Every origin a tenant's base map loads tiles from, for the dashboard's content policy.
    func tileOrigins() async throws -> [String]

    func createAccount(_ account: NewAccount, passwordCost: UInt8, requireNoOwner: Bool, actor: ActorID) async throws -> User
    func hasOwner() async throws -> Bool
    /// The first run: the owner, and the first NOC with the owner as its admin, once.
    func setUp(owner: NewAccount, firstNOC: String?, passwordCost: UInt8) async throws -> (owner: User, noc: Tenant?)
    func credentials(username: String) async throws -> (user: User, passwordHash: String)?
    func passwordHash(userID: String) async throws -> String?
    func changePassword(userID: String, passwordHash: String, keepingSession sessionHash: String?, actor: ActorID) async throws
    func addMember(username: String, tenantID: TenantID, role: Role, actor: ActorID) async throws -> User
    func memberships(userID: String) async throws -> [Membership]
    func members(of tenantID: TenantID) async throws -> [(user: User, role: Role)]
    /// Changes a member's role or removes them (`role` nil); never leaves a tenant without an admin.
    func changeMembership(userID: String, tenantID: TenantID, role: Role?, actor: ActorID) async throws -> Bool

    func createSession(idHash: String, userID: String, csrfToken: String, expiresAt: Date) async throws
    /// The live session: its user, CSRF token and the user's memberships.
    func session(idHash: String) async throws -> (user: User, csrfToken: String, memberships: [Membership])?
    func deleteSession(idHash: String) async throws
    func createToken(id: String, tokenHash: String, name: String, tenantID: TenantID, role: Role, createdBy: String, actor: ActorID) async throws -> APIToken
    func useToken(tokenHash: String) async throws -> APIToken?
    func tokens(tenantID: TenantID) async throws -> [APIToken]
    func revokeToken(id: String, tenantID: TenantID, actor: ActorID) async throws -> Bool
    func auditLog(tenant: TenantID?, limit: Int, beforeID: Int64?) async throws -> [AuditEntry]
}

/// Pager lists with their regions and contacts, and the region lookup that picks one for a location.
public protocol PagerDirectory: Sendable {
    func createPagerList(_ draft: PagerListDraft, id: PagerListID, actor: ActorID) async throws -> PagerList
    func pagerLists(osp: TenantID) async throws -> [PagerList]
    func pagerListDetails(osp: TenantID) async throws -> [PagerListDetail]
    func pagerListDetail(_ id: PagerListID, osp: TenantID) async throws -> PagerListDetail?
    func updatePagerList(_ id: PagerListID, osp: TenantID, _ change: PagerListChange, actor: ActorID) async throws -> PagerListDetail?
    func setPagerListRegion(_ id: PagerListID, osp: TenantID, features: [Region], actor: ActorID) async throws -> PagerListDetail?
    func setPagerListContacts(_ id: PagerListID, osp: TenantID, contacts: [PagerContact], actor: ActorID) async throws -> PagerListDetail?
    func pagerContacts(_ id: PagerListID) async throws -> [PagerContact]
    /// Among the OSP's active lists whose region holds the location, the highest priority, then the smallest
    /// area; else its active default list; else none.
    func pagerList(for location: EcoLocation, osp: TenantID) async throws -> PagerListMatch?
}

/// Each OSP's Render instance and each NOC's Twilio account, their secrets sealed at rest.
public protocol FieldAccounts: Sendable {
    func renderInstance(osp: TenantID) async throws -> RenderInstance?
    func renderClientSecret(osp: TenantID) async throws -> String?
    /// Creates or replaces the OSP's instance; a nil client secret keeps the stored one.
    func setRenderInstance(osp: TenantID, _ change: RenderInstanceChange, actor: ActorID) async throws -> RenderInstance
    func twilioAccount(noc: TenantID) async throws -> TwilioAccount?
    func twilioAccountWithToken(noc: TenantID) async throws -> (account: TwilioAccount, authToken: String)?
    func twilioAuthToken(noc: TenantID) async throws -> String?
    /// Creates or replaces the NOC's account; a nil auth token keeps the stored one.
    func setTwilioAccount(noc: TenantID, _ change: TwilioAccountChange, actor: ActorID) async throws -> TwilioAccount
}

/// How far each consumer has got through the log, and the events it set aside.
public protocol ConsumerCheckpoints: Sendable {
    func checkpoint(of consumer: String) async throws -> Int64
    /// Moves the consumer's checkpoint to `position`, never back.
    func advanceCheckpoint(of consumer: String, to position: Int64) async throws
    func consumerLag() async throws -> [(consumer: String, position: Int64, lag: Int64)]
    func deadLetters() async throws -> [DeadLetter]
    /// Asks for dead letters to be delivered again (all, one consumer's, or one); returns how many.
    func requestDeadLetterRetry(consumer: String?, position: Int64?) async throws -> Int
    /// Sets an event aside for a consumer (adding to its attempts, clearing a retry asked for), moving the
    /// checkpoint past it when `movingCheckpoint`.
    func park(_ event: RecordedEvent, consumer: String, error: String, attempts: Int, movingCheckpoint: Bool) async throws
    func retriesRequested(consumer: String) async throws -> [RecordedEvent]
    func clearDeadLetter(consumer: String, position: Int64) async throws
}

/// The built-in simulators' world: what simulated Render holds and what the simulated phone network does.
public protocol SimulatorState: Sendable {
    func simulatorSettings(noc: TenantID) async throws -> SimulatorSettings
    func setSimulatorSettings(_ settings: SimulatorSettings, noc: TenantID) async throws
    func simulatedEco(_ ecoID: EcoID, noc: TenantID) async throws -> SimulatedEco
    func setSimulatedScenario(_ scenario: String, eco ecoID: EcoID, noc: TenantID) async throws -> SimulatedEco
    func simulatedEcos(noc: TenantID, limit: Int) async throws -> [(eco: SimulatedEco, tasks: [SimulatedTask], calls: [SimulatedCall])]
    func simulatedRenderInstance(clientID: String, clientSecret: String) async throws -> (osp: TenantID, projectID: String)?
    func simulatedTasks(osp: TenantID, project: String, subsector: String) async throws -> [SimulatedTask]
    func addSimulatedTask(_ task: SimulatedTask, osp: TenantID, project: String, eco: EcoID?) async throws
    func playSimulatedField(
        eco ecoID: EcoID, startedAt: Date?, at: Date,
        script: @escaping @Sendable (_ eco: SimulatedEco, _ start: Date, _ tasks: [SimulatedTask]) -> [SimulatedFieldStep]
    ) async throws
    func simulatedTwilioAccount(accountSID: String, authToken: String) async throws -> TenantID?
    func addSimulatedCall(
        sid: String, noc: TenantID, eco: EcoID?, behavior: @escaping @Sendable (Int) -> String, to: String, from: String,
        twiml: String?, url: URL?, statusCallback: URL?, ringSeconds: Double, speed: Double
    ) async throws -> SimulatedCall
    func simulatedCall(_ sid: String) async throws -> SimulatedCall?
    func updateSimulatedCall(_ call: SimulatedCall) async throws -> Bool
    func playingSimulatedCalls() async throws -> [SimulatedCall]
}

extension StrikeStore: EventStore, EcoQueries, TenantDirectory, PagerDirectory, FieldAccounts, ConsumerCheckpoints, SimulatorState,
    PagerRuns, RenderPolls {}
