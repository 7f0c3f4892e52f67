public import StrikeCore

/// Why a pager run could not start or go on, in words for the ECO's reason and the log.
public enum PagerError: Error, Equatable, CustomStringConvertible {
    case noTwilioAccount
    case noPublicBaseURL
    case noRegion
    case noContacts(String)
    case runNotFound(PagerRunID)
    case tooManyConflicts(PagerRunID)

    public var description: String {
        switch self {
        case .noTwilioAccount: "the NOC has no Twilio account set up"
        case .noPublicBaseURL:
            "live paging needs the appliance's public base URL (strike serve --public-base-url), or Twilio cannot reach its webhooks"
        case .noRegion: "no pager region covers this location"
        case .noContacts(let list): "pager list \(list) has no contacts"
        case .runNotFound(let run): "pager run \(run) does not exist"
        case .tooManyConflicts(let run): "pager run \(run) kept changing under this signal"
        }
    }
}
