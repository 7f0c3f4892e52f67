"""Browser tests of the dashboard: Debian's Chromium, headless, driven by Playwright (PyPI, pinned in
Tests/requirements.txt), against `strike demo` on a fresh database with its simulators (and, for the first run,
`strike serve` on an empty one).

Each test saves a screenshot under Tests/Browser/screenshots/ (git-ignored). Run by `make test` (and
`make browser`); exits non-zero when a test fails. `--only WORDS` runs the tests whose name holds WORDS.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import zlib
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Fuzz"))
from fuzz import free_port  # noqa: E402

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
# As `strike demo` prints them (README, "The demo").
DISPATCHER = ("dispatcher", "osprey-dispatch-demo")
VIEWER = ("viewer", "osprey-viewer-demo")
SUPERVISOR = ("supervisor", "osprey-field-demo")


def log(message: str) -> None:
    print(f"browser: {message}", flush=True)


class Server:
    """A `strike` process serving on a free loopback port, and how a script talks to it."""

    def __init__(self, binary: Path, workdir: Path, name: str, arguments: list[str]):
        """Starts `strike <arguments>` in `workdir`, its output in `<name>.log`; "{origin}" in an argument is the
        server's own address (for --public-base-url)."""
        workdir.mkdir(parents=True, exist_ok=True)
        self.binary = binary
        self.workdir = workdir
        self.name = name
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"{name}.log"
        command = [str(binary), *(argument.replace("{origin}", self.origin) for argument in arguments),
                   "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(command, stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT, cwd=workdir)

    def wait_until(self, ready, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"`strike {self.name}` exited {self.process.returncode}:\n{self.log_path.read_text()}")
            if ready():
                return
            time.sleep(0.1)
        self.process.kill()
        tail = "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:])
        raise RuntimeError(f"`strike {self.name}` did not start within {seconds:.0f} s:\n{tail}")

    def fetch(self, method: str, path: str, body: bytes | None = None, headers=None):
        """The answer as it came: status, body bytes, headers."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read(), response.headers
        finally:
            connection.close()

    def call(self, method: str, path: str, body=None, headers=None):
        status, text, response_headers = self.fetch(method, path, None if body is None else json.dumps(body).encode(),
                                                    {"Content-Type": "application/json", **(headers or {})})
        return status, (json.loads(text) if text else None), response_headers

    def session(self, username: str, password: str) -> dict[str, str]:
        """Headers of a signed-in script: its session cookie and CSRF token."""
        status, body, headers = self.call("POST", "/api/session", {"username": username, "password": password})
        assert status == 200, f"sign-in of {username}: {status} {body}"
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        return {"Cookie": cookie, "X-CSRF-Token": body["csrfToken"]}

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Demo(Server):
    """`strike demo` on a fresh database in `workdir`, on a free loopback port; `extra_args` go to `strike demo`."""

    def __init__(self, binary: Path, workdir: Path, extra_args: list[str] | None = None):
        self.database = workdir / "demo.db"
        # In the API's form: the ECOs made before it are the demo's past.
        self.started_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        super().__init__(binary, workdir, "demo", ["demo", "--db", str(self.database), *(extra_args or [])])
        self.wait_until(lambda: "Demo sign-ins" in self.log_path.read_text(errors="replace"))


class Fresh(Server):
    """`strike serve` on a new, empty database in `workdir`: an appliance before its first run; `extra_args` go to
    `strike serve`."""

    def __init__(self, binary: Path, workdir: Path, extra_args: list[str] | None = None):
        self.database = workdir / "strike.db"
        super().__init__(binary, workdir, "serve", ["serve", "--db", str(self.database), *(extra_args or [])])

        def answers() -> bool:
            try:
                return self.fetch("GET", "/healthz")[0] == 200
            except OSError:
                return False
        self.wait_until(answers, seconds=60)


class Browser:
    """One page in headless Chromium that records every request it makes and every console error."""

    def __init__(self, playwright, demo: Server, viewport: tuple[int, int] = (1280, 800), permissions: list[str] | None = None,
                 init_script: str | None = None):
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        self.context = self.browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, permissions=permissions or [])
        if init_script:
            self.context.add_init_script(init_script)
        self.page: Page = self.context.new_page()
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.demo = demo

    def sign_in(self, username: str, password: str) -> None:
        self.page.goto(self.demo.origin + "/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.get_by_role("table", name="ECOs").wait_for()

    def expect_nothing_from_outside_and_no_console_error(self) -> None:
        outside = [url for url in self.requests if not url.startswith(self.demo.origin + "/")]
        assert not outside, f"the page loaded from outside the appliance: {outside}"
        assert not self.console_errors, f"console errors: {self.console_errors}"

    def screenshot(self, name: str, part=None) -> None:
        """The whole page, or only the element `part` locates."""
        SCREENSHOTS.mkdir(exist_ok=True)
        if part is not None:
            part.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        else:
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.browser.close()


@contextmanager
def signed_in(playwright, demo: Server, credentials: tuple[str, str], viewport: tuple[int, int] = (1280, 800), **options):
    """A fresh browser signed in on the board; at the end, nothing loaded from outside and no console error.
    `options` go to Browser: the permissions the context grants, a script run before the page's own."""
    browser = Browser(playwright, demo, viewport, **options)
    try:
        browser.sign_in(*credentials)
        yield browser
        browser.expect_nothing_from_outside_and_no_console_error()
    finally:
        browser.close()


def test_a_dispatcher_opens_an_eco_on_the_map_and_follows_it_live_to_complete(playwright, demo: Demo) -> None:
    with signed_in(playwright, demo, DISPATCHER) as browser:
        page = browser.page
        page.evaluate("window.loadedOnce = true")
        page.get_by_role("button", name="New ECO").click()
        page.get_by_label("Description").fill("Fiber cut at 16th and Market")
        page.get_by_label("Contractor (OSP)").select_option(label="Front Range Fiber")
        page.locator(".map").click()  # the map opens on the NOC's center, downtown
        expect_text(page.locator(".preview"), "Would page: Downtown Denver")
        browser.screenshot("create-eco")
        page.get_by_role("button", name="Open ECO").dblclick()  # a double click must make one ECO
        page.get_by_role("table", name="ECOs").wait_for()

        script = demo.session(*DISPATCHER)
        status, listed, _ = demo.call("GET", "/api/ecos?q=16th%20and%20Market", headers=script)
        assert status == 200 and len(listed["items"]) == 1, f"the form made {len(listed['items'])} ECOs"
        eco = listed["items"][0]
        assert eco["location"]["type"] == "Point" and eco["ospTenantID"] == "demo-osp-front-range"

        chip = page.locator(f'tr[data-eco="{eco["id"]}"] .chip')
        seen: list[str] = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and (not seen or seen[-1] != "Complete"):
            text = chip.inner_text(timeout=5000) if chip.count() else ""
            if text and (not seen or seen[-1] != text):
                seen.append(text)
            time.sleep(0.1)
        browser.screenshot("board-complete")
        journey = [status for status in seen if status in ("Paging", "Dispatched", "In Progress", "Complete")]
        assert journey == ["Paging", "Dispatched", "In Progress", "Complete"], f"the chip went {seen}"
        assert page.evaluate("window.loadedOnce === true"), "the page was reloaded"
        assert page.locator("#live").inner_text() == "Live"


def test_a_viewer_sees_no_create_control_and_the_api_refuses_it_anyway(playwright, demo: Demo) -> None:
    with signed_in(playwright, demo, VIEWER) as browser:
        browser.screenshot("viewer-board")
        assert browser.page.get_by_role("button", name="New ECO").count() == 0, "a viewer is offered New ECO"
        eco = {"location": {"type": "Point", "coordinates": [-104.99, 39.74]}, "jobType": "CMR", "description": "Viewer's try",
               "ospTenantID": "demo-osp-front-range"}
        status, _, _ = demo.call("POST", "/api/ecos", eco, demo.session(*VIEWER))
        assert status == 403, f"the API let a viewer open an ECO ({status})"

        # An ECO that needs escalation offers a dispatcher Retry, Cancel and Edit details; a viewer gets none.
        page = browser.page
        escalated = next(eco for eco in past_ecos(demo) if eco["displayStatus"] == "Needs escalation")
        page.locator(f'tr[data-eco="{escalated["id"]}"] a').click()
        page.get_by_role("region", name="Timeline").locator("li").first.wait_for()
        for action in ("Retry", "Cancel ECO", "Edit details"):
            assert page.get_by_role("button", name=action).count() == 0, f"a viewer is offered {action}"
        browser.screenshot("viewer-detail")
        viewer = demo.session(*VIEWER)
        for method, path, body in (("POST", "retry", {}), ("POST", "cancel", {"reason": "viewer's try"}),
                                   ("PATCH", "", {"description": "viewer's edit"})):
            status, _, _ = demo.call(method, f"/api/ecos/{escalated['id']}{'/' + path if path else ''}", body, viewer)
            assert status == 403, f"the API let a viewer {method} {path or 'the details'} ({status})"


def test_an_exhausted_pager_needs_escalation_and_retry_starts_a_new_run(playwright, demo: Demo) -> None:
    with signed_in(playwright, demo, DISPATCHER) as browser:
        page = browser.page
        script = demo.session(*DISPATCHER)
        eco = {"location": {"type": "Point", "coordinates": [-104.99, 39.745]}, "jobType": "CMR",
               "description": "Cut nobody takes", "ospTenantID": "demo-osp-front-range"}
        status, created, _ = demo.call("POST", "/api/ecos", eco, script)
        assert status == 201, f"create: {status} {created}"
        eco_id = created["eco"]["id"]
        status, _, _ = demo.call("PUT", f"/api/simulator/ecos/{eco_id}", {"scenario": "pager-exhausted"}, script)
        assert status == 200, "the ECO's scenario was not set"

        page.locator(f'tr[data-eco="{eco_id}"] a').click()
        expect_text(page.locator('[data-role="status"]'), "Needs escalation", seconds=60)
        reason = page.locator('[data-role="reason"]').inner_text()
        assert "accepted" in reason or "contact" in reason, f"the reason does not say why: {reason!r}"
        assert page.locator('[data-role="pager-run"]').count() == 1
        page.get_by_role("button", name="Retry").click()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and page.locator('[data-role="pager-run"]').count() < 2:
            time.sleep(0.1)
        assert page.locator('[data-role="pager-run"]').count() == 2, "the retry's new pager run is not shown"
        browser.screenshot("detail-retry")
        timeline = page.get_by_role("region", name="Timeline").inner_text()
        assert "ECO opened — Metro NOC dispatcher" in timeline, "the timeline does not say who opened the ECO"


def test_an_osp_supervisor_sees_only_the_ecos_assigned_to_that_osp(playwright, demo: Demo) -> None:
    script = demo.session(*DISPATCHER)
    ids = {}
    for osp, point in (("demo-osp-front-range", [-104.99, 39.745]), ("demo-osp-summit", [-104.95, 39.60])):
        eco = {"location": {"type": "Point", "coordinates": point}, "jobType": "MFR", "description": f"Make ready for {osp}",
               "ospTenantID": osp}
        status, created, _ = demo.call("POST", "/api/ecos", eco, script)
        assert status == 201, f"create: {status} {created}"
        ids[osp] = created["eco"]["id"]
    with signed_in(playwright, demo, SUPERVISOR) as browser:
        page = browser.page
        page.locator(f'tr[data-eco="{ids["demo-osp-front-range"]}"]').wait_for()
        browser.screenshot("osp-board")
        assert page.locator(f'tr[data-eco="{ids["demo-osp-summit"]}"]').count() == 0, "the OSP sees another OSP's ECO"
        assert page.get_by_role("button", name="New ECO").count() == 0, "an OSP is offered New ECO"


def test_an_invalid_region_upload_names_the_feature_and_changes_nothing(playwright, demo: Demo) -> None:
    admin = demo.session(*SUPERVISOR)
    def downtown():
        status, lists, _ = demo.call("GET", "/api/pager-lists", headers=admin)
        assert status == 200, f"pager lists: {status}"
        return next(item for item in lists if item["name"] == "Downtown Denver")
    before = downtown()
    square = [[-105.0, 39.73], [-104.98, 39.73], [-104.98, 39.75], [-105.0, 39.75], [-105.0, 39.73]]
    bowtie = [[-105.0, 39.73], [-104.98, 39.75], [-104.98, 39.73], [-105.0, 39.75], [-105.0, 39.73]]  # crosses itself
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [square]}},
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [bowtie]}},
    ]}
    with signed_in(playwright, demo, SUPERVISOR) as browser:
        page = browser.page
        page.get_by_role("button", name="Pager lists").click()
        card = page.locator('section[aria-label="Pager list Downtown Denver"]')
        card.locator('input[type="file"]').set_input_files(
            files=[{"name": "downtown.geojson", "mimeType": "application/geo+json", "buffer": json.dumps(collection).encode()}])
        card.get_by_role("button", name="Upload region").click()
        problems = card.locator('[data-role="region-errors"] li')
        problems.first.wait_for()
        text = problems.all_inner_texts()
        browser.screenshot("region-refused")
        assert any(line.startswith("features[1].geometry") for line in text), f"the wrong feature is not named: {text}"
        after = downtown()
        assert after["areaSquareMetres"] == before["areaSquareMetres"] and after["region"] == before["region"], "the region changed"
        # The browser logs the refused request itself (422) as a console error; anything else is a fault.
        browser.console_errors = [e for e in browser.console_errors if "status of 422" not in e]


