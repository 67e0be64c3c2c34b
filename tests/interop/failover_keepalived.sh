#!/bin/bash
# Active/standby failover with keepalived, as the SHIPPED examples/keepalived
# sets it up: servers A and B on one L2 segment (a bridge in its own
# namespace), each running l2tpsecd with the example's l2tpsec.conf (listen
# on the virtual address 192.0.2.1 only) and keepalived with the example's
# keepalived-a.conf / keepalived-b.conf (VRRP, nopreempt, a health check that
# runs `l2tpctl status`). Both daemons start before any interface has the
# virtual address (IP_FREEBIND). An l2tpsecd LAC (IPsec required, DPD every
# 2 s, dead after 6 s) dials the virtual address on its own (autoconnect).
# Checked: it comes up on A and pings through; A's l2tpsecd SIGKILLed: A's
# health check fails, the address moves to B (measured), and the LAC finds
# the dead peer and reconnects to B without being told (measured), replies
# coming from the virtual address; A's daemon restarted: A stays backup and
# the session on B is untouched; B's link taken down: the address moves back
# to A and the LAC reconnects there.
#   usage: failover_keepalived.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"
command -v keepalived >/dev/null || fail "keepalived is not installed (run tools/setup)"
EXAMPLE=$(dirname "$0")/../../examples/keepalived
for f in keepalived-a.conf keepalived-b.conf l2tpsec-check l2tpsec.conf; do
  [[ -f $EXAMPLE/$f ]] || fail "no $EXAMPLE/$f"
done

# The segment: a bridge in $NS_BR; A ($NS_S, 192.0.2.11), B ($NS_B,
# 192.0.2.12) and the client ($NS_C, $C_IP) each on a port. The virtual
# address is $S_IP (192.0.2.1), on no interface yet.
VIP=$S_IP A_IP=192.0.2.11 B_IP=192.0.2.12
NS_B=ifob-$$ NS_BR=ifobr-$$
ip netns add "$NS_B" && EXTRA_NS+=("$NS_B") && ip netns add "$NS_BR" && EXTRA_NS+=("$NS_BR") || fail "ip netns add"
ip -n "$NS_S" link del "vs$$" || fail "cannot remove interop_lib's veth pair"
ip -n "$NS_BR" link add br0 type bridge && ip -n "$NS_BR" link set br0 up || fail "cannot create the bridge"
for l in "$NS_S fa$$ pa$$ $A_IP" "$NS_B fb$$ pb$$ $B_IP" "$NS_C fc$$ pc$$ $C_IP"; do
  read -r ns dev port addr <<<"$l"
  ip link add "$dev" netns "$ns" type veth peer name "$port" netns "$NS_BR" &&
    ip -n "$NS_BR" link set "$port" master br0 && ip -n "$NS_BR" link set "$port" up &&
    ip -n "$ns" addr add "$addr/24" dev "$dev" && ip -n "$ns" link set "$dev" up &&
    ip -n "$ns" link set lo up || fail "cannot attach $ns to the bridge"
done
A_DEV=fa$$ B_DEV=fb$$

# The kernel's first AES-GCM SA loads and self-tests its modules: 13 s in an
# idle emulated VM, up to 50 s beside another test, which stalls both
# daemons at the first Quick Mode past its retransmissions. Once, here.
ip -n "$NS_C" xfrm state add src "$C_IP" dst "$VIP" proto esp spi 0x4c32fffe mode transport \
  aead 'rfc4106(gcm(aes))' "0x$(printf '%040x' 1)" 128 &&
  ip -n "$NS_C" xfrm state delete src "$C_IP" dst "$VIP" proto esp spi 0x4c32fffe ||
  fail "the kernel cannot add an AES-GCM SA"

