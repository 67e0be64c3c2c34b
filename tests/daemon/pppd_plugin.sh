#!/bin/bash
# l2tpsecd without its pppd plugin (unless --fake-dataplane) refuses to start:
# exit status 1, one error line that names the file, and nothing started (no
# control socket). It checks before it touches the kernel, so this runs
# anywhere, without root.
# Usage: pppd_plugin.sh L2TPSECD
set -uo pipefail
daemon=$1
tmp=$(mktemp -d /tmp/l2tpsec-plugin.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- daemon log:" >&2; cat "$tmp/log" >&2 2>/dev/null; exit 1; }

cat >"$tmp/l2tpsec.conf" <<CONF
[server]
control_socket = "$tmp/control"
listen = ["127.0.0.1"]
[l2tp]
ipsec = "off"
CONF

# refused PLUGIN MESSAGE: the daemon exits 1 at once with that one line.
refused() {
  local rc
  timeout 10 "$daemon" -c "$tmp/l2tpsec.conf" --pppd-plugin "$1" --l2tp-port 21711 2>"$tmp/log"
  rc=$?
  [[ $rc == 1 ]] || fail "--pppd-plugin $1: exit status $rc, not 1"
  [[ $(wc -l <"$tmp/log") == 1 ]] || fail "--pppd-plugin $1: not one line"
  grep -qx "[^ ]* error daemon: cannot start: $2" "$tmp/log" || fail "--pppd-plugin $1: $(cat "$tmp/log")"
  [[ ! -e $tmp/control ]] || fail "--pppd-plugin $1: the control socket was created"
  echo "ok: $(cut -d' ' -f2- "$tmp/log")"
}
refused "$tmp/missing/l2tpsec-pppd.so" \
  "pppd plugin $tmp/missing/l2tpsec-pppd.so: No such file or directory (every pppd of l2tpsecd loads it; it is installed with l2tpsecd, --pppd-plugin names another)"
refused "$tmp" "pppd plugin $tmp: not a regular file"
echo PASS
