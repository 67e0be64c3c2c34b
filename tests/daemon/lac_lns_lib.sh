# shellcheck shell=bash
# Sourced by the daemon tests that run an LNS and LACs as l2tpsecd over
# loopback on the fake kernel dataplanes (no root, no kernel L2TP or XFRM):
#   source lac_lns_lib.sh L2TPSECD L2TPCTL NAME PORT
# sets $daemon, $ctl, $port (L2TP's) and a scratch directory $tmp (removed at
# exit, with every daemon started), and writes
#   $tmp/lns.conf  127.0.0.1, pool 10.99.0.10-19, the audit in
#                  $tmp/audit.jsonl or $tmp/$LNS_AUDIT, [l2tp] ipsec =
#                  $LNS_IPSEC (default off; required adds [ike] psk_file =
#                  $tmp/psk, which holds $LNS_PSK), the lines of LNS_TABLES
#                  before [l2tp] and those of LNS_EXTRA in it;
#   $tmp/lac.conf  write_lac lac 127.0.0.2.
# IKE_PORTS="IKE NATT" gives the daemons IKE ports of the test's own.
# Defines:
#   write_lac NAME ADDRESS [LINE...]
#                   $tmp/NAME.conf: a LAC on ADDRESS, [l2tp] ipsec =
#                   $LAC_IPSEC (default off), the profile "office" for alice
#                   with LINEs added
#   start NAME      l2tpsecd on $tmp/NAME.conf, control socket $tmp/NAME.sock,
#                   log $tmp/NAME.log; its pid in pid[NAME] and pids
#   stop NAME       SIGTERM, and wait for it
#   lns / lac ARGS  l2tpctl against the one or the other
#   fail MESSAGE    the message and every daemon's log, exit 1
#   waitfor CMD...  CMD until it succeeds, at most 10 s
set -uo pipefail
daemon=$1 ctl=$2 port=$4
tmp=$(mktemp -d "/tmp/l2tpsec-$3.XXXXXX")
pids=()
declare -A pid=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
fail() {
  local f
  echo "FAIL: $*" >&2
  for f in "$tmp"/*.log; do echo "--- $(basename "$f"):" >&2; tail -n 60 "$f" >&2; done
  exit 1
}
# Waits up to 10 s for a command to succeed (a hang guard, not a timing claim).
waitfor() { for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done; return 1; }

echo alice-password >"$tmp/password"; chmod 600 "$tmp/password"
lns_ike=""
if [[ ${LNS_IPSEC:-off} == required ]]; then
  (umask 077 && echo "${LNS_PSK:-correct horse battery staple}" >"$tmp/psk")
  lns_ike="[ike]
psk_file = \"$tmp/psk\""
fi
cat >"$tmp/lns.conf" <<CONF
[server]
listen = ["127.0.0.1"]
audit_log = "$tmp/${LNS_AUDIT:-audit.jsonl}"
${LNS_TABLES:-}
$lns_ike
[l2tp]
ipsec = "${LNS_IPSEC:-off}"
${LNS_EXTRA:-}
[ppp]
local_address = "10.99.0.1"
pool = "10.99.0.10-10.99.0.19"
CONF
write_lac() {
  local name=$1 address=$2
  shift 2
  {
    printf '[server]\nlisten = ["%s"]\n[l2tp]\nipsec = "%s"\n' "$address" "${LAC_IPSEC:-off}"
    printf '[[lac]]\nname = "office"\nserver = "127.0.0.1"\nuser = "alice"\npassword_file = "%s"\n' \
      "$tmp/password"
    printf '%s\n' "$@"
  } >"$tmp/$name.conf"
}
write_lac lac 127.0.0.2

ike_args=()
[[ -n ${IKE_PORTS:-} ]] && read -r ike_port natt_port <<<"$IKE_PORTS" &&
  ike_args=(--ike-port "$ike_port" --natt-port "$natt_port")
start() {
  "$daemon" -c "$tmp/$1.conf" --control-socket "$tmp/$1.sock" --fake-dataplane --l2tp-port "$port" \
    "${ike_args[@]}" 2>"$tmp/$1.log" &
  pids+=($!)
  pid[$1]=$!
  waitfor test -S "$tmp/$1.sock" || fail "$1: no control socket"
}
lns() { "$ctl" -s "$tmp/lns.sock" "$@"; }
lac() { "$ctl" -s "$tmp/lac.sock" "$@"; }
stop() { kill -TERM "${pid[$1]}"; wait "${pid[$1]}" 2>/dev/null; }