def test_the_simulator_panel_shows_the_scenarios_and_each_simulated_eco(playwright, demo: Demo) -> None:
    with signed_in(playwright, demo, DISPATCHER) as browser:
        page = browser.page
        page.get_by_role("button", name="Simulators").click()
        scenarios = page.get_by_role("table", name="Scenarios").locator("tbody tr")
        scenarios.first.wait_for()
        names = [row.locator("td").first.inner_text() for row in scenarios.all()]
        assert names == ["happy-path", "render-fails", "pager-declined", "pager-exhausted", "pager-timeout", "slow-render",
                         "second-accepts"], names
        simulated = page.get_by_role("table", name="Simulated ECOs").locator("tbody tr")
        assert simulated.count() >= 1, "the ECOs of the earlier tests are not shown"
        browser.screenshot("simulator-panel")


def test_a_cut_can_be_placed_without_a_mouse(playwright, demo: Demo) -> None:
    with signed_in(playwright, demo, DISPATCHER) as browser:
        page = browser.page
        page.get_by_role("button", name="New ECO").focus()
        page.keyboard.press("Enter")
        page.get_by_label("Longitude").focus()
        page.keyboard.type("-104.99")
        page.keyboard.press("Tab")
        page.keyboard.type("39.745")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # on Place
        expect_text(page.locator(".preview"), "Would page: Downtown Denver")
        browser.screenshot("keyboard-cut")


