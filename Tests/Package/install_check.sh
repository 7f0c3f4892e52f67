#!/bin/sh
# Installs the packages for real, then removes, reinstalls and purges them (`make deb-install-check`, not part of
# `make test`): run it only as root on a throw-away machine.
#
#   Tests/Package/install_check.sh .build/deb/strike_<version>_amd64.deb
#
# Checks: dpkg -i makes the strike system user and /var/lib/strike (strike:strike, 0700) and enables the unit;
# the appliance runs as strike from the installed unit's command and makes its database and key file there; gdb
# finds the installed debug symbols; dpkg -r keeps /var/lib/strike and a reinstall finds it; dpkg -P deletes
# it. Where systemd runs, the service must also be started by the install and answer /readyz.
set -eu

deb=$(readlink -f "$1")
dbgsym=$(dirname "$deb")/$(basename "$deb" | sed 's/^strike_/strike-dbgsym_/')
state=/var/lib/strike

fail() { echo "install check FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }

[ "$(id -u)" -eq 0 ] || fail "run as root (on a throw-away machine)"
! dpkg -s strike >/dev/null 2>&1 || fail "strike is installed already: this check installs and purges it"
[ ! -e "$state" ] || fail "$state exists: purging the package would delete it"
user_existed=no
getent passwd strike >/dev/null && user_existed=yes

# Waits for `strike serve` on PORT to answer /readyz 200 (60 s at most).
wait_ready() {
	python3 - "$1" <<'EOF'
import http.client, sys, time
deadline = time.monotonic() + 60
while True:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
        connection.request("GET", "/readyz")
        if connection.getresponse().status == 200:
            break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit("/readyz did not answer 200 within 60 s")
    time.sleep(0.2)
EOF
}

step "dpkg -i $(basename "$deb") $(basename "$dbgsym")"
dpkg -i "$deb" "$dbgsym"
entry=$(getent passwd strike) || fail "no strike user"
echo "$entry"
uid=$(echo "$entry" | cut -d: -f3)
[ "$uid" -lt 1000 ] || fail "strike is not a system user (uid $uid)"
[ "$(echo "$entry" | cut -d: -f6)" = "$state" ] || fail "strike's home is not $state"
[ "$(echo "$entry" | cut -d: -f7)" = /usr/sbin/nologin ] || fail "strike can log in"
getent group strike >/dev/null || fail "no strike group"
[ "$(stat -c '%U:%G %a' "$state")" = "strike:strike 700" ] || fail "$state is $(stat -c '%U:%G %a' "$state")"
[ -L /etc/systemd/system/multi-user.target.wants/strike.service ] || fail "strike.service is not enabled"
systemd-analyze verify /lib/systemd/system/strike.service || fail "systemd-analyze verify refuses the installed unit"
[ "$(/usr/bin/strike --version)" = "$(dpkg-query -W -f '${Version}' strike)" ] || fail "strike --version is not the package's version"
gdb -nx -batch -ex "file /usr/bin/strike" -ex "python print('\\n'.join(o.filename for o in gdb.objfiles()))" 2>/dev/null \
	| grep -q '^/usr/lib/debug/.build-id/.*\.debug$' || fail "gdb does not find the debug symbols of /usr/bin/strike"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if [ -d /run/systemd/system ]; then
	step "the service, started by the install"
	systemctl is-active --quiet strike || fail "strike.service is not running after the install"
	wait_ready 8080
else
	# No systemd here (a container): the unit's own command, as its user, in its working directory, with its umask.
	step "no systemd: ExecStart as the strike user, on port $port"
	command=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/strike.service)
	# setpriv executes the command itself (runuser would stay as its parent), so SIGTERM reaches strike.
	(cd "$state" && umask 077 && exec env STRIKE_DB="$state/strike.db" STRIKE_HOST=127.0.0.1 STRIKE_PORT="$port" \
		setpriv --reuid=strike --regid=strike --init-groups $command) >/tmp/strike-install-check.log 2>&1 &
	server=$!
	wait_ready "$port" || { cat /tmp/strike-install-check.log; fail "the installed strike did not serve"; }
	kill -TERM "$server"
	wait "$server" || fail "strike exited $? on SIGTERM"
fi
[ -f "$state/strike.db" ] && [ -f "$state/strike.db.key" ] || fail "no database and key file in $state"
ls -l "$state"

step "dpkg -r: /var/lib/strike stays"
dpkg -r strike-dbgsym strike
[ ! -e /usr/bin/strike ] || fail "/usr/bin/strike is still there"
[ -f "$state/strike.db" ] && [ -f "$state/strike.db.key" ] || fail "remove deleted the database or the key file"
getent passwd strike >/dev/null || fail "remove deleted the strike user"

step "dpkg -i again: the database is found, the user reused"
dpkg -i "$deb"
[ "$(getent passwd strike | cut -d: -f3)" = "$uid" ] || fail "the strike user changed"
[ "$(stat -c '%U:%G %a' "$state/strike.db")" = "strike:strike 600" ] || fail "strike.db is $(stat -c '%U:%G %a' "$state/strike.db")"

step "dpkg -P: /var/lib/strike is deleted, the user kept"
dpkg -P strike
[ ! -e "$state" ] || fail "purge left $state"
[ ! -e /etc/systemd/system/multi-user.target.wants/strike.service ] || fail "purge left the unit enabled"
getent passwd strike >/dev/null || fail "purge deleted the strike user (it should keep it)"
dpkg -s strike >/dev/null 2>&1 && fail "strike is still known to dpkg"

if [ "$user_existed" = no ]; then
	deluser --system --quiet strike
	echo "(the strike user this check made is deleted again)"
fi
echo "install check passed"
