"""The Debian packages of the release build: fields, files, dependencies, scripts, lintian, and the packaged binary.

Run by `make test` after `make deb`:

    python Tests/Package/package_test.py --deb .build/deb/strike_<version>_amd64.deb

with strike-dbgsym_<version>_amd64.deb beside it. Nothing is installed (that is `make deb-install-check`, on a
throw-away machine): the fields and the file list are read with dpkg-deb; both packages are extracted into a
temporary root, where the binary must be stripped and its build-id lead gdb to the debug symbols; every library
the binary names in NEEDED must belong (dpkg -S) to a package in Depends; the maintainer scripts must parse
(sh -n); lintian must report no error or warning that packaging/debian/lintian-overrides does not override; and
the extracted /usr/bin/strike, byte for byte the packaged one, must print the version, serve /readyz and
/healthz on a fresh database and exit 0 on SIGTERM.
"""
import argparse
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What the appliance needs at run time whatever the linker says: SpatiaLite is loaded with sqlite3_load_extension.
REQUIRED_DEPENDS = {"libsqlite3-0", "libsqlite3-mod-spatialite", "libcurl4", "libssl3"}
FILES = {
    "./usr/bin/strike": "-rwxr-xr-x",
    "./lib/systemd/system/strike.service": "-rw-r--r--",
    "./usr/share/doc/strike/copyright": "-rw-r--r--",
    "./usr/share/doc/strike/changelog.gz": "-rw-r--r--",
    "./usr/share/man/man1/strike.1.gz": "-rw-r--r--",
    "./usr/share/lintian/overrides/strike": "-rw-r--r--",
}


def run(*command: str, check: bool = True) -> str:
    result = subprocess.run(command, capture_output=True, text=True)
    assert not check or result.returncode == 0, f"{' '.join(command)} exited {result.returncode}: {result.stderr}"
    return result.stdout


def fields(deb: Path) -> dict[str, str]:
    """The control file's fields, continuation lines joined."""
    control: dict[str, str] = {}
    name = ""
    for line in run("dpkg-deb", "-f", str(deb)).splitlines():
        if line.startswith(" ") and name:
            control[name] += "\n" + line
        else:
            name, _, value = line.partition(":")
            control[name] = value.strip()
    return control


def package_names(relation: str) -> set[str]:
    """`libc6 (>= 2.34), a | b` → {"libc6", "a", "b"}."""
    return {re.split(r"[\s(:]", alternative.strip())[0] for part in relation.split(",") for alternative in part.split("|")}


def contents(deb: Path) -> dict[str, tuple[str, str, str]]:
    """Each path in the package: (mode string, owner/group, symlink target or "")."""
    listed = {}
    for line in run("dpkg-deb", "-c", str(deb)).splitlines():
        mode, owner, _size, _date, _time, rest = line.split(None, 5)
        path, _, target = rest.partition(" -> ")
        listed[path] = (mode, owner, target)
    return listed


def build_id(elf: Path) -> str:
    found = re.search(r"Build ID: ([0-9a-f]+)", run("readelf", "-n", str(elf)))
    assert found, f"{elf} has no build-id"
    return found.group(1)


def sections(elf: Path) -> set[str]:
    return set(re.findall(r"\]\s+(\.\S+)", run("readelf", "-W", "-S", str(elf))))


def owning_package(library: str) -> str:
    """The package dpkg says installed `library`, whichever of /lib and /usr/lib (merged /usr) it recorded."""
    candidates = [library, os.path.realpath(library)]
    candidates += [path.removeprefix("/usr") if path.startswith("/usr/") else "/usr" + path for path in list(candidates)]
    for path in candidates:
        found = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
        if found.returncode == 0:
            return found.stdout.split(":")[0]
    raise AssertionError(f"no installed package owns {library}")


