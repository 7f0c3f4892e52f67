import Crypto
import StrikeCore
public import Foundation

/// `X-Twilio-Signature`: HMAC-SHA1 with the account's auth token over the full URL followed by every POST
/// parameter, sorted by name, as name then value; base64.
public enum TwilioSignature {
    public static func compute(authToken: String, url: String, parameters: [(String, String)]) -> String {
        var message = url
        for (name, value) in parameters.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            message += name + value
        }
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(code).base64EncodedString()
    }

    /// Whether `signature` signs this request. Like Twilio's own validators, the URL is also tried with its
    /// scheme's default port added or removed, since proxies differ in which form reaches the appliance.
    public static func isValid(_ signature: String, authToken: String, url: String, parameters: [(String, String)]) -> Bool {
        urlForms(url).contains { form in
            SecretComparison.equal(compute(authToken: authToken, url: form, parameters: parameters), signature)
        }
    }

    static func urlForms(_ url: String) -> [String] {
        guard var parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased() else { return [url] }
        let defaultPort = scheme == "https" ? 443 : scheme == "http" ? 80 : nil
        guard let defaultPort else { return [url] }
        if parts.port == defaultPort {
            parts.port = nil
        } else if parts.port == nil {
            parts.port = defaultPort
        } else {
            return [url]
        }
        return [url, parts.string ?? url]
    }
}
