#!/bin/bash
# A server behind a 1:1 NAT, as cloud servers are, and an emulated Windows
# client (ike_ms_probe.py: Windows' vendor IDs and proposal, NAT-D read as
# Windows reads it) that dials the public address. The lab's server
# namespace is the NAT router here: 203.0.113.1 (its public address, routed
# to it by the client) is DNATed to the server's private 10.88.0.2 in a
# namespace behind it, and the server's packets are SNATed back. Checked:
# with [ike] conceal_server_nat = true the Windows client finds the server
# not NATed (Windows proceeds) and itself NATed, floats to 4500, completes
# Main Mode and Quick Mode (UDP-encapsulated transport), and an L2TP client
# (l2tp_emulated_client.py) opens a tunnel and a session over the ESP SAs
# the probe installed, with no warning in the server's log;
# a client without Microsoft's vendor IDs gets the standard answer (the
# server NATed) and completes Main Mode too; with the key off, the Windows
# client finds the server NATed (Windows refuses: error 809) and the
# server's log names it in one warning.
#   usage: server_behind_nat.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

PROBE=$(dirname "$0")/ike_ms_probe.py
EMULATOR=$(dirname "$0")/l2tp_emulated_client.py
PUBLIC_IP=203.0.113.1 PRIV_IP=10.88.0.2

# The server's private namespace behind $NS_S ($NS_N: the library's cleanup
# ends and removes it).
NS_N=ipriv-$$
ip netns add "$NS_N" || fail "ip netns add $NS_N"
ip link add "vsp$$" netns "$NS_S" type veth peer name "vps$$" netns "$NS_N" || fail "cannot create the private veth"
ip -n "$NS_S" addr add 10.88.0.1/24 dev "vsp$$" && ip -n "$NS_N" addr add "$PRIV_IP/24" dev "vps$$" ||
  fail "cannot address the private veth"
ip -n "$NS_N" link set lo up && ip -n "$NS_S" link set "vsp$$" up && ip -n "$NS_N" link set "vps$$" up ||
  fail "cannot bring the private veth up"
ip -n "$NS_N" route add default via 10.88.0.1 || fail "no default route for the server"
ip -n "$NS_C" route add 203.0.113.0/24 via "$S_IP" || fail "no route to the public address"
ip netns exec "$NS_S" sysctl -qw net.ipv4.ip_forward=1 || fail "cannot enable forwarding in $NS_S"
ip netns exec "$NS_S" nft -f - <<EOF || fail "cannot set up the 1:1 NAT in $NS_S"
table ip nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr $PUBLIC_IP dnat to $PRIV_IP
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr $PRIV_IP snat to $PUBLIC_IP
  }
}
EOF

secret_file "$WORK/psk" 'interop pre-shared key 4711'
ppp_alice
write_lns_conf "$WORK/lns.conf" ipsec=required listen="$PRIV_IP"
sed 's/^psk_file = .*/&\nconceal_server_nat = true/' "$WORK/lns.conf" >"$WORK/conceal.conf"
grep -q '^conceal_server_nat = true' "$WORK/conceal.conf" || fail "no [ike] table to add conceal_server_nat to"

probe() { ip netns exec "$NS_C" python3 "$PROBE" "$C_IP" "$PUBLIC_IP" "$WORK/psk" --timeout 30 "$@"; }
warning="a Microsoft client sees this server behind a NAT and refuses it (Windows error 809)"

start_l2tpsecd lns "$NS_N" "$WORK/conceal.conf"
ok "l2tpsecd on $PRIV_IP behind a 1:1 NAT as $PUBLIC_IP, conceal_server_nat = true"

# Quick Mode after the concealed Main Mode, then L2TP over the ESP SAs: the
# probe runs the L2TP client while it keeps UDP 4500 open for ESP-in-UDP.
probe --quick-mode -- python3 "$EMULATOR" "$C_IP" "$PUBLIC_IP" --host DESKTOP-L2TPSEC --vendor Microsoft --firmware 0x0600 \
  --hold 5 >"$WORK/probe-conceal.log" 2>&1 &
probe_pid=$!
PIDS+=("$probe_pid")
wait_until 60 "an L2TP session over the probe's SAs" grep -q '^up ' "$WORK/probe-conceal.log"
sessions=$(ctl lns sessions --json) || fail "l2tpctl sessions"
jq -e '.sessions | length == 1 and .[0].client == "Windows 10/11" and .[0].fingerprint.phase2 == "aes256-sha1 pfs none"' \
  <<<"$sessions" >/dev/null || fail "the server's session over the concealed NAT: $sessions"
# The server's SAs: ESP in UDP 4500 both ways, to the client's address.
xfrm=$(ip -n "$NS_N" xfrm state) || fail "ip xfrm state in $NS_N"
[[ $(grep -c 'encap type espinudp sport 4500 dport 4500' <<<"$xfrm") == 2 ]] ||
  fail "the server's SAs are not ESP in UDP 4500: $xfrm"
wait "$probe_pid" || fail "Windows-like probe: $(cat "$WORK/probe-conceal.log")"
out=$(cat "$WORK/probe-conceal.log")
grep -qx 'server-natd direct' <<<"$out" && grep -qx 'client-natd natted' <<<"$out" &&
  grep -qx 'floated 4500' <<<"$out" && grep -qx 'main-mode-6 verified' <<<"$out" &&
  grep -qx 'quick-mode done 4' <<<"$out" || fail "Windows-like probe with conceal_server_nat: $out"
grep -q "our NAT concealed from a Microsoft client" "$WORK/lns.log" || fail "no concealment logged"
grep -q "$warning" "$WORK/lns.log" && fail "a warning although conceal_server_nat is on"
ok "Windows-like client: the server is not NATed (Windows proceeds), Main Mode and Quick Mode (UDP-encapsulated transport) complete, and an L2TP session runs over their ESP"

out=$(probe --other) || fail "probe without Microsoft's vendor IDs: $out"
printf '%s\n' "$out" >"$WORK/probe-other.log"
grep -qx 'server-natd natted' <<<"$out" && grep -qx 'client-natd direct' <<<"$out" &&
  grep -qx 'main-mode-6 verified' <<<"$out" || fail "probe without Microsoft's vendor IDs: $out"
[[ $(grep -c "our NAT concealed" "$WORK/lns.log") == 1 ]] || fail "concealed from a client without the vendor IDs"
ok "a client without Microsoft's vendor IDs gets RFC 3947's answer: the server is NATed"
stop_l2tpsecd lns

start_l2tpsecd lns "$NS_N" "$WORK/lns.conf"
out=$(probe) || fail "Windows-like probe, conceal_server_nat off: $out"
printf '%s\n' "$out" >"$WORK/probe-off.log"
grep -qx 'server-natd natted' <<<"$out" && grep -qx 'verdict refused-809' <<<"$out" ||
  fail "Windows-like probe with conceal_server_nat off: $out"
wait_until 10 "the server's warning" grep -q "warn ike: peer $C_IP:500: $warning" "$WORK/lns.log"
[[ $(grep -c "$warning" "$WORK/lns.log") == 1 ]] || fail "not one warning: $(grep "$warning" "$WORK/lns.log")"
ok "conceal_server_nat off: Windows would refuse (809), and the server's log names the client"
