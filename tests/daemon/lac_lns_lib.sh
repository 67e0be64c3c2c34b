# shellcheck shell=bash
# Sourced by the daemon tests that run an LNS and a LAC l2tpsecd over
# loopback on the fake kernel dataplane (no root, no kernel L2TP), with
# L2TP alone (ipsec = "off"):
#   source lac_lns_lib.sh L2TPSECD L2TPCTL NAME PORT
# sets $daemon, $ctl, $port and a scratch directory $tmp (removed at exit,
# with every daemon started), writes $tmp/lns.conf (127.0.0.1, pool
# 10.99.0.10-19, the audit in $tmp/audit.jsonl or $tmp/$LNS_AUDIT, and
# the lines of LNS_EXTRA in its [l2tp]) and $tmp/lac.conf (127.0.0.2, the
# profile "office" for alice), and defines:
#   start NAME      l2tpsecd on $tmp/NAME.conf, control socket $tmp/NAME.sock,
#                   log $tmp/NAME.log; its pid appended to pids
#   lns / lac ARGS  l2tpctl against the one or the other
#   fail MESSAGE    the message and every daemon's log, exit 1
#   waitfor CMD...  CMD until it succeeds, at most 10 s
set -uo pipefail
daemon=$1 ctl=$2 port=$4
tmp=$(mktemp -d "/tmp/l2tpsec-$3.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
fail() {
  local f
  echo "FAIL: $*" >&2
  for f in "$tmp"/*.log; do echo "--- $(basename "$f"):" >&2; tail -n 40 "$f" >&2; done
  exit 1
}
# Waits up to 10 s for a command to succeed (a hang guard, not a timing claim).
waitfor() { for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done; return 1; }

echo alice-password >"$tmp/password"; chmod 600 "$tmp/password"
cat >"$tmp/lns.conf" <<CONF
[server]
listen = ["127.0.0.1"]
audit_log = "$tmp/${LNS_AUDIT:-audit.jsonl}"
[l2tp]
ipsec = "off"
${LNS_EXTRA:-}
[ppp]
local_address = "10.99.0.1"
pool = "10.99.0.10-10.99.0.19"
CONF
cat >"$tmp/lac.conf" <<CONF
[server]
listen = ["127.0.0.2"]
[l2tp]
ipsec = "off"
[[lac]]
name = "office"
server = "127.0.0.1"
user = "alice"
password_file = "$tmp/password"
CONF

start() {
  "$daemon" -c "$tmp/$1.conf" --control-socket "$tmp/$1.sock" --fake-dataplane --l2tp-port "$port" \
    2>"$tmp/$1.log" &
  pids+=($!)
  waitfor test -S "$tmp/$1.sock" || fail "$1: no control socket"
}
lns() { "$ctl" -s "$tmp/lns.sock" "$@"; }
lac() { "$ctl" -s "$tmp/lac.sock" "$@"; }