# Both servers: the example's l2tpsec.conf, with the test's files.
ppp_alice
secret_file "$WORK/psk" 'failover interop psk 4711'
server_conf() {
  sed -e "s|/var/log/l2tpsec/audit.jsonl|$WORK/audit-$1.jsonl|" -e "s|/etc/l2tpsec/psk|$WORK/psk|" \
    -e "s|/etc/l2tpsec/chap-secrets|$WORK/chap-secrets|" "$EXAMPLE/l2tpsec.conf"
  # (The last table is [ppp].)
  echo 'options = ["lcp-echo-interval 0", "noccp", "noipv6"]'
}
server_conf a >"$WORK/srva.conf"
server_conf b >"$WORK/srvb.conf"
grep -q "^listen = \[\"$VIP\"\]" "$WORK/srva.conf" || fail "the example's l2tpsec.conf does not listen on $VIP"
start_l2tpsecd srva "$NS_S" "$WORK/srva.conf"
start_l2tpsecd srvb "$NS_B" "$WORK/srvb.conf"
for s in srva srvb; do
  grep -q "no local interface has $VIP; it is bound anyway" "$WORK/$s.log" ||
    fail "$s did not start without $VIP (no IP_FREEBIND warning in its log)"
done
ok "l2tpsecd on A and B, both listening on $VIP before any interface has it"

# keepalived: the example's files, the interface and the health check's
# l2tpctl and control socket the test's; the check every 3 s with 20 s to
# answer (the emulated VM runs l2tpctl in seconds, not milliseconds, and a
# check that times out would take a healthy server out). Its own /run (pid
# files).
cp "$EXAMPLE/l2tpsec-check" "$WORK/l2tpsec-check" && sed -i "s|^l2tpctl |$CTL |" "$WORK/l2tpsec-check" &&
  chmod 755 "$WORK/l2tpsec-check" || fail "cannot copy the health check"
grep -q "^$CTL " "$WORK/l2tpsec-check" || fail "the health check does not run l2tpctl"
start_keepalived() {
  local name=$1 ns=$2 dev=$3 example=$4
  sed -e "s|/etc/keepalived/l2tpsec-check|$WORK/l2tpsec-check $WORK/srv$name.sock|" -e "s/eth0/$dev/g" \
    -e 's/^\tinterval 2$/\tinterval 3/' -e 's/^\ttimeout 5$/\ttimeout 20/' "$EXAMPLE/$example" >"$WORK/ka$name.conf"
  grep -q '^	timeout 20$' "$WORK/ka$name.conf" || fail "the example's health check has no timeout 5"
  ip netns exec "$ns" unshare --mount --propagation private -- sh -c 'mount -t tmpfs tmpfs /run && exec "$@"' \
    sh keepalived --dont-fork --log-console --no-syslog --log-detail --vrrp -f "$WORK/ka$name.conf" \
    >"$WORK/ka$name.log" 2>&1 &
  PIDS+=($!)
}
has_vip() { ip -n "$1" -4 -o addr show | grep -q " inet $VIP/24 "; }
state_lines() { grep -c "(l2tpsec) Entering $2 STATE" "$WORK/ka$1.log"; }
# in_state NAME STATE N: keepalived NAME has entered STATE more than N times.
in_state() { [[ $(state_lines "$1" "$2") -gt $3 ]]; }
start_keepalived a "$NS_S" "$A_DEV" keepalived-a.conf
wait_until 30 "A to become VRRP master" has_vip "$NS_S"
start_keepalived b "$NS_B" "$B_DEV" keepalived-b.conf
wait_until 30 "B to become VRRP backup" in_state b BACKUP 0
has_vip "$NS_B" && fail "B took $VIP while A is master"
grep -q 'chk_l2tpsec' "$WORK/kaa.log" || fail "keepalived on A does not run the health check"
grep -q 'Disabling track script' "$WORK/kaa.log" "$WORK/kab.log" && fail "keepalived disabled the health check"
ok "keepalived: A master with $VIP, B backup"

