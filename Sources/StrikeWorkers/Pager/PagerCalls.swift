import Foundation
import Logging
import StrikeCore
import StrikeIntegrations
import StrikeStore

/// The ring-down's side of Twilio: ending calls, placing them, and the NOC's account they go through.
extension PagerManager {
    /// Ends the calls and places the calls the steps ask for, and returns what Twilio answered each new call, as
    /// signals for the run. A call that cannot be ended is logged: the run has already moved on.
    func perform(_ steps: [PagerStep], of process: PagerProcess, noc: TenantID) async throws -> [PagerSignal] {
        var outcomes: [PagerSignal] = []
        for case .hangUp(let callSid, let answered) in steps {
            do {
                try await twilio.endCall(callSid, answered: answered, account: try await account(noc).credentials)
            } catch {
                logger.warning("call not ended", metadata: ["run": "\(process.runID)", "call": "\(callSid)", "error": "\(error)"])
            }
        }
        for case .call(let index, let attempt) in steps {
            let outcome: PagerSignal
            do {
                let call = try await callRequest(contact: process.contacts[index], run: process.runID, attempt: attempt, noc: noc)
                let placed = try await twilio.placeCall(call.request, account: call.account)
                outcome = .placed(attempt: attempt, callSid: placed.sid)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.warning("call not placed", metadata: ["run": "\(process.runID)", "attempt": "\(attempt)", "error": "\(error)"])
                outcome = .notPlaced(attempt: attempt, reason: "\(error)")
            }
            outcomes.append(outcome)
        }
        return outcomes
    }

    private func callRequest(
        contact: PagerContact, run: PagerRunID, attempt: Int, noc: TenantID
    ) async throws -> (request: CallRequest, account: TwilioCredentials) {
        let (account, credentials) = try await self.account(noc)
        let base = try endpoints.callbacks(account.mode)
        guard let message = try await store.pagerRunMessage(run) else { throw PagerError.runNotFound(run) }
        let query = "run=\(run.rawValue)&attempt=\(attempt)"
        let request = CallRequest(
            to: contact.phone, from: account.fromNumber,
            twiml: TwiML.gather(message: message, action: base.appending(path: "twilio/gather").absoluteString + "?" + query),
            statusCallback: URL(string: base.appending(path: "twilio/status").absoluteString + "?" + query)!)
        return (request, credentials)
    }

    /// The NOC's Twilio account, and the credentials the client needs: its secret opened, the real service or
    /// the simulator.
    private func account(_ noc: TenantID) async throws -> (account: TwilioAccount, credentials: TwilioCredentials) {
        guard let (account, token) = try await store.twilioAccountWithToken(noc: noc) else { throw PagerError.noTwilioAccount }
        return (account, TwilioCredentials(accountSID: account.accountSID, authToken: token, baseURL: endpoints.twilio(account.mode)))
    }
}
