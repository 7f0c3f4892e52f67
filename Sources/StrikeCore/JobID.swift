public import Foundation

/// The human job id of an ECO, `{prefix}-{number, 5 digits}-{year}`, such as `E2-00524-2025`.
public struct JobID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let prefix: String
    public let number: Int
    public let year: Int

    public init(prefix: String, number: Int, year: Int) {
        self.prefix = prefix
        self.number = number
        self.year = year
    }

    /// The job id for a number allocated at `date` (the year is taken in UTC).
    public init(prefix: String, number: Int, allocatedAt date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        self.init(prefix: prefix, number: number, year: calendar.component(.year, from: date))
    }

    public var description: String {
        let digits = String(number)
        let padded = String(repeating: "0", count: max(0, 5 - digits.count)) + digits
        return "\(prefix)-\(padded)-\(year)"
    }

    /// The Render subsector that holds this ECO's tasks: `ECO-{job id}`.
    public var subsector: String { "ECO-\(description)" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = JobID(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad job id \(text)"))
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Reads `E2-00524-2025` back; the prefix may itself contain dashes.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let year = Int(parts[parts.count - 1]), let number = Int(parts[parts.count - 2])
        else { return nil }
        self.init(prefix: parts.dropLast(2).joined(separator: "-"), number: number, year: year)
    }

    /// A job prefix is 1–8 capital letters or digits, starting with a letter.
    public static func isValidPrefix(_ prefix: String) -> Bool {
        guard let first = prefix.first, first.isASCII, first.isUppercase, prefix.count <= 8 else { return false }
        return prefix.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }
    }
}
