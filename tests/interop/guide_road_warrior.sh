#!/bin/bash
# l2tpsec(7) followed literally, in the lab VM: the Debian package installed;
# the guide's configuration copied from the installed examples with only its
# CHANGE lines set; the pre-shared key written as the guide writes it; the
# user added with `l2tpctl user add`; forwarding on; the installed nftables
# example loaded with its UPLINK set; l2tpsecd started with its defaults (the
# installed config, /run/l2tpsec/control); `l2tpctl doctor` green. Then a
# client set up as Windows 10/11 is (strongSwan with Windows' Main and Quick
# Mode proposals, xl2tpd from UDP 1701, pppd with MS-CHAPv2 only) connects
# from behind a NAT router and pings a host on the LAN BEHIND the server
# through the routed pool: the LAN host sees the pool address (the guide's
# firewall masquerades only to the uplink). `l2tpctl sessions` shows the
# session with counters that rise with the traffic, its interface and its
# rate; `l2tpctl metrics` (checked by promtool) and `status` count it.
#   usage: guide_road_warrior.sh DEB_DIR   (inside the lab VM; default
#   $L2TPSEC_DEB_DIR, which tools/test sets)
#
# Topology (interop_lib.sh): the client $NS_N (10.77.0.2) behind the NAT
# router $NS_R, whose public side 198.51.100.2 faces the server's uplink
# ($S_NAT_IP, 198.51.100.1, the address clients dial); the server's LAN side
# 192.0.2.1 faces the LAN host $NS_C (192.0.2.2), whose router (itself here)
# has the guide's route to the pool via the server.
set -uo pipefail
if [[ "${L2TPSEC_LAB:-}" != 1 ]]; then
  echo "SKIP: installs the package into the system; runs only inside the lab VM (tools/test)"
  exit 77
