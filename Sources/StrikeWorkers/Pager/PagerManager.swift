import Foundation
import Logging
public import StrikeCore
public import StrikeIntegrations
public import StrikeRuntime
public import StrikeStore

/// DESIGN §5, the pager manager: when an ECO is `TASKED`, chooses the OSP's pager list for its location and
/// rings the list's contacts through the NOC's Twilio account until one presses 1. The rules of the ring-down
/// are `PagerProcess`'s; this drives it from the event log, Twilio's callbacks and the deadline worker, and
/// makes the calls.
public struct PagerManager: EventConsumer {
    public let name = "pager"
    /// ECOs handled at once: starting a run waits mostly on Twilio's answer to the first call, so a burst of
    /// new ECOs is paged many times faster than one at a time. Safe because each ECO's events stay in order
    /// and `handle` starts a run only for a `TASKED` ECO without a live one.
    public let concurrency = 16

    /// What the pager reads and writes: ECOs, its runs, the lists, the tenants' settings and Twilio accounts.
    let store: any EventStore & PagerRuns & PagerDirectory & TenantDirectory & FieldAccounts
    let twilio: TwilioClient
    let endpoints: Endpoints
    let clock: ApplianceClock
    let logger = Logger(label: "strike.pager")

    public init(
        store: any EventStore & PagerRuns & PagerDirectory & TenantDirectory & FieldAccounts, twilio: TwilioClient, endpoints: Endpoints,
        clock: ApplianceClock
    ) {
        self.store = store
        self.twilio = twilio
        self.endpoints = endpoints
        self.clock = clock
    }

    public func wants(_ event: RecordedEvent) -> Bool {
        event.streamType == Eco.streamType
            && ["EcoIntegrationStatusChanged", "EcoCancelled", "EcoInterventionRecorded"].contains(event.type)
    }

    /// Starts a run for an ECO that is `TASKED`, with its work still open, and none ringing; stops the ringing run
    /// of an ECO that no longer needs one (cancelled, completed or closed, or dispatched by an operator); every
    /// other delivery finds nothing to do.
    public func handle(_ event: RecordedEvent, _ context: ConsumerContext) async throws {
        let eco = try await store.load(Eco.self, id: event.streamID).state
        let needsPaging = eco.integration == .tasked && (eco.status == .open || eco.status == .inProgress)
        if !needsPaging, let ecoID = eco.id, let run = try await store.livePagerRun(eco: ecoID) {
            try await signal(.cancel(reason: Self.whyNoLongerPaged(eco)), run: run)
            return
        }
        guard let ecoID = eco.id, needsPaging, try await store.livePagerRun(eco: ecoID) == nil else { return }
        let plan: RunPlan
        switch try await self.plan(for: eco) {
        case .failure(let reason):
            logger.warning("pager run not started", metadata: ["eco": "\(ecoID)", "reason": "\(reason)"])
            try await context.execute(.failIntegration(.pager, reason: reason.description), on: ecoID, actor: .system(name))
            return
        case .success(let found):
            plan = found
        }
        let runID = PagerRunID.random()
        for _ in 0..<8 {
            let (process, steps) = try PagerProcess.start(
                runID: runID, ecoID: ecoID, list: (plan.list.id, plan.list.name), contacts: plan.contacts, message: plan.message,
                rounds: plan.settings.listRepeats + 1, contactTimeoutSeconds: plan.settings.contactTimeoutSeconds, at: clock.now(),
                busy: try await store.ringingPhones(except: nil))
            do {
                try await store.startPagerRun(process, steps: steps, noc: eco.nocTenantID, actor: .system(name), checkpoint: context)
            } catch is ContactOnAnotherCall {
                continue
            }
            let started = StoredPagerProcess(process: process, nocTenantID: eco.nocTenantID)
            try await ringDown(from: started, performing: steps)
            return
        }
        throw PagerError.tooManyConflicts(runID)
    }

    private static func whyNoLongerPaged(_ eco: Eco) -> String {
        switch eco.status {
        case .cancelled: "the ECO was cancelled: \(eco.cancelReason ?? "")"
        case .completed: "the ECO was completed"
        case .hardComplete: "the ECO was closed"
        default: eco.integration == .dispatched ? "dispatched by an operator to \(eco.acceptedBy ?? "a supervisor")" : "the ECO is no longer paged"
        }
    }

