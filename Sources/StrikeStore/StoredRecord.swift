import Foundation
import GRDB
import StrikeCore

/// A row of one of the store's tables as a `Codable` value: its properties are the table's columns, named in
/// camel case with `ID` for `_id` (`nocTenantID` ↔ `noc_tenant_id`). Dates are stored as the log's ISO 8601
/// text, and nested values (a location, a contact list) as JSON with sorted keys, so a row written again from
/// what was read is the same row.
protocol StoredRecord: Codable, FetchableRecord, PersistableRecord {}

extension StoredRecord {
    static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .custom { ColumnName(column: $0) } }
    static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .custom { ColumnName.column(for: $0.stringValue) } }
    static var databaseDateEncodingStrategy: DatabaseDateEncodingStrategy { .custom { ISO8601.string(from: $0) } }
    static var databaseDateDecodingStrategy: DatabaseDateDecodingStrategy {
        .custom { String.fromDatabaseValue($0).flatMap(ISO8601.date(from:)) }
    }
    static func databaseJSONEncoder(for column: String) -> JSONEncoder { EventCoding.encoder() }
    static func databaseJSONDecoder(for column: String) -> JSONDecoder { EventCoding.decoder() }
}

/// The coding key a column decodes into, and the column a property encodes to.
struct ColumnName: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    /// `noc_tenant_id` → `nocTenantID`.
    init(column: String) {
        let words = column.split(separator: "_").map(String.init)
        stringValue = words.enumerated().map { index, word in
            if index == 0 { return word }
            return word == "id" ? "ID" : word.prefix(1).uppercased() + word.dropFirst()
        }.joined()
    }

    /// `nocTenantID` → `noc_tenant_id`.
    static func column(for property: String) -> String {
        var column = ""
        var previous: Character?
        for character in property {
            if character.isUppercase, let previous, !previous.isUppercase { column += "_" }
            column += character.lowercased()
            previous = character
        }
        return column
    }
}
