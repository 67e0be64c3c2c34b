#!/bin/bash
# The client kind and fingerprint `l2tpctl sessions --json` shows for
# emulated stock clients: charon protects the L2TP flow as every client's
# IKE does, and l2tp_emulated_client.py opens a tunnel and a session with
# the SCCRQ AVPs that client sends (research: Windows' Vendor Name
# "Microsoft", Firmware Revision 0x0600; Android's mtpd the Host Name
# "anonymous" and no Vendor Name; Apple's L2TP plugin only the AVPs RFC 2661
# requires, with the device's Host Name, from an ephemeral port, which its
# Quick Mode names). Its IKE vendor IDs and proposals are charon's: only
# the L2TP side is emulated.
#   usage: client_kinds.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

EMULATOR=$(dirname "$0")/l2tp_emulated_client.py
ppp_alice
psk='client kinds psk 4711'
secret_file "$WORK/psk" "$psk"
write_lns_conf "$WORK/lns.conf" ipsec=required
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"
charon_psk_conf "$WORK/swanctl.conf" me="$C_IP" peer="$S_IP"
start_charon charon "$NS_C" "$WORK/swanctl.conf"
swan charon --initiate --child l2tp --timeout 60 >"$WORK/swanctl-initiate.log" 2>&1 ||
  fail "swanctl --initiate: $(tail -5 "$WORK/swanctl-initiate.log")"
ok "l2tpsecd LNS on $S_IP (ipsec required), charon's SA pair up"

is_up() { grep -q '^up ' "$WORK/$1-emulator.log"; }
# emulate NAME KIND JQ-CHECK EMULATOR-ARGS...: the session's client and fingerprint.
emulate() {
  local name=$1 kind=$2 check=$3 pid sessions tunnel
  shift 3
  ip netns exec "$NS_C" python3 "$EMULATOR" "$C_IP" "$S_IP" --hold 10 "$@" >"$WORK/$name-emulator.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_until 30 "the $name emulation's session" is_up "$name"
  tunnel=$(awk '/^up / { print $2 }' "$WORK/$name-emulator.log")
  sessions=$(ctl lns sessions --json) || fail "l2tpctl sessions"
  jq -e --arg k "$kind" --argjson t "$tunnel" '[.sessions[] | select(.tunnel == $t)] | length == 1 and
       (.[0] | .client == $k and .fingerprint.phase1 == "aes256-sha1-modp2048" and
        .fingerprint.phase2 == "aes256-sha1 pfs none" and (.fingerprint | '"$check"'))' <<<"$sessions" \
    >/dev/null || fail "$name: sessions: $sessions"
  ok "$name: client $kind, fingerprint $(jq -c --argjson t "$tunnel" \
    '.sessions[] | select(.tunnel == $t) | .fingerprint' <<<"$sessions")"
  # It ends with a StopCCN after --hold; the next one takes its port once
  # the server's tunnel has lingered its 31 s (RFC 2661 section 5.7).
  wait "$pid" || fail "the $name emulation: $(cat "$WORK/$name-emulator.log")"
  wait_until 60 "the $name tunnel gone" no_tunnel lns
}

emulate windows "Windows 10/11" '.host_name == "DESKTOP-L2TPSEC" and .vendor_name == "Microsoft" and .firmware_revision == 1536 and .l2tp_port == 1701' \
  --host DESKTOP-L2TPSEC --vendor Microsoft --firmware 0x0600
emulate android Android '.host_name == "anonymous" and .vendor_name == "" and (has("firmware_revision") | not)' \
  --host anonymous

# Apple's: charon protects the flow from the client's own port this time.
stop_charon charon
charon_psk_conf "$WORK/swanctl-apple.conf" me="$C_IP" peer="$S_IP" l2tp_port=54201
start_charon charon-apple "$NS_C" "$WORK/swanctl-apple.conf"
swan charon-apple --initiate --child l2tp --timeout 60 >"$WORK/swanctl-initiate-apple.log" 2>&1 ||
  fail "swanctl --initiate (port 54201): $(tail -5 "$WORK/swanctl-initiate-apple.log")"
emulate apple macOS/iOS '.host_name == "Alices-MacBook-Air" and .vendor_name == "" and .l2tp_port == 54201 and
  (has("firmware_revision") | not)' --host Alices-MacBook-Air --port 54201
echo PASS
