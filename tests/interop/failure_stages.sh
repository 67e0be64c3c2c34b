#!/bin/bash
# Failed connections classified by stage (l2tpsecd(8), SESSION AUDIT): the
# Linux client stack (strongSwan's charon, xl2tpd, pppd with MS-CHAPv2)
# fails three ways against an l2tpsecd LNS that requires IPsec: a wrong
# pre-shared key, an ESP proposal the server does not take (aes256-md5) and
# a wrong PPP password. Each gives one warning line naming the stage reached,
# the client's proposals where they matter and the error Windows would show
# (789, 789, 691), one "failed" audit record with the same stage and reason,
# and its own reason in l2tpsec_setup_failures_total. Then the right
# password connects, and `l2tpctl sessions --json` shows the client as
# "strongSwan/xl2tpd" with its fingerprint (xl2tpd's SCCRQ, charon's offers).
#   usage: failure_stages.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

ppp_alice
right_psk='failure stages psk 4711 right'
secret_file "$WORK/psk" "$right_psk"
write_lns_conf "$WORK/lns.conf" ipsec=required server="audit_log = \"$WORK/audit.jsonl\""
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"

# charon gives up on an unanswered message after 3 + 3 s (a wrong key leaves
# its Main Mode 5 unanswered).
export CHARON_EXTRA="retransmit_tries = 1
  retransmit_timeout = 3
  retransmit_base = 1"
psk='failure stages psk 4711 WRONG' charon_psk_conf "$WORK/swanctl-wrong-psk.conf" me="$C_IP" peer="$S_IP"
psk=$right_psk charon_psk_conf "$WORK/swanctl-md5.conf" me="$C_IP" peer="$S_IP" esp=aes256-md5
psk=$right_psk charon_psk_conf "$WORK/swanctl-right.conf" me="$C_IP" peer="$S_IP"
start_charon charon "$NS_C" "$WORK/swanctl-wrong-psk.conf"
ok "l2tpsecd LNS on $S_IP (ipsec required, audit log), charon on $C_IP"

has_record() { jq -e --arg r "$1" 'select(.event == "failed" and .reason == $r)' "$WORK/audit.jsonl"; }
# check_failure STAGE REASON WINDOWS_ERROR LINE: the log line, the audit
# record and the counter of one failure.
check_failure() {
  local stage=$1 reason=$2 error=$3 line=$4 rec
  wait_until 30 "the audit record of $reason" has_record "$reason"
  grep -qF -- "$line" "$WORK/lns.log" ||
    fail "no line \"$line\" in the log: $(grep -e 'shows error' "$WORK/lns.log")"
  [[ $(grep -cF 'shows error' "$WORK/lns.log") == "$FAILURES" ]] ||
    fail "expected $FAILURES failure lines: $(grep -e 'shows error' "$WORK/lns.log")"
  rec=$(jq -c --arg r "$reason" 'select(.event == "failed" and .reason == $r)' "$WORK/audit.jsonl")
  jq -e --arg s "$stage" --arg p "$C_IP" --argjson e "$error" \
    '.stage == $s and .peer == $p and .windows_error == $e and (.reached | length > 0)' <<<"$rec" >/dev/null ||
    fail "the audit record: $rec"
  ctl lns metrics | grep -qxF "l2tpsec_setup_failures_total{stage=\"$stage\",reason=\"$reason\"} 1" ||
    fail "metrics: $(ctl lns metrics | grep setup_failures)"
  ok "$reason: \"$(grep -oF -- "$line" "$WORK/lns.log")\", audit record, metric"
}

# ---- a wrong pre-shared key ------------------------------------------------------
swan charon --initiate --child l2tp --timeout 20 >"$WORK/swanctl-wrong-psk.log" 2>&1 &&
  fail "the wrong key connected"
FAILURES=1 check_failure ike authentication 789 \
  "peer $C_IP: Main Mode proposal ok, authentication failed: pre-shared key mismatch or certificate refused [Main Mode 5: pre-shared key mismatch?] (client offered aes256-sha1-modp2048); Windows shows error 789"

