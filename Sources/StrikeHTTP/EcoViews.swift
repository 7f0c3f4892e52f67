import Foundation
import StrikeCore
import StrikeStore

/// A stored record as the API shows it: its properties under their own names, less the columns the appliance
/// keeps to itself. A column added to a record shows in the API with nothing else to change.
struct RecordView: Encodable {
    var fields: [String: JSONFragment]

    init(_ record: some Encodable, hiding hidden: [String] = []) throws {
        guard case .object(let fields) = try JSONFragment(encoding: record) else {
            preconditionFailure("a record encodes as an object")
        }
        self.fields = fields.filter { !hidden.contains($0.key) }
    }

    func encode(to encoder: any Encoder) throws { try JSONFragment.object(fields).encode(to: encoder) }

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
struct EcoDetailView: Encodable {
    let eco: RecordView
    let tasks: [RecordView]
    let latestPagerRun: RecordView?
}

struct EcoListView: Encodable {
    let items: [RecordView]
    let nextCursor: String?
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

/// Any JSON value, to carry stored event payloads into an answer unchanged.
enum JSONFragment: Codable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONFragment])
    case object([String: JSONFragment])

    init(_ data: Data) throws { self = try JSONDecoder().decode(JSONFragment.self, from: data) }

    init(encoding value: some Encodable) throws { try self.init(EventCoding.encoder().encode(value)) }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONFragment].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONFragment].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
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
