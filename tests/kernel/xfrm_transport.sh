#!/bin/bash
# ESP transport mode for the L2TP flow (UDP 1701 <-> 1701) between two
# namespaces, SAs and policies installed by NetlinkIpsecDataplane through
# l2tpsec-dp: once plain ESP, once ESP-in-UDP (RFC 3948) with the UDP 4500
# encap sockets held by this code. Each time: datagrams pass both ways, the
# wire carries only ESP, the ESP counters rise on both sides, `ip xfrm`
# shows exactly what was asked for, and deleting leaves nothing behind.
#   usage: xfrm_transport.sh PATH-TO-l2tpsec-dp   (inside the lab VM)
source "$(dirname "$0")/xfrm_lib.sh"

# key BYTES START: a deterministic test key, distinct per direction.
key() {
  local i out=""
  for ((i = 0; i < $1; i++)); do out+=$(printf %02x $((($2 + i) % 256))); done
  echo "$out"
}

# run_case NAME REQID CIPHER ENCKEYLEN INTEG AUTHKEYLEN ICVBITS ENCAP(0|1)
run_case() {
  local name=$1 reqid=$2 cipher=$3 eklen=$4 integ=$5 aklen=$6 icv=$7 encap=$8
  local ek_ab ek_ba ak_ab ak_ba spi_ab spi_ba enc=() authargs_ab=() authargs_ba=()
  ek_ab=$(key "$eklen" 10) ek_ba=$(key "$eklen" 80)
  if [[ $integ != none ]]; then
    ak_ab=$(key "$aklen" 20) ak_ba=$(key "$aklen" 90)
    authargs_ab=(--integ "$integ" --auth-key "$ak_ab") authargs_ba=(--integ "$integ" --auth-key "$ak_ba")
  fi
  [[ $encap == 1 ]] && enc=(--encap-sport 4500 --encap-dport 4500)
  local sel=(--sel-proto udp --sel-sport 1701 --sel-dport 1701)

  if [[ $encap == 1 ]]; then
    # The NAT-T sockets a daemon keeps: UDP 4500 with UDP_ENCAP_ESPINUDP.
    for ns in "$NS_A" "$NS_B"; do
      ip netns exec "$ns" "$DP" xfrm encap-socket --port 4500 >"$WORK/encap-$ns" 2>&1 &
      PIDS+=($!)
      ENCAP_PIDS+=($!)
    done
    wait_until 10 "encap socket in $NS_A" grep -q ready "$WORK/encap-$NS_A"
    wait_until 10 "encap socket in $NS_B" grep -q ready "$WORK/encap-$NS_B"
    in_a ss -uln | grep -q ':4500 ' || fail "no UDP 4500 socket in $NS_A"
  fi

  # Each inbound SPI is allocated by its receiver (ALLOCSPI, then UPDSA),
  # as a Quick Mode responder would; the sender installs it as outbound.
  spi_ab=$(dp_b add-sa --alloc-spi --src $A --dst $B --reqid "$reqid" --cipher "$cipher" --enc-key "$ek_ab" \
    "${authargs_ab[@]}" "${enc[@]}" "${sel[@]}") || fail "$name: alloc+add inbound SA in B"
  spi_ba=$(dp_a add-sa --alloc-spi --src $B --dst $A --reqid "$reqid" --cipher "$cipher" --enc-key "$ek_ba" \
    "${authargs_ba[@]}" "${enc[@]}" "${sel[@]}") || fail "$name: alloc+add inbound SA in A"
  dp_a add-sa --spi "$spi_ab" --src $A --dst $B --reqid "$reqid" --cipher "$cipher" --enc-key "$ek_ab" \
    "${authargs_ab[@]}" "${enc[@]}" "${sel[@]}" --replay-window 0 || fail "$name: outbound SA in A"
  dp_b add-sa --spi "$spi_ba" --src $B --dst $A --reqid "$reqid" --cipher "$cipher" --enc-key "$ek_ba" \
    "${authargs_ba[@]}" "${enc[@]}" "${sel[@]}" --replay-window 0 || fail "$name: outbound SA in B"
  for side in "a $A $B" "b $B $A"; do
    set -- $side
    "dp_$1" add-policy --dir out --src "$2" --dst "$3" --proto udp --sport 1701 --dport 1701 --reqid "$reqid" \
      --priority 1000 || fail "$name: out policy in $1"
    "dp_$1" add-policy --dir in --src "$3" --dst "$2" --proto udp --sport 1701 --dport 1701 --reqid "$reqid" \
      --priority 1000 || fail "$name: in policy in $1"
  done
  ok "$name: SAs 0x${spi_ab#0x} ($A->$B) and 0x${spi_ba#0x} ($B->$A), in+out policies on both sides"

  # What the kernel holds is exactly what was asked for.
  local wantalg=() reqdec=$((reqid))
  if [[ $integ == none ]]; then
    wantalg=("aead $cipher_kernel 0x$ek_ab $icv")
  else
    wantalg=("enc $cipher_kernel 0x$ek_ab" "auth-trunc $integ_kernel 0x$ak_ab $icv")
  fi
  ip -n "$NS_A" xfrm state get src $A dst $B proto esp spi "$spi_ab" >"$WORK/state" || fail "ip xfrm state get"
  expect_lines "$WORK/state" "$name: A's outbound SA" \
    "src $A dst $B" "proto esp spi $spi_ab reqid $reqdec mode transport" "replay-window 0" "${wantalg[@]}" \
    "sel src $A/32 dst $B/32 proto udp sport 1701 dport 1701"
  ip -n "$NS_B" xfrm state get src $A dst $B proto esp spi "$spi_ab" >"$WORK/state" || fail "ip xfrm state get"
  expect_lines "$WORK/state" "$name: B's inbound SA" \
    "proto esp spi $spi_ab reqid $reqdec mode transport" "replay-window 32" "${wantalg[@]}"
  if [[ $encap == 1 ]]; then
    expect_lines "$WORK/state" "$name: encap" "encap type espinudp sport 4500 dport 4500 addr 0.0.0.0"
  elif grep -q encap "$WORK/state"; then
    fail "$name: unexpected encapsulation: $(cat "$WORK/state")"
  fi
  [[ $(ip -n "$NS_A" xfrm state | grep -c '^src') -eq 2 ]] || fail "$name: A does not hold exactly 2 SAs"
  ip -n "$NS_A" xfrm policy >"$WORK/policy"
  expect_lines "$WORK/policy" "$name: A's policies" \
    "src $A/32 dst $B/32 proto udp sport 1701 dport 1701" "dir out priority 1000" \
    "src $B/32 dst $A/32 proto udp sport 1701 dport 1701" "dir in priority 1000" \
    "proto esp reqid $reqdec mode transport"
  # The encap socket's bypass shows up as two per-socket policies.
  local sockpol=0
  [[ $encap == 1 ]] && sockpol=2
  [[ $(grep -c '^src' "$WORK/policy") -eq $((2 + sockpol)) ]] || fail "$name: A does not hold exactly 2 policies"
  [[ $(grep -c 'socket \(in\|out\) ' "$WORK/policy") -eq $sockpol ]] || fail "$name: socket bypass policies"
  [[ $encap == 1 ]] && expect_lines "$WORK/policy" "$name: encap socket bypass" "socket in priority 0" \
    "socket out priority 0"
  dp_a list >"$WORK/list" || fail "list"
  [[ $(grep -c '^sa ' "$WORK/list") -eq 2 && $(grep -c '^policy ' "$WORK/list") -eq 2 ]] ||
    fail "$name: l2tpsec-dp list: $(cat "$WORK/list")"
  ok "$name: ip xfrm state/policy show the algorithms, SPIs, reqid, selectors and encap asked for"

  # Traffic, with the wire watched: only ESP (or ESP in UDP 4500), never plain UDP 1701.
  in_b timeout 60 tcpdump -l -n -i "$VB" -c 100 'esp or udp' >"$WORK/wire" 2>/dev/null &
  local tpid=$!
  PIDS+=("$tpid")
  sleep 1
  udp_exchange "$NS_A" $A "$NS_B" $B 5
  udp_exchange "$NS_B" $B "$NS_A" $A 5
  sleep 0.5
  kill "$tpid" 2>/dev/null
  wait "$tpid" 2>/dev/null
  if [[ $encap == 1 ]]; then
    grep -q "$A.4500 > $B.4500: UDP-encap: ESP(spi=$spi_ab" "$WORK/wire" || fail "$name: no ESP-in-UDP on the wire: $(cat "$WORK/wire")"
    grep -q "$B.4500 > $A.4500: UDP-encap: ESP(spi=$spi_ba" "$WORK/wire" || fail "$name: no ESP-in-UDP back"
  else
    grep -q "$A > $B: ESP(spi=$spi_ab" "$WORK/wire" || fail "$name: no ESP on the wire: $(cat "$WORK/wire")"
    grep -q "$B > $A: ESP(spi=$spi_ba" "$WORK/wire" || fail "$name: no ESP back"
  fi
  grep -q '\.1701 > .*\.1701' "$WORK/wire" && fail "$name: plain L2TP on the wire: $(cat "$WORK/wire")"
  ok "$name: 5 datagrams each way on UDP 1701; the wire carried only ESP$([[ $encap == 1 ]] && echo '-in-UDP 4500')"

  local n
  for c in "$NS_A $A $B $spi_ab" "$NS_B $A $B $spi_ab" "$NS_B $B $A $spi_ba" "$NS_A $B $A $spi_ba"; do
    set -- $c
    n=$(sa_counter "$1" "$2" "$3" "$4" packets)
    [[ ${n:-0} -eq 5 ]] || fail "$name: SA $4 in $1 counted ${n:-nothing} packets, expected 5"
  done
  # The same counters through our own GETSA.
  dp_a get-sa --src $A --dst $B --spi "$spi_ab" >"$WORK/get" || fail "get-sa"
  grep -qE "^sa spi=$spi_ab src=$A dst=$B reqid=$(printf 0x%08x "$reqid") mode=transport .* packets=5 " "$WORK/get" ||
    fail "$name: get-sa: $(cat "$WORK/get")"
  dp_b get-sa --json --src $A --dst $B --spi "$spi_ab" | python3 -c "
import json, sys
s = json.load(sys.stdin)
assert s['packets'] == 5 and s['bytes'] > 0, s
assert s['reqid'] == $reqid and s['mode'] == 'transport', s
assert (s['encap'] is not None) == ($encap == 1), s
" || fail "$name: get-sa --json"
  ok "$name: ESP counters rose on both sides (ip -s xfrm state and XFRM_MSG_GETSA agree)"

  # Deleting everything leaves nothing.
  for side in "a $A $B" "b $B $A"; do
    set -- $side
    "dp_$1" del-policy --dir out --src "$2" --dst "$3" --proto udp --sport 1701 --dport 1701 || fail "del out policy"
    "dp_$1" del-policy --dir in --src "$3" --dst "$2" --proto udp --sport 1701 --dport 1701 || fail "del in policy"
    "dp_$1" del-sa --src $A --dst $B --spi "$spi_ab" || fail "del-sa"
    "dp_$1" del-sa --src $B --dst $A --spi "$spi_ba" || fail "del-sa"
  done
  for p in "${ENCAP_PIDS[@]}"; do kill -TERM "$p"; wait "$p" || fail "encap-socket did not exit cleanly"; done
  ENCAP_PIDS=()
  for ns in "$NS_A" "$NS_B"; do
    [[ -z "$(ip -n "$ns" xfrm state)" ]] || fail "$name: SAs left in $ns: $(ip -n "$ns" xfrm state)"
    [[ -z "$(ip -n "$ns" xfrm policy)" ]] || fail "$name: policies left in $ns: $(ip -n "$ns" xfrm policy)"
  done
  ok "$name: deleted; ip xfrm state and ip xfrm policy are empty on both sides"
}

ENCAP_PIDS=()
cipher_kernel="cbc(aes)" integ_kernel="hmac(sha1)"
run_case "plain ESP, AES-CBC-128 + HMAC-SHA1-96" 0x4c320001 aes-cbc 16 hmac-sha1-96 20 96 0
cipher_kernel="cbc(aes)" integ_kernel="hmac(sha256)"
run_case "ESP-in-UDP 4500, AES-CBC-256 + HMAC-SHA2-256-128" 0x4c320002 aes-cbc 32 hmac-sha2-256-128 32 128 1
cipher_kernel="rfc4106(gcm(aes))" integ_kernel=""
run_case "ESP-in-UDP 4500, AES-GCM-256 (rfc4106, ICV 128)" 0x4c320003 aes-gcm-16 36 none 0 128 1
echo PASS
