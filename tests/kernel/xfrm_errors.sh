#!/bin/bash
# Failure paths against the real kernel, with the error text asserted: one
# line on stderr naming the request and the object, then the kernel's
# reason (and its extended-ACK text where the kernel sends one; 6.1 mostly
# does not, newer kernels do, so that part is optional here).
#   usage: xfrm_errors.sh PATH-TO-l2tpsec-dp   (inside the lab VM)
source "$(dirname "$0")/xfrm_lib.sh"

EK=000102030405060708090a0b0c0d0e0f AK=101112131415161718191a1b1c1d1e1f20212223
R=0x4c320020
sa=(--src $A --dst $B --reqid $R)
keys=(--cipher aes-cbc --enc-key $EK --integ hmac-sha1-96 --auth-key $AK)
ext='( \(.*\))?' # optional extended-ACK text

# 1. The kernel refuses.
dp_a add-sa "${sa[@]}" --spi 0xc001 "${keys[@]}" || fail "first add-sa"
expect_error_re "$E XFRM_MSG_NEWSA spi 0x0000c001 $A->$B: File exists$ext" \
  dp_a add-sa "${sa[@]}" --spi 0xc001 "${keys[@]}"
expect_error_re "$E XFRM_MSG_NEWSA spi 0x0000c002 $A->$B: Function not implemented$ext" \
  dp_a add-sa "${sa[@]}" --spi 0xc002 --cipher 'cbc(nosuch)' --enc-key $EK --integ hmac-sha1-96 --auth-key $AK
expect_error_re "$E XFRM_MSG_NEWSA spi 0x0000c003 $A->$B: Function not implemented$ext" \
  dp_a add-sa "${sa[@]}" --spi 0xc003 --cipher aes-cbc --enc-key $EK --integ 'hmac(nosuch)' --integ-bits 96 --auth-key $AK
# A key length the cipher cannot take, sent as a kernel name so our own check is bypassed.
expect_error_re "$E XFRM_MSG_NEWSA spi 0x0000c004 $A->$B: Invalid argument$ext" \
  dp_a add-sa "${sa[@]}" --spi 0xc004 --cipher 'cbc(aes)' --enc-key 0011 --integ hmac-sha1-96 --auth-key $AK
expect_error_re "$E XFRM_MSG_DELSA spi 0x0000dead $A->$B: No such process$ext" \
  dp_a del-sa --src $A --dst $B --spi 0xdead
expect_error_re "$E XFRM_MSG_GETSA spi 0x0000dead $A->$B: No such process$ext" \
  dp_a get-sa --src $A --dst $B --spi 0xdead
expect_error_re "$E XFRM_MSG_UPDSA spi 0x0000dead $A->$B: No such process$ext" \
  dp_a update-sa "${sa[@]}" --spi 0xdead "${keys[@]}"
dp_a add-policy --dir out --src $A --dst $B --proto udp --sport 1701 --dport 1701 --reqid $R || fail "add-policy"
expect_error_re "$E XFRM_MSG_NEWPOLICY out $A/32->$B/32 udp 1701->1701: File exists$ext" \
  dp_a add-policy --dir out --src $A --dst $B --proto udp --sport 1701 --dport 1701 --reqid $R
expect_error_re "$E XFRM_MSG_DELPOLICY in $B/32->$A/32 udp 1701->1701: No such file or directory$ext" \
  dp_a del-policy --dir in --src $B --dst $A --proto udp --sport 1701 --dport 1701
# A one-SPI range, taken by the first reservation. The refused second one
# leaves the kernel holding a larval SA without SPI, which no request can
# name; it expires by itself after net.core.xfrm_acq_expires (per
# namespace, 30 s by default: 2 s for this one, so the test sees it go).
spi=$(dp_a alloc-spi --src $B --dst $A --reqid $R --min 0x200 --max 0x200) || fail "alloc-spi"
[[ $spi == 0x00000200 ]] || fail "alloc-spi gave $spi"
in_a sysctl -qw net.core.xfrm_acq_expires=2 || fail "sysctl net.core.xfrm_acq_expires"
expect_error_re "$E XFRM_MSG_ALLOCSPI $B->$A: No such file or directory$ext" \
  dp_a alloc-spi --src $B --dst $A --reqid $R --min 0x200 --max 0x200
in_a sysctl -qw net.core.xfrm_acq_expires=600
ok "kernel refusals: File exists, Function not implemented (unknown cipher and integrity), Invalid argument," \
  "No such process, No such file or directory"

# 2. Refused before the kernel is asked, with a reason instead of a bare EINVAL.
expect_error_re "$E spi 0x0000c005 $A->$B: reqid 0x00000007 is outside l2tpsec's range 0x4c320000-0x4c32ffff" \
  dp_a add-sa --src $A --dst $B --reqid 7 --spi 0xc005 "${keys[@]}"
expect_error_re "$E spi 0x0000c005 $A->$B: cbc\(aes\) cannot take a 2-byte key" \
  dp_a add-sa "${sa[@]}" --spi 0xc005 --cipher aes-cbc --enc-key 0011 --integ hmac-sha1-96 --auth-key $AK
expect_error_re "$E spi 0x0000c005 $A->$B: rfc4106\(gcm\(aes\)\) is an AEAD cipher and takes no separate integrity algorithm" \
  dp_a add-sa "${sa[@]}" --spi 0xc005 --cipher aes-gcm-16 --enc-key ${EK}00112233 --integ hmac-sha1-96 --auth-key $AK
expect_error_re "$E policy out $A/32->$B/32: reqid 0x4c330000 is outside l2tpsec's range 0x4c320000-0x4c32ffff" \
  dp_a add-policy --dir out --src $A --dst $B --reqid 0x4c330000
ok "refused before the kernel: reqid outside our range, key length, AEAD with integrity"

# 3. Bad arguments: exit 64, one line.
dp_a add-sa "${sa[@]}" --spi 0xc006 --cipher blowfish --enc-key $EK 2>"$WORK/err"
[[ $? -eq 64 ]] || fail "an unknown cipher name should be a usage error (64)"
grep -qx "$E --cipher: unknown cipher 'blowfish' (aes-cbc, 3des-cbc, aes-gcm-16, null, or a kernel name such as 'cbc(aes)')" "$WORK/err" ||
  fail "unknown cipher: $(cat "$WORK/err")"
ok "an unknown cipher name is a usage error (64)"

# Nothing half-done was left behind by the refusals: exactly the SA, the
# reservation and the policy that succeeded (once the SPI-less larval SA of
# the refused ALLOCSPI has expired).
wait_until 20 "the larval SA without SPI to expire" bash -c "! ip -n '$NS_A' xfrm state | grep -q 'spi 0x00000000 '"
[[ $(ip -n "$NS_A" xfrm state | grep -c '^src') -eq 2 ]] || fail "state: $(ip -n "$NS_A" xfrm state)"
[[ $(ip -n "$NS_A" xfrm policy | grep -c '^src') -eq 1 ]] || fail "policies: $(ip -n "$NS_A" xfrm policy)"
out=$(dp_a flush) || fail "flush"
[[ $out == "flushed 2 SAs, 1 policies" ]] || fail "flush said: $out"
[[ -z "$(ip -n "$NS_A" xfrm state)$(ip -n "$NS_A" xfrm policy)" ]] || fail "state left behind"
ok "the refusals left nothing half-installed; flush leaves ip xfrm state and policy empty"
echo PASS
