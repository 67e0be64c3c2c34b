#!/bin/bash
# Every algorithm l2tpsec offers, installed through NetlinkIpsecDataplane and
# read back with `ip xfrm state`: the kernel takes each name and key length
# we send (RFC 3602, 2451, 4106, 2403, 2404, 4868, 2410) and keeps exactly
# the key and ICV length asked for. Traffic with some of them is in
# xfrm_transport.sh; here only what the kernel holds.
#   usage: xfrm_algorithms.sh PATH-TO-l2tpsec-dp   (inside the lab VM)
source "$(dirname "$0")/xfrm_lib.sh"

# key BYTES START
key() {
  local i out=""
  for ((i = 0; i < $1; i++)); do out+=$(printf %02x $((($2 + i) % 256))); done
  echo "$out"
}

# spi | our cipher | key bytes | our integrity | key bytes | kernel lines expected (| separated by ;)
cases=(
  "0x1001|aes-cbc|16|hmac-sha1-96|20|enc cbc(aes) 0xK;auth-trunc hmac(sha1) 0xI 96"
  "0x1002|aes-cbc|24|hmac-sha1-96|20|enc cbc(aes) 0xK;auth-trunc hmac(sha1) 0xI 96"
  "0x1003|aes-cbc|32|hmac-sha1-96|20|enc cbc(aes) 0xK;auth-trunc hmac(sha1) 0xI 96"
  "0x1004|3des-cbc|24|hmac-sha1-96|20|enc cbc(des3_ede) 0xK;auth-trunc hmac(sha1) 0xI 96"
  "0x1005|aes-cbc|16|hmac-sha2-256-128|32|enc cbc(aes) 0xK;auth-trunc hmac(sha256) 0xI 128"
  "0x1006|aes-cbc|32|hmac-sha2-384-192|48|enc cbc(aes) 0xK;auth-trunc hmac(sha384) 0xI 192"
  "0x1007|aes-cbc|32|hmac-sha2-512-256|64|enc cbc(aes) 0xK;auth-trunc hmac(sha512) 0xI 256"
  "0x1008|aes-cbc|16|hmac-sha2-256-96|32|enc cbc(aes) 0xK;auth-trunc hmac(sha256) 0xI 96"
  "0x1009|aes-cbc|16|hmac-md5-96|16|enc cbc(aes) 0xK;auth-trunc hmac(md5) 0xI 96"
  "0x100a|aes-gcm-16|20|none|0|aead rfc4106(gcm(aes)) 0xK 128"
  "0x100b|aes-gcm-16|36|none|0|aead rfc4106(gcm(aes)) 0xK 128"
  "0x100c|null|0|hmac-sha1-96|20|enc ecb(cipher_null) ;auth-trunc hmac(sha1) 0xI 96"
)

reqid=0x4c320100
for c in "${cases[@]}"; do
  IFS='|' read -r spi cipher eklen integ aklen want <<<"$c"
  ek=$(key "$eklen" $((spi & 0xff))) ak=$(key "$aklen" $((spi & 0xff | 0x80)))
  args=(--src $A --dst $B --spi "$spi" --reqid $reqid --cipher "$cipher" --sel-proto udp --sel-sport 1701 --sel-dport 1701)
  [[ -n $ek ]] && args+=(--enc-key "$ek")
  [[ $integ != none ]] && args+=(--integ "$integ" --auth-key "$ak")
  dp_a add-sa "${args[@]}" || fail "add-sa $cipher/$integ"
done
ok "${#cases[@]} SAs added, one per algorithm and key length"
dp_a list >"$WORK/list" || fail "list"

for c in "${cases[@]}"; do
  IFS='|' read -r spi cipher eklen integ aklen want <<<"$c"
  ek=$(key "$eklen" $((spi & 0xff))) ak=$(key "$aklen" $((spi & 0xff | 0x80)))
  ip -n "$NS_A" xfrm state get src $A dst $B proto esp spi "$spi" >"$WORK/state" || fail "ip xfrm state get $spi"
  IFS=';' read -ra lines <<<"$want"
  for l in "${lines[@]}"; do
    l=${l//0xK/0x$ek}
    l=${l//0xI/0x$ak}
    expect_lines "$WORK/state" "$cipher/$integ (spi $spi)" "$l"
  done
  expect_lines "$WORK/state" "spi $spi" "proto esp spi $(printf 0x%08x "$spi") reqid $((reqid)) mode transport" \
    "sel src $A/32 dst $B/32 proto udp sport 1701 dport 1701"
  # ... and as our own dump parser reads it back
  grep -qF "sa spi=$(printf 0x%08x "$spi") src=$A dst=$B reqid=$(printf 0x%08x $reqid) mode=transport cipher=$(awk '{print $2}' <<<"${lines[0]}") " "$WORK/list" ||
    fail "l2tpsec-dp list does not show spi $spi with its cipher: $(cat "$WORK/list")"
done
ok "ip xfrm state shows every name, key and ICV length as sent; l2tpsec-dp list agrees"

# An SPI reserved by one process and filled in by another (add-sa --update:
# XFRM_MSG_UPDSA on the larval SA), as a restarted responder would.
spi=$(dp_a alloc-spi --src $B --dst $A --reqid $reqid --min 0x5000 --max 0x5fff) || fail "alloc-spi"
ip -n "$NS_A" xfrm state get src $B dst $A proto esp spi "$spi" | grep -q 'enc ' && fail "larval SA has keys"
dp_a add-sa --update --src $B --dst $A --spi "$spi" --reqid $reqid --cipher aes-cbc --enc-key "$(key 16 1)" \
  --integ hmac-sha1-96 --auth-key "$(key 20 2)" || fail "add-sa --update"
ip -n "$NS_A" xfrm state get src $B dst $A proto esp spi "$spi" >"$WORK/state" || fail "ip xfrm state get $spi"
expect_lines "$WORK/state" "completed SA $spi" "enc cbc(aes) 0x$(key 16 1)" "auth-trunc hmac(sha1) 0x$(key 20 2) 96"
ok "an SPI from alloc-spi completed by add-sa --update in another process"

out=$(dp_a flush) || fail "flush"
[[ $out == "flushed $((${#cases[@]} + 1)) SAs, 0 policies" ]] || fail "flush said: $out"
[[ -z "$(ip -n "$NS_A" xfrm state)" ]] || fail "SAs left: $(ip -n "$NS_A" xfrm state)"
ok "flushed"
echo PASS
