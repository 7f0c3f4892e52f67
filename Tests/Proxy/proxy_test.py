"""The example reverse-proxy configurations of docs/live-twilio.md, run against a live appliance.

Run by `make test` (and `make proxy`) with the repository's virtual environment:

    .venv/bin/python Tests/Proxy/proxy_test.py --binary .build/debug/strike

It installs nothing: nginx, caddy and openssl come from the Makefile's SYSTEM_PACKAGES. In a temporary directory
it makes a throw-away CA and a server certificate for localhost and 127.0.0.1 (openssl), renders
docs/examples/nginx-strike-twilio.conf itself (only the values its header names are replaced: the public name,
the appliance's address, the certificate and challenge paths, the listen ports), runs nginx in the foreground
with every path in the temporary directory, and starts `strike demo` behind it with
`--public-base-url https://localhost:<nginx port>`. Then, through the proxy, trusting only the throw-away CA:

- `/twilio/ping/<random>` gets the appliance's 404 problem (application/problem+json): /twilio/ reaches it;
- `/`, `/api/session`, `/metrics`, `/healthz`, `/sim/...` and paths that only normalise into /twilio/ get the
  proxy's own 404, and a method other than GET and POST its 403: nothing else reaches the appliance;
- a status callback signed by Twilio's own RequestValidator over the public URL is accepted (204), also with
  another Host header (the appliance checks signatures over its configured public base URL, not the Host);
  one signed with another auth token, or over the address the client really used, is refused (403);
- port 80 serves the certificate challenge directory and nothing of the appliance;
- `POST /api/twilio-account/check`, as the dashboard sends it (session cookie, X-CSRF-Token, X-Tenant-ID),
  finds every check ok, "public URL" included: the appliance fetched its nonce through nginx over https.

For that last check the appliance's HTTP client (FoundationNetworking on libcurl) must trust the throw-away CA.
Debian's libcurl reads its CA bundle from /etc/ssl/certs/ca-certificates.crt and ignores SSL_CERT_FILE,
SSL_CERT_DIR and CURL_CA_BUNDLE (those are read by the curl tool, not the library), and FoundationNetworking
reads URLSessionCertificateAuthorityInfoFile only on Android. So, where it may (root, or a user namespace),
the test runs the appliance in a private mount namespace with the throw-away CA bind-mounted over that bundle:
nothing outside the appliance's process sees it. Where it may not, it first checks that the appliance refuses
the unknown certificate, then checks the "public URL" outcome against a second appliance behind a plain-HTTP
rendering of the same example.

Finally docs/examples/Caddyfile is validated (`caddy validate`) and run the same way (its name replaced by
`https://localhost:<port>` with the throw-away certificate, and test-only global options put in front: no admin
endpoint, no port-80 redirects): the ping reaches the appliance, the rest gets Caddy's 404, and a signed
callback passes through it to be accepted.

Exits non-zero on the first difference, printing the logs of nginx, caddy and the appliance.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Fuzz"))
from fuzz import free_port  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
NGINX_EXAMPLE = REPO / "docs" / "examples" / "nginx-strike-twilio.conf"
CADDY_EXAMPLE = REPO / "docs" / "examples" / "Caddyfile"
# The values the examples' headers name, as written there.
PUBLIC_NAME = "strike-hooks.example.net"
APPLIANCE = "192.0.2.10:8080"
AUTH_TOKEN = "proxy-test-auth-token-" + secrets.token_hex(8)


def log(message: str) -> None:
    print(f"proxy: {message}", flush=True)


class Failure(Exception):
    pass


def check(condition: bool, what: str, answer: "Answer | None" = None) -> None:
    """`answer` is described after `what` when the check fails."""
    if not condition:
        raise Failure(what + (f": got {answer.describe()}" if answer is not None else ""))
    log(f"ok: {what}")


def run(*command: str, **options) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, **options)
    if result.returncode != 0:
        raise Failure(f"`{' '.join(command)}` exited {result.returncode}: {result.stdout}{result.stderr}")
    return result


def render(template: str, replacements: list[tuple[str, str]], what: str) -> str:
    """The example with each of its named values replaced; every value must be there, so an edit of the example
    that renames one fails here instead of testing something else."""
    for old, new in replacements:
        if old not in template:
            raise Failure(f"{what} no longer contains {old!r}: update the replacements in {Path(__file__).name}")
        template = template.replace(old, new)
    return template


# MARK: - Certificates


@dataclass
class Certificates:
    ca: Path
    cert: Path
    key: Path


def make_certificates(directory: Path) -> Certificates:
    """A throw-away CA, and a certificate it signs for localhost and 127.0.0.1."""
    directory.mkdir()
    ca_key, ca, key, request, cert, extensions = (directory / name for name in
                                                  ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem", "server.ext"))
    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("openssl", "req", "-x509", *curve, "-keyout", str(ca_key), "-out", str(ca), "-days", "2",
        "-subj", "/CN=Osprey Strike proxy test CA (throw-away)",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("openssl", "req", *curve, "-keyout", str(key), "-out", str(request), "-subj", "/CN=localhost")
    extensions.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                          "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", str(request), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
        "-out", str(cert), "-days", "2", "-extfile", str(extensions))
    return Certificates(ca=ca, cert=cert, key=key)


# MARK: - HTTP


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def is_problem(self) -> bool:
        """An answer of the appliance's: an RFC 9457 problem, as JSON."""
        if not self.content_type.startswith("application/problem+json"):
            return False
        try:
            return isinstance(json.loads(self.body), dict)
        except ValueError:
            return False

    def describe(self) -> str:
        return f"{self.status} {self.content_type or '(no content type)'} {self.body[:200]!r}"