def expect_text(locator, text: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if locator.inner_text() == text:
            return
        time.sleep(0.05)
    raise AssertionError(f"expected {text!r}, saw {locator.inner_text()!r}")


# Administration. The demo's owner is also Metro NOC's admin (README, "The demo").
NOC_ADMIN = ("owner", "osprey-owner-demo")


def open_section(page: Page, name: str) -> None:
    page.locator("#sections").get_by_role("button", name=name, exact=True).click()


def beside(page: Page, label: str, part: str = ".field-error"):
    """What is shown beside the field labelled `label`: its error slot, or its `.hint`."""
    return page.locator("div.field", has=page.get_by_label(label, exact=True)).locator(part)


def expect_some_text(locator, part: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if part in locator.inner_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"expected text with {part!r}, saw {locator.inner_text()!r}")


def forgive_refusals(browser: Browser, *statuses: int) -> None:
    """The browser logs a refused request itself as a console error; the refusals a test asked for are no fault."""
    browser.console_errors = [e for e in browser.console_errors if not any(f"status of {status}" in e for status in statuses)]


def test_a_noc_admin_never_sees_the_twilio_auth_token_and_an_empty_field_keeps_it(playwright, demo: Demo) -> None:
    admin = demo.session(*NOC_ADMIN)
    status, stored, _ = demo.call("GET", "/api/twilio-account", headers=admin)
    assert status == 200 and stored["authTokenSet"], f"the demo's Twilio account: {status} {stored}"
    with signed_in(playwright, demo, NOC_ADMIN) as browser:
        page = browser.page
        open_section(page, "Twilio account")
        token = page.get_by_label("Auth token", exact=True)
        expect_text(beside(page, "Auth token", ".hint"), "Set — leave empty to keep it.")
        assert token.input_value() == "" and token.get_attribute("type") == "password", "the auth token's field shows something"
        assert "demo-twilio-auth-token" not in page.content(), "the page holds the auth token"
        browser.screenshot("twilio-account")

        with page.expect_request(lambda request: request.method == "PUT" and request.url.endswith("/api/twilio-account")) as sent:
            page.get_by_role("button", name="Save").click()
        assert "authToken" not in json.loads(sent.value.post_data), "an empty field was sent as a new auth token"
        expect_text(page.locator("#view .status"), "Saved. The auth token is set.")
        status, saved, _ = demo.call("GET", "/api/twilio-account", headers=admin)
        assert status == 200 and saved["authTokenSet"], f"saving with the field empty lost the token: {saved}"
        assert {k: saved[k] for k in ("mode", "accountSID", "fromNumber")} == {k: stored[k] for k in ("mode", "accountSID", "fromNumber")}
        assert token.input_value() == "", "the auth token's field is filled after saving"

        page.get_by_label("Calls come from", exact=True).fill("12")
        page.get_by_role("button", name="Save").click()
        expect_some_text(beside(page, "Calls come from"), "E.164")
        browser.screenshot("twilio-account-refused")
        status, after, _ = demo.call("GET", "/api/twilio-account", headers=admin)
        assert after == saved, f"a refused save changed the account: {after}"
        assert "demo-twilio-auth-token" not in page.content(), "the page holds the auth token"
        forgive_refusals(browser, 422)


def test_an_admin_makes_an_api_token_whose_secret_is_shown_once_and_revokes_it(playwright, demo: Demo) -> None:
    with signed_in(playwright, demo, NOC_ADMIN) as browser:
        page = browser.page
        open_section(page, "API tokens")
        page.get_by_label("Name", exact=True).fill("Nightly ECO report")
        page.get_by_label("Role", exact=True).select_option(label="Dispatcher")
        page.get_by_role("button", name="Make token").click()
        panel = page.get_by_role("region", name="New token's secret")
        secret = panel.get_by_role("textbox").input_value()
        assert secret.startswith("strk_"), f"no secret is shown: {secret!r}"
        assert "it will not be shown again" in panel.inner_text(), "the page does not say the secret is shown once"
        browser.screenshot("token-secret")
        status, me, _ = demo.call("GET", "/api/me", headers={"Authorization": f"Bearer {secret}"})
        assert status == 200 and me["token"]["role"] == "dispatcher", f"the shown secret does not work: {status} {me}"

        page.reload()
        page.get_by_role("table", name="ECOs").wait_for()
        open_section(page, "API tokens")
        row = page.get_by_role("table", name="API tokens").locator("tbody tr", has_text="Nightly ECO report")
        row.wait_for()
        assert secret not in page.content(), "the secret is on the page after a reload"
        assert row.locator("td").nth(1).inner_text() == "Dispatcher"

        row.get_by_role("button", name="Revoke").click()
        row.get_by_role("button", name="Press again to revoke").click()
        expect_some_text(page.locator("#view .status"), "is revoked")
        assert row.count() == 0, "the revoked token is still listed as in use"
        status, _, _ = demo.call("GET", "/api/me", headers={"Authorization": f"Bearer {secret}"})
        assert status == 401, f"the revoked token still works ({status})"


def test_an_admin_adds_a_user_and_the_audit_log_says_who_did_it(playwright, demo: Demo) -> None:
    admin = demo.session(*NOC_ADMIN)
    _, me, _ = demo.call("GET", "/api/me", headers=admin)
    with signed_in(playwright, demo, NOC_ADMIN) as browser:
        page = browser.page
        open_section(page, "Users")
        form = page.get_by_role("form", name="Add a user")

        def add(username: str) -> None:
            form.get_by_label("Username", exact=True).fill(username)
            form.get_by_label("Display name", exact=True).fill("Night Dispatcher")
            form.get_by_label("Password", exact=True).fill("night-shift-2026")
            form.get_by_label("Role", exact=True).select_option(label="Dispatcher")
            form.get_by_role("button", name="Add user").click()

        add("night.dispatcher")
        expect_text(form.locator(".status"), "Added Night Dispatcher (night.dispatcher) as Dispatcher.")
        row = page.get_by_role("table", name="Members").locator("tbody tr", has_text="night.dispatcher")
        assert row.get_by_role("combobox").input_value() == "dispatcher"
        status, members, _ = demo.call("GET", "/api/users", headers=admin)
        assert any(m["user"]["username"] == "night.dispatcher" and m["role"] == "dispatcher" for m in members), members

        add("night.dispatcher")  # taken: refused beside the username
        expect_some_text(beside(page, "Username"), "taken")
        browser.screenshot("users-refused")
        _, again, _ = demo.call("GET", "/api/users", headers=admin)
        assert len(again) == len(members), "a refused user was added"
        forgive_refusals(browser, 409, 422)

        open_section(page, "Audit log")
        newest = page.get_by_role("table", name="Audit log").locator("tbody tr").first
        newest.wait_for()
        assert newest.locator('[data-role="what"]').inner_text() == "Night Dispatcher added as Dispatcher", newest.inner_text()
        assert newest.locator('[data-role="who"]').inner_text() == me["user"]["displayName"], newest.inner_text()
        browser.screenshot("audit-log")


def test_an_admin_changes_the_list_zoom_and_an_out_of_range_value_is_refused(playwright, demo: Demo) -> None:
    admin = demo.session(*NOC_ADMIN)
    _, before, _ = demo.call("GET", "/api/settings", headers=admin)
    zoom = 12 if before["mapZoom"]["list"] != 12 else 13
    with signed_in(playwright, demo, NOC_ADMIN) as browser:
        page = browser.page
        open_section(page, "Settings")
        page.get_by_label("ECO list map zoom", exact=True).fill(str(zoom))
        page.get_by_role("button", name="Save settings").click()
        expect_text(page.locator("#view .status"), "Saved.")
        _, saved, _ = demo.call("GET", "/api/settings", headers=admin)
        assert saved["mapZoom"] == {**before["mapZoom"], "list": zoom}, f"the zoom was not saved: {saved}"
        assert {k: v for k, v in saved.items() if k != "mapZoom"} == {k: v for k, v in before.items() if k != "mapZoom"}

        page.get_by_label("ECO list map zoom", exact=True).fill("25")
        page.get_by_role("button", name="Save settings").click()
        expect_some_text(beside(page, "ECO list map zoom"), "1 to 20")
        browser.screenshot("settings-refused")
        _, after, _ = demo.call("GET", "/api/settings", headers=admin)
        assert after == saved, f"a refused value changed the settings: {after}"
        forgive_refusals(browser, 422)


def test_the_owner_adds_an_osp_gives_it_an_admin_and_links_it_to_the_noc(playwright, demo: Demo) -> None:
    owner = demo.session(*NOC_ADMIN)
    with signed_in(playwright, demo, NOC_ADMIN) as browser:
        page = browser.page
        open_section(page, "Appliance")
        form = page.get_by_role("form", name="Add a tenant")
        form.get_by_label("Kind", exact=True).select_option(label="OSP (contractor)")
        form.get_by_label("Name", exact=True).fill("Canyon Cabling")
        form.get_by_label("Job prefix", exact=True).fill("cc")
        form.get_by_role("button", name="Add tenant").click()
        expect_some_text(beside(page, "Job prefix"), "capital letters")
        form.get_by_label("Job prefix", exact=True).fill("CC")
        form.get_by_role("button", name="Add tenant").click()
        expect_some_text(form.locator(".status"), "Added Canyon Cabling")
        page.get_by_role("table", name="Tenants").locator("tr", has_text="Canyon Cabling").wait_for()
        _, tenants, _ = demo.call("GET", "/api/tenants", headers=owner)
        canyon = next(t for t in tenants if t["name"] == "Canyon Cabling")
        assert canyon["kind"] == "OSP" and canyon["jobPrefix"] == "CC", canyon

        # Its first admin, a new account, and an existing user as a viewer.
        members = page.get_by_role("region", name="Members", exact=True)
        assert members.get_by_label("Tenant whose members are shown").input_value() == canyon["id"]
        expect_text(members.get_by_role("table", name="Members").locator("tbody"), "No members yet.")
        adding = members.get_by_role("form", name="Add a member")
        adding.get_by_label("Username", exact=True).fill("canyon-lead")
        adding.get_by_label("Display name", exact=True).fill("Canyon Lead")
        adding.get_by_label("Password", exact=True).fill("canyon-lead-password")
        adding.get_by_role("button", name="Add member").click()
        expect_text(adding.locator(".status"), "Canyon Lead is now Admin of Canyon Cabling.")
        adding.get_by_label("Username", exact=True).fill("supervisor")
        adding.get_by_label("Role", exact=True).select_option(label="Viewer")
        adding.get_by_role("button", name="Add member").click()
        expect_text(adding.locator(".status"), "Front Range Fiber supervisor is now Viewer of Canyon Cabling.")
        rows = members.get_by_role("table", name="Members").locator("tbody tr")
        assert [row.locator("td").first.inner_text() for row in rows.all()] == ["canyon-lead", "supervisor"]
        status, me, _ = demo.call("GET", "/api/me", headers=demo.session("canyon-lead", "canyon-lead-password"))
        assert status == 200 and [(m["tenantID"], m["role"]) for m in me["memberships"]] == [(canyon["id"], "admin")], me

        link = page.get_by_role("form", name="Link a NOC and an OSP")
        link.get_by_label("NOC", exact=True).select_option(label="Metro NOC")
        link.get_by_label("OSP", exact=True).select_option(label="Canyon Cabling")
        link.get_by_label("Status", exact=True).select_option(label="Suspended")
        link.get_by_role("button", name="Save link").click()
        expect_text(page.get_by_role("region", name="Links", exact=True).locator(".status").first, "Metro NOC → Canyon Cabling: Suspended.")
        _, links, _ = demo.call("GET", "/api/links", headers=owner)
        assert {"nocTenantID": "demo-noc-metro", "ospTenantID": canyon["id"], "status": "suspended"} in links, links

        audit = page.get_by_role("table", name="Audit log").locator("tbody tr").first
        expect_text(audit.locator('[data-role="what"]'), "Metro NOC linked to Canyon Cabling: Suspended")
        browser.screenshot("appliance")
        forgive_refusals(browser, 422)


# What an operator must never see: the appliance's stored names, or a value the page failed to put in words.
INTERNAL_NAMES = re.compile(
    r"\b(HARD_COMPLETE|IN_PROGRESS|NO_ANSWER|NO_RESPONSE|NOT_STARTED|DISPATCHED|TASKED|FAILED|PENDING|COMPLETED|CANCELLED|RUNNING"
    r"|DECLINED|ACCEPTED|TIMEOUT|EXHAUSTED|OPEN|BUSY|CALLING|RINGING|ANSWERED|undefined|null|NaN)\b|\[object Object\]")


def expect_no_internal_names(page: Page, where: str) -> None:
    found = INTERNAL_NAMES.findall(page.locator("body").inner_text())
    assert not found, f"{where} shows internal names: {found}"


def slug(text: str) -> str:
    """A display status as the dashboard's CSS class: "Needs escalation" → "needs-escalation"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower())


def past_ecos(demo: Demo) -> list[dict]:
    """The ECOs `strike demo` played before it started serving."""
    status, listed, _ = demo.call("GET", "/api/ecos?limit=200", headers=demo.session(*DISPATCHER))
    assert status == 200, listed
    return [eco for eco in listed["items"] if eco["createdAt"] < demo.started_at]


def test_the_board_maps_the_past_ecos_over_the_regions_and_every_page_speaks_in_words(playwright, demo: Demo) -> None:
    past = past_ecos(demo)
    assert {eco["displayStatus"] for eco in past} >= {"Closed", "Needs escalation", "Complete"}, past
    with signed_in(playwright, demo, DISPATCHER) as browser:
        page = browser.page
        page.locator("path.region").first.wait_for()
        assert page.locator("path.region").count() == 3, "the three pager-list regions around Denver are not drawn"
        rows = page.locator("table[aria-label=ECOs] tbody tr")
        assert page.locator("path.eco-shape").count() == rows.count(), "not every ECO on the board is on the map"
        for eco in past:
            assert page.locator(f"path.eco-shape.{slug(eco['displayStatus'])}").count() >= 1, f"no {eco['displayStatus']} shape"
        browser.screenshot("board-map")
        expect_no_internal_names(page, "the board")
        for eco in past:
            page.locator(f'tr[data-eco="{eco["id"]}"] a').click()
            page.get_by_role("region", name="Timeline").locator("li").first.wait_for()
            expect_text(page.locator('[data-role="status"]'), eco["displayStatus"])
            expect_no_internal_names(page, f"the detail of {eco['jobID']} ({eco['displayStatus']})")
            page.get_by_role("button", name="← All ECOs").click()
            page.get_by_role("table", name="ECOs").wait_for()
        page.get_by_role("button", name="Simulators").click()
        page.get_by_role("table", name="Simulated ECOs").wait_for()
        expect_no_internal_names(page, "the simulator panel")


def test_a_dispatcher_edits_the_details_and_an_edit_made_meanwhile_is_not_overwritten(playwright, demo: Demo) -> None:
    script = demo.session(*DISPATCHER)
    eco = next(eco for eco in past_ecos(demo) if eco["displayStatus"] == "Needs escalation")
    with signed_in(playwright, demo, DISPATCHER) as browser:
        page = browser.page
        page.locator(f'tr[data-eco="{eco["id"]}"] a').click()
        page.get_by_role("button", name="Edit details").click()
        page.get_by_label("Description").fill(eco["description"] + "; pump truck needed")
        page.get_by_label("Job type").select_option("MFR")
        page.get_by_role("button", name="Save details").click()
        page.locator("section[aria-label=ECO] > p", has_text="pump truck needed").wait_for()
        timeline = page.get_by_role("region", name="Timeline")
        expect_some_text(timeline, "Details edited — Metro NOC dispatcher")
        status, saved, _ = demo.call("GET", f"/api/ecos/{eco['id']}", headers=script)
        assert saved["eco"]["jobType"] == "MFR" and saved["eco"]["description"].endswith("pump truck needed"), saved

        # Someone else changes it while this page's form is open: saving is refused, nothing is overwritten.
        page.get_by_role("button", name="Edit details").click()
        page.get_by_label("Description").fill("My stale change")
        status, _, _ = demo.call("PATCH", f"/api/ecos/{eco['id']}",
                                 {"description": "Changed from another desk", "expectedVersion": saved["eco"]["version"]}, script)
        assert status == 200
        page.get_by_role("button", name="Save details").click()
        expect_some_text(page.locator("section[aria-label=ECO] p.error"), "Someone changed this ECO meanwhile")
        forgive_refusals(browser, 409)
        status, kept, _ = demo.call("GET", f"/api/ecos/{eco['id']}", headers=script)
        assert kept["eco"]["description"] == "Changed from another desk", kept["eco"]["description"]
        page.get_by_role("button", name="Discard").click()
        page.locator("section[aria-label=ECO] > p", has_text="Changed from another desk").wait_for()
        page.get_by_role("button", name="Edit details").wait_for()  # the page is back to reading, its edit closed
        browser.screenshot("edit-details")


def test_the_dashboard_fits_a_1280_by_800_screen_and_a_tablet(playwright, demo: Demo) -> None:
    eco = past_ecos(demo)[0]
    for width, height in ((1280, 800), (820, 1180), (1180, 820)):
        with signed_in(playwright, demo, DISPATCHER, viewport=(width, height)) as browser:
            page = browser.page
            def fits(where: str) -> None:
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{where} at {width}×{height} is {overflow} px wider than the screen"
            page.locator("path.region").first.wait_for()
            fits("the board")
            new = page.get_by_role("button", name="New ECO")
            box = new.bounding_box()
            assert box and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, "New ECO is off the screen"
            browser.screenshot(f"board-{width}x{height}")
            page.locator(f'tr[data-eco="{eco["id"]}"] a').click()
            page.get_by_role("region", name="Timeline").locator("li").first.wait_for()
            fits("the ECO detail")
            browser.screenshot(f"detail-{width}x{height}")
            page.get_by_role("button", name="← All ECOs").click()
            page.get_by_role("button", name="New ECO").click()
            page.get_by_role("button", name="Open ECO").wait_for()
            fits("the New ECO form")
            browser.screenshot(f"create-{width}x{height}")


def choose_front_range(page: Page) -> None:
    """The supervisor acts for Front Range Fiber: the owner's test made them a viewer of another OSP too, so the
    tenant switcher may show, and then picks it."""
    if page.locator("#tenant").is_visible():
        page.locator("#tenant").select_option("demo-osp-front-range")


def test_an_osp_admin_adds_a_pager_list_and_makes_it_the_default(playwright, demo: Demo) -> None:
    admin = {**demo.session(*SUPERVISOR), "X-Tenant-ID": "demo-osp-front-range"}
    with signed_in(playwright, demo, SUPERVISOR) as browser:
        page = browser.page
        choose_front_range(page)
        open_section(page, "Pager lists")
        page.locator("path.region").first.wait_for()
        new = page.get_by_role("form", name="New pager list")
        new.get_by_role("button", name="Add list").click()
        expect_some_text(new.locator('.field-error[data-for="name"]'), "1 to")
        new.get_by_label("Name", exact=True).fill("Night shift")
        new.get_by_label("Priority", exact=True).fill("3")
        new.get_by_role("button", name="Add list").click()
        card = page.locator('section[aria-label="Pager list Night shift"]')
        card.wait_for()
        expect_some_text(card.locator("p.muted").first, "Priority 3 · active")

        card.get_by_label("Default", exact=True).check()
        card.get_by_role("button", name="Save list").click()
        page.locator('section[aria-label="Pager list Night shift"] p.muted', has_text="default").wait_for()
        browser.screenshot("pager-lists")
        _, lists, _ = demo.call("GET", "/api/pager-lists", headers=admin)
        defaults = [item["name"] for item in lists if item["isDefault"]]
        assert defaults == ["Night shift"], f"the default moved to {defaults}"
        forgive_refusals(browser, 422)
    on_call = next(item for item in lists if item["name"] == "Front Range on-call")
    status, _, _ = demo.call("PATCH", f"/api/pager-lists/{on_call['id']}", {"isDefault": True}, admin)
    assert status == 200, "the demo's default list could not be restored"


# The page's alerts, recorded through the real APIs: every desktop notification it raises, whether it asked for the
# permission (the page is told "default" until it asks; the context grants it), and every tone it starts.
ALERT_RECORDER = """
(() => {
  window.notificationsRaised = [];
  window.notificationPermissionAsked = 0;
  window.tonesPlayed = 0;
  const Real = window.Notification;
  if (Real) {
    let asked = false;
    window.Notification = class extends Real {
      constructor(title, options = {}) {
        super(title, options);
        window.notificationsRaised.push({ title, body: options.body || "", tag: options.tag || "" });
      }
      static get permission() { return asked ? Real.permission : "default"; }
      static requestPermission(...args) {
        asked = true;
        window.notificationPermissionAsked += 1;
        return Real.requestPermission(...args);
      }
    };
  }
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) {
    window.tonesPlayed += 1;
    return start.apply(this, args);
  };
})();
"""


def wait_until(page: Page, expression: str, arg=None, seconds: float = 10) -> None:
    """Polls `expression` (a function of `arg`) in the page until it is true. Not wait_for_function: that evaluates
    strings in the page, which its Content-Security-Policy forbids."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {seconds} s: {expression}")
        time.sleep(0.05)


