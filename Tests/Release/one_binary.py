"""The release `strike`, copied alone into an empty directory, serves the whole dashboard.

Run by `make test` after `swift build -c release --static-swift-stdlib`:

    python Tests/Release/one_binary.py --binary <path to the release strike>

It checks that the binary needs no Swift runtime library beside it, starts `strike serve` on a fresh database
in that directory, then fetches the page and every file it loads, following the JavaScript modules' imports,
and compares each with the file it was built from (Resources/dashboard, and Debian's Leaflet).
"""
import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "Resources" / "dashboard"
LEAFLET = Path("/usr/share/javascript/leaflet")
REFERENCE = re.compile(r'''(?:src|href)="(/app/[^"]+)"|from "(/app/[^"]+)"|import\("(/app/[^"]+)"\)''')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def source_of(path: str) -> Path:
    """The file the appliance built `path` from."""
    relative = path.removeprefix("/app/")
    if relative.startswith("vendor/leaflet/"):
        return LEAFLET / relative.removeprefix("vendor/leaflet/")
    return DASHBOARD / relative


def fetch(port: int, path: str) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def check_static_runtime(binary: Path) -> None:
    linked = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
    swift = [line.strip() for line in linked.splitlines() if "libswift" in line or "libFoundation" in line or "lib_Foundation" in line]
    assert not swift, f"the release binary still links the Swift runtime dynamically: {swift}"
    missing = [line.strip() for line in linked.splitlines() if "not found" in line]
    assert not missing, f"the release binary needs libraries that are not installed: {missing}"


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--binary", type=Path, required=True)
    binary = options.parse_args().binary.resolve()
    check_static_runtime(binary)

    with tempfile.TemporaryDirectory(prefix="strike-one-binary-") as directory:
        alone = Path(directory) / "strike"
        shutil.copy2(binary, alone)
        assert sorted(os.listdir(directory)) == ["strike"]
        port = free_port()
        log = open(Path(directory) / "strike.log", "wb")
        # Nothing from the build tree: a clean environment, started from the empty directory.
        server = subprocess.Popen(
            [str(alone), "serve", "--db", "strike.db", "--host", "127.0.0.1", "--port", str(port)],
            cwd=directory, stdout=log, stderr=subprocess.STDOUT, env={"PATH": "/usr/bin:/bin", "HOME": directory})
        try:
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, f"strike exited {server.returncode}: {(Path(directory) / 'strike.log').read_text()}"
                try:
                    if fetch(port, "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "strike did not start within 60 s"
                time.sleep(0.05)

            status, kind, page = fetch(port, "/")
            assert status == 200 and kind.startswith("text/html"), f"/ answered {status} {kind}"
            assert page == (DASHBOARD / "index.html").read_bytes(), "/ is not the built index.html"
            queue = [match for groups in REFERENCE.findall(page.decode()) for match in groups if match]
            seen: set[str] = set()
            while queue:
                path = queue.pop()
                if path in seen:
                    continue
                seen.add(path)
                status, kind, body = fetch(port, path)
                assert status == 200, f"{path} answered {status}"
                assert body == source_of(path).read_bytes(), f"{path} is not the file it was built from"
                if path.endswith(".js"):
                    assert kind.startswith("text/javascript"), f"{path} is served as {kind}"
                    queue += [match for groups in REFERENCE.findall(body.decode()) for match in groups if match]
                elif path.endswith(".css"):
                    assert kind.startswith("text/css"), f"{path} is served as {kind}"
            ours = {f"/app/{file.name}" for file in DASHBOARD.iterdir() if file.suffix in (".js", ".css")}
            assert ours <= seen, f"files the page never loads: {sorted(ours - seen)}"
            assert "/app/vendor/leaflet/leaflet.esm.js" in seen and "/app/vendor/leaflet/leaflet.css" in seen
            print(f"one binary: {binary.stat().st_size // (1 << 20)} MiB, served / and {len(seen)} files from an empty directory")
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                code = server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                raise AssertionError("strike did not stop within 30 s of SIGTERM")
        assert code == 0, f"strike exited {code} on SIGTERM: {(Path(directory) / 'strike.log').read_text()}"
    return 0


if __name__ == "__main__":
    sys.exit(main())
