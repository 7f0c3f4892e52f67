import Foundation
import StrikeCore
import Testing

@Suite("ECO details, tasks and staleness")
struct EcoDetailsAndTasksTests {
    // MARK: - Details

    @Test func unchangedDetailsProduceNoEvent() throws {
        let eco = try Fixture.eco()
        let same = EcoDetailsChange(jobType: .cmr, description: "  Fiber cut on Main St ", location: Fixture.mainStreet)
        #expect(try Eco.decide(.updateDetails(same), eco) == [])
        #expect(try Eco.decide(.updateDetails(EcoDetailsChange()), eco) == [])
    }

    @Test func onlyChangedFieldsAreCarried() throws {
        // Given an ECO, when an operator resubmits the form with a new description only
        let eco = try Fixture.eco()
        let change = EcoDetailsChange(jobType: .cmr, description: " Two cuts on Main St ", location: Fixture.mainStreet)
        let events = try Eco.decide(.updateDetails(change), eco)

        // Then the event carries the trimmed description and nothing else
        #expect(events == [.detailsUpdated(EcoDetailsUpdated(description: "Two cuts on Main St"))])
        let after = Eco.replay(events, from: eco)
        #expect(after.description == "Two cuts on Main St")
        #expect(after.jobType == .cmr)
        #expect(after.location == Fixture.mainStreet)
    }

    @Test func changedJobTypeAndLocation() throws {
        let eco = try Fixture.eco()
        let moved = EcoLocation.point(Position(longitude: -122.40, latitude: 37.79))
        let events = try Eco.decide(.updateDetails(EcoDetailsChange(jobType: .mfr, location: moved)), eco)
        #expect(events == [.detailsUpdated(EcoDetailsUpdated(jobType: .mfr, location: moved))])
    }

    @Test func invalidDetailsAreRefusedTogether() throws {
        let change = EcoDetailsChange(description: " ", location: .point(Position(longitude: 0, latitude: 91)))
        let error = #expect(throws: DomainError.self) { try Eco.decide(.updateDetails(change), try Fixture.eco()) }
        guard case .invalid(let problems)? = error else {
            Issue.record("expected .invalid, got \(String(describing: error))")
            return
        }
        #expect(problems.map(\.field) == ["location", "description"])
    }

    @Test func cancelledEcoRefusesUpdates() throws {
        let eco = try Fixture.eco(status: .cancelled)
        #expect(throws: DomainError.ecoClosed(.cancelled)) {
            try Eco.decide(.updateDetails(EcoDetailsChange(description: "new words")), eco)
        }
    }

    // MARK: - Tasks

    @Test func sameFingerprintTwiceIsOneEvent() throws {
        // Given a task change already recorded
        var eco = try Fixture.eco(status: .inProgress, integration: .dispatched)
        let task = Fixture.task("task-1", .released, fingerprint: "f1")
        let first = try Eco.decide(.recordTaskChange(task), eco)
        #expect(first == [.taskChanged(task)])
        eco = Eco.replay(first, from: eco)

        // When the poller sees the same fingerprint again, then nothing is recorded
        #expect(try Eco.decide(.recordTaskChange(task), eco) == [])

        // And a new fingerprint is recorded
        let moved = Fixture.task("task-1", .completed, fingerprint: "f2")
        #expect(try Eco.decide(.recordTaskChange(moved), eco) == [.taskChanged(moved)])
    }

    @Test func tasksAreKeptByIDAndCounted() throws {
        var eco = try Fixture.eco(status: .inProgress)
        for task in [Fixture.task("a", .allocated), Fixture.task("b", .released), Fixture.task("a", .completed, fingerprint: "f2")] {
            eco = Eco.replay(try Eco.decide(.recordTaskChange(task), eco), from: eco)
        }
        #expect(eco.tasks.count == 2)
        #expect(eco.tasks["a"]?.status == .completed)
        #expect(eco.knownTaskCount == 2)

        eco = Eco.replay(try Eco.decide(.detectLateClone(taskID: "c", taskCount: 3), eco), from: eco)
        #expect(eco.knownTaskCount == 3)
    }

    // MARK: - Staleness

    @Test func staleIsFlaggedOnceUntilATaskChanges() throws {
        // Given an ECO flagged stale
        var eco = try Fixture.eco(status: .inProgress)
        let flagged = try Eco.decide(.flagStale(quietSince: Fixture.noon), eco)
        #expect(flagged == [.staleDetected(EcoStaleDetected(quietSince: Fixture.noon))])
        eco = Eco.replay(flagged, from: eco)
        #expect(eco.isStale)

        // When flagged again, then nothing new
        #expect(try Eco.decide(.flagStale(quietSince: Fixture.noon), eco) == [])

        // When a task changes, then it may be flagged again
        eco = Eco.replay(try Eco.decide(.recordTaskChange(Fixture.task("task-1", .released)), eco), from: eco)
        #expect(!eco.isStale)
        #expect(try Eco.decide(.flagStale(quietSince: Fixture.noon.addingTimeInterval(3600)), eco).count == 1)
    }

    // MARK: - Grace period and hard completion

    @Test func gracePeriodOnlyWhenCompleted() throws {
        #expect(throws: DomainError.self) { try Eco.decide(.startGracePeriod(until: Fixture.noon), try Fixture.eco(status: .inProgress)) }
        let completed = try Fixture.eco(status: .completed)
        let events = try Eco.decide(.startGracePeriod(until: Fixture.noon), completed)
        #expect(events == [.gracePeriodStarted(EcoGracePeriodStarted(until: Fixture.noon))])
    }

    @Test func createdEcoCarriesTheDraft() throws {
        let eco = try Fixture.eco()
        #expect(eco.exists)
        #expect(eco.id == Fixture.ecoID)
        #expect(eco.jobID == Fixture.jobID)
        #expect(eco.nocTenantID == Fixture.noc)
        #expect(eco.ospTenantID == Fixture.osp)
        #expect(eco.description == "Fiber cut on Main St")
        #expect(eco.status == .open)
        #expect(eco.integration == .pending)
    }
}