def open_pager_exhausted_eco(demo: Demo, description: str, point: list[float]) -> dict:
    """An ECO for Front Range Fiber whose simulated pager finds nobody to accept it."""
    script = demo.session(*DISPATCHER)
    eco = {"location": {"type": "Point", "coordinates": point}, "jobType": "CMR", "description": description,
           "ospTenantID": "demo-osp-front-range"}
    status, created, _ = demo.call("POST", "/api/ecos", eco, script)
    assert status == 201, f"create: {status} {created}"
    status, _, _ = demo.call("PUT", f"/api/simulator/ecos/{created['eco']['id']}", {"scenario": "pager-exhausted"}, script)
    assert status == 200, "the ECO's scenario was not set"
    return created["eco"]


def expect_title_to_count_the_unacknowledged(page: Page, demo: Demo, headers: dict[str, str], seconds: float = 10) -> int:
    """The page's title is "(N) Osprey Strike" with N as the API counts the unacknowledged items; answers N."""
    deadline = time.monotonic() + seconds
    while True:
        _, listed, _ = demo.call("GET", "/api/attention", headers=headers)
        expected = f"({listed['unacknowledged']}) Osprey Strike" if listed["unacknowledged"] else "Osprey Strike"
        title = page.title()
        if title == expected:
            return listed["unacknowledged"]
        if time.monotonic() > deadline:
            raise AssertionError(f"the title is {title!r}, the API counts {listed['unacknowledged']} unacknowledged")
        time.sleep(0.1)