def fetch(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
          tls: ssl.SSLContext | None = None) -> Answer:
    """One request to 127.0.0.1:port, over TLS (server name localhost) when given a context; the path is sent as
    written, dot segments and all."""
    if tls is not None:
        connection = http.client.HTTPSConnection("localhost", port, timeout=30, context=tls)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def call(port: int, method: str, path: str, body=None, headers: dict | None = None) -> Answer:
    """The appliance's JSON API, directly on its LAN port."""
    payload = None if body is None else json.dumps(body).encode()
    return fetch(port, method, path, payload, {"Accept": "application/json", "Content-Type": "application/json", **(headers or {})})


def expect(answer: Answer, status: int, what: str):
    if answer.status != status:
        raise Failure(f"{what}: expected {status}, got {answer.describe()}")
    return json.loads(answer.body) if answer.body else None


def wait_for_port(port: int, process: subprocess.Popen, name: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Failure(f"{name} exited {process.returncode} while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise Failure(f"{name} did not listen on {port} within {seconds:.0f} s")


# MARK: - The processes


class Processes:
    """Every process the test starts, stopped at the end in reverse order; their logs for a failure."""

    def __init__(self):
        self.running: list[tuple[str, subprocess.Popen, int]] = []
        self.logs: list[tuple[str, Path]] = []

    def start(self, name: str, command: list[str], log_path: Path, stop_signal: int = signal.SIGTERM,
              env: dict | None = None, cwd: Path | None = None) -> subprocess.Popen:
        with open(log_path, "ab") as output:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                       env=env, cwd=cwd)
        self.running.append((name, process, stop_signal))
        self.logs.append((name, log_path))
        return process

    def stop(self, process: subprocess.Popen) -> int:
        for index, (name, running, stop_signal) in enumerate(self.running):
            if running is process:
                del self.running[index]
                if process.poll() is None:
                    process.send_signal(stop_signal)
                try:
                    return process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                    raise Failure(f"{name} did not stop within 30 s (killed)")
        raise Failure("stopping a process that was not started")

    def stop_all(self) -> None:
        for _, process, _ in reversed(list(self.running)):
            try:
                self.stop(process)
            except Failure as error:
                log(str(error))

    def print_logs(self, lines: int = 40) -> None:
        for name, path in self.logs:
            try:
                tail = path.read_text(errors="replace").splitlines()[-lines:]
            except OSError:
                tail = ["(no log)"]
            log(f"---- {name} ({path}), last {lines} lines:\n" + "\n".join(tail))


def start_nginx(processes: Processes, workdir: Path, name: str, certificates: Certificates, appliance_port: int,
                https: bool) -> tuple[int, int]:
    """The example, rendered for this machine, under a main configuration that keeps every file nginx writes in
    `workdir/name`; its HTTPS (or, without `https`, plain HTTP) port and its challenge port."""
    prefix = workdir / name
    for folder in ("temp", "acme/.well-known/acme-challenge"):
        (prefix / folder).mkdir(parents=True)
    (prefix / "acme/.well-known/acme-challenge/probe").write_text("challenge file\n")
    site_port, challenge_port = free_port(), free_port()
    site = render(NGINX_EXAMPLE.read_text(), [
        # ---- the substitution: the example's named values, for this machine ----
        (f"/etc/letsencrypt/live/{PUBLIC_NAME}/fullchain.pem", str(certificates.cert)),
        (f"/etc/letsencrypt/live/{PUBLIC_NAME}/privkey.pem", str(certificates.key)),
        (PUBLIC_NAME, "localhost"),
        (APPLIANCE, f"127.0.0.1:{appliance_port}"),
        ("/var/www/html", str(prefix / "acme")),
        ("listen 443 ssl;", f"listen 127.0.0.1:{site_port}{' ssl' if https else ''};"),
        ("listen [::]:443 ssl;", ""),
        ("listen 80;", f"listen 127.0.0.1:{challenge_port};"),
        ("listen [::]:80;", ""),
    ], NGINX_EXAMPLE.name)
    (prefix / "strike-twilio.conf").write_text(site)
    temp = prefix / "temp"
    # Test scaffolding only, in place of Debian's /etc/nginx/nginx.conf: the example is included as it would be
    # from sites-enabled/.
    main = f"""
{'user root root;' if os.geteuid() == 0 else ''}
worker_processes 1;
error_log {prefix / 'error.log'} info;
events {{ worker_connections 64; }}
http {{
    default_type application/octet-stream;
    access_log {prefix / 'access.log'};
    client_body_temp_path {temp / 'body'};
    proxy_temp_path {temp / 'proxy'};
    fastcgi_temp_path {temp / 'fastcgi'};
    uwsgi_temp_path {temp / 'uwsgi'};
    scgi_temp_path {temp / 'scgi'};
    include {prefix / 'strike-twilio.conf'};
}}
"""
    (prefix / "nginx.conf").write_text(main)
    arguments = ["nginx", "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(prefix / "nginx.conf"),
                 "-g", f"daemon off; pid {prefix / 'nginx.pid'};"]
    run(*arguments, "-t")
    process = processes.start(name, arguments, prefix / "nginx.out", stop_signal=signal.SIGQUIT)
    processes.logs.append((f"{name} error.log", prefix / "error.log"))
    wait_for_port(site_port, process, name, seconds=20)
    return site_port, challenge_port


@dataclass
class Demo:
    process: subprocess.Popen
    port: int
    username: str
    password: str


def mount_namespace_available(certificates: Certificates, bundle: Path) -> bool:
    """Whether this user may bind-mount the throw-away CA over the system bundle in a private mount namespace."""
    if shutil.which("unshare") is None or not bundle.exists():
        return False
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                            'mount --bind "$1" "$2"', "sh", str(certificates.ca), str(bundle)],
                           capture_output=True, text=True)
    return probe.returncode == 0


