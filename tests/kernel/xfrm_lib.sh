# Sourced by tests/kernel/xfrm_*.sh (and l2tp_over_esp.sh): lab_lib.sh (skip
# outside the lab VM, ok/fail, $WORK, PIDS, cleanup on exit), then ESP and
# XFRM netlink, two network namespaces joined by a veth pair (192.0.2.1 = $A
# in $NS_A on $VA, 192.0.2.2 = $B in $NS_B on $VB) if not made yet, and the
# XFRM helpers below.
#   usage: source xfrm_lib.sh "$@"   ($1 is the l2tpsec-dp executable)
# l2tpsec's reqids are 0x4c320000-0x4c32ffff (OwnedReqids); `ip` prints them in decimal.
source "$(dirname "${BASH_SOURCE[0]}")/lab_lib.sh"
lab_dp "${1:-}"
lab_need ip socat python3 tcpdump
lab_modules esp4 xfrm_user
lab_netns x
for n in "$NS_A" "$NS_B"; do
  # Larval SAs (ALLOCSPI) live 30 s by default; a slow emulated VM can take
  # longer than that between reserving an SPI and using it.
  ip netns exec "$n" sysctl -qw net.core.xfrm_acq_expires=600 || fail "sysctl net.core.xfrm_acq_expires"
done

dp_a() { ip netns exec "$NS_A" "$DP" xfrm "$@"; }
dp_b() { ip netns exec "$NS_B" "$DP" xfrm "$@"; }

# sa_counter NS SRC DST SPI bytes|packets: the kernel's count, read with `ip -s`.
sa_counter() {
  ip -n "$1" -s xfrm state get src "$2" dst "$3" proto esp spi "$4" |
    awk -v what="$5" '/lifetime current:/ { getline; gsub(/[(),]/, " "); print (what == "bytes" ? $1 : $3); exit }'
}

# udp_exchange NS-FROM FROM NS-TO TO N: N datagrams FROM:1701 -> TO:1701, all received.
# (socat receives; python3 sends, as socat would merge lines read together.)
udp_exchange() {
  local nsf=$1 from=$2 nst=$3 to=$4 n=$5 i rx
  rx=$WORK/rx-$to
  : >"$rx"
  ip netns exec "$nst" timeout 30 socat -u "UDP4-RECV:1701,bind=$to,reuseaddr" "OPEN:$rx,creat,append" &
  local rpid=$!
  PIDS+=("$rpid")
  sleep 0.5
  # One sender process, one sendto() per datagram: exactly N ESP packets.
  ip netns exec "$nsf" timeout 20 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 1701))
for i in range(1, int(sys.argv[3]) + 1):
    s.sendto(b"l2tp-%s-%d\n" % (sys.argv[1].encode(), i), (sys.argv[2], 1701))
' "$from" "$to" "$n" || fail "send $from -> $to"
  wait_until 10 "$n datagrams at $to:1701" bash -c "[[ \$(grep -c '^l2tp-$from-' '$rx') -ge $n ]]"
  kill "$rpid" 2>/dev/null
  wait "$rpid" 2>/dev/null
}