def test_a_pager_exhausted_eco_alerts_the_dispatcher_until_they_acknowledge_it(playwright, demo: Demo) -> None:
    script = demo.session(*DISPATCHER)
    _, me, _ = demo.call("GET", "/api/me", headers=script)
    with signed_in(playwright, demo, DISPATCHER, permissions=["notifications"], init_script=ALERT_RECORDER) as browser:
        page = browser.page
        panel = page.get_by_role("region", name="Needs attention")
        panel.wait_for()
        eco = open_pager_exhausted_eco(demo, "Cut nobody answers for", [-104.99, 39.742])
        item = panel.locator(f'li[data-attention="{eco["id"]}"]')
        item.wait_for(timeout=90_000)
        expect_some_text(item, eco["jobID"])
        expect_some_text(item.locator(".causes"), "Needs escalation")
        assert expect_title_to_count_the_unacknowledged(page, demo, script) >= 1

        assert page.evaluate("window.notificationPermissionAsked") >= 1, "the page never asked for notification permission"
        wait_until(page, "([id, job]) => window.notificationsRaised.some((n) => n.tag === id && (n.title + n.body).includes(job))",
                   [eco["id"], eco["jobID"]])
        wait_until(page, "() => window.tonesPlayed > 0")
        browser.screenshot("attention-alert")

        # A second tab of the same browser lists it too, but stays silent: the first tab sounds for both.
        other = browser.context.new_page()
        other.goto(demo.origin + "/")
        other_item = other.get_by_role("region", name="Needs attention").locator(f'li[data-attention="{eco["id"]}"]')
        other_item.wait_for()
        other.locator("h1").click()  # a gesture: this tab could sound from now on
        other.wait_for_timeout(1500)
        assert other.evaluate("window.tonesPlayed") == 0, "two tabs sound at once"

        item.get_by_role("button", name="Acknowledge").click()
        expect_some_text(item.locator('[data-role="acknowledged"]'), f"Acknowledged by {me['user']['displayName']} at ")
        expect_some_text(other_item.locator('[data-role="acknowledged"]'), f"Acknowledged by {me['user']['displayName']} at ", seconds=5)
        other.close()
        assert item.get_by_role("button", name="Acknowledge").count() == 0, "an acknowledged item still offers Acknowledge"
        _, listed, _ = demo.call("GET", "/api/attention", headers=script)
        acknowledged = next(entry for entry in listed["items"] if entry["eco"]["id"] == eco["id"])
        assert acknowledged["acknowledged"] and acknowledged["acknowledgedBy"] == me["user"]["displayName"], acknowledged
        expect_title_to_count_the_unacknowledged(page, demo, script)
        browser.screenshot("attention-acknowledged")
        expect_no_internal_names(page, "the board with the attention list")

        # The acknowledged ECO's timeline says who acknowledged what.
        item.get_by_role("link", name=eco["jobID"]).click()
        expect_some_text(page.get_by_role("region", name="Timeline"),
                         f"Attention acknowledged: needs escalation — {me['user']['displayName']}")


def test_a_dispatcher_dispatches_a_paging_eco_by_hand_and_the_timeline_says_why(playwright, demo: Demo) -> None:
    script = demo.session(*DISPATCHER)
    eco = open_pager_exhausted_eco(demo, "Cut whose supervisor phones back", [-104.985, 39.748])
    reason = "Bob rang the NOC desk on the landline and took the job"
    with signed_in(playwright, demo, DISPATCHER) as browser:
        page = browser.page
        page.locator(f'tr[data-eco="{eco["id"]}"] a').click()
        by_hand = page.get_by_role("group", name="Take over by hand")
        offer = by_hand.get_by_role("button", name="Dispatch by hand", exact=True)
        offer.wait_for(timeout=60_000)  # offered once it is paging (or needs escalation)
        assert page.locator('[data-role="status"]').inner_text() in ("Paging", "Needs escalation")
        for action in ("Complete", "Close"):
            assert by_hand.get_by_role("button", name=action, exact=True).count() == 1, f"{action} is not offered"
        assert by_hand.get_by_role("button", name="Reopen", exact=True).count() == 0, "an ECO still at work is offered Reopen"
        offer.click()
        form = page.get_by_role("form", name="Dispatch by hand")
        form.get_by_label("Accepted by").fill("Bob Okafor")
        form.get_by_label("Reason").fill(reason)
        browser.screenshot("dispatch-by-hand")
        form.get_by_role("button", name="Record the dispatch").click()

        timeline = page.get_by_role("region", name="Timeline")
        expect_some_text(timeline, f"Dispatched by hand: supervisor Bob Okafor called back — {reason} — Metro NOC dispatcher", seconds=15)
        status = page.locator('[data-role="status"]').inner_text()
        assert status not in ("Paging", "Needs escalation", "Pending"), f"after the dispatch the ECO shows {status}"
        expect_some_text(page.locator("section[aria-label=ECO]"), "accepted by Bob Okafor")
        assert page.get_by_role("button", name="Dispatch by hand", exact=True).count() == 0, "a dispatched ECO is offered Dispatch by hand"
        browser.screenshot("dispatched-by-hand")
        _, detail, _ = demo.call("GET", f"/api/ecos/{eco['id']}", headers=script)
        assert detail["eco"]["acceptedBy"] == "Bob Okafor", detail["eco"]
        expect_no_internal_names(page, "the ECO dispatched by hand")


def test_the_board_loads_more_than_a_page_in_order_and_keeps_its_filter(playwright, demo: Demo) -> None:
    script = demo.session(*DISPATCHER)
    _, listed, _ = demo.call("GET", "/api/ecos?limit=200", headers=script)
    newest_first = [eco["id"] for eco in listed["items"]]
    escalated = [eco["id"] for eco in listed["items"] if eco["displayStatus"] == "Needs escalation"]
    assert len(newest_first) > 4 and len(escalated) > 2, listed
    with signed_in(playwright, demo, DISPATCHER) as browser:
        page = browser.page
        # Pages of 2 instead of 200, so the demo's few ECOs take several pages.
        page.route(re.compile(r"/api/ecos\?"), lambda route: route.continue_(url=route.request.url.replace("limit=200", "limit=2")))
        rows = page.locator("table[aria-label=ECOs] tbody tr")
        shown = lambda: page.eval_on_selector_all("table[aria-label=ECOs] tbody tr", "rows => rows.map((row) => row.dataset.eco)")  # noqa: E731
        status = page.get_by_label("Status", exact=True)
        status.select_option("Needs escalation")
        status.select_option("")
        more = page.get_by_role("button", name="Load more")
        deadline = time.monotonic() + 10
        while shown() != newest_first[:2] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert shown() == newest_first[:2], f"the first page shows {shown()}"
        while more.is_visible():
            before = rows.count()
            more.click()
            wait_until(page, "before => document.querySelectorAll('table[aria-label=ECOs] tbody tr').length > before", before)
        assert shown() == newest_first, "the pages together are not the board, newest first"
        assert page.locator("path.eco-shape").count() == len(newest_first), "not every ECO loaded is on the map"

        status.select_option("Needs escalation")
        deadline = time.monotonic() + 10
        while shown() != escalated[:2] and time.monotonic() < deadline:
            time.sleep(0.05)
        while more.is_visible():
            before = rows.count()
            more.click()
            wait_until(page, "before => document.querySelectorAll('table[aria-label=ECOs] tbody tr').length > before", before)
        assert shown() == escalated, f"the filtered pages show {shown()}, not {escalated}"
        browser.screenshot("board-loaded-more")