def start_demo(processes: Processes, binary: Path, workdir: Path, name: str, port: int, public_base_url: str,
               trust: tuple[Path, Path] | None) -> Demo:
    """`strike demo` on a fresh database on 127.0.0.1:port; with `trust` (CA, system bundle) inside a mount
    namespace where that bundle is the throw-away CA."""
    folder = workdir / re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
    folder.mkdir()
    command = [str(binary), "demo", "--db", str(folder / "demo.db"), "--host", "127.0.0.1", "--port", str(port),
               "--public-base-url", public_base_url]
    if trust is not None:
        command = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                   'mount --bind "$1" "$2" && shift 2 && exec "$@"', "sh", str(trust[0]), str(trust[1]), *command]
    log_path = folder / "strike.log"
    process = processes.start(name, command, log_path, cwd=folder,
                              env={**os.environ, "STRIKE_LOG_LEVEL": os.environ.get("STRIKE_LOG_LEVEL", "info")})
    wait_for_port(port, process, name)
    # The sign-ins `strike demo` prints once it serves (README, "The demo"): the NOC's admin checks the Twilio
    # setup, as the Twilio account is the NOC's.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = re.search(r"^\s+(\S+)\s+(\S+)\s+.*\bNOC admin\b", log_path.read_text(errors="replace"), re.MULTILINE)
        if found:
            return Demo(process, port, found.group(1), found.group(2))
        time.sleep(0.1)
    raise Failure("`strike demo` printed no sign-in of a NOC admin")


# MARK: - The checks


@dataclass
class Session:
    headers: dict[str, str]  # as the dashboard sends them: cookie, CSRF token, active tenant


