#!/bin/bash
# No authentication material in the logs: xl2tpd as LAC dials l2tpsecd as LNS
# (no IPsec) twice, alice with MS-CHAPv2, then bob with PAP. The LNS pppd runs
# without `debug`; the user name, IP up and down come from l2tpsec's pppd
# plugin. Checked, for each session: `l2tpctl sessions` and the audit name
# the user and the pool address, the daemon's log has the plugin's reports
# (the peer authenticated, IP up, IP down with the link's statistics). Then,
# with the values the client's pppd (with `debug` and `show-password`) logged
# as it exchanged them: neither the daemon's log (at level debug, pppd's
# output included), nor the audit, nor what the LNS pppds sent to syslog (a
# socket on /dev/log for the test) holds the MS-CHAPv2 authenticator
# challenge, the peer challenge, the NT response, the authenticator response
# or either password; and no packet trace line at all. The LNS pppd has a
# no-op bound over /etc/ppp/ip-pre-up ([ppp] scripts = false).
#   usage: ppp_auth_logs.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

command -v socat >/dev/null || fail "socat is not installed (run tools/setup)"

# syslog: what every process here sends to /dev/log (the VM has no syslog
# daemon), one datagram a line. Made before any pppd starts, removed at the end.
[[ -e /dev/log && ! -S /dev/log ]] && fail "/dev/log exists and is not a socket"
rm -f /dev/log # a capture an earlier run left: the lab VM has no syslog daemon
socat -u UNIX-RECV:/dev/log,mode=666 "OPEN:$WORK/syslog.txt,creat,append" 2>"$WORK/socat.log" &
PIDS+=($!)
trap 'rm -f /dev/log; interop_cleanup' EXIT
wait_until 10 "the syslog socket /dev/log" test -S /dev/log

ALICE_PW='alice-MSCHAPv2-pw-4711x' BOB_PW='bob-PAP-password-0815y'
secret_file "$WORK/chap-secrets" "alice * $ALICE_PW *
bob * $BOB_PW *"
cat >"$WORK/lns.conf" <<EOF
[server]
listen = ["$S_IP"]
audit_log = "$WORK/audit.jsonl"
log_level = "debug"
[l2tp]
ipsec = "off"
[ppp]
auth = ["mschap-v2", "pap"]
secrets = "$WORK/chap-secrets"
local_address = "10.99.0.1"
pool = "10.99.0.10-10.99.0.19"
options = ["lcp-echo-interval 0"]
EOF
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"
tr '\0' ' ' <"/proc/${DAEMON_PID[lns]}/cmdline" | grep -q -- "--pppd-plugin [^ ]*/l2tpsec-pppd.so" ||
  fail "l2tpsecd was not given the build tree's pppd plugin (expected beside $DAEMON)"
ok "l2tpsecd LNS listening on $S_IP:1701 (pppd plugin $(realpath "$PPPD_PLUGIN"))"

# Two client profiles: alice offers only MS-CHAPv2 (client_ppp_options), bob
# only PAP, and his pppd shows the password in its own trace.
client_ppp_options mschap alice "$ALICE_PW"
client_ppp_options pap bob "$BOB_PW"
sed -i -e '/^refuse-pap$/d' -e 's/^refuse-eap$/refuse-eap\nrefuse-mschap-v2\nshow-password/' "$WORK/pap-ppp.options"
xl2tpd_client_conf mschap pap
start_xl2tpd xl2tpd "$NS_C" "$WORK/xl2tpd.conf"

session_of() { ctl lns sessions --json | jq -e --arg u "$1" '.sessions[] | select(.user == $u)'; }
no_sessions() { [[ $(ctl lns sessions --json | jq '.sessions | length') == 0 ]] && [[ $(pppd_count "$NS_S") == 0 ]]; }

