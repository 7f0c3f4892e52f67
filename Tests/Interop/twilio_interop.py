"""Interop with Twilio's own Python library (PyPI `twilio`, pinned in Tests/requirements.txt).

Starts `strike serve` on a fresh database with a NOC whose Twilio account and an OSP whose Render instance are
`simulated`, then checks, with the library and not with our code:

1. the appliance's webhooks accept what `RequestValidator` signs with the NOC's auth token (a status callback
   and a key press that dispatches the ECO) and refuse a signature made with another token or over other
   parameters, changing nothing;
2. the library's REST `Client`, pointed at the Twilio simulator, places a call, fetches it and reads Twilio's
   error for wrong credentials;
3. the callbacks the simulator then posts for that call carry signatures `RequestValidator` accepts.

Run by `make test` (and `make interop`); exits non-zero on the first difference.
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Fuzz"))
from fuzz import Appliance, SetupError, call, expect, free_port, session_headers, sign_in  # noqa: E402

ACCOUNT_SID = "AC" + "7a" * 16
AUTH_TOKEN = "interop-auth-token"
FROM_NUMBER = "+13035550199"
CONTACT = "+13035550101"


def log(message: str) -> None:
    print(f"interop: {message}", flush=True)


class Failure(Exception):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise Failure(what)
    log(f"ok: {what}")


def wait_for(what: str, probe, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    raise Failure(f"timed out waiting for {what}")


@dataclass
class Seeded:
    noc: dict[str, str]  # the NOC admin's API token header
    osp: dict[str, str]  # the OSP admin's
    osp_id: str


def seed(appliance: Appliance) -> Seeded:
    """A NOC and an OSP, linked, with an admin token each; the OSP's Render instance and the NOC's Twilio
    account simulated, one default pager list with one contact, and a pager that waits (the contact's calls
    are never answered, and the contact timeout is long)."""
    port = appliance.port
    appliance.add_user("owner", "--owner")
    appliance.start()
    owner = session_headers(*sign_in(port, "owner"))
    noc = expect(call(port, "POST", "/api/tenants", {"kind": "NOC", "name": "Interop NOC"}, owner), 201, "NOC")["id"]
    osp = expect(call(port, "POST", "/api/tenants", {"kind": "OSP", "name": "Interop OSP", "jobPrefix": "IO"}, owner), 201, "OSP")["id"]
    expect(call(port, "PUT", "/api/links", {"nocTenantID": noc, "ospTenantID": osp, "status": "active"}, owner), 200, "link")
    appliance.stop()
    appliance.add_user("noc-admin", "--tenant", noc, "--role", "admin")
    appliance.add_user("osp-admin", "--tenant", osp, "--role", "admin")
    appliance.start()
    tokens = {}
    for username in ("noc-admin", "osp-admin"):
        headers = session_headers(*sign_in(port, username))
        made = expect(call(port, "POST", "/api/tokens", {"name": "interop", "role": "admin"}, headers), 201, f"token of {username}")
        tokens[username] = {"Authorization": f"Bearer {made['secret']}"}
    render = {"mode": "simulated", "clientID": "interop-render", "clientSecret": "render-secret", "projectID": "P-1",
              "pollIntervalSeconds": 10}
    expect(call(port, "PUT", "/api/render-instance", render, tokens["osp-admin"]), 200, "Render instance")
    expect(call(port, "PATCH", "/api/settings", {"contactTimeoutSeconds": 600}, tokens["osp-admin"]), 200, "OSP settings")
    listed = expect(call(port, "POST", "/api/pager-lists", {"name": "Everywhere", "isDefault": True}, tokens["osp-admin"]), 201, "list")
    contacts = {"contacts": [{"name": "Ana", "phone": CONTACT}]}
    expect(call(port, "PUT", f"/api/pager-lists/{listed['id']}/contacts", contacts, tokens["osp-admin"]), 200, "contacts")
    twilio = {"mode": "simulated", "accountSID": ACCOUNT_SID, "authToken": AUTH_TOKEN, "fromNumber": FROM_NUMBER}
    expect(call(port, "PUT", "/api/twilio-account", twilio, tokens["noc-admin"]), 200, "Twilio account")
    simulator = {"defaultScenario": "pager-timeout", "speed": 1000}
    expect(call(port, "PATCH", "/api/simulator", simulator, tokens["noc-admin"]), 200, "simulator settings")
    return Seeded(noc=tokens["noc-admin"], osp=tokens["osp-admin"], osp_id=osp)


def post_form(port: int, path: str, params: dict[str, str], signature: str):
    body = urllib.parse.urlencode(params)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def webhooks_take_the_librarys_signatures(port: int, tokens: Seeded) -> None:
    eco = {"location": {"type": "Point", "coordinates": [-104.99, 39.74]}, "jobType": "CMR",
           "description": "Interop cut", "ospTenantID": tokens.osp_id}
    eco_id = expect(call(port, "POST", "/api/ecos", eco, tokens.noc), 201, "ECO")["eco"]["id"]

    def calling():
        runs = expect(call(port, "GET", f"/api/ecos/{eco_id}/pager-runs", headers=tokens.noc), 200, "pager runs")
        attempts = runs[0]["attempts"] if runs else []
        return (runs[0], attempts) if any(a.get("callSid") for a in attempts) else None

    run, attempts = wait_for("the pager's first call", calling)
    call_sid = next(a["callSid"] for a in attempts if a.get("callSid"))
    log(f"pager run {run['runID']} is calling {CONTACT} ({call_sid})")
    query = f"?run={run['runID']}&attempt=0"
    status_url = f"http://127.0.0.1:{port}/twilio/status{query}"
    ringing = {"CallSid": call_sid, "AccountSid": ACCOUNT_SID, "From": FROM_NUMBER, "To": CONTACT, "CallStatus": "ringing",
               "Direction": "outbound-api", "ApiVersion": "2010-04-01"}
    validator = RequestValidator(AUTH_TOKEN)

    wrong_token = RequestValidator("not-the-auth-token").compute_signature(status_url, ringing)
    status, _ = post_form(port, f"/twilio/status{query}", ringing, wrong_token)
    check(status == 403, "a status callback signed with another auth token is refused (403)")
    answered = dict(ringing, CallStatus="in-progress")
    status, _ = post_form(port, f"/twilio/status{query}", answered, validator.compute_signature(status_url, ringing))
    check(status == 403, "a signature over other parameters is refused (403)")
    kinds = [a["kind"] for a in calling()[1]]
    check(kinds == ["CALLING"], f"the refused callbacks changed nothing (attempts {kinds})")

    status, _ = post_form(port, f"/twilio/status{query}", ringing, validator.compute_signature(status_url, ringing))
    check(status == 204, "a status callback signed by RequestValidator is accepted (204)")
    kinds = [a["kind"] for a in calling()[1]]
    check(kinds == ["CALLING", "RINGING"], f"it is recorded (attempts {kinds})")

    gather_url = f"http://127.0.0.1:{port}/twilio/gather{query}"
    pressed = dict(ringing, CallStatus="in-progress", Digits="1")
    status, reply = post_form(port, f"/twilio/gather{query}", pressed, RequestValidator("wrong").compute_signature(gather_url, pressed))
    check(status == 403, "a key press signed with another auth token is refused (403)")
    status, reply = post_form(port, f"/twilio/gather{query}", pressed, validator.compute_signature(gather_url, pressed))
    check(status == 200 and "The callout is yours" in reply, "a key press signed by RequestValidator accepts the callout")
    detail = expect(call(port, "GET", f"/api/ecos/{eco_id}", headers=tokens.noc), 200, "ECO detail")["eco"]
    check(detail["integration"]["status"] == "DISPATCHED" and detail["acceptedBy"] == "Ana", "the ECO is dispatched to Ana")


class Callbacks(http.server.BaseHTTPRequestHandler):
    """Stands in for a customer's webhooks: keeps every form the Twilio simulator posts, with its signature."""
    received: list[tuple[str, dict[str, str], str]] = []
    base = ""

    def do_POST(self):  # noqa: N802 (the standard library's name)
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
        Callbacks.received.append((Callbacks.base + self.path, form, self.headers.get("X-Twilio-Signature", "")))
        if self.path.startswith("/twiml"):
            body = (f'<?xml version="1.0" encoding="UTF-8"?><Response><Gather numDigits="1" action="{Callbacks.base}/gather?from=url">'
                    "<Say>Press 1 to accept.</Say></Gather></Response>").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path.startswith("/gather"):
            body = b'<?xml version="1.0" encoding="UTF-8"?><Response><Say>Recorded.</Say></Response>'
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(204)
            self.end_headers()

    def log_message(self, *arguments):
        pass


