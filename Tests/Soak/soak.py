#!/usr/bin/env python3
"""Load and drain test of the `strike` appliance (run by `make soak`, and by `make test` at a small size).

Starts `strike demo` (its seeded tenants, regions, contacts and the Render and Twilio simulators) on a fresh
database, optionally pinned to CPU cores with `taskset`, sets the simulators to speed 1000 and rotates the
NOC's default scenario through all seven every second, then lets N dispatcher sessions create ECOs over HTTP
for S seconds. Afterwards, within the drain limit, it must see:

- every ECO left `PENDING` (the Render integration handled each one),
- every consumer's lag at 0 (`/metrics`),
- `/readyz` answering 200,
- at least one WAL sync per write transaction committed (`strike_wal_syncs`, `strike_write_transactions` in
  `/metrics`; with group commit one transaction carries several writes), and at least as many writes
  acknowledged after their commit (`strike_writes`) as ECOs acknowledged,
and after a clean SIGTERM stop, `strike verify` passing on the database.

Exits nonzero on any failure, with the server log's tail and a thread dump (gdb) of a server that stalled.
Prints one JSON line of figures. Standard library only.

    .venv/bin/python Tests/Soak/soak.py --binary .build/debug/strike --clients 16 --seconds 60 --drain 120
    .venv/bin/python Tests/Soak/soak.py --binary .build/debug/strike --cores 0      # pinned to one core
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SCENARIOS = ["happy-path", "render-fails", "pager-declined", "pager-exhausted", "pager-timeout", "slow-render", "second-accepts"]
ADMIN = ("owner", "osprey-owner-demo")
DISPATCHER = ("dispatcher", "osprey-dispatch-demo")
OSP = "demo-osp-front-range"


class SoakFailure(Exception):
    pass


def log(message: str) -> None:
    print(f"soak: {message}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Appliance:
    """`strike demo` on a fresh database in `workdir`."""

    def __init__(self, binary: Path, workdir: Path, cores: str | None):
        self.binary = binary
        self.cores = cores
        self.port = free_port()
        self.db = workdir / "demo.db"
        self.log_path = workdir / "demo.log"
        self.start(keep=False)

    def start(self, keep: bool) -> None:
        """`strike demo` on the database, a fresh one unless `keep`; returns once it serves."""
        command = [str(self.binary), "demo", "--db", str(self.db), "--host", "127.0.0.1", "--port", str(self.port)]
        if keep:
            command.append("--keep")
        if self.cores is not None:
            command = ["taskset", "-c", self.cores, *command]
        started = self.log_path.read_text(errors="replace").count("Demo sign-ins") if keep else 0
        self.process = subprocess.Popen(command, stdout=open(self.log_path, "ab" if keep else "wb"),
                                        stderr=subprocess.STDOUT, cwd=self.db.parent)
        deadline = time.monotonic() + 120
        while self.log_path.read_text(errors="replace").count("Demo sign-ins") <= started:
            if self.process.poll() is not None:
                raise SoakFailure(f"`strike demo` exited {self.process.returncode}")
            if time.monotonic() > deadline:
                raise SoakFailure("`strike demo` did not start within 120 s")
            time.sleep(0.1)

    def checkpoint(self, consumer: str) -> int:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10) as connection:
            row = connection.execute("SELECT position FROM consumer_checkpoint WHERE consumer = ?", (consumer,)).fetchone()
            return row[0] if row else 0

    def drain_rate(self, consumer: str, seconds: float) -> float:
        """Events per second the consumer's checkpoint moved over `seconds`."""
        before, started = self.checkpoint(consumer), time.monotonic()
        time.sleep(seconds)
        return (self.checkpoint(consumer) - before) / (time.monotonic() - started)

    def call(self, method: str, path: str, body=None, headers=None, timeout: float = 30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Content-Type": "application/json", **(headers or {})}
            connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = connection.getresponse()
            text = response.read()
            return response.status, text
        finally:
            connection.close()

    def session(self, username: str, password: str) -> dict[str, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("POST", "/api/session", body=json.dumps({"username": username, "password": password}),
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            body = json.loads(response.read())
            if response.status != 200:
                raise SoakFailure(f"sign-in of {username}: {response.status} {body}")
            cookie = response.headers["Set-Cookie"].split(";", 1)[0]
            return {"Cookie": cookie, "X-CSRF-Token": body["csrfToken"]}
        finally:
            connection.close()

    def metrics(self, session: dict[str, str]) -> dict[str, float]:
        status, text = self.call("GET", "/metrics", headers=session)
        if status != 200:
            raise SoakFailure(f"/metrics answered {status}")
        figures = {}
        for line in text.decode().splitlines():
            match = re.match(r'^(strike_consumer_lag(?:_events)?|strike_wal_syncs|strike_write_transactions|strike_writes)'
                             r'(\{consumer="([^"]+)"\})?\s+(\S+)$', line)
            if match:
                figures[match.group(3) or match.group(1)] = float(match.group(4))
        return figures

    def pending_ecos(self) -> int:
        # Read-only, beside the live appliance (WAL lets a reader in another process see committed state).
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10) as connection:
            return connection.execute("SELECT count(*) FROM eco_view WHERE integration_status = 'PENDING'").fetchone()[0]

    def resident_mib(self) -> float:
        pid = self.server_pid()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0

    def server_pid(self) -> int:
        # Under taskset, taskset execs the appliance: the pid is the same.
        return self.process.pid

    def thread_dump(self) -> str:
        if shutil.which("gdb") is None:
            return "(gdb is not installed: no thread dump)"
        result = subprocess.run(["gdb", "-p", str(self.server_pid()), "-batch", "-ex", "thread apply all bt 30"],
                                capture_output=True, text=True, timeout=120)
        return result.stdout[-20000:]

    def stop(self, within: float = 30) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            dump = self.thread_dump()
            self.process.kill()
            raise SoakFailure(f"the appliance ignored SIGTERM for {within} s; its threads:\n{dump}")


def load(appliance: Appliance, clients: int, seconds: float) -> tuple[int, list[str]]:
    """`clients` dispatcher sessions creating ECOs for `seconds`; returns the ECOs acknowledged and the refusals."""
    sessions = [appliance.session(*DISPATCHER) for _ in range(clients)]
    admin = appliance.session(*ADMIN)
    status, text = appliance.call("PATCH", "/api/simulator", {"speed": 1000}, admin)
    if status != 200:
        raise SoakFailure(f"setting the simulators' speed: {status} {text[:300]!r}")
    stop_at = time.monotonic() + seconds
    created = [0] * clients
    problems: list[str] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            eco = {"location": {"type": "Point", "coordinates": [-104.99 + (n % 50) * 0.0005, 39.74 + index * 0.0005]},
                   "jobType": ["CMR", "MFR", "FNOL"][n % 3], "description": f"Soak client {index} cut {n}", "ospTenantID": OSP}
            try:
                status, text = appliance.call("POST", "/api/ecos", eco, sessions[index])
            except OSError as error:
                with lock:
                    problems.append(f"client {index}: {error}")
                continue
            if status == 201:
                created[index] += 1
            else:
                with lock:
                    problems.append(f"client {index}: {status} {text[:200]!r}")

    def rotate_scenarios() -> None:
        turn = 0
        while time.monotonic() < stop_at:
            appliance.call("PATCH", "/api/simulator", {"defaultScenario": SCENARIOS[turn % len(SCENARIOS)]}, admin)
            turn += 1
            time.sleep(1)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)] + [threading.Thread(target=rotate_scenarios)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(created), problems


def drain(appliance: Appliance, limit: float, acknowledged: int) -> dict:
    """Waits until nothing is pending, no consumer lags and /readyz is 200; the figures at the end."""
    session = appliance.session(*DISPATCHER)
    started = time.monotonic()
    while True:
        pending = appliance.pending_ecos()
        metrics = appliance.metrics(session)
        lags = {name: value for name, value in metrics.items() if not name.startswith("strike_")}
        ready, readiness = appliance.call("GET", "/readyz")
        elapsed = time.monotonic() - started
        if pending == 0 and lags and all(value == 0 for value in lags.values()) and ready == 200:
            wal_syncs = int(metrics.get("strike_wal_syncs", 0))
            transactions = int(metrics.get("strike_write_transactions", 0))
            writes = int(metrics.get("strike_writes", 0))
            if wal_syncs < transactions:
                raise SoakFailure(f"{transactions} write transactions but only {wal_syncs} WAL syncs: some were not durable")
            if writes < acknowledged:
                raise SoakFailure(f"{acknowledged} ECOs acknowledged but only {writes} writes committed")
            return {"drain_s": round(elapsed, 1), "wal_syncs": wal_syncs, "write_transactions": transactions, "writes": writes}
        if elapsed > limit:
            dump = appliance.thread_dump()
            raise SoakFailure(
                f"after {limit:.0f} s: {pending} ECOs still PENDING, consumer lag {lags}, /readyz {ready} "
                f"{readiness[:1500]!r}; threads:\n{dump}")
        time.sleep(1)


def compare_restart(appliance: Appliance, window: float = 15) -> dict:
    """The Render integration's drain rate in the process that took the load, then in a fresh process on the
    same database: the long-running one must drain at least 80% as fast (the rest is measurement noise)."""
    running = appliance.drain_rate("render-integration", window)
    if appliance.stop() != 0:
        raise SoakFailure("the appliance did not stop cleanly on SIGTERM before the restart")
    appliance.start(keep=True)
    fresh = appliance.drain_rate("render-integration", window)
    log(f"drain of the Render integration: {running:.0f} events/s while running, {fresh:.0f} events/s after a restart")
    if running < 0.8 * fresh:
        raise SoakFailure(f"the long-running process drained {running:.0f} events/s, a fresh one {fresh:.0f} events/s")
    return {"drain_running_events_per_s": round(running), "drain_fresh_events_per_s": round(fresh)}


def verify(binary: Path, db: Path) -> None:
    result = subprocess.run([str(binary), "verify", "--db", str(db)], capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise SoakFailure(f"strike verify failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--drain", type=float, default=120, help="seconds allowed for the backlog to drain")
    parser.add_argument("--cores", help="run the appliance under `taskset -c CORES` (e.g. 0)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--compare-restart", action="store_true",
                        help="after the load, compare the drain rate with a restarted appliance's")
    arguments = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="strike-soak-"))
    appliance = None
    try:
        appliance = Appliance(arguments.binary.resolve(), workdir, arguments.cores)
        where = f"pinned to cores {arguments.cores}" if arguments.cores else "on every core"
        log(f"{arguments.clients} clients for {arguments.seconds:.0f} s, simulators at speed 1000, {where}")
        acknowledged, problems = load(appliance, arguments.clients, arguments.seconds)
        if problems:
            raise SoakFailure(f"{len(problems)} creates refused or failed, first: {problems[:5]}")
        log(f"{acknowledged} ECOs acknowledged ({acknowledged / arguments.seconds:.0f}/s); draining")
        rates = {}
        if arguments.compare_restart:
            rates = compare_restart(appliance)
        figures = drain(appliance, arguments.drain, acknowledged) | rates
        figures |= {"ecos": acknowledged, "creates_per_s": round(acknowledged / arguments.seconds, 1),
                    "peak_rss_mib": round(appliance.resident_mib(), 1), "cores": arguments.cores or "all"}
        status = appliance.stop()
        if status != 0:
            raise SoakFailure(f"the appliance exited {status} on SIGTERM")
        verify(arguments.binary.resolve(), appliance.db)
        print(json.dumps(figures), flush=True)
        log("passed: every ECO left PENDING, no consumer lag, ready, verify clean")
        print("1 passed, 0 failed")
        return 0
    except SoakFailure as failure:
        log(f"FAILED: {failure}")
        if appliance is not None:
            tail = "\n".join(appliance.log_path.read_text(errors="replace").splitlines()[-40:])
            log(f"server log tail:\n{tail}")
            if appliance.process.poll() is None:
                appliance.process.kill()
        arguments.keep = True
        print("0 passed, 1 failed")
        return 1
    finally:
        if arguments.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