def sign_in(demo: Demo) -> Session:
    answer = call(demo.port, "POST", "/api/session", {"username": demo.username, "password": demo.password})
    body = expect(answer, 200, f"sign-in of {demo.username}")
    cookie = next((value.split(";", 1)[0] for name, value in answer.headers.items()
                   if name.lower() == "set-cookie" and value.startswith("strike_session=")), None)
    if cookie is None:
        raise Failure(f"sign-in of {demo.username} set no strike_session cookie")
    noc = next(m["tenantID"] for m in body["memberships"] if m["tenantKind"] == "NOC" and m["role"] == "admin")
    return Session({"Cookie": cookie, "X-CSRF-Token": body["csrfToken"], "X-Tenant-ID": noc})


@dataclass
class Callback:
    path: str  # path and query, as the appliance gave them to Twilio
    params: dict[str, str]


def known_call(demo: Demo, session: Session) -> Callback:
    """A status callback about a call the demo's pager really made, under an auth token the test knows."""
    account = expect(call(demo.port, "GET", "/api/twilio-account", headers=session.headers), 200, "the Twilio account")
    change = {"mode": account["mode"], "accountSID": account["accountSID"], "authToken": AUTH_TOKEN,
              "fromNumber": account["fromNumber"]}
    expect(call(demo.port, "PUT", "/api/twilio-account", change, headers=session.headers), 200, "the test's auth token")
    ecos = expect(call(demo.port, "GET", "/api/ecos", headers=session.headers), 200, "the ECO list")["items"]
    for eco in ecos:
        runs = expect(call(demo.port, "GET", f"/api/ecos/{eco['id']}/pager-runs", headers=session.headers), 200, "pager runs")
        for pager_run in runs:
            first = next((attempt for attempt in pager_run["attempts"] if attempt.get("callSid")), None)
            if first is None:
                continue
            # The first call of a run is its attempt 0 (the callback URL's query names the run and the attempt).
            phone = pager_run["contacts"][first["contactIndex"]]["phone"]
            params = {"CallSid": first["callSid"], "AccountSid": account["accountSID"], "From": account["fromNumber"],
                      "To": phone, "CallStatus": "completed", "CallDuration": "4", "Direction": "outbound-api",
                      "ApiVersion": "2010-04-01"}
            return Callback(f"/twilio/status?run={urllib.parse.quote(pager_run['runID'])}&attempt=0", params)
    raise Failure("the demo's history has no pager run with a call")


def post_callback(port: int, tls: ssl.SSLContext, callback: Callback, signature: str, host: str | None = None) -> Answer:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    if host is not None:
        headers["Host"] = host
    return fetch(port, "POST", callback.path, urllib.parse.urlencode(callback.params).encode(), headers, tls)


def the_proxy_exposes_only_the_webhooks(port: int, challenge_port: int, tls: ssl.SSLContext, server: str) -> None:
    """`server`: how the proxy names itself in its Server header."""
    ping = fetch(port, "GET", f"/twilio/ping/{secrets.token_urlsafe(16)}", tls=tls)
    check(ping.status == 404 and ping.is_problem() and b"ping" in ping.body,
          f"{server}: /twilio/ping/<unknown> reaches the appliance: its 404 problem", ping)

    def the_proxys_404(method: str, path: str, status: int = 404) -> None:
        answer = fetch(port, method, path, b"{}" if method == "POST" else None,
                       {"Content-Type": "application/json"} if method == "POST" else None, tls)
        proxy = server.lower() in answer.headers.get("Server", "").lower()
        check(answer.status == status and not answer.is_problem() and proxy,
              f"{server}: {method} {path} gets the proxy's own {status}, not the appliance", answer)

    for path in ("/", "/api/session", "/metrics", "/healthz", "/readyz", "/app/index.html", "/api/openapi.json",
                 "/sim/twilio/2010-04-01/Accounts/x/Calls.json"):
        the_proxys_404("GET", path)
    the_proxys_404("POST", "/api/session")
    # Paths the proxy matches as /twilio/... once normalised, which the appliance would read as sent.
    for path in ("/twilio/../api/session", "/api/session/../../twilio/ping/x", "/twilio/%2e%2e/api/session",
                 "/app/x/%2e%2e/%2e%2e/twilio/ping/x"):
        the_proxys_404("GET", path)
    big = fetch(port, "POST", "/twilio/status?run=x&attempt=0", b"a=" + b"b" * (70 << 10),
                {"Content-Type": "application/x-www-form-urlencoded"}, tls)
    # Caddy 2.6 cuts the body off at the limit and answers 502 where later versions answer 413.
    refusals = (413,) if server == "nginx" else (413, 502)
    check(big.status in refusals and not big.is_problem(),
          f"{server}: a body over 64 KiB gets the proxy's {' or '.join(map(str, refusals))}", big)
    if server == "nginx":
        the_proxys_404("DELETE", "/twilio/status", status=403)
        plain = fetch(challenge_port, "GET", "/twilio/ping/x")
        check(plain.status == 404 and not plain.is_problem(),
              "nginx: port 80 serves nothing of the appliance", plain)
        challenge = fetch(challenge_port, "GET", "/.well-known/acme-challenge/probe")
        check(challenge.status == 200 and challenge.body == b"challenge file\n",
              "nginx: port 80 serves the certificate challenge directory", challenge)
    else:
        the_proxys_404("DELETE", "/twilio/status")


