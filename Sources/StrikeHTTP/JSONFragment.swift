import Foundation
import StrikeCore

/// Any JSON value, to carry stored records and event payloads into an answer unchanged.
///
/// It reads and writes JSON itself, byte by byte: going through `JSONDecoder` and `JSONEncoder` cost about
/// 80 µs an ECO (a failed typed decode for every field), which was most of a 50-item page's time.
enum JSONFragment: JSONFragmentView, Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    /// Always finite: JSON has no infinity or NaN.
    case number(Double)
    case string(String)
    case array([JSONFragment])
    case object([String: JSONFragment])

    /// Parses one JSON value (RFC 8259); anything else throws `JSONFragment.Malformed`.
    init(_ data: Data) throws {
        self = try data.withUnsafeBytes { raw in
            var parser = Parser(bytes: raw.bindMemory(to: UInt8.self))
            let value = try parser.value(depth: 0)
            parser.skipWhitespace()
            guard parser.index == parser.bytes.count else { throw parser.malformed("text after the value") }
            return value
        }
    }

    init(encoding value: some Encodable) throws { try self.init(EventCoding.encoder().encode(value)) }

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

    /// The value as compact JSON text, UTF-8, members in the code-point order of their names, slashes unescaped.
    var json: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        write(into: &bytes)
        return bytes
    }

    private func write(into bytes: inout [UInt8]) {
        switch self {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let value): bytes.append(contentsOf: (value ? "true" : "false").utf8)
        case .integer(let value): bytes.append(contentsOf: String(value).utf8)
        case .number(let value): bytes.append(contentsOf: (value.isFinite ? value.description : "null").utf8)
        case .string(let value): Self.write(value, into: &bytes)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                element.write(into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                Self.write(key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                members[key]!.write(into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private static func write(_ text: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
            case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
            case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
            case 0x08: bytes.append(contentsOf: #"\b"#.utf8)
            case 0x0C: bytes.append(contentsOf: #"\f"#.utf8)
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: #"\u00"#.utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    var fragment: JSONFragment { self }

    /// Text that is not one JSON value, with the byte offset where reading stopped.
    struct Malformed: Error, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "malformed JSON at byte \(offset): \(reason)" }
    }
}

/// An answer that is one `JSONFragment`: `jsonResponse` writes its bytes itself instead of through `JSONEncoder`.
protocol JSONFragmentView: Encodable {
    var fragment: JSONFragment { get }
}

extension JSONFragmentView {
    func encode(to encoder: any Encoder) throws { try fragment.encode(to: encoder) }
}

extension JSONFragment {
    /// A recursive-descent reader of RFC 8259 JSON over UTF-8 bytes.
    fileprivate struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        /// `\n` and the like, by the byte after the backslash.
        static let simpleEscapes: [UInt8: UInt8] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F,
            UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]

        /// Deeper nesting than this is refused rather than risking the stack.
        static let maximumDepth = 512

        func malformed(_ reason: String) -> Malformed { Malformed(offset: index, reason: reason) }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        }

        mutating func value(depth: Int) throws -> JSONFragment {
            guard depth < Self.maximumDepth else { throw malformed("nested deeper than \(Self.maximumDepth)") }
            skipWhitespace()
            guard index < bytes.count else { throw malformed("a value was expected") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return try number()
            }
        }

        private mutating func object(depth: Int) throws -> JSONFragment {
            index += 1
            var members: [String: JSONFragment] = [:]
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw malformed("a member name was expected") }
                let key = try string()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                members[key] = try value(depth: depth + 1)
                skipWhitespace()
                if try endOrComma(UInt8(ascii: "}")) { return .object(members) }
            }
        }

        private mutating func array(depth: Int) throws -> JSONFragment {
            index += 1
            var elements: [JSONFragment] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            while true {
                elements.append(try value(depth: depth + 1))
                skipWhitespace()
                if try endOrComma(UInt8(ascii: "]")) { return .array(elements) }
            }
        }

        /// True after the closing bracket, false after a comma.
        private mutating func endOrComma(_ closing: UInt8) throws -> Bool {
            guard index < bytes.count else { throw malformed("the value ends too soon") }
            let byte = bytes[index]
            index += 1
            if byte == closing { return true }
            if byte == UInt8(ascii: ",") { return false }
            index -= 1
            throw malformed("a comma or \(Character(Unicode.Scalar(closing))) was expected")
        }

        private mutating func expect(_ byte: UInt8) throws {
            guard index < bytes.count, bytes[index] == byte else { throw malformed("\(Character(Unicode.Scalar(byte))) was expected") }
            index += 1
        }

        private mutating func literal(_ word: String) throws {
            for byte in word.utf8 {
                guard index < bytes.count, bytes[index] == byte else { throw malformed("\(word) was expected") }
                index += 1
            }
        }

        private mutating func string() throws -> String {
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
                guard bytes[index] >= 0x20 else { throw malformed("a control character inside a string") }
                index += 1
            }
            guard index < bytes.count else { throw malformed("the string never ends") }
            var text = Array(bytes[start..<index])
            while bytes[index] != UInt8(ascii: "\"") {
                if bytes[index] == UInt8(ascii: "\\") {
                    try escape(into: &text)
                } else {
                    guard bytes[index] >= 0x20 else { throw malformed("a control character inside a string") }
                    text.append(bytes[index])
                    index += 1
                }
                guard index < bytes.count else { throw malformed("the string never ends") }
            }
            index += 1
            guard let decoded = String(validating: text, as: UTF8.self) else { throw malformed("a string that is not UTF-8") }
            return decoded
        }

        private mutating func escape(into text: inout [UInt8]) throws {
            index += 1
            guard index < bytes.count else { throw malformed("the string never ends") }
            let escaped = bytes[index]
            index += 1
            if let byte = Self.simpleEscapes[escaped] { text.append(byte); return }
            guard escaped == UInt8(ascii: "u") else { throw malformed("an unknown escape") }
            var scalar = try hexQuad()
            if (0xD800..<0xDC00).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw malformed("a lone surrogate")
                }
                index += 2
                let low = try hexQuad()
                guard (0xDC00..<0xE000).contains(low) else { throw malformed("a lone surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let character = Unicode.Scalar(scalar) else { throw malformed("a lone surrogate") }
            text.append(contentsOf: String(Character(character)).utf8)
        }

        private mutating func hexQuad() throws -> UInt32 {
            guard index + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                throw malformed("\\u needs four hexadecimal digits")
            }
            index += 4
            return value
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`: an integer when it has neither fraction nor
        /// exponent and fits 64 bits, otherwise a finite double.
        private mutating func number() throws -> JSONFragment {
            let start = index
            func digits() -> Int {
                let first = index
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
                return index - first
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            let leadingZero = index < bytes.count && bytes[index] == UInt8(ascii: "0")
            let whole = digits()
            guard whole > 0, !(leadingZero && whole > 1) else { throw malformed("a value was expected") }
            var integral = true
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                integral = false
                guard digits() > 0 else { throw malformed("a fraction needs digits") }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                integral = false
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw malformed("an exponent needs digits") }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if integral, let value = Int64(text) { return .integer(value) }
            guard let value = Double(text), value.isFinite else { throw malformed("a number too large for a double") }
            return .number(value)
        }
    }
}
