#!/usr/bin/env python3
"""OpenAPI-driven fuzz run of the `strike` appliance (run by `make fuzz` and `make test`).

Starts a real `strike serve` on a fresh database in a temporary directory, seeds it through the CLI and
the API (an owner; a NOC and an OSP with an active link, and an outsider NOC linked to nothing; an admin and
an API token in each; three ECOs from the NOC to the OSP), then runs schemathesis with every check against
the appliance's OpenAPI document: once with the NOC admin's token, once with the OSP admin's (each checked
against the outsider for object-level authorization), once as the owner's browser session; finally
`strike verify` checks the database the fuzzing wrote.
Exits nonzero when schemathesis reports any failure, when the server dies or does not stop cleanly, when
verify finds a problem, or when the setup itself fails; on failure keeps the temporary directory and prints
the tail of the server's log.

Standard library only (schemathesis is run as a command from the same virtual environment).
Run it with the repository's `.venv/bin/python`:

    .venv/bin/python Tests/Fuzz/fuzz.py --binary .build/debug/strike
    .venv/bin/python Tests/Fuzz/fuzz.py --max-examples 100 --keep -- --continue-on-failure

Environment: FUZZ_MAX_EXAMPLES, FUZZ_SEED and FUZZ_WORKERS set the defaults of the options of the same names.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SCHEMA = REPO / "Resources" / "openapi.json"
# Checked-in schemathesis settings (such as per-operation check options), appended to every pass's configuration.
LOCAL_CONFIG = Path(__file__).resolve().parent / "schemathesis.toml"
PASSWORD = "fuzz-" + secrets.token_hex(12)
# Routes that could end the credentials a pass runs with are fuzzed alone, after everything else that pass
# does: `DELETE /api/tokens/{id}` (a token pass's own token) and `DELETE /api/session` (the owner's session).
# A token gets 403 from `DELETE /api/session` and `POST /api/me/password` (it has no session and no password),
# and no pass can change a password without knowing the current one, so those stay in the main passes.
TOKEN_REVOKING = ("DELETE", "/api/tokens/{id}")
SIGN_OUT = ("DELETE", "/api/session")


class SetupError(Exception):
    """The appliance could not be prepared, stopped or verified: not a schemathesis finding, still a failure."""


def log(message: str) -> None:
    print(f"fuzz: {message}", flush=True)


# MARK: - HTTP


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        return json.loads(self.body) if self.body else None


def call(port: int, method: str, path: str, body=None, headers: dict | None = None, timeout: float = 30) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = dict(headers or {})
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def expect(answer: Answer, status: int, what: str):
    if answer.status != status:
        raise SetupError(f"{what}: expected {status}, got {answer.status}: {answer.body[:500]!r}")
    return answer.json()


# MARK: - The appliance


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Appliance:
    binary: Path
    workdir: Path
    port: int
    process: subprocess.Popen | None = None
    log_path: Path = field(init=False)
    db: Path = field(init=False)
    key_file: Path | None = field(init=False, default=None)
    died: str | None = None

    def __post_init__(self):
        self.log_path = self.workdir / "server.log"
        self.db = self.workdir / "strike.db"
        serve_help = subprocess.run([str(self.binary), "serve", "--help"], capture_output=True, text=True)
        if serve_help.returncode != 0:
            raise SetupError(f"`{self.binary} serve --help` exited {serve_help.returncode}: {serve_help.stderr}")
        if "--key-file" in serve_help.stdout:
            self.key_file = self.workdir / "strike.key"

    def cli(self, *arguments: str, stdin: str | None = None) -> str:
        command = [str(self.binary), *arguments, "--db", str(self.db)]
        result = subprocess.run(command, input=stdin, capture_output=True, text=True, cwd=self.workdir)
        if result.returncode != 0:
            raise SetupError(f"`{' '.join(command)}` exited {result.returncode}: {result.stdout}{result.stderr}")
        return result.stdout

    def add_user(self, username: str, *extra: str) -> None:
        self.cli("user", "add", "--username", username, *extra, stdin=PASSWORD + "\n")

    def start(self) -> None:
        # The backup schedule is fixed on the command line, inside the temporary directory: a generated
        # `PUT /api/backups/schedule` is then refused (409) instead of making directories wherever it names.
        command = [str(self.binary), "serve", "--db", str(self.db), "--host", "127.0.0.1", "--port", str(self.port),
                   "--backup-dir", str(self.workdir / "backups")]
        if self.key_file is not None:
            command += ["--key-file", str(self.key_file)]
        with open(self.log_path, "ab") as output:
            output.write(f"\n==== {' '.join(command)}\n".encode())
            output.flush()
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, cwd=self.workdir,
                env={**os.environ, "STRIKE_LOG_LEVEL": os.environ.get("STRIKE_LOG_LEVEL", "info")})
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SetupError(f"`strike serve` exited {self.process.returncode} while starting")
            try:
                if call(self.port, "GET", "/healthz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SetupError("`strike serve` did not answer /healthz within 90 s")

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None and self.died is None:
            self.died = f"the server exited by itself with status {self.process.returncode}"

    def stop(self) -> None:
        if self.process is None:
            return
        self.check_alive()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                status = self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise SetupError("`strike serve` did not stop within 30 s of SIGTERM (killed)")
            if status != 0:
                raise SetupError(f"`strike serve` exited {status} after SIGTERM")
        self.process = None

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


# MARK: - Seeding


@dataclass
class Identity:
    name: str
    headers: dict[str, str]
    token_id: str | None = None


@dataclass
class World:
    noc: str = ""
    osp: str = ""
    ecos: list[str] = field(default_factory=list)
    outsider_noc: str = ""
    owner: Identity | None = None
    tokens: list[Identity] = field(default_factory=list)  # the identities fuzzed, one pass each
    # The admin of a NOC with no link and no ECO: it must see nothing of the others (object_level_authorization).
    outsider: Identity | None = None


def sign_in(port: int, username: str) -> tuple[str, str]:
    answer = call(port, "POST", "/api/session", {"username": username, "password": PASSWORD})
    body = expect(answer, 200, f"sign-in of {username}")
    cookies = [value for name, value in answer.headers.items() if name.lower() == "set-cookie"]
    for cookie in cookies:
        name, _, rest = cookie.partition("=")
        if name.strip() == "strike_session":
            return rest.split(";", 1)[0], body["csrfToken"]
    raise SetupError(f"sign-in of {username} set no strike_session cookie: {cookies}")


def session_headers(cookie: str, csrf: str) -> dict[str, str]:
    return {"Cookie": f"strike_session={cookie}", "X-CSRF-Token": csrf}


def seed(appliance: Appliance) -> World:
    world = World()
    port = appliance.port
    appliance.add_user("owner", "--owner")
    appliance.start()
    owner = session_headers(*sign_in(port, "owner"))
    world.noc = expect(call(port, "POST", "/api/tenants", {"kind": "NOC", "name": "Fuzz NOC"}, owner), 201, "NOC tenant")["id"]
    world.osp = expect(
        call(port, "POST", "/api/tenants", {"kind": "OSP", "name": "Fuzz OSP", "jobPrefix": "FZ"}, owner), 201, "OSP tenant")["id"]
    world.outsider_noc = expect(
        call(port, "POST", "/api/tenants", {"kind": "NOC", "name": "Fuzz outsider NOC"}, owner), 201, "outsider NOC tenant")["id"]
    link = {"nocTenantID": world.noc, "ospTenantID": world.osp, "status": "active"}
    expect(call(port, "PUT", "/api/links", link, owner), 200, "active link")
    appliance.stop()

    admins = {"noc-admin": world.noc, "osp-admin": world.osp, "outsider-admin": world.outsider_noc}
    for username, tenant in admins.items():
        appliance.add_user(username, "--tenant", tenant, "--role", "admin")
    appliance.start()
    world.owner = Identity("owner", session_headers(*sign_in(port, "owner")))
    for username in admins:
        cookie, csrf = sign_in(port, username)
        created = expect(
            call(port, "POST", "/api/tokens", {"name": f"fuzz {username}", "role": "admin"}, session_headers(cookie, csrf)),
            201, f"API token of {username}")
        identity = Identity(username, {"Authorization": f"Bearer {created['secret']}"}, created["token"]["id"])
        if username == "outsider-admin":
            world.outsider = identity
        else:
            world.tokens.append(identity)
    locations = [
        {"type": "Point", "coordinates": [-104.99, 39.74]},
        {"type": "LineString", "coordinates": [[-105.0, 39.7], [-104.98, 39.75]]},
        {"type": "Point", "coordinates": [-104.9, 39.6]},
    ]
    for number, location in enumerate(locations, start=1):
        eco = {"location": location, "jobType": "CMR", "description": f"Fuzz seed {number}", "ospTenantID": world.osp}
        created = expect(call(port, "POST", "/api/ecos", eco, world.tokens[0].headers), 201, f"seed ECO {number}")
        world.ecos.append(created["eco"]["id"])
    log(f"seeded NOC {world.noc}, OSP {world.osp}, outsider NOC {world.outsider_noc}, ECOs {', '.join(world.ecos)}")
    return world


# MARK: - The OpenAPI document


@dataclass
class Document:
    location: str  # a URL or a file path, as schemathesis takes it
    base_url: str  # where the document's paths are rooted
    base_path: str
    operations: list[tuple[str, str]]  # (METHOD, path as written in the document)
    streaming: set[tuple[str, str]]


METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def load_document(appliance: Appliance, world: World, schema_file: Path) -> Document:
    port = appliance.port
    origin = f"http://127.0.0.1:{port}"
    served = None
    for headers in ({}, world.tokens[0].headers):
        try:
            answer = call(port, "GET", "/api/openapi.json", headers=headers)
        except OSError:
            continue
        if answer.status == 200:
            try:
                served = answer.json()
                break
            except ValueError:
                pass
    if served is not None:
        raw, location = served, f"{origin}/api/openapi.json"
        log(f"fuzzing the document the server serves at {location}")
    elif schema_file.is_file():
        raw, location = json.loads(schema_file.read_text()), str(schema_file)
        log(f"the server does not serve /api/openapi.json; fuzzing the file {schema_file}")
    else:
        raise SetupError(f"no OpenAPI document: the server does not serve /api/openapi.json and {schema_file} does not exist")

    servers = raw.get("servers") or [{"url": "/"}]
    base_path = urllib.parse.urlparse(servers[0].get("url", "/")).path.rstrip("/")
    operations, streaming = [], set()
    for path, item in (raw.get("paths") or {}).items():
        for method, operation in item.items():
            if method not in METHODS or not isinstance(operation, dict):
                continue
            operations.append((method.upper(), path))
            for code, response in (operation.get("responses") or {}).items():
                content = response.get("content") or {} if isinstance(response, dict) else {}
                if str(code).startswith("2") and any(kind.startswith("text/event-stream") for kind in content):
                    streaming.add((method.upper(), path))
    return Document(location, origin + base_path, base_path, operations, streaming)


# MARK: - schemathesis


@dataclass
class Pass:
    name: str
    identity: Identity
    include: list[tuple[str, str]] = field(default_factory=list)  # empty: every operation not excluded
    exclude: list[tuple[str, str]] = field(default_factory=list)
    failed: bool = False
    failures: list[str] = field(default_factory=list)
    output: Path | None = None


def write_auth(world: World, workdir: Path) -> Path:
    """The identities as a Web Fuzzing Commons auth document, which schemathesis takes with `[auth.wfc]`."""
    identities = [identity for identity in [*world.tokens, world.outsider, world.owner] if identity is not None]
    document = {"schemaVersion": "1", "auth": [
        {"name": identity.name, "fixedHeaders": [{"name": name, "value": value} for name, value in identity.headers.items()]}
        for identity in identities]}
    path = workdir / "auth.json"
    path.write_text(json.dumps(document, indent=2))
    return path


def toml(value) -> str:
    """A TOML value: strings, numbers and lists of them are written as JSON writes them."""
    return json.dumps(value)


def write_config(run: Pass, world: World, auth: Path, reports: Path) -> Path:
    """A `schemathesis.toml` for one pass: who it runs as, which peers must not see each other's objects,
    and the ids the appliance really has, so that generated requests reach past "no such tenant or ECO"."""
    lines = ["[auth]", "auto-signup = false", "", "[auth.wfc]", f"path = {toml(str(auth))}", f"user = {toml(run.identity.name)}"]
    if run.identity in world.tokens and world.outsider is not None:
        # object_level_authorization replays this identity's reads as the outsider, a tenant with no link to it:
        # another tenant's ECO, token or user must be 404 to it. (The NOC and the OSP are not peers: an ECO is
        # shared by the NOC that opened it and the OSP it is assigned to, by design.)
        lines.append(f"peers = {toml([run.identity.name, world.outsider.name])}")
    lines += [
        "", "[dictionaries.nocs]", f"values = {toml([world.noc])}",
        "", "[dictionaries.osps]", f"values = {toml([world.osp])}",
        "", "[dictionaries.tenants]", f"values = {toml([world.noc, world.osp])}",
        "", "[dictionaries.ecos]", f"values = {toml(world.ecos)}",
        "", "[parameters]",
        '"body.nocTenantID" = { dictionary = "nocs", probability = 0.6 }',
        '"body.ospTenantID" = { dictionary = "osps", probability = 0.6 }',
        '"query.osp" = { dictionary = "osps", probability = 0.6 }',
        '"header.X-Tenant-ID" = { dictionary = "tenants", probability = 0.5 }',
        '"query.tenant" = { dictionary = "tenants", probability = 0.5 }',
        '"path.id" = { dictionary = "ecos", probability = 0.3 }',
    ]
    if LOCAL_CONFIG.is_file():
        lines += ["", f"# {LOCAL_CONFIG.relative_to(REPO)}", LOCAL_CONFIG.read_text()]
    path = reports / f"{run.name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def schemathesis_command(document: Document, run: Pass, config: Path, reports: Path, options: argparse.Namespace) -> list[str]:
    executable = Path(sys.executable).parent / "schemathesis"
    command = [
        str(executable), "--config-file", str(config), "run", document.location, "--url", document.base_url,
        "--checks", "all",
        "--max-examples", str(options.max_examples),
        "--seed", str(options.seed),
        "--workers", str(options.workers),
        "--generation-database", "none",
        "--request-timeout", "30",
        # A region import is a FeatureCollection of nested rings, large by nature; the health check that stops
        # at large generated data would otherwise skip `PUT /api/pager-lists/{id}/region` altogether.
        "--suppress-health-check", "data_too_large",
        # Every credential here is throwaway (a temporary database): show them, so a `curl` line reproduces as is.
        "--output-sanitize", "false",
        "--report", "junit", "--report-junit-path", str(reports / f"{run.name}.xml"),
        "--no-color",
    ]
    # schemathesis refuses a value given twice.
    for method, path in dict.fromkeys(run.include):
        command += ["--include-name", f"{method} {path}"]
    for method, path in dict.fromkeys(run.exclude):
        command += ["--exclude-name", f"{method} {path}"]
    return command + options.schemathesis_options


def junit_failures(report: Path) -> list[str]:
    """`operation: code title` for every failure in a JUnit report."""
    if not report.is_file():
        return []
    found = []
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        for problem in [*case.findall("failure"), *case.findall("error")]:
            titles = [line[2:].strip() for line in (problem.text or "").splitlines() if line.startswith("- ")]
            for title in titles or [problem.get("message") or problem.tag]:
                found.append(f"{case.get('name')}: {title}")
    return found


def run_pass(document: Document, run: Pass, world: World, workdir: Path, options: argparse.Namespace,
             appliance: Appliance) -> None:
    reports = workdir / "reports"
    reports.mkdir(exist_ok=True)
    run.output = reports / f"{run.name}.txt"
    config = write_config(run, world, workdir / "auth.json", reports)
    command = schemathesis_command(document, run, config, reports, options)
    log(f"pass {run.name} (as {run.identity.name})\n  {' '.join(command)}")
    started = time.monotonic()
    with open(run.output, "w") as transcript:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=workdir,
                                   env={**os.environ, "COLUMNS": "120"})
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            transcript.write(line)
        status = process.wait()
    appliance.check_alive()
    run.failures = junit_failures(reports / f"{run.name}.xml")
    run.failed = status != 0 or bool(run.failures)
    log(f"pass {run.name}: schemathesis exited {status} after {time.monotonic() - started:.0f} s")


def plan(document: Document, world: World, excluded: list[str]) -> list[Pass]:
    def named(operation: tuple[str, str]) -> list[tuple[str, str]]:
        return [op for op in operations if (op[0], document.base_path + op[1]) == operation]

    streaming = sorted(document.streaming)
    left_out = [tuple(name.split(" ", 1)) for name in excluded]
    operations = [op for op in document.operations if op not in left_out and op not in streaming]
    revoking, sign_out = named(TOKEN_REVOKING), named(SIGN_OUT)
    passes = []
    for identity in world.tokens:
        passes.append(Pass(f"{identity.name}-token", identity, exclude=streaming + left_out + revoking))
        if revoking:
            passes.append(Pass(f"{identity.name}-token-revoke", identity, include=revoking))
    if world.owner is not None:
        # The owner has no tenant: tenant routes answer 403, the owner's own (tenants, links, audit log) work.
        passes.append(Pass("owner-session", world.owner, exclude=streaming + left_out + sign_out))
        if sign_out:
            passes.append(Pass("owner-session-sign-out", world.owner, include=sign_out))
    return passes


# MARK: - Main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", type=Path, default=REPO / ".build" / "debug" / "strike")
    parser.add_argument("--schema", type=Path, default=DEFAULT_SCHEMA,
                        help="the document to fuzz when the server does not serve /api/openapi.json")
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("FUZZ_MAX_EXAMPLES", "30")))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "20261123")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("FUZZ_WORKERS", "1")))
    parser.add_argument("--exclude", action="append", default=[], metavar="'METHOD /path'",
                        help="leave an operation out of every pass (repeatable), as the document names it")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory even when everything passes")
    parser.add_argument("schemathesis_options", nargs="*", metavar="-- SCHEMATHESIS-OPTION",
                        help="more options for `schemathesis run`, after `--` (such as --continue-on-failure)")
    options = parser.parse_args()

    binary = options.binary.resolve()
    if not os.access(binary, os.X_OK):
        log(f"no strike binary at {binary} (build it first: swift build)")
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="strike-fuzz-"))
    try:
        appliance = Appliance(binary, workdir, free_port())
    except SetupError as error:
        log(f"ERROR: {error}")
        return 1
    started = time.monotonic()
    passes: list[Pass] = []
    problem = None
    try:
        world = seed(appliance)
        document = load_document(appliance, world, options.schema.resolve())
        if document.streaming:
            log("not fuzzed (endless event streams): " + ", ".join(f"{m} {p}" for m, p in sorted(document.streaming)))
        write_auth(world, workdir)
        passes = plan(document, world, options.exclude)
        for run in passes:
            run_pass(document, run, world, workdir, options, appliance)
            if appliance.died:
                break
        appliance.stop()
        if not appliance.died:
            # Whatever the fuzzing wrote, the read models must still match a replay of the event log.
            log("strike verify: " + " / ".join(appliance.cli("verify").strip().splitlines()))
    except SetupError as error:
        problem = str(error)
    except KeyboardInterrupt:
        problem = "interrupted"
    finally:
        if appliance.process is not None:
            try:
                appliance.stop()
            except SetupError as error:
                problem = problem or str(error)

    elapsed = time.monotonic() - started
    failed = [run for run in passes if run.failed]
    print()
    log(f"summary after {elapsed:.0f} s ({len(passes)} pass(es), max {options.max_examples} examples, seed {options.seed}):")
    for run in passes:
        log(f"  {run.name}: {'FAILED' if run.failed else 'passed'}"
            + (f", {len(run.failures)} failing test case(s)" if run.failures else ""))
        for failure in run.failures:
            log(f"      {failure}")
    if appliance.died:
        problem = problem or appliance.died
    if problem:
        log(f"ERROR: {problem}")
    if failed or problem:
        log(f"server log: {appliance.log_path}; transcripts and JUnit reports: {workdir / 'reports'}")
        log("last lines of the server log:")
        print(appliance.log_tail(), flush=True)
        return 1
    if options.keep:
        log(f"kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    log("every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
