import StrikeCore
import Synchronization

/// The Twilio accounts read so far, their tokens opened, by NOC. A change forgets the NOC's entry after its
/// commit; a read that began before a change is not remembered (the generation moved), so a stale account is
/// never kept.
final class TwilioAccounts: Sendable {
    typealias Entry = (account: TwilioAccount, authToken: String)?
    private let state = Mutex((generation: 0, entries: [TenantID: Entry]()))

    var generation: Int { state.withLock { $0.generation } }

    /// The NOC's entry if read before: an account, or nil for none (`.some(nil)`); nil if never read.
    func known(_ noc: TenantID) -> Entry? {
        state.withLock { $0.entries[noc] }
    }

    func remember(_ noc: TenantID, _ entry: Entry, readAt generation: Int) {
        state.withLock { if $0.generation == generation { $0.entries[noc] = entry } }
    }

    func forget(_ noc: TenantID) {
        state.withLock { $0.generation += 1; $0.entries[noc] = nil }
    }
}
