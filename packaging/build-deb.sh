#!/bin/sh
# The appliance's Debian packages, made from a release build of `strike` with dpkg's own tools:
#
#   packaging/build-deb.sh BINARY OUTDIR
#
# writes OUTDIR/strike_<version>_amd64.deb (the stripped binary as /usr/bin/strike, the systemd unit, the
# maintainer scripts in packaging/debian/) and OUTDIR/strike-dbgsym_<version>_amd64.deb (the debug symbols,
# found by gdb through the binary's build-id), as debhelper's dh_strip, dh_shlibdeps, dh_installsystemd and
# dh_gencontrol would. <version> is what `BINARY --version` prints; packaging/debian/changelog must have it
# at the top.
set -eu
umask 022

[ $# -eq 2 ] || { echo "usage: $0 BINARY OUTDIR" >&2; exit 2; }
binary=$1
out=$2
packaging=$(cd "$(dirname "$0")" && pwd)
repository=$(dirname "$packaging")

version=$("$binary" --version)
listed=$(dpkg-parsechangelog -l "$packaging/debian/changelog" -S Version)
if [ "$version" != "$listed" ]; then
	echo "$binary is version $version but packaging/debian/changelog starts at $listed: add an entry for $version" >&2
	exit 1
fi
# File dates in the packages are the changelog's (reproducible builds).
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$packaging/debian/changelog" -S Timestamp)
export SOURCE_DATE_EPOCH

mkdir -p "$out"
work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A source package's debian/ directory, for dpkg-shlibdeps and dpkg-gencontrol.
mkdir "$work/debian"
cp "$packaging/debian/control" "$packaging/debian/changelog" "$work/debian/"

# The package's tree.
root=$work/strike
install -d "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/usr/share/doc/strike" \
	"$root/usr/share/man/man1" "$root/usr/share/lintian/overrides"
install -m 0755 "$binary" "$root/usr/bin/strike"
install -m 0644 "$repository/systemd/strike.service" "$root/lib/systemd/system/strike.service"
install -m 0644 "$packaging/debian/copyright" "$root/usr/share/doc/strike/copyright"
# A native package (no Debian revision): its changelog is changelog.gz, not changelog.Debian.gz.
gzip -9n <"$packaging/debian/changelog" >"$root/usr/share/doc/strike/changelog.gz"
chmod 0644 "$root/usr/share/doc/strike/changelog.gz"
# The man page is the binary's own --help, with the files the package adds (help2man, as many Debian packages do).
help2man --no-info --section 1 --name "Osprey Strike emergency callout appliance" \
	--include "$packaging/debian/strike.h2m" --output "$work/strike.1" "$binary"
gzip -9n <"$work/strike.1" >"$root/usr/share/man/man1/strike.1.gz"
chmod 0644 "$root/usr/share/man/man1/strike.1.gz"
install -m 0644 "$packaging/debian/lintian-overrides" "$root/usr/share/lintian/overrides/strike"
install -m 0755 "$packaging/debian/postinst" "$packaging/debian/prerm" "$packaging/debian/postrm" "$root/DEBIAN/"

# dh_strip: the debug sections (compressed) to a file named by the build-id, then the binary stripped of them
# and of .comment, with a gnu-debuglink (name and CRC) to that file.
build_id=$(readelf -n "$root/usr/bin/strike" | sed -n 's/^ *Build ID: *//p')
[ -n "$build_id" ] || { echo "$binary has no build-id: gdb could not find its debug symbols" >&2; exit 1; }
debug_dir=usr/lib/debug/.build-id/$(echo "$build_id" | cut -c1-2)
debug_file=$debug_dir/$(echo "$build_id" | cut -c3-).debug
dbgsym=$work/strike-dbgsym
install -d "$dbgsym/DEBIAN" "$dbgsym/$debug_dir" "$dbgsym/usr/share/doc"
objcopy --only-keep-debug --compress-debug-sections "$root/usr/bin/strike" "$dbgsym/$debug_file"
chmod 0644 "$dbgsym/$debug_file"
strip --remove-section=.comment --remove-section=.note "$root/usr/bin/strike"
objcopy --add-gnu-debuglink="$dbgsym/$debug_file" "$root/usr/bin/strike"
ln -s strike "$dbgsym/usr/share/doc/strike-dbgsym"

# dh_shlibdeps and dh_gencontrol: Depends from the libraries the stripped binary links, Version from the binary,
# Installed-Size from the tree.
(
	cd "$work"
	dpkg-shlibdeps -Tdebian/strike.substvars strike/usr/bin/strike
	dpkg-gencontrol -pstrike -v"$version" -Tdebian/strike.substvars -Pstrike
)
(cd "$root" && find usr lib -type f -exec md5sum {} + | sort -k 2) >"$root/DEBIAN/md5sums"

installed_size=$(du -sk --apparent-size "$dbgsym" | cut -f1)
maintainer=$(sed -n 's/^Maintainer: //p' "$packaging/debian/control")
cat >"$dbgsym/DEBIAN/control" <<EOF
Package: strike-dbgsym
Source: strike
Version: $version
Auto-Built-Package: debug-symbols
Architecture: amd64
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: strike (= $version)
Section: debug
Priority: optional
Description: debug symbols for strike
Build-Ids: $build_id
EOF
(cd "$dbgsym" && find usr -type f -exec md5sum {} + | sort -k 2) >"$dbgsym/DEBIAN/md5sums"

# xz at level 1: 3 s for the 80 MiB binary, where the default level 6 takes 22 s to save 3.5 MB more.
rm -f "$out/strike_${version}_amd64.deb" "$out/strike-dbgsym_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz -z1 --build "$root" "$out/strike_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz -z1 --build "$dbgsym" "$out/strike-dbgsym_${version}_amd64.deb"