class SimulatorHttpClient(TwilioHttpClient):
    """The library's own HTTP client, sending what it would send to api.twilio.com to the appliance's simulator."""

    def __init__(self, simulator: str):
        super().__init__()
        self.simulator = simulator

    def request(self, method, url, *arguments, **options):
        return super().request(method, url.replace("https://api.twilio.com", self.simulator), *arguments, **options)


def rest_client_talks_to_the_simulator(port: int, tokens: Seeded) -> None:
    expect(call(port, "PATCH", "/api/simulator", {"defaultScenario": "happy-path"}, tokens.noc), 200, "happy-path default")
    hook_port = free_port()
    Callbacks.base = f"http://127.0.0.1:{hook_port}"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", hook_port), Callbacks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        http_client = SimulatorHttpClient(f"http://127.0.0.1:{port}/sim/twilio")
        client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=http_client)
        twiml = (f'<Response><Gather numDigits="1" action="{Callbacks.base}/gather?from=interop">'
                 "<Say>Press 1 to accept.</Say></Gather></Response>")
        placed = client.calls.create(
            to="+13035550177", from_=FROM_NUMBER, twiml=twiml, status_callback=f"{Callbacks.base}/status?from=interop",
            status_callback_event=["initiated", "ringing", "answered", "completed"])
        check(placed.sid.startswith("CA") and len(placed.sid) == 34, f"Calls.json answers a call sid ({placed.sid})")
        check(placed.status == "queued" and placed.to == "+13035550177" and placed.account_sid == ACCOUNT_SID,
              "the call resource reads as Twilio's: queued, to and account as asked")

        def statuses():
            found = [form.get("CallStatus") for url, form, _ in Callbacks.received if "/status" in url]
            return found if "completed" in found else None

        seen = wait_for("the simulated call to complete", statuses)
        check(seen == ["initiated", "ringing", "in-progress", "completed"], f"status callbacks in Twilio's order ({seen})")
        presses = [form for url, form, _ in Callbacks.received if "/gather" in url]
        check([form.get("Digits") for form in presses] == ["1"], "the Gather action got the key press")
        validator = RequestValidator(AUTH_TOKEN)
        check(all(validator.validate(url, form, signature) for url, form, signature in Callbacks.received),
              f"RequestValidator accepts every one of the simulator's {len(Callbacks.received)} signed callbacks")
        stranger = RequestValidator("not-the-auth-token")
        check(not any(stranger.validate(url, form, signature) for url, form, signature in Callbacks.received),
              "and none of them validates with another auth token")
        # A call given a TwiML URL instead: the simulator fetches it, signed, and plays its Gather.
        by_url = client.calls.create(to="+13035550178", from_=FROM_NUMBER, url=f"{Callbacks.base}/twiml?from=interop")
        wait_for("the key press on the fetched TwiML",
                 lambda: any(url.endswith("/gather?from=url") and form.get("CallSid") == by_url.sid for url, form, _ in Callbacks.received))
        fetches = [(url, form, signature) for url, form, signature in Callbacks.received if "/twiml" in url]
        check(len(fetches) == 1 and validator.validate(*fetches[0]), "a call with Url fetches its TwiML once, signed, and plays it")
        fetched = client.calls(placed.sid).fetch()
        check(fetched.sid == placed.sid and fetched.status == "completed", f"fetching the call reads it completed ({fetched.status})")
        try:
            Client(ACCOUNT_SID, "wrong-token", http_client=http_client).calls.create(to=CONTACT, from_=FROM_NUMBER, twiml=twiml)
            raise Failure("a call with wrong credentials was placed")
        except TwilioRestException as error:
            check(error.status == 401 and error.code == 20003, f"wrong credentials get Twilio's 401 / 20003 ({error.status}, {error.code})")
    finally:
        server.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", type=Path, required=True)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="strike-interop-") as workdir:
        appliance = Appliance(options.binary.resolve(), Path(workdir), free_port())
        try:
            tokens = seed(appliance)
            webhooks_take_the_librarys_signatures(appliance.port, tokens)
            rest_client_talks_to_the_simulator(appliance.port, tokens)
            appliance.stop()
        except (Failure, SetupError, TwilioRestException) as error:
            log(f"FAILED: {error}")
            log("server log:\n" + appliance.log_tail())
            appliance.process and appliance.process.kill()
            return 1
    log("all interop checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