# ---- no common ESP proposal -------------------------------------------------------
swan charon --load-all --file "$WORK/swanctl-md5.conf" >"$WORK/charon-load-md5.log" 2>&1 ||
  fail "swanctl --load-all (aes256-md5)"
swan charon --initiate --child l2tp --timeout 30 >"$WORK/swanctl-md5.log" 2>&1 &&
  fail "an ESP proposal of aes256-md5 was taken"
FAILURES=2 check_failure ike quick-mode-no-proposal 789 \
  "peer $C_IP: Main Mode ok, Quick Mode refused: no proposal matched (client offered aes256-md5 pfs none); Windows shows error 789"
jq -e 'select(.reason == "quick-mode-no-proposal") | .offered == "aes256-md5 pfs none"' "$WORK/audit.jsonl" \
  >/dev/null || fail "the record's offer: $(cat "$WORK/audit.jsonl")"

# ---- a wrong PPP password ---------------------------------------------------------
swan charon --terminate --ike l2tp >/dev/null 2>&1 || true
swan charon --load-all --file "$WORK/swanctl-right.conf" >"$WORK/charon-load-right.log" 2>&1 ||
  fail "swanctl --load-all (right settings)"
swan charon --initiate --child l2tp --timeout 60 >"$WORK/swanctl-right.log" 2>&1 ||
  fail "swanctl --initiate (right settings): $(tail -5 "$WORK/swanctl-right.log")"
wait_until 20 "the LNS's IPsec SA pair" child_up lns
client_ppp_options vpn alice not-alices-password-4711
xl2tpd_client_conf vpn
start_xl2tpd xl2tpd "$NS_C" "$WORK/xl2tpd.conf"
xl2tpd_ctl xl2tpd "c vpn"
FAILURES=3 check_failure ppp peer-auth-failed 691 \
  "peer $C_IP (strongSwan/xl2tpd): IPsec and L2TP ok, PPP authentication failed: wrong user name or password; Windows shows error 691"

# ---- the right password: the client's kind and fingerprint ------------------------
# A new xl2tpd (this one holds its LAC "active" until its tunnel is gone).
stop_pid "${XL2TPD_PID[xl2tpd]}" xl2tpd
# (xl2tpd closed the tunnel; the server lingers 31 s, RFC 2661 section 5.7.)
wait_until 60 "the failed call's tunnel gone" no_tunnel lns
client_ppp_options vpn alice alice-pw-4711
start_xl2tpd xl2tpd2 "$NS_C" "$WORK/xl2tpd.conf"
xl2tpd_ctl xl2tpd2 "c vpn"
# (Its address may be the pool's next: the failed session's lease may not
# be back yet.)
link_up() { ctl lns sessions --json | jq -e '.sessions[] | select(.user == "alice" and .interface != null)'; }
wait_until 120 "PPP up for alice" link_up
sessions=$(ctl lns sessions --json) || fail "l2tpctl sessions"
jq -e '.sessions[] | select(.user == "alice") | .client == "strongSwan/xl2tpd" and .fingerprint.vendor_name == "xelerance.com"
       and .fingerprint.phase1 == "aes256-sha1-modp2048" and .fingerprint.phase2 == "aes256-sha1 pfs none"
       and (.fingerprint.vendor_ids | length > 0)' <<<"$sessions" >/dev/null || fail "sessions: $sessions"
text=$(ctl lns sessions) || fail "l2tpctl sessions"
grep -qF 'strongSwan/xl2tpd' <<<"$text" || fail "l2tpctl sessions: $text"
show=$(ctl lns show alice) || fail "l2tpctl show alice"
grep -qF 'phase 2 aes256-sha1 pfs none' <<<"$show" || fail "l2tpctl show alice: $show"
ok "connected: client strongSwan/xl2tpd, fingerprint $(jq -c '.sessions[0].fingerprint' <<<"$sessions")"
[[ $(grep -cF 'shows error' "$WORK/lns.log") == 3 ]] || fail "a failure line for the connection that worked"
echo PASS
