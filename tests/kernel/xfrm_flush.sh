#!/bin/bash
# Crash recovery: a process installs SAs, an SPI reservation and policies,
# holds the NAT-T socket, and is killed with SIGKILL. `l2tpsec-dp xfrm
# flush` (NetlinkIpsecDataplane::flush) then finds and removes exactly
# l2tpsec's objects (reqids 0x4c320000-0x4c32ffff), while foreign state
# around them survives: an SA and a policy with reqid 7, SAs with the reqids
# just outside both ends of our range, and a template-less block policy.
#   usage: xfrm_flush.sh PATH-TO-l2tpsec-dp   (inside the lab VM)
source "$(dirname "$0")/xfrm_lib.sh"

EK=000102030405060708090a0b0c0d0e0f AK=101112131415161718191a1b1c1d1e1f20212223
R=0x4c320010
SEL="--sel-proto udp --sel-sport 1701 --sel-dport 1701"
KEYS="--cipher aes-cbc --enc-key $EK --integ hmac-sha1-96 --auth-key $AK"

# 1. The "daemon": state, then the encap socket it would keep, then SIGKILL.
{
  echo "set -e"
  echo "'$DP' xfrm add-sa --src $A --dst $B --spi 0x2001 --reqid $R $KEYS $SEL --replay-window 0"
  echo "'$DP' xfrm add-sa --src $B --dst $A --spi 0x2002 --reqid $R $KEYS $SEL"
  echo "'$DP' xfrm alloc-spi --src $B --dst $A --reqid $((R + 1)) --min 0x3000 --max 0x3fff"
  echo "'$DP' xfrm add-policy --dir out --src $A --dst $B --proto udp --sport 1701 --dport 1701 --reqid $R"
  echo "'$DP' xfrm add-policy --dir in --src $B --dst $A --proto udp --sport 1701 --dport 1701 --reqid $R"
  echo "exec '$DP' xfrm encap-socket --port 4500"
} >"$WORK/daemon.sh"
ip netns exec "$NS_A" bash "$WORK/daemon.sh" >"$WORK/daemon.out" 2>&1 &
daemon=$!
PIDS+=("$daemon")
wait_until 60 "the daemon's state and encap socket" grep -q ready "$WORK/daemon.out"
kill -KILL "$daemon"
wait "$daemon" 2>/dev/null
larval=$(grep -o '^0x[0-9a-f]*' "$WORK/daemon.out") || fail "no SPI reserved: $(cat "$WORK/daemon.out")"
ok "a process installed 2 SAs, reserved SPI $larval, added 2 policies, and was killed (SIGKILL)"

# 2. Foreign state, installed by `ip` as an admin or another IKE daemon would.
foreign_sa() { # SPI REQID
  in_a ip xfrm state add src $A dst $B proto esp spi "$1" reqid "$2" mode transport \
    enc 'cbc(aes)' "0x$EK" auth-trunc 'hmac(sha1)' "0x$AK" 96 || fail "ip xfrm state add spi $1"
}
foreign_sa 0x7001 7
foreign_sa 0x7002 0x4c31ffff # one below our range
foreign_sa 0x7003 0x4c330000 # one above
in_a ip xfrm policy add src 198.51.100.1/32 dst 198.51.100.2/32 dir out tmpl proto esp reqid 7 mode transport ||
  fail "foreign policy"
in_a ip xfrm policy add src 203.0.113.0/24 dst 203.0.113.0/24 dir in action block || fail "foreign block policy"

# 3. What l2tpsec sees: only its own.
dp_a list >"$WORK/list" || fail "list"
[[ $(grep -c '^sa ' "$WORK/list") -eq 3 && $(grep -c '^policy ' "$WORK/list") -eq 2 ]] ||
  fail "list should show 3 SAs (one larval) and 2 policies: $(cat "$WORK/list")"
expect_lines "$WORK/list" "list" \
  "sa spi=0x00002001 src=$A dst=$B reqid=0x4c320010" \
  "sa spi=0x00002002 src=$B dst=$A reqid=0x4c320010" \
  "sa spi=$larval src=$B dst=$A reqid=0x4c320011 mode=transport cipher=none" \
  "policy dir=out sel=$A/32->$B/32 udp 1701->1701 reqid=0x4c320010" \
  "policy dir=in sel=$B/32->$A/32 udp 1701->1701 reqid=0x4c320010"
grep -q 'spi=0x0000700' "$WORK/list" && fail "list shows foreign SAs: $(cat "$WORK/list")"
ok "list shows l2tpsec's 3 SAs and 2 policies, none of the foreign ones"

# 4. Flush: ours gone, theirs intact.
out=$(dp_a flush) || fail "flush"
[[ $out == "flushed 3 SAs, 2 policies" ]] || fail "flush said: $out"
ip -n "$NS_A" xfrm state >"$WORK/state"
[[ $(grep -c '^src' "$WORK/state") -eq 3 ]] || fail "expected the 3 foreign SAs, found: $(cat "$WORK/state")"
expect_lines "$WORK/state" "foreign SAs" \
  "proto esp spi 0x00007001 reqid 7 mode transport" \
  "proto esp spi 0x00007002 reqid $((0x4c31ffff)) mode transport" \
  "proto esp spi 0x00007003 reqid $((0x4c330000)) mode transport"
ip -n "$NS_A" xfrm policy >"$WORK/policy"
[[ $(grep -c '^src' "$WORK/policy") -eq 2 ]] || fail "expected the 2 foreign policies, found: $(cat "$WORK/policy")"
expect_lines "$WORK/policy" "foreign policies" \
  "src 198.51.100.1/32 dst 198.51.100.2/32" "src 203.0.113.0/24 dst 203.0.113.0/24" "dir in action block"
ok "flush removed 3 SAs and 2 policies; the 3 foreign SAs and 2 foreign policies survived"

out=$(dp_a flush) || fail "second flush"
[[ $out == "flushed 0 SAs, 0 policies" ]] || fail "second flush said: $out"
in_a ip xfrm state flush && in_a ip xfrm policy flush
[[ -z "$(ip -n "$NS_A" xfrm state)$(ip -n "$NS_A" xfrm policy)" ]] || fail "state left behind"
ok "a second flush finds nothing; with the foreign state removed, ip xfrm state and policy are empty"
echo PASS