def check_fields(deb: Path, dbgsym: Path, version: str) -> None:
    control = fields(deb)
    assert control["Package"] == "strike" and control["Version"] == version and control["Architecture"] == "amd64", control
    depends = package_names(control["Depends"])
    assert REQUIRED_DEPENDS <= depends, f"Depends lacks {sorted(REQUIRED_DEPENDS - depends)}: {control['Depends']}"
    symbols = fields(dbgsym)
    assert symbols["Package"] == "strike-dbgsym" and symbols["Version"] == version, symbols
    assert symbols["Architecture"] == "amd64" and symbols["Depends"] == f"strike (= {version})", symbols
    print(f"Depends: {control['Depends']}")


def check_contents(deb: Path, dbgsym: Path) -> str:
    """The files and their modes; returns the debug file's path in the dbgsym package."""
    listed = contents(deb)
    files = {path: mode for path, (mode, _, _) in listed.items() if not mode.startswith("d")}
    assert files == FILES, f"the package's files are {files}, expected {FILES}"
    assert all(owner == "root/root" for _, owner, _ in listed.values()), "a file not owned by root"
    stray = [path for path in listed if path.startswith(("./var/", "./usr/local/", "./etc/"))]
    assert not stray, f"files under /var, /usr/local or /etc: {stray}"

    symbols = contents(dbgsym)
    files = {path: value for path, value in symbols.items() if not value[0].startswith("d")}
    debug = [path for path in files if path.startswith("./usr/lib/debug/.build-id/")]
    assert len(debug) == 1 and files[debug[0]][0] == "-rw-r--r--", f"the dbgsym package holds {files}"
    assert files.get("./usr/share/doc/strike-dbgsym") == ("lrwxrwxrwx", "root/root", "strike"), files
    assert len(files) == 2, f"the dbgsym package holds {files}"
    return debug[0].removeprefix(".")


def check_symbols(root: Path, debug_path: str, dbgsym: Path) -> None:
    """Stripped, and the debug file is the one gdb finds through the build-id."""
    binary = root / "usr/bin/strike"
    identity = build_id(binary)
    found = sections(binary)
    assert ".symtab" not in found and not any(name.startswith(".debug") for name in found), f"not stripped: {sorted(found)}"
    assert ".gnu_debuglink" in found, "no gnu-debuglink"
    assert debug_path == f"/usr/lib/debug/.build-id/{identity[:2]}/{identity[2:]}.debug", f"{debug_path} is not build-id {identity}"
    debug = root / debug_path.lstrip("/")
    assert build_id(debug) == identity, f"{debug} has another build-id than the binary"
    assert ".debug_info" in sections(debug), f"{debug} holds no DWARF"
    assert fields(dbgsym)["Build-Ids"] == identity
    loaded = run("gdb", "-nx", "-batch", "-ex", f"set debug-file-directory {root / 'usr/lib/debug'}",
                 "-ex", f"file {binary}", "-ex", "python print('\\n'.join(o.filename for o in gdb.objfiles()))")
    assert str(debug) in loaded.splitlines(), f"gdb did not load {debug}: {loaded}"


def check_libraries(root: Path, depends: set[str]) -> None:
    """Every NEEDED library, and the SpatiaLite module, comes from a package in Depends."""
    binary = root / "usr/bin/strike"
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+)\]", run("readelf", "-d", str(binary)))
    resolved = dict(re.findall(r"^\s*(\S+) => (\S+)", run("ldd", str(binary)), re.MULTILINE))
    resolved |= {Path(path).name: path for path in re.findall(r"^\s*(/\S+) \(", run("ldd", str(binary)), re.MULTILINE)}
    owners = {}
    for library in needed:
        assert library in resolved, f"{library} is not installed (ldd)"
        owners[library] = owning_package(resolved[library])
    owners["mod_spatialite"] = run("dpkg", "-S", "mod_spatialite.so").split(":")[0]
    missing = {library: owner for library, owner in owners.items() if owner not in depends}
    assert not missing, f"libraries from packages not in Depends: {missing}"
    print("libraries: " + ", ".join(f"{library} ({owner})" for library, owner in owners.items()))