# dial PROFILE USER ADDRESS: connect, check what the LNS knows, hang up.
dial() {
  local profile=$1 user=$2 addr=$3 sj
  xl2tpd_ctl xl2tpd "c $profile"
  wait_until 120 "$profile: ppp up in the LAC namespace" ppp_up "$NS_C" "$addr" 10.99.0.1
  wait_until 60 "$profile: ppp up in the LNS namespace" ppp_up "$NS_S" 10.99.0.1 "$addr"
  wait_until 30 "$profile: l2tpctl sessions names $user" session_of "$user"
  sj=$(ctl lns sessions --json) || fail "l2tpctl sessions"
  echo "$sj" | jq -c '.sessions[]'
  jq -e --arg u "$user" --arg a "$addr" '.sessions | length == 1 and (.[0] | .user == $u and .address == $a
      and .role == "lns" and .state == "established")' <<<"$sj" >/dev/null || fail "$profile: sessions: $sj"
  ctl lns sessions | grep -qw "$user" || fail "$profile: l2tpctl sessions (text) does not show $user"
  ip netns exec "$NS_C" ping -c 3 -i 0.3 -W 3 -w 30 10.99.0.1 >/dev/null || fail "$profile: no ping over PPP"
  # [ppp] scripts = false (the default): the LNS pppd sees a no-op program
  # bound over /etc/ppp/ip-pre-up, in its own mount namespace only.
  local pid
  pid=$(session_pppds "$NS_S")
  [[ $pid =~ ^[0-9]+$ ]] || fail "$profile: not one pppd in the LNS namespace: $pid"
  awk '$5 == "/etc/ppp/ip-pre-up"' "/proc/$pid/mountinfo" | grep -q . ||
    fail "$profile: the LNS pppd $pid has nothing bound over /etc/ppp/ip-pre-up"
  awk '$5 == "/etc/ppp/ip-pre-up"' /proc/self/mountinfo | grep -q . && fail "the test's own /etc/ppp/ip-pre-up is bound over"
  xl2tpd_ctl xl2tpd "d $profile"
  wait_until 60 "$profile: session and pppd gone on the LNS" no_sessions
  ok "$profile: $user authenticated, l2tpctl sessions shows $user at $addr, ping, hung up"
}

# (The pool hands out addresses round-robin: bob gets the next one.)
dial mschap alice 10.99.0.10
# (pppd logs no name for a CHAP success; the client's trace shows the method.)
grep -q '^sent \[LCP ConfAck id=0x[0-9a-f]* .*<auth chap MS-v2>' "$WORK/mschap-pppd.log" &&
  grep -q '^sent \[CHAP Response id=0x[0-9a-f]* <[0-9a-f]*>, name = "alice"\]' "$WORK/mschap-pppd.log" &&
  grep -q '^CHAP authentication succeeded' "$WORK/mschap-pppd.log" ||
  fail "xl2tpd's pppd did not authenticate as alice with MS-CHAPv2"
dial pap bob 10.99.0.11
grep -q '^sent \[PAP AuthReq id=0x[0-9a-f]* user="bob" password="'"$BOB_PW"'"\]' "$WORK/pap-pppd.log" ||
  fail "xl2tpd's pppd sent no PAP AuthReq as bob (with the password shown)"
grep -q 'PAP peer authentication succeeded for bob' "$WORK/lns.log" ||
  fail "the LNS pppd did not accept bob with PAP"
ok "alice used MS-CHAPv2, bob PAP"

# What the plugin told the daemon, in its log (component ppp).
for user in alice bob; do
  grep -q "info ppp: session [0-9]*/[0-9]*: the peer authenticated as '$user'" "$WORK/lns.log" ||
    fail "no plugin report that the peer authenticated as $user"
done
[[ $(grep -c 'info ppp: session [0-9]*/[0-9]*: IP up on ppp[0-9]*: local 10.99.0.1, peer 10.99.0.1[01]$' \
  "$WORK/lns.log") == 2 ]] || fail "not two plugin reports of IP up"
[[ $(grep -cE 'info ppp: session [0-9]+/[0-9]+: IP down on ppp[0-9]+: local 10.99.0.1, peer 10.99.0.1[01]; [0-9]+ s up, [1-9][0-9]* bytes \([1-9][0-9]* packets\) in, [1-9][0-9]* bytes \([1-9][0-9]* packets\) out$' \
  "$WORK/lns.log") == 2 ]] || fail "not two plugin reports of IP down with link statistics"
grep -E 'info ppp: session [0-9]+/[0-9]+: (the peer|IP)' "$WORK/lns.log" | cut -d' ' -f2-
ok "the plugin reported both users, IP up and IP down with statistics"

