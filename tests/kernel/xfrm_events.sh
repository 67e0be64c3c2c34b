#!/bin/bash
# The kernel's XFRM events through EventSubscription (`l2tpsec-dp xfrm
# monitor`): soft and hard expiry of an SA with short lifetimes (a foreign
# SA expiring at the same time is not reported), an ACQUIRE for a policy
# without an SA, and a MAPPING when a NAT-T peer's source port changes,
# answered the way the daemon would: update-sa with the new port (UPDSA).
#   usage: xfrm_events.sh PATH-TO-l2tpsec-dp   (inside the lab VM)
source "$(dirname "$0")/xfrm_lib.sh"

EK=000102030405060708090a0b0c0d0e0f AK=101112131415161718191a1b1c1d1e1f20212223
keys=(--cipher aes-cbc --enc-key $EK --integ hmac-sha1-96 --auth-key $AK)

# monitor NS NAME COUNT: start `xfrm monitor` in the background, wait until it listens.
monitor() {
  ip netns exec "$1" "$DP" xfrm monitor --count "$3" --timeout 60 >"$WORK/mon-$2" 2>&1 &
  MON=$!
  PIDS+=("$MON")
  wait_until 20 "monitor $2 to listen" grep -q listening "$WORK/mon-$2"
}
# monitor_done NAME: the monitor saw its COUNT events and exited 0.
monitor_done() {
  wait "$MON" || fail "monitor $1 exited $?: $(cat "$WORK/mon-$1")"
}

# 1. Expiry: soft (rekey time) then hard (gone); the foreign SA's are filtered out.
monitor "$NS_A" expire 2
in_a ip xfrm state add src $A dst $B proto esp spi 0xe0ff reqid 7 mode transport \
  enc 'cbc(aes)' 0x$EK auth-trunc 'hmac(sha1)' 0x$AK 96 limit time-soft 1 limit time-hard 2 || fail "foreign SA"
dp_a add-sa --src $A --dst $B --spi 0xe001 --reqid 0x4c320030 "${keys[@]}" --soft-seconds 2 --hard-seconds 4 ||
  fail "add-sa with lifetimes"
monitor_done expire
want=("expire soft spi 0x0000e001 $A->$B reqid 0x4c320030" "expire hard spi 0x0000e001 $A->$B reqid 0x4c320030")
[[ "$(cat "$WORK/mon-expire")" == "listening"$'\n'"${want[0]}"$'\n'"${want[1]}" ]] ||
  fail "expire events: $(cat "$WORK/mon-expire")"
expect_error_re "$E XFRM_MSG_GETSA spi 0x0000e001 $A->$B: No such process( \(.*\))?" \
  dp_a get-sa --src $A --dst $B --spi 0xe001
ok "soft then hard expire reported for our SA only; after the hard one the SA is gone"

# 2. ACQUIRE: a policy wants an SA that is not there.
monitor "$NS_A" acquire 1
dp_a add-policy --dir out --src $A --dst $B --proto udp --sport 1701 --dport 1701 --reqid 0x4c320031 ||
  fail "add-policy"
echo hello | in_a timeout 5 socat -u - "UDP4-SENDTO:$B:1701,bind=$A:1701" 2>/dev/null
monitor_done acquire
grep -qE "^acquire out $A/32->$B/32 udp 1701->1701 policy [0-9]+ reqid 0x4c320031$" "$WORK/mon-acquire" ||
  fail "acquire event: $(cat "$WORK/mon-acquire")"
dp_a flush >/dev/null || fail "flush"
ok "ACQUIRE reported for the flow that matched our policy"

# 3. MAPPING: B expects ESP-in-UDP from A's port 4500, A sends from 4501 (a NAT
#    moved it); B's kernel reports the new port, and B updates its SA.
ip netns exec "$NS_B" "$DP" xfrm encap-socket --port 4500 >"$WORK/encap" 2>&1 &
PIDS+=($!)
wait_until 20 "encap socket in B" grep -q ready "$WORK/encap"
dp_b add-sa --src $A --dst $B --spi 0xe101 --reqid 0x4c320032 "${keys[@]}" --encap-sport 4500 --encap-dport 4500 ||
  fail "B's inbound SA"
dp_a add-sa --src $A --dst $B --spi 0xe101 --reqid 0x4c320032 "${keys[@]}" --encap-sport 4501 --encap-dport 4500 \
  --replay-window 0 || fail "A's outbound SA"
dp_a add-policy --dir out --src $A --dst $B --proto udp --sport 1701 --dport 1701 --reqid 0x4c320032 ||
  fail "A's policy"
monitor "$NS_B" mapping 1
echo hello | in_a timeout 5 socat -u - "UDP4-SENDTO:$B:1701,bind=$A:1701" || fail "send"
monitor_done mapping
grep -qx "mapping spi 0x0000e101 $A->$B reqid 0x4c320032 peer $A:4500 -> $A:4501" "$WORK/mon-mapping" ||
  fail "mapping event: $(cat "$WORK/mon-mapping")"
dp_b update-sa --src $A --dst $B --spi 0xe101 --reqid 0x4c320032 "${keys[@]}" --encap-sport 4501 --encap-dport 4500 ||
  fail "update-sa"
dp_b get-sa --src $A --dst $B --spi 0xe101 | grep -q ' encap=4501->4500 ' || fail "the update did not take"
ip -n "$NS_B" xfrm state | grep -qF "encap type espinudp sport 4501 dport 4500" || fail "ip xfrm state after update"
ok "MAPPING reported with the peer's new port; update-sa (UPDSA) moved the SA to it"

dp_a flush >/dev/null && dp_b flush >/dev/null || fail "flush"
in_a ip xfrm state flush
echo PASS
