import Foundation
@testable import StrikeHTTP
import StrikeTestSupport
import Testing

/// The JSON reader and writer every ECO answer goes through, checked against Foundation's own.
@Suite struct JSONFragmentTests {
    @Test func whatFoundationWritesIsReadBackAsTheSameValueAndWrittenAsFoundationReadsIt() throws {
        var generator = SplitMix64(seed: 15)
        for _ in 0..<300 {
            let value = Self.randomValue(depth: 0, using: &generator)
            let foundation = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])
            let fragment = try JSONFragment(foundation)
            let ours = Data(fragment.json)
            let original = try JSONSerialization.jsonObject(with: foundation, options: [.fragmentsAllowed]) as? NSObject
            let reread = try JSONSerialization.jsonObject(with: ours, options: [.fragmentsAllowed]) as? NSObject
            #expect(original == reread, "\(String(decoding: foundation, as: UTF8.self)) came back as \(String(decoding: ours, as: UTF8.self))")
            #expect(try JSONFragment(ours) == fragment)
        }
    }

    @Test func escapesAndNumbersKeepTheirMeaning() throws {
        let text = #"{"b":"tab\tquote\"slash\/back\\ é\u00e9 \ud83d\ude00 \u0001","a":[0,-12,9223372036854775807,1.5,-2.5e-3,1E2,true,false,null]}"#
        let fragment = try JSONFragment(Data(text.utf8))
        #expect(fragment == .object([
            "a": .array([.integer(0), .integer(-12), .integer(.max), .number(1.5), .number(-0.0025), .number(100), .bool(true), .bool(false), .null]),
            "b": .string("tab\tquote\"slash/back\\ éé 😀 \u{1}"),
        ]))
        #expect(String(decoding: fragment.json, as: UTF8.self)
            == #"{"a":[0,-12,9223372036854775807,1.5,-0.0025,100.0,true,false,null],"b":"tab\tquote\"slash/back\\ éé 😀 \u0001"}"#,
            "members are written in name order, slashes unescaped, control characters as \\u00XX")
    }

    @Test func textThatIsNotOneJSONValueIsRefusedWithWhereAndWhy() {
        let refused: [(text: String, reason: String)] = [
            ("", "a value was expected"), ("{", "a member name was expected"), ("[1,]", "a value was expected"),
            ("01", "a value was expected"), ("1.", "a fraction needs digits"), ("1e", "an exponent needs digits"),
            ("\"open", "the string never ends"), (#""\x""#, "an unknown escape"), (#""\ud800""#, "a lone surrogate"),
            (#""\u12""#, "\\u needs four hexadecimal digits"), ("1e999", "a number too large for a double"),
            (#"{"a" 1}"#, ": was expected"), ("[1] 2", "text after the value"), ("tru", "true was expected"),
            ("\"\u{1}\"", "a control character inside a string"), ("[1 2]", "a comma or ] was expected"),
            (String(repeating: "[", count: 600), "nested deeper than 512"),
        ]
        for (text, reason) in refused {
            #expect(throws: JSONFragment.Malformed.self, "\(text.prefix(20)) is refused") { try JSONFragment(Data(text.utf8)) }
            do { _ = try JSONFragment(Data(text.utf8)) } catch let error as JSONFragment.Malformed {
                #expect(error.reason == reason, "\(text.prefix(20))")
            } catch {}
        }
        #expect(throws: JSONFragment.Malformed.self) { try JSONFragment(Data([0x22, 0xFF, 0x22])) }
    }

    private static func randomValue(depth: Int, using generator: inout SplitMix64) -> Any {
        let kinds = depth < 3 ? 7 : 5
        switch Int.random(in: 0..<kinds, using: &generator) {
        case 0: return NSNull()
        case 1: return Bool.random(using: &generator)
        case 2: return Int64.random(in: Int64.min...Int64.max, using: &generator) >> Int64.random(in: 0..<63, using: &generator)
        case 3: return Double.random(in: -1e6...1e6, using: &generator) * pow(10, Double(Int.random(in: -12...12, using: &generator)))
        case 4: return randomString(using: &generator)
        case 5: return (0..<Int.random(in: 0..<5, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) }
        default:
            var object: [String: Any] = [:]
            for _ in 0..<Int.random(in: 0..<6, using: &generator) {
                object[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
            }
            return object
        }
    }

    private static func randomString(using generator: inout SplitMix64) -> String {
        let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{1F}", "é", "😀", "中", "\u{7F}"]
        return String((0..<Int.random(in: 0..<12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
