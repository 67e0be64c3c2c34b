#!/bin/bash
# Several Windows-like clients behind one masquerading NAT, each sending L2TP
# from UDP 1701 as Windows does: behind the NAT they are one address, port
# 1701 inside ESP, each with its own NAT-T port on 4500. One charon with
# Windows' proposals (one connection per client address) and one xl2tpd +
# pppd with MS-CHAPv2 per client address, in the namespace behind
# interop_lib.sh's nat_router; the l2tpsecd LNS with [l2tp] ipsec = "required".
# On a kernel whose L2TP finds tunnels by id (Linux 6.10 and later) all
# NAT_SHARED_CLIENTS (default 5) connect at once and each pings through its
# own PPP link for NAT_SHARED_PING_S seconds (default 60) without loss; the
# server's SA pairs after the first carry their own marks. On an older kernel
# the second client's Quick Mode is refused with the documented log line and
# the first client keeps pinging.
#   usage: nat_shared.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

nat_router
release=$(uname -r)
major=${release%%.*} rest=${release#*.}
minor=${rest%%[!0-9]*}
shares=0
((major > 6 || (major == 6 && minor >= 10))) && shares=1
n=${NAT_SHARED_CLIENTS:-5} ping_s=${NAT_SHARED_PING_S:-60}
((shares)) || n=2
client_ip() { echo "10.77.0.$((2 + $1))"; }
for ((i = 1; i < n; i++)); do
  ip -n "$NS_N" addr add "$(client_ip "$i")/24" dev "vnr$$" || fail "client address $i"
done

PSK='interop pre-shared key 4711'
secret_file "$WORK/psk" "$PSK"
secrets=""
for ((i = 0; i < n; i++)); do secrets+="user$i * password-$i *"$'\n'; done
secret_file "$WORK/chap-secrets" "$secrets"
cat >"$WORK/lns.conf" <<CONF
[server]
listen = ["$S_NAT_IP"]
log_level = "debug"
[ike]
psk_file = "$WORK/psk"
[l2tp]
ipsec = "required"
[ppp]
auth = ["mschap-v2"]
secrets = "$WORK/chap-secrets"
local_address = "10.99.0.1"
pool = "10.99.0.10-10.99.0.19"
options = ["lcp-echo-interval 0", "noccp", "noipv6"]
CONF
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"

# The clients: Windows 10/11's Main Mode and Quick Mode proposals, transport
# mode on UDP 1701 at both ends, from each client's own address.
{
  echo "connections {"
  for ((i = 0; i < n; i++)); do
    cat <<CONF
  c$i {
    version = 1
    local_addrs = $(client_ip "$i")
    remote_addrs = $S_NAT_IP
    proposals = aes256-sha1-ecp384,aes128-sha1-ecp256,aes256-sha1-modp2048,aes256-sha1-modp1024,3des-sha1-modp1024
    local { auth = psk }
    remote { auth = psk }
    children {
      c$i {
        mode = transport
        local_ts = dynamic[udp/1701]
        remote_ts = dynamic[udp/1701]
        esp_proposals = aes256-sha1,aes128-sha1,3des-sha1
      }
    }
  }
CONF
  done
  printf '}\nsecrets {\n  ike-all {\n    secret = "%s"\n  }\n}\n' "$PSK"
} >"$WORK/clients.swanctl.conf"
start_charon clients "$NS_N" "$WORK/clients.swanctl.conf"
for ((i = 0; i < n; i++)); do
  client_ppp_options "c$i" "user$i" "password-$i"
  printf '[global]\nlisten-addr = %s\nport = 1701\naccess control = no\n[lac c]\nlns = %s\nredial = no\n' \
    "$(client_ip "$i")" "$S_NAT_IP" >"$WORK/c$i.xl2tpd.conf"
  printf 'autodial = no\nrequire authentication = no\nlength bit = yes\npppoptfile = %s\n' \
    "$WORK/c$i-ppp.options" >>"$WORK/c$i.xl2tpd.conf"
  start_xl2tpd "c$i" "$NS_N" "$WORK/c$i.xl2tpd.conf"
done
client_ppp_if() { sed -n 's/^Using interface \(ppp[0-9]*\)$/\1/p' "$WORK/c$1-pppd.log" 2>/dev/null | tail -n 1; }
client_ppp_up() {
  local ifname
  ifname=$(client_ppp_if "$1")
  [[ -n $ifname ]] && ip -n "$NS_N" -4 -o addr show dev "$ifname" 2>/dev/null | grep -q ' peer 10\.99\.0\.1/32'
}
# connect I: IKE (Main + Quick Mode) from client I, then its L2TP and PPP.
connect() {
  swan clients --initiate --child "c$1" --timeout 60 >"$WORK/c$1-initiate.log" 2>&1 || return 1
  xl2tpd_ctl "c$1" "c c"
}
# ping_through I SECONDS: client I pings the server's PPP address through its
# own link once a second; the ping's summary goes to $WORK/c$I-ping.log.
ping_through() {
  ip netns exec "$NS_N" ping -q -c "$2" -i 1 -W 3 -I "$(client_ppp_if "$1")" 10.99.0.1 >"$WORK/c$1-ping.log" 2>&1
}
lossless() { grep -q " $2 received, 0% packet loss" "$WORK/c$1-ping.log"; }

connect 0 || fail "client 0: swanctl --initiate: $(tail -5 "$WORK/c0-initiate.log")"
wait_until 120 "client 0: PPP up" client_ppp_up 0
ok "client 0 is up behind the NAT ($(client_ppp_if 0))"

if ((!shares)); then
  # Linux before 6.10: the second client behind the same address is refused
  # in Quick Mode, the first one untouched.
  if connect 1; then fail "kernel $release: the second client behind the NAT got an IPsec SA pair"; fi
  line="several clients behind one NAT need Linux 6.10 or later"
  grep -q "Quick Mode refused: .*$line" "$WORK/lns.log" || fail "no refusal line in the LNS's log ($line)"
  ok "kernel $release: the second client is refused: $(grep -o "Quick Mode refused: .*" "$WORK/lns.log" | head -1)"
  ping_through 0 10 && lossless 0 10 || fail "client 0 after the refusal: $(tail -2 "$WORK/c0-ping.log")"
  sessions=$(ctl lns sessions --json | jq '.sessions | length')
  [[ $sessions == 1 ]] || fail "the LNS has $sessions sessions, not 1"
  ok "client 0 still pings 10/10 through its PPP link; the LNS has 1 session"
  exit 0
fi

# All the others at once.
pids=()
for ((i = 1; i < n; i++)); do connect "$i" & pids+=($!); done
for ((i = 1; i < n; i++)); do
  wait "${pids[$((i - 1))]}" || fail "client $i: swanctl --initiate: $(tail -5 "$WORK/c$i-initiate.log")"
done
for ((i = 1; i < n; i++)); do wait_until 180 "client $i: PPP up" client_ppp_up "$i"; done
ok "all $n clients are up behind one NAT address"

sas=$(ctl lns sas --json) || fail "l2tpctl sas"
jq -e --argjson n "$n" '(.ipsec | length) == $n and ([.ipsec[].peer | split(":")[0]] | unique | length) == 1
                        and ([.ipsec[].peer] | unique | length) == $n' <<<"$sas" >/dev/null ||
  fail "the LNS's SA pairs are not $n pairs from one address with $n ports: $(jq -c '[.ipsec[].peer]' <<<"$sas")"
marked=$(ip -n "$NS_S" xfrm policy | grep -c '^[[:space:]]*mark ')
((marked == 2 * (n - 1))) || fail "$marked marked policies in the LNS's kernel, not $((2 * (n - 1)))"
sessions=$(ctl lns sessions --json) || fail "l2tpctl sessions"
jq -e --argjson n "$n" '(.sessions | length) == $n and all(.sessions[]; .state == "established")' \
  <<<"$sessions" >/dev/null || fail "sessions: $sessions"
ok "LNS: $n SA pairs from $(jq -r '.ipsec[0].peer | split(":")[0]' <<<"$sas") on $n ports, $marked marked policies, $n sessions"

pids=()
for ((i = 0; i < n; i++)); do ping_through "$i" "$ping_s" & pids+=($!); done
for ((i = 0; i < n; i++)); do
  wait "${pids[$i]}"
  lossless "$i" "$ping_s" || fail "client $i: $(tail -2 "$WORK/c$i-ping.log")"
done
ok "each of the $n clients pinged $ping_s/$ping_s through its own PPP link, no loss"

# Each session's counters rose with its own client's pings (nothing crossed).
sessions=$(ctl lns sessions --json) || fail "l2tpctl sessions"
jq -e --argjson p "$ping_s" 'all(.sessions[]; .rx_bytes >= $p * 84 and .tx_bytes >= $p * 84)' <<<"$sessions" \
  >/dev/null || fail "a session's counters did not rise with its pings: $(jq -c '[.sessions[] | {user, rx_bytes, tx_bytes}]' <<<"$sessions")"
ok "every session counted its own client's pings"

# The first client leaves; the others keep their links.
xl2tpd_ctl c0 "d c"
swan clients --terminate --ike c0 --timeout 30 >/dev/null 2>&1
wait_until 60 "the LNS drops client 0's session" \
  test "$(ctl lns sessions --json | jq '.sessions | length')" = $((n - 1))
for ((i = 1; i < n; i++)); do
  ping_through "$i" 5 && lossless "$i" 5 || fail "client $i after client 0 left: $(tail -2 "$WORK/c$i-ping.log")"
done
ok "client 0 left; the other $((n - 1)) still ping 5/5"
