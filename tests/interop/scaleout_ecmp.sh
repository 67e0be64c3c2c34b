#!/bin/bash
# Scale-out with ECMP: two l2tpsecd servers A and B both hold the anycast
# address 192.0.2.1 (on lo) and listen on it; a router namespace reaches it
# over an ECMP route (nexthop via A, nexthop via B) with
# fib_multipath_hash_policy 0, the source and destination address only, so
# a client's IKE (UDP 500), ESP and L2TP all go to one server. Clients in one
# namespace behind the router, each an l2tpsecd LAC (IPsec required) with its
# own source address, chosen so that the router's hash sends some to A and
# some to B (ip route get). Checked: every client comes up and pings, on the
# server the router chose for it, none on both; both servers serve some;
# the servers' sessions add up to the clients.
#   usage: scaleout_ecmp.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

ANY=$S_IP
NS_B=iecb-$$ NS_R=iecr-$$
ip netns add "$NS_B" && EXTRA_NS+=("$NS_B") && ip netns add "$NS_R" && EXTRA_NS+=("$NS_R") || fail "ip netns add"
ip -n "$NS_S" link del "vs$$" || fail "cannot remove interop_lib's veth pair"
# Router: 10.31.1.1 towards A (10.31.1.2), 10.31.2.1 towards B (10.31.2.2),
# 198.51.100.1 towards the clients.
for l in "$NS_S ea$$ ra$$ 10.31.1" "$NS_B eb$$ rb$$ 10.31.2"; do
  read -r ns dev port net <<<"$l"
  ip link add "$dev" netns "$ns" type veth peer name "$port" netns "$NS_R" &&
    ip -n "$ns" addr add "$net.2/24" dev "$dev" && ip -n "$NS_R" addr add "$net.1/24" dev "$port" &&
    ip -n "$ns" link set "$dev" up && ip -n "$NS_R" link set "$port" up && ip -n "$ns" link set lo up &&
    ip -n "$ns" addr add "$ANY/32" dev lo && ip -n "$ns" route add default via "$net.1" ||
    fail "cannot link $ns to the router"
done
ip -n "$NS_R" link set lo up && ip -n "$NS_R" link add "rq$$" type dummy && ip -n "$NS_R" link set "rq$$" up ||
  fail "cannot set up the router"
ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=0 ||
  fail "cannot set forwarding and the multipath hash in $NS_R"
ip -n "$NS_R" route add "$ANY/32" nexthop via 10.31.1.2 nexthop via 10.31.2.2 || fail "cannot add the ECMP route"

