/// The TwiML the pager's calls play: the message inside a one-digit `<Gather>`; 1 accepts, 2 declines.
public enum TwiML {
    public static func gather(message: String, action: String, timeoutSeconds: Int = 10) -> String {
        let prompt = message + " Press 1 to accept this callout. Press 2 to decline."
        return """
            <?xml version="1.0" encoding="UTF-8"?>\
            <Response>\
            <Gather numDigits="1" action="\(escape(action))" method="POST" timeout="\(timeoutSeconds)">\
            <Say>\(escape(prompt))</Say>\
            </Gather>\
            <Say>No key was pressed. Goodbye.</Say>\
            </Response>
            """
    }

    /// What the appliance answers a Gather action with: a short confirmation, then the call ends.
    public static func say(_ message: String) -> String {
        #"<?xml version="1.0" encoding="UTF-8"?><Response><Say>"# + escape(message) + "</Say></Response>"
    }

    /// Where a `<Gather>` posts the digits, as Twilio reads it from the document; nil without a Gather.
    public static func gatherAction(in twiml: String) -> String? {
        guard let gather = twiml.range(of: "<Gather"), let end = twiml[gather.upperBound...].firstIndex(of: ">") else { return nil }
        let attributes = twiml[gather.upperBound..<end]
        guard let start = attributes.range(of: "action=\"") else { return nil }
        let value = attributes[start.upperBound...].prefix { $0 != "\"" }
        return unescape(String(value))
    }

    /// Every `<Say>`'s words, in order, as a caller hears them.
    public static func spokenText(in twiml: String) -> String {
        var spoken: [String] = []
        var rest = twiml[...]
        while let open = rest.range(of: "<Say>"), let close = rest[open.upperBound...].range(of: "</Say>") {
            spoken.append(unescape(String(rest[open.upperBound..<close.lowerBound])))
            rest = rest[close.upperBound...]
        }
        return spoken.joined(separator: " ")
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
