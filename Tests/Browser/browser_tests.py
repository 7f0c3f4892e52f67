"""Browser tests of the dashboard: Debian's Chromium, headless, driven by Playwright (PyPI, pinned in
Tests/requirements.txt), against `strike demo` on a fresh database with its simulators.

Each test saves a screenshot under Tests/Browser/screenshots/ (git-ignored). Run by `make test` (and
`make browser`); exits non-zero when a test fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import contextmanager
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


class Demo:
    """`strike demo` on a fresh database in a temporary directory, on a free loopback port."""

    def __init__(self, binary: Path, workdir: Path):
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "demo.log"
        command = [str(binary), "demo", "--db", str(workdir / "demo.db"), "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(command, stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT, cwd=workdir)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"`strike demo` exited {self.process.returncode}:\n{self.log_path.read_text()}")
            if "Demo sign-ins" in self.log_path.read_text(errors="replace"):
                return
            time.sleep(0.1)
        raise RuntimeError("`strike demo` did not start within 90 s")

    def call(self, method: str, path: str, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = {"Content-Type": "application/json", **(headers or {})}
            connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = connection.getresponse()
            text = response.read()
            return response.status, (json.loads(text) if text else None), response.headers
        finally:
            connection.close()

    def session(self, username: str, password: str) -> dict[str, str]:
        """Headers of a signed-in script: its session cookie and CSRF token."""
        status, body, headers = self.call("POST", "/api/session", {"username": username, "password": password})
        assert status == 200, f"sign-in of {username}: {status} {body}"
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        return {"Cookie": cookie, "X-CSRF-Token": body["csrfToken"]}

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Browser:
    """One page in headless Chromium that records every request it makes and every console error."""

    def __init__(self, playwright, demo: Demo):
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        self.context = self.browser.new_context(viewport={"width": 1280, "height": 800})
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

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.browser.close()


@contextmanager
def signed_in(playwright, demo: Demo, credentials: tuple[str, str]):
    """A fresh browser signed in on the board; at the end, nothing loaded from outside and no console error."""
    browser = Browser(playwright, demo)
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


def expect_text(locator, text: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if locator.inner_text() == text:
            return
        time.sleep(0.05)
    raise AssertionError(f"expected {text!r}, saw {locator.inner_text()!r}")


TESTS = [
    test_a_dispatcher_opens_an_eco_on_the_map_and_follows_it_live_to_complete,
    test_a_viewer_sees_no_create_control_and_the_api_refuses_it_anyway,
    test_an_exhausted_pager_needs_escalation_and_retry_starts_a_new_run,
    test_an_osp_supervisor_sees_only_the_ecos_assigned_to_that_osp,
    test_an_invalid_region_upload_names_the_feature_and_changes_nothing,
    test_the_simulator_panel_shows_the_scenarios_and_each_simulated_eco,
    test_a_cut_can_be_placed_without_a_mouse,
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", type=Path, required=True)
    options = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="strike-browser-") as workdir, sync_playwright() as playwright:
        demo = Demo(options.binary.resolve(), Path(workdir))
        try:
            for test in TESTS:
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
