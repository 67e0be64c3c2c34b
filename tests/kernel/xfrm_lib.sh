# Sourced by tests/kernel/xfrm_*.sh: skip outside the lab VM, load ESP and XFRM
# netlink, make two network namespaces joined by a veth pair (192.0.2.1/24 in
# $NS_A on $VA, 192.0.2.2/24 in $NS_B on $VB), and clean everything up on exit.
#   usage: source xfrm_lib.sh "$@"   ($1 is the l2tpsec-dp executable)
set -uo pipefail

if [[ "${L2TPSEC_LAB:-}" != 1 ]]; then
  echo "SKIP: kernel suite runs only inside the lab VM; run it through tools/test"
  exit 77
fi

DP=${1:?usage: $0 PATH-TO-l2tpsec-dp}
[[ -x "$DP" ]] || { echo "FAIL: $DP is not executable" >&2; exit 1; }
for t in ip socat python3 tcpdump; do command -v "$t" >/dev/null || { echo "FAIL: $t is not installed" >&2; exit 1; }; done
T0=$(date +%s.%N)
WORK=$(mktemp -d /tmp/xfrm-test.XXXXXX)
NS_A=xa-$$ NS_B=xb-$$ VA=xva$$ VB=xvb$$
A=192.0.2.1 B=192.0.2.2
# l2tpsec's reqids are 0x4c320000-0x4c32ffff (OwnedReqids); `ip` prints them in decimal.
PIDS=()
E="l2tpsec-dp:"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
ok() { awk -v t="$(date +%s.%N)" -v t0="$T0" -v m="$*" 'BEGIN { printf "ok (%5.1fs): %s\n", t - t0, m }'; }

xfrm_cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  # A namespace takes its SAs and policies with it.
  ip netns del "$NS_A" 2>/dev/null
  ip netns del "$NS_B" 2>/dev/null
  rm -rf "$WORK"
}
trap xfrm_cleanup EXIT

for m in esp4 xfrm_user; do modprobe "$m" || fail "modprobe $m"; done
ip netns add "$NS_A" || fail "ip netns add"
ip netns add "$NS_B" || fail "ip netns add"
ip link add "$VA" netns "$NS_A" type veth peer name "$VB" netns "$NS_B" || fail "veth pair"
ip -n "$NS_A" addr add "$A/24" dev "$VA" || fail "address $A"
ip -n "$NS_B" addr add "$B/24" dev "$VB" || fail "address $B"
for n in "$NS_A" "$NS_B"; do
  ip -n "$n" link set lo up
  # Larval SAs (ALLOCSPI) live 30 s by default; a slow emulated VM can take
  # longer than that between reserving an SPI and using it.
  ip netns exec "$n" sysctl -qw net.core.xfrm_acq_expires=600 || fail "sysctl net.core.xfrm_acq_expires"
done
ip -n "$NS_A" link set "$VA" up || fail "link up"
ip -n "$NS_B" link set "$VB" up || fail "link up"

# Not for background jobs whose PID matters: write `ip netns exec ... &`.
in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }
dp_a() { ip netns exec "$NS_A" "$DP" xfrm "$@"; }
dp_b() { ip netns exec "$NS_B" "$DP" xfrm "$@"; }

# wait_until SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds.
wait_until() {
  local limit=$1 what=$2 end
  shift 2
  end=$(($(date +%s) + limit))
  until "$@" >/dev/null 2>&1; do
    [[ $(date +%s) -lt $end ]] || fail "timed out after ${limit}s waiting for: $what"
    sleep 0.2
  done
}

# expect_error REGEX COMMAND...: COMMAND must exit 1 and print one line to
# stderr that matches REGEX (anchored at both ends).
expect_error() {
  local want=$1 rc got
  shift
  "$@" >"$WORK/out" 2>"$WORK/err"
  rc=$?
  got=$(cat "$WORK/err")
  [[ $rc -eq 1 ]] || fail "'$*' exited $rc (expected 1); stderr: $got"
  [[ $(wc -l <"$WORK/err") -eq 1 ]] || fail "'$*' printed more than one line: $got"
  [[ "$got" =~ ^$want$ ]] || fail "'$*' printed '$got', expected /$want/"
}

# sa_counter NS SRC DST SPI bytes|packets: the kernel's count, read with `ip -s`.
sa_counter() {
  ip -n "$1" -s xfrm state get src "$2" dst "$3" proto esp spi "$4" |
    awk -v what="$5" '/lifetime current:/ { getline; gsub(/[(),]/, " "); print (what == "bytes" ? $1 : $3); exit }'
}

# expect_lines FILE DESCRIPTION LINE...: every LINE (a fixed string) occurs in FILE.
expect_lines() {
  local file=$1 what=$2 l
  shift 2
  for l in "$@"; do
    grep -qF -- "$l" "$file" || { cat "$file" >&2; fail "$what: no line '$l'"; }
  done
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