def test_each_tenant_sees_only_the_settings_that_act_for_it(playwright, demo: Demo) -> None:
    with signed_in(playwright, demo, NOC_ADMIN) as browser:
        page = browser.page
        open_section(page, "Settings")
        page.get_by_label("ECO list map zoom", exact=True).wait_for()
        for label in ("Contact timeout (seconds)", "Acceptance timeout (minutes)", "Paging alert (minutes)"):
            assert page.get_by_label(label, exact=True).count() == 0, f"a NOC is shown {label}"
    admin = {**demo.session(*SUPERVISOR), "X-Tenant-ID": "demo-osp-front-range"}
    with signed_in(playwright, demo, SUPERVISOR) as browser:
        page = browser.page
        choose_front_range(page)
        open_section(page, "Settings")
        _, before, _ = demo.call("GET", "/api/settings", headers=admin)
        alert = page.get_by_label("Paging alert (minutes)", exact=True)
        assert alert.input_value() == str(before["pagingAlertMinutes"])
        assert page.get_by_label("Acceptance timeout (minutes)", exact=True).input_value() == str(before["acceptanceTimeoutMinutes"])
        repage = page.get_by_label("Page again when the acceptance timeout passes", exact=True)
        assert repage.is_checked() == before["repageOnAcceptanceTimeout"]
        alert.fill(str(before["pagingAlertMinutes"] % 240 + 1))
        repage.set_checked(not before["repageOnAcceptanceTimeout"])
        page.get_by_role("button", name="Save settings").click()
        expect_text(page.locator("#view .status"), "Saved.")
        _, saved, _ = demo.call("GET", "/api/settings", headers=admin)
        assert saved["pagingAlertMinutes"] == before["pagingAlertMinutes"] % 240 + 1, saved
        assert saved["repageOnAcceptanceTimeout"] == (not before["repageOnAcceptanceTimeout"]), saved
        browser.screenshot("settings-osp")
        status, _, _ = demo.call("PATCH", "/api/settings", {k: before[k] for k in ("pagingAlertMinutes", "repageOnAcceptanceTimeout")}, admin)
        assert status == 200, "the OSP's settings could not be restored"

        open_section(page, "Render instance")
        _, instance, _ = demo.call("GET", "/api/render-instance", headers=admin)
        for label, name in (("Inactivity limit (hours)", "inactivityHours"), ("Grace period (hours)", "gracePeriodHours"),
                            ("Task type", "defaultTaskType")):
            assert page.get_by_label(label, exact=True).input_value() == str(instance[name]), f"{label} does not show {instance[name]}"
        page.get_by_label("Task type", exact=True).fill("Fiber cut investigation")
        page.get_by_role("button", name="Save", exact=True).click()
        expect_some_text(page.locator("#view .status"), "Saved.")
        _, changed, _ = demo.call("GET", "/api/render-instance", headers=admin)
        assert changed["defaultTaskType"] == "Fiber cut investigation", changed
        browser.screenshot("render-instance")
        fields = ("mode", "baseURL", "clientID", "projectID", "pollIntervalSeconds", "inactivityHours", "gracePeriodHours", "defaultTaskType")
        status, _, _ = demo.call("PUT", "/api/render-instance", {name: instance.get(name) for name in fields}, admin)
        assert status == 200, "the Render instance could not be restored"


# First run, backups, the Twilio setup check and the offline base map.

def expect_count(locator, count: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while locator.count() != count:
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} of {locator}, saw {locator.count()}")
        time.sleep(0.05)


def in_page_words(page: Page, at: str) -> str:
    """A stored time as the page says it (words.js `when`: the browser's own locale and time zone)."""
    return page.evaluate("at => new Date(at).toLocaleString()", at)


def set_up(form, username: str, display_name: str, password: str, confirmation: str, noc: str = "") -> None:
    form.get_by_label("Username", exact=True).fill(username)
    form.get_by_label("Display name", exact=True).fill(display_name)
    form.get_by_label("Password", exact=True).fill(password)
    form.get_by_label("Confirm password", exact=True).fill(confirmation)
    form.get_by_label("First NOC (optional)", exact=True).fill(noc)
    form.get_by_role("button", name="Set up and sign in").click()


def test_the_first_run_makes_the_owner_and_a_noc_and_is_never_offered_again(playwright, demo: Demo) -> None:
    fresh = Fresh(demo.binary, demo.workdir / "first-run")
    browser = Browser(playwright, fresh)
    try:
        assert fresh.call("GET", "/api/setup")[:2] == (200, {"open": True}), "a new appliance is not open for setup"
        page = browser.page
        page.goto(fresh.origin + "/")
        form = page.get_by_role("form", name="Set up the appliance")
        form.wait_for()
        assert page.get_by_role("form", name="Sign in").count() == 0, "the sign-in form is shown before there is anyone to sign in"
        assert page.locator("header.bar").is_hidden(), "the sections are shown before anyone signed in"
        posted: list[str] = []
        page.on("request", lambda request: request.method == "POST" and posted.append(request.url))

        # The two passwords differ: said beside the confirmation, and nothing is sent.
        set_up(form, "site.owner", "Site Owner", "owner-password-2026", "owner-password-2062", "Front Range NOC")
        expect_text(beside(page, "Confirm password"), "The two passwords differ.")
        assert posted == [], f"a mismatched confirmation was sent: {posted}"
        assert fresh.call("GET", "/api/setup")[1] == {"open": True}, "a mismatched confirmation set the appliance up"
        browser.screenshot("setup-mismatch")

        # The appliance's own refusals, beside the fields they name.
        set_up(form, "site owner", "Site Owner", "short", "short", "Front Range NOC")
        expect_some_text(beside(page, "Username"), "letters, digits")
        expect_some_text(beside(page, "Password"), "10 to 200 characters")
        assert beside(page, "Confirm password").inner_text() == "", "the last try's mismatch is still shown"
        browser.screenshot("setup-refused")
        assert fresh.call("GET", "/api/setup")[1] == {"open": True}, "a refused setup set the appliance up"

        set_up(form, "site.owner", "Site Owner", "owner-password-2026", "owner-password-2026", "Front Range NOC")
        # The owner is the new NOC's admin: they land on its board, signed in.
        page.get_by_role("table", name="ECOs").wait_for()
        expect_text(page.locator("h1"), "ECOs — Front Range NOC")
        assert page.locator("#who").inner_text() == "Site Owner"
        open_section(page, "Appliance")
        tenants = page.get_by_role("table", name="Tenants").locator("tbody tr")
        expect_count(tenants, 1)
        assert [cell.inner_text() for cell in tenants.first.locator("td").all()][:2] == ["Front Range NOC", "NOC"], tenants.first.inner_text()
        members = page.get_by_role("region", name="Members", exact=True).get_by_role("table", name="Members").locator("tbody tr")
        expect_some_text(members.first, "site.owner")
        assert [cell.inner_text() for cell in members.first.locator("td").all()] == ["site.owner", "Site Owner", "Admin"], members.first.inner_text()
        browser.screenshot("setup-done")

        owner = fresh.session("site.owner", "owner-password-2026")
        _, me, _ = fresh.call("GET", "/api/me", headers=owner)
        assert me["user"]["isOwner"] and [(m["tenantName"], m["role"]) for m in me["memberships"]] == [("Front Range NOC", "admin")], me

        # Once done, never again: the signed-in page reloads into the dashboard, a new browser gets the sign-in form.
        page.reload()
        page.get_by_role("table", name="ECOs").wait_for()
        assert page.get_by_role("form", name="Set up the appliance").count() == 0
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("form", name="Sign in").wait_for()
        page.reload()
        page.get_by_role("form", name="Sign in").wait_for()
        assert page.get_by_role("form", name="Set up the appliance").count() == 0, "the setup page is offered after setup"
        browser.screenshot("setup-then-sign-in")
        assert fresh.call("GET", "/api/setup")[:2] == (200, {"open": False})
        status, _, _ = fresh.call("POST", "/api/setup", {"username": "intruder", "displayName": "Intruder", "password": "intruder-password"})
        assert status == 404, f"a second setup answered {status}"
        forgive_refusals(browser, 422)
        browser.expect_nothing_from_outside_and_no_console_error()
    finally:
        browser.close()
        fresh.stop()


def test_a_first_run_without_a_noc_lands_the_owner_on_the_appliance_page(playwright, demo: Demo) -> None:
    fresh = Fresh(demo.binary, demo.workdir / "first-run-owner-only")
    browser = Browser(playwright, fresh)
    try:
        page = browser.page
        page.goto(fresh.origin + "/")
        form = page.get_by_role("form", name="Set up the appliance")
        set_up(form, "lone.owner", "Lone Owner", "lone-owner-password", "lone-owner-password")
        page.get_by_role("heading", name="Appliance", exact=True).wait_for()
        sections = page.locator("#sections button")
        assert sections.all_inner_texts() == ["Appliance"], sections.all_inner_texts()
        expect_count(page.get_by_role("table", name="Tenants").locator("tbody tr"), 0)
        _, me, _ = fresh.call("GET", "/api/me", headers=fresh.session("lone.owner", "lone-owner-password"))
        assert me["user"]["isOwner"] and me["memberships"] == [], me
        browser.screenshot("setup-owner-only")
        browser.expect_nothing_from_outside_and_no_console_error()
    finally:
        browser.close()
        fresh.stop()


def ecos_seen_by(demo: Demo, credentials: tuple[str, str]) -> list[dict]:
    """Every ECO the caller's tenant sees, page after page."""
    headers = demo.session(*credentials)
    found, cursor = [], None
    while True:
        status, listed, _ = demo.call("GET", "/api/ecos?limit=200" + (f"&cursor={cursor}" if cursor else ""), headers=headers)
        assert status == 200, listed
        found += listed["items"]
        cursor = listed.get("nextCursor")
        if not cursor:
            return found


