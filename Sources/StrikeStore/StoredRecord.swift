public import Foundation
public import GRDB
import StrikeCore
import Synchronization

/// A row of one of the store's tables as a `Codable` value: its properties are the table's columns, named in
/// camel case with acronyms in capitals (`nocTenantID` ↔ `noc_tenant_id`, `baseURL` ↔ `base_url`). Dates are
/// stored as the log's ISO 8601 text, and nested values (a location, a contact list) as JSON with sorted keys, so
/// a row written again from what was read is the same row.
public protocol StoredRecord: Codable, FetchableRecord, PersistableRecord {
    /// Columns whose property is not named after them, column → property (`eco_id` → `id`).
    static var columnsNamedOtherwise: [String: String] { get }
}

extension StoredRecord {
    public static var columnsNamedOtherwise: [String: String] { [:] }

    public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy {
        .custom { column in columnsNamedOtherwise[column].map(ColumnName.init(stringValue:)) ?? ColumnName(column: column) }
    }
    public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy {
        .custom { key in
            columnsNamedOtherwise.first { $0.value == key.stringValue }?.key ?? ColumnName.column(for: key.stringValue)
        }
    }
    public static var databaseDateEncodingStrategy: DatabaseDateEncodingStrategy { .custom { ISO8601.string(from: $0) } }
    public static var databaseDateDecodingStrategy: DatabaseDateDecodingStrategy {
        .custom { String.fromDatabaseValue($0).flatMap(ISO8601.date(from:)) }
    }
    public static func databaseJSONEncoder(for column: String) -> JSONEncoder { EventCoding.encoder() }
    public static func databaseJSONDecoder(for column: String) -> JSONDecoder { EventCoding.decoder() }
}

/// The coding key a column decodes into, and the column a property encodes to.
public struct ColumnName: CodingKey {
    public let stringValue: String
    public var intValue: Int? { nil }

    public init(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }

    private static let acronyms: Set<String> = ["id", "url", "sid", "json"]
    /// Names already converted, each way: records are coded many times a second, and their names never change.
    private static let converted = Mutex<(properties: [String: String], columns: [String: String])>(([:], [:]))

    /// `noc_tenant_id` → `nocTenantID`.
    public init(column: String) {
        if let known = Self.converted.withLock({ $0.properties[column] }) {
            stringValue = known
            return
        }
        let words = column.split(separator: "_").map(String.init)
        let property = words.enumerated().map { index, word in
            if index == 0 { return word }
            return Self.acronyms.contains(word) ? word.uppercased() : word.prefix(1).uppercased() + word.dropFirst()
        }.joined()
        Self.converted.withLock { $0.properties[column] = property }
        stringValue = property
    }

    /// `nocTenantID` → `noc_tenant_id`.
    public static func column(for property: String) -> String {
        if let known = converted.withLock({ $0.columns[property] }) { return known }
        var column = ""
        var previous: Character?
        for character in property {
            if character.isUppercase, let previous, !previous.isUppercase { column += "_" }
            column += character.lowercased()
            previous = character
        }
        converted.withLock { $0.columns[property] = column }
        return column
    }
}