def signed_callbacks_pass(port: int, tls: ssl.SSLContext, public_base_url: str, callback: Callback, server: str) -> None:
    validator = RequestValidator(AUTH_TOKEN)
    public_url = public_base_url + callback.path
    signature = validator.compute_signature(public_url, callback.params)
    answer = post_callback(port, tls, callback, signature)
    check(answer.status == 204, f"{server}: a callback signed by RequestValidator over {public_url} is accepted (204)", answer)
    answer = post_callback(port, tls, callback, signature, host="somewhere-else.invalid")
    check(answer.status == 204, f"{server}: also with another Host header: the appliance checks signatures over its public base "
                                "URL, not the Host", answer)
    wrong = RequestValidator("not-the-auth-token").compute_signature(public_url, callback.params)
    answer = post_callback(port, tls, callback, wrong)
    check(answer.status == 403 and answer.is_problem(), f"{server}: one signed with another auth token is refused by the appliance "
                                                        "(403)", answer)
    called = f"https://127.0.0.1:{port}{callback.path}"
    answer = post_callback(port, tls, callback, validator.compute_signature(called, callback.params), host=f"127.0.0.1:{port}")
    check(answer.status == 403 and answer.is_problem(), f"{server}: one signed over the URL the client used ({called}) is refused "
                                                        "(403): it must be the public base URL", answer)


def setup_check(demo: Demo, session: Session) -> dict:
    report = expect(call(demo.port, "POST", "/api/twilio-account/check", headers=session.headers), 200, "the Twilio setup check")
    return {entry["name"]: entry for entry in report["checks"]} | {"": {"ok": report["ok"]}}


def the_setup_check_reaches_itself(demo: Demo, session: Session, public_base_url: str) -> None:
    checks = setup_check(demo, session)
    public = checks.get("public URL", {})
    check(public.get("ok") is True, f"the setup check finds {public_base_url} reaches this appliance ({public.get('detail')})")
    ok = all(checks.get(name, {}).get("ok") for name in ("credentials", "contact numbers", ""))
    check(ok, "the credentials and contact numbers pass too, and the report says ok" + ("" if ok else f": {json.dumps(checks)}"))