def test_the_owner_is_alerted_while_backups_fail_and_downloads_a_backup_that_opens(playwright, demo: Demo) -> None:
    owner = demo.session(*NOC_ADMIN)
    place = demo.workdir / "backup-test"
    place.mkdir()
    a_file = place / "a-file"
    a_file.write_text("a file, where a directory is wanted\n")
    directory = place / "backups"
    with signed_in(playwright, demo, NOC_ADMIN) as browser:
        page = browser.page
        alert = page.locator('#pinned [data-role="backup-alert"]')
        open_section(page, "Appliance")
        section = page.get_by_role("region", name="Backups", exact=True)
        form = section.get_by_role("form", name="Backup schedule")
        _, before, _ = demo.call("GET", "/api/backups", headers=owner)
        assert before["schedule"]["setBy"] != "command line", before
        assert form.get_by_label("Directory", exact=True).input_value() == before["schedule"]["directory"]

        # A regular file cannot be the directory: refused beside the field, nothing saved.
        form.get_by_label("Directory", exact=True).fill(str(a_file))
        form.get_by_role("button", name="Save schedule").click()
        expect_some_text(beside(page, "Directory"), "not a directory")
        assert demo.call("GET", "/api/backups", headers=owner)[1]["schedule"] == before["schedule"], "a refused schedule was saved"

        form.get_by_label("Back up on this schedule", exact=True).check()
        form.get_by_label("Directory", exact=True).fill(str(directory))
        form.get_by_label("Every", exact=True).fill("6")
        form.get_by_label("Unit of the interval between backups").select_option(label="hours")
        form.get_by_label("Keep", exact=True).fill("3")
        form.get_by_role("button", name="Save schedule").click()
        expect_text(form.locator(".status"), f"Saved. Every 6 hours into {directory}, keeping the newest 3.")
        _, saved, _ = demo.call("GET", "/api/backups", headers=owner)
        assert saved["schedule"] == {"enabled": True, "directory": str(directory), "everyMinutes": 360, "keep": 3, "setBy": "owner"}, saved
        expect_text(section.locator('[data-role="schedule"]'), f"Every 6 hours into {directory}, keeping the newest 3.")
        if saved["nextAt"]:
            expect_text(section.locator('[data-role="next"]'), in_page_words(page, saved["nextAt"]))

        # The directory becomes a file (a disk gone, say): Back up now fails, and the owner is told above every section.
        # (Saving made no directory; the scheduled backup may have made it since.)
        shutil.rmtree(directory, ignore_errors=True)
        directory.write_text("no longer a directory\n")
        section.get_by_role("button", name="Back up now").click()
        expect_some_text(section.locator('[data-role="backup-now-error"]'), "not a directory")
        alert.wait_for()
        _, failing, _ = demo.call("GET", "/api/backups", headers=owner)
        assert failing["failing"] and "not a directory" in failing["lastFailure"]["error"], failing
        expect_some_text(alert, f"The last backup, at {in_page_words(page, failing['lastFailure']['at'])}, failed:")
        expect_some_text(alert, "not a directory")
        browser.screenshot("backups-failing")
        browser.screenshot("backups-failing-section", section)
        open_section(page, "ECOs")
        page.get_by_role("table", name="ECOs").wait_for()
        assert alert.is_visible(), "the alert is not shown above the board"
        page.reload()  # read when the page loads, not only after the Appliance page's own request
        page.get_by_role("table", name="ECOs").wait_for()
        alert.wait_for()
        alert.get_by_role("link", name="See the backups on the Appliance page").click()
        page.get_by_role("form", name="Backup schedule").wait_for()
        wait_until(page, "() => document.activeElement?.getAttribute('aria-label') === 'Backups'")
        expect_text(page.get_by_role("table", name="Audit log").locator('tbody tr [data-role="what"]').first,
                    f"Backup schedule set: every 6 hours, into {directory}, keeping 3")
        browser.screenshot("backups-alert-followed")

        # Nobody but the owner is shown it, or reads the backups.
        with signed_in(playwright, demo, DISPATCHER) as other:
            other.page.wait_for_timeout(500)
            assert other.page.locator('#pinned [data-role="backup-alert"]').count() == 0, "a dispatcher is shown the backups alert"
            assert not [url for url in other.requests if "/api/backup" in url], "a dispatcher's page reads the backups"

        # Fixed: the next backup succeeds, the alert goes, the file is listed.
        directory.unlink()
        page.get_by_role("region", name="Backups", exact=True).get_by_role("button", name="Back up now").click()
        expect_some_text(section.locator('[data-role="backup-now"]'), "Backed up: strike-")
        expect_count(alert, 0)
        _, fixed, _ = demo.call("GET", "/api/backups", headers=owner)
        assert not fixed["failing"] and fixed["files"][0]["name"] == fixed["lastSuccess"]["file"], fixed
        assert (directory / fixed["lastSuccess"]["file"]).is_file()
        row = section.get_by_role("table", name="Backup files").locator(f'tr[data-file="{fixed["lastSuccess"]["file"]}"]')
        row.wait_for()
        expect_some_text(section.locator('[data-role="last-success"]'), fixed["lastSuccess"]["file"])
        browser.screenshot("backups-fixed", section)

        # The download: the database as of now, checked, without the key file (and the page says so).
        note = section.locator('[data-role="key-file-note"]').inner_text()
        assert "The key file is not in it" in note and "back the key file up separately" in note, note
        with page.expect_download() as download:
            section.get_by_role("link", name="Download a backup").click()
        assert re.fullmatch(r"strike-\d{8}T\d{6}Z\.db", download.value.suggested_filename), download.value.suggested_filename
        copy = Path(download.value.path())
        database = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        try:
            assert database.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            in_file = database.execute("SELECT count(*) FROM eco_view").fetchone()[0]
        finally:
            database.close()
        listed = ecos_seen_by(demo, DISPATCHER)  # the demo's one NOC sees every ECO
        assert in_file == len(listed) and in_file > 0, f"the backup holds {in_file} ECOs, the API lists {len(listed)}"
        key = demo.database.with_name(demo.database.name + ".key")
        if key.is_file():
            assert key.read_bytes().strip() not in copy.read_bytes(), "the download holds the key file"
        forgive_refusals(browser, 422, 500)


TWILIO_CHECKS = {"public URL": "Public address", "credentials": "Credentials", "contact numbers": "Numbers called"}


def test_a_noc_admin_checks_the_twilio_setup_and_each_check_says_what_it_found(playwright, demo: Demo) -> None:
    # A demo of its own that names its own address as the public base URL: the ping goes all the way round.
    checked = Demo(demo.binary, demo.workdir / "public-url", extra_args=["--public-base-url", "{origin}"])
    try:
        admin = checked.session(*NOC_ADMIN)
        with signed_in(playwright, checked, NOC_ADMIN) as browser:
            page = browser.page
            open_section(page, "Twilio account")
            panel = page.get_by_role("region", name="Check the setup")
            panel.get_by_role("button", name="Check setup").click()
            checks = panel.locator("li[data-check]")
            expect_count(checks, 3, seconds=30)
            expect_some_text(panel.locator('[data-role="check-summary"]'), "Ready: every check passed.")
            for name, words in TWILIO_CHECKS.items():
                item = panel.locator(f'li[data-check="{name}"]')
                text = item.inner_text()
                assert text.startswith(words) and ": OK. " in text, f"{name}: {text!r}"
            public = panel.locator('li[data-check="public URL"]').inner_text()
            assert f"{checked.origin}/twilio/ping/" in public and "reached this appliance" in public, public
            browser.screenshot("twilio-check-ok")

            expect_no_internal_names(page, "the Twilio setup check")
    finally:
        checked.stop()

    # An appliance whose public base URL leads to another appliance (the demo): that one answers, but not with this
    # one's ping, so Twilio's calls back would not reach it. The simulated credentials pass; no OSP is linked yet.
    elsewhere = Fresh(demo.binary, demo.workdir / "public-url-elsewhere", extra_args=["--public-base-url", demo.origin])
    try:
        status, made, _ = elsewhere.call("POST", "/api/setup", {"username": "noc.owner", "displayName": "NOC Owner",
                                                                "password": "noc-owner-password", "noc": {"name": "Plains NOC"}})
        assert status == 201, made
        admin = {**elsewhere.session("noc.owner", "noc-owner-password"), "X-Tenant-ID": made["noc"]["id"]}
        status, account, _ = elsewhere.call("PUT", "/api/twilio-account", {"mode": "simulated", "accountSID": "AC" + "5" * 32,
                                                                         "authToken": "plains-auth-token", "fromNumber": "+13035550199"}, admin)
        assert status == 200, account
        with signed_in(playwright, elsewhere, ("noc.owner", "noc-owner-password")) as browser:
            page = browser.page
            open_section(page, "Twilio account")
            panel = page.get_by_role("region", name="Check the setup")
            panel.get_by_role("button", name="Check setup").click()
            expect_some_text(panel.locator('[data-role="check-summary"]'), "1 of 3 checks failed.", seconds=30)
            public = panel.locator('li[data-check="public URL"]')
            assert public.locator(".verdict").inner_text() == "Failed", public.inner_text()
            _, report, _ = elsewhere.call("POST", "/api/twilio-account/check", headers=admin)
            found = next(check for check in report["checks"] if check["name"] == "public URL")
            assert not found["ok"] and found["detail"] in public.inner_text(), (found, public.inner_text())
            for name in ("credentials", "contact numbers"):
                assert panel.locator(f'li[data-check="{name}"] .verdict').inner_text() == "OK"
            browser.screenshot("twilio-check-failed")
    finally:
        elsewhere.stop()


# The offline map's tiles: a box around Denver, at the zooms the demo's maps open at (list 10 to 13, create 11; the ECO
# page's 15 is drawn from 13), so a map asks only for tiles the file has.
TILE_BOUNDS = (-105.3, 39.5, -104.7, 40.0)
TILE_ZOOMS = range(9, 14)
TILE_CREDIT = '&copy; <a href="https://tiles.example.org/">Front Range test tiles</a>'


