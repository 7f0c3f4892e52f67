import Foundation
import StrikeCore
import StrikeStore

/// A stored record as the API shows it: its properties under their own names, less the columns the appliance
/// keeps to itself. A column added to a record shows in the API with nothing else to change.
struct RecordView: JSONFragmentView {
    var fields: [String: JSONFragment]

    var fragment: JSONFragment { .object(fields) }

    init(_ record: some Encodable, hiding hidden: [String] = []) throws {
        guard case .object(let fields) = try JSONFragment(encoding: record) else {
            preconditionFailure("a record encodes as an object")
        }
        self.fields = fields.filter { !hidden.contains($0.key) }
    }

    /// An ECO; its integration columns, internal, are shown to admins only, under `integration` (`status`, `stage`,
    /// `reason`, `renderTaskID`, `pagerRunID`).
    static func eco(_ record: EcoRecord, showIntegration: Bool) throws -> RecordView {
        var view = try RecordView(record)
        let integration = view.fields.filter { EcoRecord.integrationColumns.contains($0.key) }
        view.fields = view.fields.filter { !EcoRecord.integrationColumns.contains($0.key) }
        if showIntegration {
            view.fields["integration"] = .object(Dictionary(uniqueKeysWithValues: integration.map { key, value in
                guard key.hasPrefix("integration") else { return (key, value) }
                let name = key.dropFirst("integration".count)
                return (name.prefix(1).lowercased() + name.dropFirst(), value)
            }))
        }
        return view
    }

    static func task(_ record: TaskRecord) throws -> RecordView { try RecordView(record, hiding: TaskRecord.internalColumns) }

    /// A pager run with its call attempts in order, each stamped `at`.
    static func pagerRun(_ run: PagerRunRecord, attempts: [PagerRunRecord.Attempt]) throws -> RecordView {
        var view = try RecordView(run, hiding: PagerRunRecord.internalColumns)
        view.fields["attempts"] = .array(try attempts.map { attempt in
            var fields = try RecordView(attempt, hiding: PagerRunRecord.Attempt.internalColumns).fields
            fields["at"] = fields.removeValue(forKey: "occurredAt")
            return .object(fields)
        })
        return view
    }
}

/// One ECO with its Render tasks and latest pager run.
struct EcoDetailView: JSONFragmentView {
    let eco: RecordView
    let tasks: [RecordView]
    let latestPagerRun: RecordView?

    var fragment: JSONFragment {
        var members: [String: JSONFragment] = ["eco": eco.fragment, "tasks": .array(tasks.map(\.fragment))]
        members["latestPagerRun"] = latestPagerRun?.fragment
        return .object(members)
    }
}

struct EcoListView: JSONFragmentView {
    let items: [RecordView]
    let nextCursor: String?

    var fragment: JSONFragment {
        var members: [String: JSONFragment] = ["items": .array(items.map(\.fragment))]
        members["nextCursor"] = nextCursor.map(JSONFragment.string)
        return .object(members)
    }
}

struct TimelineView: Encodable {
    struct Entry: Encodable {
        let position: Int64
        let type: String
        let at: String
        let actor: String
        /// Who `actor` is, in words, when known.
        let actorName: String?
        let payload: JSONFragment
    }

    let entries: [Entry]
}

/// The ECO as it stood at a past instant.
struct EcoAsOfView: Encodable {
    let id: EcoID
    let at: String
    let version: Int
    let jobID: String
    let jobType: JobType
    let description: String
    let location: EcoLocation
    let status: EcoStatus
    let displayStatus: DisplayStatus
    let displayReason: String?
    let tasks: [EcoTaskChanged]
}