def caddy_runs_the_example(processes: Processes, workdir: Path, certificates: Certificates, demo: Demo, tls: ssl.SSLContext,
                           public_base_url: str, callback: Callback) -> None:
    folder = workdir / "caddy"
    folder.mkdir()
    environment = {**os.environ, "HOME": str(folder), "XDG_DATA_HOME": str(folder / "data"),
                   "XDG_CONFIG_HOME": str(folder / "config")}
    validated = subprocess.run(["caddy", "validate", "--adapter", "caddyfile", "--config", str(CADDY_EXAMPLE)],
                               capture_output=True, text=True, env=environment)
    check(validated.returncode == 0, f"caddy validate accepts {CADDY_EXAMPLE.name} as it is"
                                     + ("" if validated.returncode == 0 else f": {validated.stderr[-2000:]}"))
    port = free_port()
    rendered = render(CADDY_EXAMPLE.read_text(), [
        # ---- the substitution: the example's named values, for this machine, and test-only global options ----
        ("\temail noc-admin@example.net\n", "\temail noc-admin@example.net\n\tadmin off\n\tauto_https disable_redirects\n"
                                            f"\thttp_port {free_port()}\n\tstorage file_system {folder / 'data'}\n"),
        (f"{PUBLIC_NAME} {{\n", f"https://localhost:{port} {{\n\ttls {certificates.cert} {certificates.key}\n"),
        (APPLIANCE, f"127.0.0.1:{demo.port}"),
    ], CADDY_EXAMPLE.name)
    (folder / "Caddyfile").write_text(rendered)
    process = processes.start("caddy", ["caddy", "run", "--adapter", "caddyfile", "--config", str(folder / "Caddyfile")],
                              folder / "caddy.log", env=environment, cwd=folder)
    wait_for_port(port, process, "caddy", seconds=20)
    the_proxy_exposes_only_the_webhooks(port, 0, tls, "Caddy")
    validator = RequestValidator(AUTH_TOKEN)
    signature = validator.compute_signature(public_base_url + callback.path, callback.params)
    answer = post_callback(port, tls, callback, signature)
    check(answer.status == 204, "Caddy: a signed callback passes through it unchanged and is accepted (204)", answer)
    processes.stop(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", type=Path, required=True, help="the strike binary (.build/debug/strike)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--no-caddy", action="store_true", help="leave out the Caddyfile's checks")
    parser.add_argument("--no-namespace", action="store_true",
                        help="run as where no mount namespace may be made: the plain-HTTP check of the public URL")
    options = parser.parse_args()
    binary = options.binary.resolve()
    for tool in ("nginx", "openssl", *(() if options.no_caddy else ("caddy",))):
        if shutil.which(tool) is None:
            log(f"FAILED: {tool} is not installed (make deps installs it)")
            return 1
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="strike-proxy-"))
    processes = Processes()
    try:
        certificates = make_certificates(workdir / "tls")
        tls = ssl.create_default_context(cafile=str(certificates.ca))
        strike_port = free_port()
        nginx_port, challenge_port = start_nginx(processes, workdir, "nginx", certificates, strike_port, https=True)
        public_base_url = f"https://localhost:{nginx_port}"
        # The CA bundle Debian's libcurl was built to read (libcurl4-openssl-dev has curl-config).
        bundle = Path((run("curl-config", "--ca").stdout.strip() if shutil.which("curl-config") else "")
                      or "/etc/ssl/certs/ca-certificates.crt")
        trusted = not options.no_namespace and mount_namespace_available(certificates, bundle)
        log(f"the appliance trusts the throw-away CA through a mount namespace over {bundle}" if trusted else
            "no mount namespace here: the appliance cannot be made to trust the throw-away CA; "
            "the public URL's ok outcome is checked over plain HTTP instead")
        demo = start_demo(processes, binary, workdir, "strike demo", strike_port, public_base_url,
                          (certificates.ca, bundle) if trusted else None)
        session = sign_in(demo)
        callback = known_call(demo, session)

        the_proxy_exposes_only_the_webhooks(nginx_port, challenge_port, tls, "nginx")
        signed_callbacks_pass(nginx_port, tls, public_base_url, callback, "nginx")
        if trusted:
            the_setup_check_reaches_itself(demo, session, public_base_url)
        else:
            public = setup_check(demo, session).get("public URL", {})
            check(public.get("ok") is False and "certificate" in str(public.get("detail")),
                  f"the setup check refuses a certificate the appliance does not trust ({str(public.get('detail'))[:300]})")
            # The ok outcome, through a plain-HTTP rendering of the same example, with a second appliance.
            second_port = free_port()
            plain_port, _ = start_nginx(processes, workdir, "nginx-plain", certificates, second_port, https=False)
            plain_base_url = f"http://localhost:{plain_port}"
            second = start_demo(processes, binary, workdir, "strike demo (plain HTTP)", second_port, plain_base_url, None)
            the_setup_check_reaches_itself(second, sign_in(second), plain_base_url)
            processes.stop(second.process)
        if not options.no_caddy:
            caddy_runs_the_example(processes, workdir, certificates, demo, tls, public_base_url, callback)
        status = processes.stop(demo.process)
        check(status == 0, f"the appliance stops cleanly on SIGTERM (exit {status})")
    except Exception as error:  # noqa: BLE001 (any failure: report it with the logs, and stop what was started)
        log(f"FAILED: {type(error).__name__}: {error}" if not isinstance(error, Failure) else f"FAILED: {error}")
        processes.print_logs()
        log(f"kept {workdir}")
        return 1
    finally:
        processes.stop_all()
    if options.keep:
        log(f"kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    log(f"all proxy checks passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