def png(rgb: tuple[int, int, int], size: int = 256) -> bytes:
    """A plain square PNG of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = (b"\x00" + bytes(rgb) * size) * size
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def tile_x(longitude: float, zoom: int) -> int:
    return int((longitude + 180) / 360 * 2 ** zoom)


def tile_y(latitude: float, zoom: int) -> int:
    """The row from the north, as Leaflet numbers it."""
    return int((1 - math.asinh(math.tan(math.radians(latitude))) / math.pi) / 2 * 2 ** zoom)


def write_mbtiles(path: Path) -> dict[tuple[int, int, int], bytes]:
    """An MBTiles file of TILE_BOUNDS at TILE_ZOOMS; each tile's colour says whether its column and its row (from the
    north) are even, so a row read upside down shows. Answers each tile's bytes by z, x and y from the north."""
    images = {parity: png(colour) for parity, colour in
              {(0, 0): (206, 224, 240), (1, 0): (214, 236, 206), (0, 1): (240, 226, 204), (1, 1): (226, 214, 240)}.items()}
    west, south, east, north = TILE_BOUNDS
    tiles = {}
    database = sqlite3.connect(path)
    try:
        database.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        database.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
        database.executemany("INSERT INTO metadata VALUES (?, ?)", [
            ("name", "Front Range test tiles"), ("format", "png"), ("type", "baselayer"), ("version", "1"),
            ("minzoom", str(min(TILE_ZOOMS))), ("maxzoom", str(max(TILE_ZOOMS))), ("bounds", ",".join(map(str, TILE_BOUNDS))),
            ("attribution", TILE_CREDIT)])
        for z in TILE_ZOOMS:
            for x in range(tile_x(west, z), tile_x(east, z) + 1):
                for y in range(tile_y(north, z), tile_y(south, z) + 1):
                    tiles[(z, x, y)] = images[(x % 2, y % 2)]
                    database.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, 2 ** z - 1 - y, tiles[(z, x, y)]))
        database.commit()
    finally:
        database.close()
    return tiles


def shown_tiles(page: Page, map_selector: str) -> list[dict]:
    """The base layer's tiles in a map once none is still loading: each image's address and natural width."""
    script = f"() => [...document.querySelectorAll('{map_selector} img.leaflet-tile')]" \
             ".map((img) => ({ src: img.src, width: img.naturalWidth, loaded: img.complete && img.classList.contains('leaflet-tile-loaded') }))"
    deadline = time.monotonic() + 15
    while True:
        tiles = page.evaluate(script)
        if tiles and all(tile["loaded"] for tile in tiles):
            return tiles
        if time.monotonic() > deadline:
            raise AssertionError(f"the tiles of {map_selector} did not load: {tiles}")
        time.sleep(0.1)


def test_an_imported_offline_map_is_the_base_layer_of_the_maps(playwright, demo: Demo) -> None:
    script = demo.session(*DISPATCHER)
    status, before, _ = demo.call("GET", "/api/tiles", headers=script)
    assert status == 200 and before["available"] is False, before
    mbtiles = demo.workdir / "front-range.mbtiles"
    expected = write_mbtiles(mbtiles)
    # Imported while the demo runs: the server notices the new file.
    imported = subprocess.run([str(demo.binary), "tiles", "import", str(mbtiles), "--db", str(demo.database)],
                              capture_output=True, text=True, timeout=60, cwd=demo.workdir)
    assert imported.returncode == 0, f"strike tiles import exited {imported.returncode}: {imported.stdout}{imported.stderr}"
    _, tiles, _ = demo.call("GET", "/api/tiles", headers=script)
    assert tiles["available"] and tiles["format"] == "png" and (tiles["minZoom"], tiles["maxZoom"]) == (9, 13), tiles
    assert tiles["bounds"] == list(TILE_BOUNDS) and tiles["attribution"] == TILE_CREDIT, tiles
    _, settings, _ = demo.call("GET", "/api/settings", headers=script)
    with signed_in(playwright, demo, DISPATCHER) as browser:
        page = browser.page

        def expect_from_the_file(map_selector: str, zoom: int) -> None:
            shown = shown_tiles(page, map_selector)
            for tile in shown:
                match = re.fullmatch(re.escape(demo.origin) + r"/tiles/(\d+)/(\d+)/(\d+)", tile["src"])
                assert match, f"a tile of {map_selector} comes from {tile['src']}"
                z, x, y = map(int, match.groups())
                assert z == zoom, f"{map_selector} shows a tile of zoom {z}, not {zoom}"
                assert tile["width"] > 0, f"{tile['src']} did not load"
                status, body, headers = demo.fetch("GET", f"/tiles/{z}/{x}/{y}", headers={"Cookie": script["Cookie"]})
                assert status == 200 and headers["Content-Type"] == "image/png", (status, headers["Content-Type"])
                assert body == expected[(z, x, y)], f"/tiles/{z}/{x}/{y} is not the file's tile {z}/{x}/{2 ** z - 1 - y} (TMS)"

        expect_from_the_file(".board-map", settings["mapZoom"]["list"])
        credit = page.locator(".board-map .leaflet-control-attribution")
        assert credit.inner_text() == "© Front Range test tiles", credit.inner_text()
        assert credit.locator("a").count() == 0, "the file's HTML was put in the page"
        browser.screenshot("offline-map-board")

        # An ECO's own map opens past the file's greatest zoom: the greatest zoom's tiles, enlarged.
        west, south, east, north = TILE_BOUNDS
        inside = next(eco for eco in past_ecos(demo) if eco["location"]["type"] == "Point"
                      and west < eco["location"]["coordinates"][0] < east and south < eco["location"]["coordinates"][1] < north)
        page.locator(f'tr[data-eco="{inside["id"]}"] a').click()
        page.get_by_role("region", name="Timeline").locator("li").first.wait_for()
        expect_from_the_file(".map.small", min(settings["mapZoom"]["view"], max(TILE_ZOOMS)))
        browser.screenshot("offline-map-eco")


TESTS = [
    test_a_dispatcher_opens_an_eco_on_the_map_and_follows_it_live_to_complete,
    test_a_viewer_sees_no_create_control_and_the_api_refuses_it_anyway,
    test_an_exhausted_pager_needs_escalation_and_retry_starts_a_new_run,
    test_an_osp_supervisor_sees_only_the_ecos_assigned_to_that_osp,
    test_an_invalid_region_upload_names_the_feature_and_changes_nothing,
    test_the_simulator_panel_shows_the_scenarios_and_each_simulated_eco,
    test_a_cut_can_be_placed_without_a_mouse,
    test_a_noc_admin_never_sees_the_twilio_auth_token_and_an_empty_field_keeps_it,
    test_an_admin_makes_an_api_token_whose_secret_is_shown_once_and_revokes_it,
    test_an_admin_adds_a_user_and_the_audit_log_says_who_did_it,
    test_an_admin_changes_the_list_zoom_and_an_out_of_range_value_is_refused,
    test_the_owner_adds_an_osp_gives_it_an_admin_and_links_it_to_the_noc,
    test_the_board_maps_the_past_ecos_over_the_regions_and_every_page_speaks_in_words,
    test_a_dispatcher_edits_the_details_and_an_edit_made_meanwhile_is_not_overwritten,
    test_the_dashboard_fits_a_1280_by_800_screen_and_a_tablet,
    test_an_osp_admin_adds_a_pager_list_and_makes_it_the_default,
    test_a_pager_exhausted_eco_alerts_the_dispatcher_until_they_acknowledge_it,
    test_a_dispatcher_dispatches_a_paging_eco_by_hand_and_the_timeline_says_why,
    test_the_board_loads_more_than_a_page_in_order_and_keeps_its_filter,
    test_each_tenant_sees_only_the_settings_that_act_for_it,
    test_the_first_run_makes_the_owner_and_a_noc_and_is_never_offered_again,
    test_a_first_run_without_a_noc_lands_the_owner_on_the_appliance_page,
    test_a_noc_admin_checks_the_twilio_setup_and_each_check_says_what_it_found,
    test_the_owner_is_alerted_while_backups_fail_and_downloads_a_backup_that_opens,
    test_an_imported_offline_map_is_the_base_layer_of_the_maps,
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", type=Path, required=True)
    parser.add_argument("--only", action="append", metavar="WORDS",
                        help="run only the tests whose name holds WORDS (with _ or spaces between them); may be repeated")
    options = parser.parse_args()
    wanted = [words.replace(" ", "_") for words in options.only or []]
    tests = [test for test in TESTS if not wanted or any(words in test.__name__ for words in wanted)]
    if not tests:
        log(f"no test is named with {options.only}")
        return 2
    failures = 0
    with tempfile.TemporaryDirectory(prefix="strike-browser-") as workdir, sync_playwright() as playwright:
        demo = Demo(options.binary.resolve(), Path(workdir))
        try:
            for test in tests:
                started = time.monotonic()
                try:
                    test(playwright, demo)
                    log(f"ok: {test.__name__} ({time.monotonic() - started:.1f} s)")
                except Exception:  # noqa: BLE001 (every failure is reported, then the next test runs)
                    failures += 1
                    log(f"FAILED: {test.__name__}\n{traceback.format_exc()}")
        finally:
            demo.stop()
            if failures:
                log("demo log:\n" + "\n".join(demo.log_path.read_text(errors="replace").splitlines()[-40:]))
    log("all browser tests passed" if not failures else f"{failures} browser test(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