    /// A signal for a run, from a webhook or the deadline worker. Applied to the stored process at the version
    /// read; when another writer got there first, the process is read again and the signal weighed anew, so a
    /// callback delivered twice at once is still recorded once. What a late callback about an ended call
    /// records is for the timeline only: to the caller, it made nothing happen. `known` is the process as the
    /// caller last read or wrote it, which saves reading it again; if it is out of date, the write is refused
    /// and the process read again.
    @discardableResult
    public func signal(_ signal: PagerSignal, run runID: PagerRunID, known: StoredPagerProcess? = nil) async throws -> [PagerStep] {
        guard let (applied, steps) = try await apply(signal, run: runID, known: known) else { return [] }
        try await ringDown(from: applied.now, performing: steps)
        return applied.before.process.isAboutEndedCall(signal) ? [] : steps
    }

    /// The ring-down's loop: performs the steps, and applies what performing them tells (each call placed or
    /// not) as the next signal, until there is nothing left to do.
    private func ringDown(from process: StoredPagerProcess, performing steps: [PagerStep]) async throws {
        var pending = [(process: process, steps: steps)]
        while let (current, steps) = pending.popLast() {
            for outcome in try await perform(steps, of: current.process, noc: current.nocTenantID) {
                guard let (applied, next) = try await apply(outcome, run: current.process.runID, known: current) else { continue }
                pending.append((applied.now, next))
            }
        }
    }

    /// Applies a signal to the stored process at the version read and records the steps it gives; when another
    /// writer got there first, the process is read again and the signal weighed anew. Nil when the signal
    /// changes nothing (or the run is unknown).
    private func apply(
        _ signal: PagerSignal, run runID: PagerRunID, known: StoredPagerProcess?
    ) async throws -> ((before: StoredPagerProcess, now: StoredPagerProcess), [PagerStep])? {
        var known = known
        for _ in 0..<8 {
            let stored: StoredPagerProcess
            if let given = known {
                stored = given
                known = nil
            } else if let read = try await store.pagerProcess(runID) {
                stored = read
            } else {
                return nil
            }
            // Who else is being rung matters only when the signal moves the run on to a call: weighed without them
            // first (the process is pure), the other runs' phones are read for those signals alone.
            let now = clock.now()
            var (next, steps) = stored.process.handle(signal, at: now)
            if steps.contains(where: { if case .call = $0 { true } else { false } }) {
                (next, steps) = stored.process.handle(signal, at: now, busy: try await store.ringingPhones(except: runID))
            }
            guard next != stored.process else { return nil }
            do {
                try await store.advancePagerRun(
                    next, from: stored.process.version, steps: steps, acceptedBy: Self.acceptedName(next, steps), actor: .system(name))
            } catch is VersionConflict {
                continue
            } catch is ContactOnAnotherCall {
                known = stored
                continue
            }
            return ((stored, StoredPagerProcess(process: next, nocTenantID: stored.nocTenantID)), steps)
        }
        throw PagerError.tooManyConflicts(runID)
    }

    /// One pass of the deadline worker: every run whose contact is overdue moves on.
    public func checkDeadlines() async {
        do {
            for runID in try await store.overduePagerRuns(at: clock.now()) {
                do {
                    try await signal(.deadlineCheck, run: runID)
                } catch where !(error is CancellationError) {
                    logger.error("deadline check failed", metadata: ["run": "\(runID)", "error": "\(error)"])
                }
            }
        } catch is CancellationError {
            // Stopping: the next start checks every deadline again.
        } catch {
            logger.error("overdue runs could not be read", metadata: ["error": "\(error)"])
        }
    }

    struct RunPlan {
        let list: PagerList
        let contacts: [PagerContact]
        let settings: TenantSettings
        let message: String
    }

    private func plan(for eco: Eco) async throws -> Result<RunPlan, PagerError> {
        guard let account = try await store.twilioAccount(noc: eco.nocTenantID) else { return .failure(.noTwilioAccount) }
        if account.mode == .live, endpoints.publicBaseURL == nil { return .failure(.noPublicBaseURL) }
        guard let match = try await store.pagerList(for: eco.location, osp: eco.ospTenantID) else { return .failure(.noRegion) }
        let contacts = try await store.pagerContacts(match.list.id)
        guard !contacts.isEmpty else { return .failure(.noContacts(match.list.name)) }
        let nocName = try await store.tenant(eco.nocTenantID)?.name ?? "NOC"
        return .success(
            RunPlan(
                list: match.list, contacts: contacts, settings: try await store.settings(of: eco.ospTenantID),
                message: PagerMessage.make(nocName: nocName, jobNumber: eco.jobID.number, description: eco.description)))
    }

    private static func acceptedName(_ process: PagerProcess, _ steps: [PagerStep]) -> String? {
        for case .complete(let completed) in steps {
            if let index = completed.acceptedContactIndex { return process.contacts[index].name }
        }
        return nil
    }
}