def check_scripts(deb: Path, directory: Path) -> None:
    control = directory / "DEBIAN"
    run("dpkg-deb", "-e", str(deb), str(control))
    for script in ("postinst", "prerm", "postrm"):
        path = control / script
        assert path.stat().st_mode & 0o777 == 0o755, f"{script} is not 0755"
        assert path.read_text().startswith("#!/bin/sh\n"), f"{script} is not a /bin/sh script"
        run("sh", "-n", str(path))
    run("sh", "-c", f"cd {directory / 'root'} && md5sum --quiet -c {control / 'md5sums'}")


def check_unit(root: Path) -> None:
    unit = (root / "lib/systemd/system/strike.service").read_text()
    assert unit == (ROOT / "systemd/strike.service").read_text(), "the packaged unit is not systemd/strike.service"
    assert "\nExecStart=/usr/bin/strike serve\n" in unit, "ExecStart is not /usr/bin/strike serve"


def check_copyright(root: Path) -> None:
    """Every Swift package the build fetched is named in the copyright file (they are linked into the binary)."""
    notice = (root / "usr/share/doc/strike/copyright").read_text()
    checkouts = ROOT / ".build" / "checkouts"
    fetched = sorted(path.name for path in checkouts.iterdir()) if checkouts.is_dir() else []
    missing = [name for name in fetched if not re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", notice)]
    assert not missing, f"packaging/debian/copyright does not name {missing}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def status(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def check_serves(root: Path, directory: Path, version: str) -> None:
    binary = root / "usr/bin/strike"
    printed = run(str(binary), "--version").strip()
    assert printed == version, f"the packaged strike says {printed}, the package {version}"
    port = free_port()
    log_path = directory / "strike.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [str(binary), "serve", "--db", str(directory / "strike.db"), "--host", "127.0.0.1", "--port", str(port)],
            cwd=directory, stdout=log, stderr=subprocess.STDOUT, env={"PATH": "/usr/bin:/bin", "HOME": str(directory)})
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, f"strike exited {server.returncode}: {log_path.read_text()}"
            try:
                if status(port, "/readyz") == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"/readyz did not answer 200 within 60 s: {log_path.read_text()}"
            time.sleep(0.1)
        assert status(port, "/healthz") == 200, "/healthz did not answer 200"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise AssertionError("strike did not stop within 30 s of SIGTERM")
    assert code == 0, f"strike exited {code} on SIGTERM: {log_path.read_text()}"


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--deb", type=Path, required=True, help="strike_<version>_amd64.deb")
    deb = options.parse_args().deb.resolve()
    matched = re.fullmatch(r"strike_(.+)_amd64\.deb", deb.name)
    assert matched, f"{deb.name} is not named strike_<version>_amd64.deb"
    version = matched.group(1)
    dbgsym = deb.with_name(f"strike-dbgsym_{version}_amd64.deb")
    assert deb.is_file() and dbgsym.is_file(), f"{deb} or {dbgsym} is missing: run make deb"

    # lintian takes the longest (its checks read the whole binary): it runs while the rest is checked.
    lintian = subprocess.Popen(["lintian", "--fail-on", "error,warning", str(deb), str(dbgsym)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        check_fields(deb, dbgsym, version)
        debug_path = check_contents(deb, dbgsym)
        with tempfile.TemporaryDirectory(prefix="strike-package-") as temporary:
            directory = Path(temporary)
            root = directory / "root"
            run("dpkg-deb", "-x", str(deb), str(root))
            run("dpkg-deb", "-x", str(dbgsym), str(root))
            check_scripts(deb, directory)
            check_unit(root)
            check_copyright(root)
            check_symbols(root, debug_path, dbgsym)
            check_libraries(root, package_names(fields(deb)["Depends"]))
            check_serves(root, directory, version)
        said, _ = lintian.communicate(timeout=300)
    finally:
        if lintian.poll() is None:
            lintian.kill()
    said = "\n".join(line for line in said.splitlines() if line != "running with root privileges is not recommended!")
    assert lintian.returncode == 0, f"lintian reports errors or warnings not overridden:\n{said}"
    sizes = ", ".join(f"{path.name} {path.stat().st_size / (1 << 20):.1f} MiB" for path in (deb, dbgsym))
    print(f"package: {sizes}; lintian clean{': ' + said if said else ''}; the packaged strike {version} served /readyz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
