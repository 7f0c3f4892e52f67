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
