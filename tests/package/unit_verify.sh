#!/bin/bash
# systemd-analyze verify accepts the l2tpsecd unit (with ExecStart and
# ExecReload pointed at the built binaries, so that the paths exist, and the
# man pages of Documentation= found in the source tree).
# Usage: unit_verify.sh UNIT L2TPSECD L2TPCTL MANDIR. Skips (77) without systemd-analyze.
set -uo pipefail
unit=$1 daemon=$2 ctl=$3 mandir=$4
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
tmp=$(mktemp -d /tmp/l2tpsec-unit.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

grep -q '^ExecStart=/[^ ]*/l2tpsecd --config /' "$unit" || fail "unexpected ExecStart in $unit"
grep -q '^ExecReload=/[^ ]*/l2tpctl reload$' "$unit" || fail "unexpected ExecReload in $unit"
sed -e "s|^ExecStart=[^ ]*|ExecStart=$(realpath "$daemon")|" \
    -e "s|^ExecReload=[^ ]*|ExecReload=$(realpath "$ctl")|" "$unit" >"$tmp/l2tpsecd.service"
# Type=notify with the readiness the daemon sends, and the run directory of
# the control socket.
for k in Type=notify RuntimeDirectory=l2tpsec Restart=on-failure; do
  grep -qx "$k" "$tmp/l2tpsecd.service" || fail "the unit lacks $k"
done

# verify runs `man` on every Documentation= page: give it the source pages.
mkdir -p "$tmp/man/man5" "$tmp/man/man8"
for p in "$mandir"/*.[58]; do ln -s "$(realpath "$p")" "$tmp/man/man${p##*.}/"; done
# (Without man-db, as in a minimal package build chroot, that check is off.)
man_opt=()
command -v man >/dev/null || man_opt=(--man=no)
out=$(MANPATH=$tmp/man systemd-analyze verify "${man_opt[@]}" "$tmp/l2tpsecd.service" 2>&1); rc=$?
echo "$out"
[[ $rc == 0 ]] || fail "systemd-analyze verify exited $rc"
# It also reports other units of this host; any line about ours is a finding.
if grep -F "l2tpsecd.service" <<<"$out"; then
  fail "systemd-analyze verify has findings about the unit"
fi
echo "systemd-analyze verify: the unit is accepted"