# Where the router sends a source: "a" or "b" (the hash ignores the
# incoming interface; the dummy one stands for the clients' links).
server_for() {
  case $(ip -n "$NS_R" route get "$ANY" from "$1" iif "rq$$") in
    *" via 10.31.1.2 "*) echo a ;;
    *" via 10.31.2.2 "*) echo b ;;
    *) echo "?" ;;
  esac
}
# Up to six clients from 198.51.100.10 on, at least two per server.
clients=()
declare -A want=() count=([a]=0 [b]=0)
for ((i = 10; i < 250 && ${#clients[@]} < 6; i++)); do
  addr=198.51.100.$i s=$(server_for "$addr")
  [[ $s == a || $s == b ]] || fail "the router has no ECMP next hop for $addr"
  # The first four as they come, then only for a server with fewer than two.
  if ((${#clients[@]} < 4 || count[$s] < 2)); then
    clients+=("$addr") want[$addr]=$s count[$s]=$((count[$s] + 1))
  fi
done
((count[a] >= 2 && count[b] >= 2)) || fail "no sources that the hash spreads over both servers"
echo "clients and the server the router hashes each to: $(for a in "${clients[@]}"; do printf '%s=%s ' "$a" "${want[$a]}"; done)"
# One namespace each (one l2tpsecd per namespace): the client's address on
# a point-to-point link to the router's 198.51.100.1.
client_ns=()
for ((n = 0; n < ${#clients[@]}; n++)); do
  addr=${clients[$n]} ns=$NS_C
  if ((n > 0)); then
    ns=iecc$n-$$
    ip netns add "$ns" && EXTRA_NS+=("$ns") || fail "ip netns add $ns"
  fi
  client_ns+=("$ns")
  ip link add "c$n-$$" netns "$ns" type veth peer name "r$n-$$" netns "$NS_R" &&
    ip -n "$ns" addr add "$addr/32" dev "c$n-$$" && ip -n "$ns" link set "c$n-$$" up && ip -n "$ns" link set lo up &&
    ip -n "$ns" route add 198.51.100.1/32 dev "c$n-$$" && ip -n "$ns" route add default via 198.51.100.1 &&
    ip -n "$NS_R" addr add 198.51.100.1/32 dev "r$n-$$" && ip -n "$NS_R" link set "r$n-$$" up &&
    ip -n "$NS_R" route add "$addr/32" dev "r$n-$$" || fail "cannot link client $addr to the router"
done

# The servers: one configuration, distinct pools (each routes its own).
ppp_alice
secret_file "$WORK/psk" 'scale-out interop psk 4711'
for s in a b; do
  pool=10.99.1.10-10.99.1.19
  [[ $s == b ]] && pool=10.99.2.10-10.99.2.19
  write_lns_conf "$WORK/srv$s.conf" listen="$ANY" ipsec=required pool="$pool"
done
start_l2tpsecd srva "$NS_S" "$WORK/srva.conf"
start_l2tpsecd srvb "$NS_B" "$WORK/srvb.conf"

# The clients: one l2tpsecd each, from its own address and namespace.
for ((n = 0; n < ${#clients[@]}; n++)); do
  {
    printf '[server]\nlisten = ["%s"]\n[l2tp]\nipsec = "required"\n%s\n' "${clients[$n]}" "$PPP_LAC"
    printf '[[lac]]\nname = "office"\nserver = "%s"\nuser = "alice"\npassword_file = "%s"\n' "$ANY" \
      "$WORK/alice.pass"
    printf 'psk_file = "%s"\nautoconnect = true\n' "$WORK/psk"
  } >"$WORK/lac$n.conf"
  start_l2tpsecd "lac$n" "${client_ns[$n]}" "$WORK/lac$n.conf"
done
ok "servers A and B on anycast $ANY behind an ECMP route; ${#clients[@]} clients dialling"

established() { ctl "$1" sessions --json | jq '[.sessions[] | select(.state == "established")] | length'; }
all_up() {
  local n
  for ((n = 0; n < ${#clients[@]}; n++)); do
    [[ $(established "lac$n") == 1 ]] || return 1
  done
  [[ $(($(established srva) + $(established srvb))) == "${#clients[@]}" ]]
}
wait_until 180 "every client's session up, and as many on the servers" all_up
ok "${#clients[@]} sessions up"

# Each client on the server the router chose for its source address, on
# no other, with that server's pool address, and its link carries pings.
peers_of() { ctl "$1" tunnels --json | jq -r '.tunnels[] | select(.state == "established") | .peer'; }
on_a=$(peers_of srva) on_b=$(peers_of srvb)
for ((n = 0; n < ${#clients[@]}; n++)); do
  addr=${clients[$n]} got=""
  grep -q "^$addr:" <<<"$on_a" && got+=a
  grep -q "^$addr:" <<<"$on_b" && got+=b
  [[ $got == "${want[$addr]}" ]] || fail "client $addr is on '$got'; the router hashes it to ${want[$addr]}"
  pool=10.99.1.
  [[ $got == b ]] && pool=10.99.2.
  ip -n "${client_ns[$n]}" -4 -o addr show type ppp | grep -q " inet ${pool//./\\.}[0-9]* peer 10\.99\.0\.1/32 " ||
    fail "client $addr has no ppp link with an address of ${pool}0/24"
  ip netns exec "${client_ns[$n]}" ping -c 2 -i 0.3 -W 3 -w 20 10.99.0.1 >/dev/null || fail "no ping from client $addr"
done
sa=$(established srva) sb=$(established srvb)
((sa == count[a] && sb == count[b])) || fail "A has $sa sessions, B $sb; the hash sent ${count[a]} and ${count[b]}"
ok "every client on the server its source hashes to (A ${count[a]}, B ${count[b]}) and pinging"
echo PASS