fi
debdir=${L2TPSEC_DEB_DIR:-${1:-}}
shift $#
[[ -n $debdir ]] || { echo "FAIL: no package directory (L2TPSEC_DEB_DIR or the argument)" >&2; exit 1; }
debs=("$debdir"/l2tpsec_*.deb)
[[ ${#debs[@]} == 1 && -f ${debs[0]} ]] || { echo "FAIL: not one l2tpsec_*.deb in $debdir" >&2; exit 1; }

# --- INSTALLING ----------------------------------------------------------------
# package_install checks the package itself; here it only has to be there
# (this test may run first). man-db's index update is skipped (slow in the VM).
if ! dpkg-query -W -f='${Status}' l2tpsec 2>/dev/null | grep -q '^install ok installed'; then
  rm -f /var/lib/man-db/auto-update
  apt_log=$(mktemp)
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$(realpath "${debs[0]}")" >"$apt_log" 2>&1 ||
    { tail -20 "$apt_log" >&2; echo "FAIL: apt-get install ${debs[0]}" >&2; exit 1; }
  rm -f "$apt_log"
fi

source "$(dirname "$0")/interop_lib.sh" /usr/sbin/l2tpsecd /usr/bin/l2tpctl
nat_router
ok "installed: $(dpkg-query -W -f='${Package} ${Version}' l2tpsec)"
EXAMPLES=/usr/share/doc/l2tpsec/examples
CONF=/etc/l2tpsec/l2tpsec.conf
# The VM is a throw-away overlay, but other tests of this run use the same
# /etc: put back what this test changes.
cp -a "$CONF" "$WORK/shipped.conf"
restore_etc() {
  cp -a "$WORK/shipped.conf" "$CONF" 2>/dev/null
  rm -f /etc/l2tpsec/psk /etc/l2tpsec/chap-secrets /etc/l2tpsec/l2tpsec.nft /etc/sysctl.d/90-l2tpsec.conf
}
trap 'restore_etc; interop_cleanup' EXIT

# --- THE CONFIGURATION -----------------------------------------------------------
# A fresh install has neither secret file; package_install, if it ran first,
# wrote both for the shipped config.
rm -f /etc/l2tpsec/psk /etc/l2tpsec/chap-secrets
cp "$EXAMPLES/road-warrior.conf" "$CONF" || fail "cp road-warrior.conf"
(umask 077; head -c 24 /dev/urandom | base64 >/etc/l2tpsec/psk)
PSK=$(cat /etc/l2tpsec/psk)
PASSWORD='alice password 0815'
printf '%s\n' "$PASSWORD" | /usr/bin/l2tpctl user add alice --password-stdin >"$WORK/user-add.out" 2>&1 ||
  fail "l2tpctl user add alice: $(cat "$WORK/user-add.out")"
[[ $(stat -c %a /etc/l2tpsec/chap-secrets) == 600 ]] || fail "chap-secrets is not mode 600"
ok "l2tpctl user add alice wrote /etc/l2tpsec/chap-secrets (mode 600)"
# The CHANGE lines: listen is the server's address on its uplink. The pool,
# local_address and dns stay as shipped (10.99.0.0/24 is free here).
sed -i "s|^listen = .*|listen = [\"$S_NAT_IP\"]|" "$CONF"
out=$(/usr/sbin/l2tpsecd --check 2>"$WORK/check.err") || fail "l2tpsecd --check: $(cat "$WORK/check.err")"
[[ $out == "$CONF: configuration is valid" ]] || fail "l2tpsecd --check said: $out"
ok "l2tpsecd --check: $out"

# --- ROUTING THE CLIENTS ---------------------------------------------------------
echo net.ipv4.ip_forward=1 >/etc/sysctl.d/90-l2tpsec.conf
# (sysctl --system, in the server's namespace, with only this file.)
ip netns exec "$NS_S" sysctl -q -p /etc/sysctl.d/90-l2tpsec.conf || fail "sysctl ip_forward"
# The LAN's router has the guide's route: the pool via the server's LAN address.
ip -n "$NS_C" route add 10.99.0.0/24 via "$S_IP" || fail "LAN route to the pool"
# The LAN host counts what reaches it from the pool (unmasqueraded).
ip netns exec "$NS_C" nft -f - <<'EOF' || fail "LAN host counter"
table ip lan {
  counter from_pool {}
  chain input {
    type filter hook input priority filter; policy accept;
    ip saddr 10.99.0.0/24 icmp type echo-request counter name from_pool
  }
}
EOF

# --- THE FIREWALL ----------------------------------------------------------------
cp "$EXAMPLES/l2tpsec.nft" /etc/l2tpsec/ || fail "cp l2tpsec.nft"
# The editor's part: UPLINK is the server's side towards the NAT router.
sed -i "s|^define UPLINK = .*|define UPLINK = \"vsr$$\"|" /etc/l2tpsec/l2tpsec.nft
grep -q "^define UPLINK = \"vsr$$\"" /etc/l2tpsec/l2tpsec.nft || fail "l2tpsec.nft has no UPLINK line to set"
ip netns exec "$NS_S" nft -f /etc/l2tpsec/l2tpsec.nft || fail "nft -f /etc/l2tpsec/l2tpsec.nft"
ok "forwarding on, l2tpsec.nft loaded with UPLINK vsr$$"

# --- STARTING (systemctl's part by hand: the VM has no systemd) --------------------
ip netns exec "$NS_S" /usr/sbin/l2tpsecd 2>"$WORK/server.log" &
SERVER_PID=$!
PIDS+=($SERVER_PID)
wait_until 30 "l2tpsecd: /run/l2tpsec/control" test -S /run/l2tpsec/control
kill -0 $SERVER_PID 2>/dev/null || fail "l2tpsecd exited at start"
gctl() { /usr/bin/l2tpctl -t 20000 "$@"; }
ip netns exec "$NS_S" /usr/bin/l2tpctl doctor >"$WORK/doctor.txt" 2>&1
rc=$?
cat "$WORK/doctor.txt"
[[ $rc == 0 ]] || fail "l2tpctl doctor exited $rc"
doctor=$(ip netns exec "$NS_S" /usr/bin/l2tpctl --json doctor) || fail "l2tpctl --json doctor"
jq -e '.summary.fatal == 0 and .summary.warn == 0 and .summary.skipped == 0' <<<"$doctor" >/dev/null ||
  fail "doctor is not green: $(jq -c '[.findings[] | select(.status != "ok" and .status != "info")]' <<<"$doctor")"
for c in ip_forward firewall listen; do
  jq -e --arg c "$c" '[.findings[] | select(.check == $c and .status == "ok")] | length == 1' <<<"$doctor" \
    >/dev/null || fail "doctor: no ok finding for $c"
done
jq -e --arg p $SERVER_PID '[.findings[] | select(.check == "daemon" and (.why | contains("pid " + $p + ",")))]
  | length == 1' <<<"$doctor" >/dev/null || fail "doctor does not see the running daemon (pid $SERVER_PID)"
ok "l2tpctl doctor: green ($(jq -c .summary <<<"$doctor"))"
gctl status || fail "l2tpctl status"

# --- THE CLIENTS: Windows 10/11 --------------------------------------------------
# Main Mode proposals as Windows 10/11 sends them (l2tpsec's research notes,
# from NetworkManager-l2tp's survey), Quick Mode's three, lifetimes 8 h / 1 h,
# no PFS; transport mode on UDP 1701 at both ends.
cat >"$WORK/swanctl.conf" <<EOF
connections {
  windows {
    version = 1
    local_addrs = $N_IP
    remote_addrs = $S_NAT_IP
    proposals = aes256-sha1-ecp384,aes128-sha1-ecp256,aes256-sha1-modp2048,aes256-sha1-modp1024,aes128-sha1-modp1024,3des-sha1-modp2048,3des-sha1-modp1024
    rekey_time = 8h
    local {
      auth = psk
    }
    remote {
      auth = psk
    }
    children {
      l2tp {
        mode = transport
        local_ts = dynamic[udp/1701]
        remote_ts = dynamic[udp/1701]
        esp_proposals = aes256-sha1,aes128-sha1,3des-sha1
        rekey_time = 1h
      }
    }
  }
}
secrets {
  ike-windows {
    secret = "$PSK"
  }
}
EOF
start_charon charon "$NS_N" "$WORK/swanctl.conf"
swan charon --initiate --child l2tp --timeout 60 >"$WORK/swanctl-initiate.log" 2>&1 ||
  fail "swanctl --initiate: $(tail -5 "$WORK/swanctl-initiate.log")"
ok "client: IKEv1 Main Mode + Quick Mode through the NAT"
# (pppd reads the options file in words: the password with blanks is quoted.)
client_ppp_options vpn alice "\"$PASSWORD\""
# (xl2tpd from 1701 on the client's own address, as Windows sends it.)
C_IP=$N_IP S_IP=$S_NAT_IP xl2tpd_client_conf vpn
start_xl2tpd xl2tpd "$NS_N" "$WORK/xl2tpd.conf"
xl2tpd_ctl xl2tpd "c vpn"
client_addr() { ip -n "$NS_N" -4 -o addr show 2>/dev/null | sed -n 's|.* inet \(10\.99\.0\.[0-9]*\) peer 10\.99\.0\.1/32 .*|\1|p'; }
client_up() { [[ -n "$(client_addr)" ]]; }
wait_until 120 "PPP up at the client (peer 10.99.0.1)" client_up
addr=$(client_addr)
ok "client: alice authenticated with MS-CHAPv2, pool address $addr"

# --- Traffic to the LAN behind the server ------------------------------------------
ip -n "$NS_N" route add 192.0.2.0/24 dev "$(ip -n "$NS_N" -o link show type ppp | awk -F': ' '{print $2; exit}')" ||
  fail "client route to the LAN"
sessions_json() { gctl sessions --json; }
sj=$(sessions_json) || fail "l2tpctl sessions"
jq -e --arg a "$addr" '.sessions | length == 1 and .[0].user == "alice" and .[0].address == $a
                       and .[0].state == "established"' <<<"$sj" >/dev/null || fail "sessions: $sj"
rx0=$(jq '.sessions[0].rx_bytes' <<<"$sj") tx0=$(jq '.sessions[0].tx_bytes' <<<"$sj")
ip netns exec "$NS_N" ping -c 20 -s 1000 -i 0.2 -W 3 -w 60 192.0.2.2 >"$WORK/ping.log" ||
  fail "ping from the client to the LAN host 192.0.2.2: $(tail -3 "$WORK/ping.log")"
seen=$(ip netns exec "$NS_C" nft -j list counter ip lan from_pool | jq '.nftables[1].counter.packets')
((seen >= 20)) || fail "the LAN host saw $seen pings from the pool (masqueraded?)"
ok "client pings the LAN host 192.0.2.2 behind the server; it sees $seen from the pool, not masqueraded"
sj=$(sessions_json) || fail "l2tpctl sessions"
rx1=$(jq '.sessions[0].rx_bytes' <<<"$sj") tx1=$(jq '.sessions[0].tx_bytes' <<<"$sj")
((rx1 >= rx0 + 20000 && tx1 >= tx0 + 20000)) ||
  fail "session counters did not rise with 20 x 1000 bytes: rx $rx0 -> $rx1, tx $tx0 -> $tx1"
ok "l2tpctl sessions: rx $rx0 -> $rx1, tx $tx0 -> $tx1 bytes"
# Its rate: the daemon samples the kernel's counters every 5 s, so the flood
# runs while the rate is read.
rated() { gctl sessions --json | jq -e '.sessions[0].rx_rate > 0 and .sessions[0].tx_rate > 0'; }
ip netns exec "$NS_N" ping -f -s 1000 -w 15 192.0.2.2 >"$WORK/ping-flood.log" 2>&1 &
flood=$!
wait_until 15 "a non-zero rate both ways while the client floods the LAN host" rated
sj=$(sessions_json)
wait "$flood" || true
jq -e '.sessions[0].interface | test("^ppp[0-9]+$")' <<<"$sj" >/dev/null || fail "no interface: $sj"
ok "l2tpctl sessions: $(jq -c '.sessions[0] | {interface, rx_rate, tx_rate, peer}' <<<"$sj")"
# The same numbers for Prometheus (promtool from Debian's prometheus package).
gctl metrics >"$WORK/metrics.prom" || fail "l2tpctl metrics"
if command -v promtool >/dev/null; then
  promtool check metrics <"$WORK/metrics.prom" || fail "promtool check metrics"
fi
grep -qx 'l2tpsec_sessions 1' "$WORK/metrics.prom" || fail "metrics: $(grep l2tpsec_sessions "$WORK/metrics.prom")"
[[ $(gctl status --json | jq '.sessions') == 1 ]] || fail "status does not count the session"
ok "l2tpctl metrics and status count the session"
echo
gctl status
echo
gctl sessions
echo
gctl show alice
echo PASS