# The client: DPD every 2 s, dead after 6 s (L2TP's HELLO, after 60 s of
# silence, comes later); a closing tunnel gives up on its StopCCN after two
# retransmissions.
secret_file "$WORK/alice.pass" alice-pw-4711
cat >"$WORK/lac.conf" <<EOF
[server]
listen = ["$C_IP"]
[ike]
dpd_interval = "2s"
dpd_timeout = "6s"
[l2tp]
ipsec = "required"
retries = 2
$PPP_LAC
[[lac]]
name = "office"
server = "$VIP"
user = "alice"
password_file = "$WORK/alice.pass"
psk_file = "$WORK/psk"
autoconnect = true
EOF
start_l2tpsecd lac "$NS_C" "$WORK/lac.conf"
established() { [[ $(ctl "$1" sessions --json | jq '[.sessions[] | select(.state == "established")] | length') == 1 ]]; }
up_on() {
  wait_until "$2" "the client's session on $1" established "srv$1"
  wait_until 30 "ppp up on the client" ppp_up "$NS_C" 10.99.0.10 10.99.0.1
  ip netns exec "$NS_C" ping -c 3 -i 0.3 -W 3 -w 30 10.99.0.1 >/dev/null || fail "no ping through the tunnel to $1"
  # The LAC's SAs and tunnel are with the virtual address: the server
  # answered from it.
  ctl lac sas --json | jq -e --arg v "$VIP" '.isakmp[0].peer | startswith($v + ":")' >/dev/null ||
    fail "the client's ISAKMP SA is not with $VIP: $(ctl lac sas --json)"
}
up_on a 120
ok "the client is up on A through $VIP and pings"

since() { awk -v t="$(date +%s.%N)" -v t0="$1" 'BEGIN { printf "%.1f", t - t0 }'; }

# 1. A's l2tpsecd killed: its health check fails twice, A gives the address
# up, B takes it; the client's DPD finds the dead peer and it dials again.
t0=$(date +%s.%N)
kill -KILL "${DAEMON_PID[srva]}"
wait_until 30 "$VIP to move to B" has_vip "$NS_B"
vip_moved=$(since "$t0")
has_vip "$NS_S" && fail "$VIP on both A and B"
[[ $(state_lines a FAULT) -ge 1 ]] || fail "A's keepalived did not enter FAULT"
up_on b 90
recovered=$(since "$t0")
ok "A's l2tpsecd killed: $VIP on B after ${vip_moved}s, the client up on B and pinging after ${recovered}s"
grep -E 'dead peer|reconnecting in' "$WORK/lac.log" | tail -n 3

# 2. A's daemon back: healthy again, A stays backup (nopreempt); the client
# stays on B.
cp "$WORK/srva.log" "$WORK/srva-killed.log"
rm -f "$WORK/srva.sock"
backups=$(state_lines a BACKUP)
start_l2tpsecd srva "$NS_S" "$WORK/srva.conf"
wait_until 30 "A's keepalived back to BACKUP" in_state a BACKUP "$backups"
sleep 5
has_vip "$NS_S" && fail "A took $VIP back from B (nopreempt)"
has_vip "$NS_B" || fail "B lost $VIP"
established srvb || fail "the client's session on B did not survive A's return"
ip netns exec "$NS_C" ping -c 2 -i 0.3 -W 3 -w 20 10.99.0.1 >/dev/null || fail "no ping to B after A's return"
ok "A's l2tpsecd restarted: A backup, $VIP and the client's session stay on B"

# 3. B's link down: B's keepalived faults, A stops hearing B and takes the
# address (3 advertisement intervals and a bit); the client moves to A.
t0=$(date +%s.%N)
ip -n "$NS_B" link set "$B_DEV" down || fail "cannot take B's link down"
wait_until 30 "$VIP to move to A" has_vip "$NS_S"
vip_moved=$(since "$t0")
up_on a 90
recovered=$(since "$t0")
ok "B's link down: $VIP on A after ${vip_moved}s, the client up on A and pinging after ${recovered}s"
echo PASS