wait_until 10 "four audit records" test "$(wc -l <"$WORK/audit.jsonl")" -ge 4
jq -se '[.[] | select(.event == "start") | .user] == ["alice", "bob"]
    and [.[] | select(.event == "stop") | .user] == ["alice", "bob"]
    and ([.[] | select(.user == "alice") | .address] | unique) == ["10.99.0.10"]
    and ([.[] | select(.user == "bob") | .address] | unique) == ["10.99.0.11"]' "$WORK/audit.jsonl" >/dev/null ||
  fail "audit records: $(cat "$WORK/audit.jsonl")"
ok "audit: start and stop records for alice and bob"

# ---- the secrets, as the client exchanged them ---------------------------------
hex_in() { sed -n "s/^$1 id=0x[0-9a-f]* <\([0-9a-f]*\)>.*/\1/p" "$WORK/mschap-pppd.log" | tail -n 1; }
challenge=$(hex_in 'rcvd \[CHAP Challenge')
response=$(hex_in 'sent \[CHAP Response')
authresp=$(sed -n 's/^rcvd \[CHAP Success id=0x[0-9a-f]* "S=\([0-9A-Fa-f]*\).*/\1/p' "$WORK/mschap-pppd.log" | tail -n 1)
# MS-CHAPv2 (RFC 2759): a 16-byte challenge; a 49-byte response: the peer
# challenge (16), 8 zero bytes, the NT response (24), flags (1); the
# authenticator response is 20 bytes.
[[ ${#challenge} == 32 && ${#response} == 98 && ${#authresp} == 40 ]] ||
  fail "unexpected MS-CHAPv2 values in the client's log: challenge '$challenge' response '$response' S='$authresp'"
peer_challenge=${response:0:32} nt_response=${response:48:48}
secrets=("$challenge" "$peer_challenge" "$nt_response" "$authresp" "$ALICE_PW" "$BOB_PW")
echo "MS-CHAPv2: challenge $challenge, peer challenge $peer_challenge, NT response $nt_response, S=$authresp"

# The capture works: the client's pppd (with debug) sent its trace to syslog.
grep -qi "$nt_response" "$WORK/syslog.txt" && grep -qF "$BOB_PW" "$WORK/syslog.txt" ||
  fail "the syslog capture does not have the client's trace (is it capturing?)"
# The LNS pppds' syslog lines: by their PIDs, from the daemon's log. (One
# datagram each, "<PRIORITY>DATE pppd[PID]: ...", captured without newlines.)
mapfile -t lns_pids < <(sed -n 's/.*session [0-9]*\/[0-9]*: pppd started (pid \([0-9]*\)).*/\1/p' "$WORK/lns.log")
[[ ${#lns_pids[@]} == 2 ]] || fail "the daemon's log names ${#lns_pids[@]} pppd PIDs, not 2"
sed 's/<[0-9]\{1,3\}>/\n&/g' "$WORK/syslog.txt" >"$WORK/syslog.log"
: >"$WORK/lns-syslog.txt"
for p in "${lns_pids[@]}"; do grep -a " pppd\[$p\]: " "$WORK/syslog.log" >>"$WORK/lns-syslog.txt"; done
[[ $(grep -c 'Plugin .*/l2tpsec-pppd.so loaded' "$WORK/lns-syslog.txt") == 2 ]] &&
  [[ $(grep -c 'remote IP address 10.99.0.1[01]' "$WORK/lns-syslog.txt") == 2 ]] &&
  grep -q 'PAP peer authentication succeeded for bob' "$WORK/lns-syslog.txt" ||
  fail "the LNS pppds' syslog lines are not there: $(head -c 2000 "$WORK/lns-syslog.txt")"
echo "LNS pppds: $(wc -l <"$WORK/lns-syslog.txt") syslog lines, daemon log $(wc -l <"$WORK/lns.log") lines"

for f in lns.log lns-syslog.txt audit.jsonl; do
  for s in "${secrets[@]}"; do
    grep -qiF -- "$s" "$WORK/$f" && fail "$f holds '$s': $(grep -iF -- "$s" "$WORK/$f" | head -n 3)"
  done
  grep -qE '(sent|rcvd) \[' "$WORK/$f" && fail "$f has packet trace lines: $(grep -E '(sent|rcvd) \[' "$WORK/$f" | head -n 3)"
done
ok "no challenge, response, authenticator response or password in the daemon's log, the LNS pppds' syslog or the audit"
echo PASS
