#!/bin/bash
# The whole data path at once: L2TP inside ESP. Two namespaces over a veth;
# ESP transport-mode SAs and policies for UDP 1701 <-> 1701 installed by
# NetlinkIpsecDataplane, then a static L2TPv2 tunnel and PPP session at both
# ends by NetlinkL2tpDataplane, pppd on each end through the PPPoL2TP socket
# opened by the same code, and pings across the ppp interfaces. Checked
# independently of our code: the ESP SA counters (`ip -s xfrm state`) rise by
# at least the pings on both SAs at both ends; netdev-ingress nft counters on
# each veth see ESP with our SPIs and not one cleartext UDP 1701 datagram; the
# session counters read by l2tpsec-dp rise too. In the plain pass, cleartext
# L2TP data frames for the live session, put on the wire as A:1701 -> B:1701
# with AF_PACKET (past A's policy), reach B's veth (its counter sees them) and
# B's inbound policy drops them (XfrmInTmplMismatch): the session counts none
# (and, as a control, takes them once that policy is gone). Teardown leaves
# `ip xfrm state`, `ip xfrm policy` and `ip l2tp show tunnel` empty on both sides.
# Twice: plain ESP (AES-CBC-256 + HMAC-SHA2-256-128), then ESP-in-UDP 4500
# (RFC 3948, AES-GCM-256) with the encap sockets held by l2tpsec-dp.
#   usage: l2tp_over_esp.sh PATH-TO-l2tpsec-dp   (inside the lab VM)
source "$(dirname "$0")/l2tp_lib.sh"
source "$(dirname "$0")/xfrm_lib.sh"
lab_need pppd nft

# key BYTES START: a deterministic test key, distinct per direction.
key() {
  local i out=""
  for ((i = 0; i < $1; i++)); do out+=$(printf %02x $((($2 + i) % 256))); done
  echo "$out"
}

# wire_start ENCAP SPI-A->B SPI-B->A: netdev ingress counters on both veth ends
# (what crossed the wire, after any transform): "l2tp" counts cleartext UDP
# from or to port 1701, "esp" ESP (or ESP-in-UDP 4500) carrying the SPI of the
# SA that the peer sends with, "other" any other ESP or UDP 4500.
wire_start() {
  local encap=$1 ns dev spi match
  for side in "$NS_A $VA $3" "$NS_B $VB $2"; do
    read -r ns dev spi <<<"$side"
    if [[ $encap == 1 ]]; then match="udp dport 4500 @th,64,32 $spi"; else match="esp spi $spi"; fi
    ip netns exec "$ns" nft -f - <<EOF || fail "nft: wire counters in $ns"
table netdev wire {
  counter c_l2tp {}
  counter c_esp {}
  counter c_other {}
  chain ingress {
    type filter hook ingress device "$dev" priority 0; policy accept;
    udp dport 1701 counter name "c_l2tp" accept
    udp sport 1701 counter name "c_l2tp" accept
    $match counter name "c_esp" accept
    ip protocol esp counter name "c_other" accept
    udp dport 4500 counter name "c_other" accept
  }
}
EOF
  done
}

# wire NS l2tp|esp|other: packets counted so far.
wire() {
  ip netns exec "$1" nft list counter netdev wire "c_$2" | awk '$1 == "packets" { print $2; exit }'
}
# sa_counters NS SRC DST SPI -> "packets bytes", read with `ip -s xfrm state`.
sa_counters() {
  ip -n "$1" -s xfrm state get src "$2" dst "$3" proto esp spi "$4" |
    awk '/lifetime current:/ { getline; gsub(/[(),]/, " "); print $3, $1; exit }'
}
# wire_all NS -> "l2tp esp other" packet counts, one nft call.
wire_all() {
  ip netns exec "$1" nft list counters table netdev wire |
    awk '$1 == "counter" { c = $2 } $1 == "packets" { n[c] = $2 } END { print n["c_l2tp"], n["c_esp"], n["c_other"] }'
}
wire_is() { [[ "$(wire "$1" "$2")" == "$3" ]]; }
# wire_matches_sa NS SRC DST SPI: NS's veth saw as many ESP packets with SPI
# as NS's inbound SA SPI decrypted (ip -s xfrm state).
wire_matches_sa() {
  local sa w
  sa=$(sa_counter "$1" "$2" "$3" "$4" packets) w=$(wire "$1" esp)
  [[ -n "$sa" && "$sa" == "$w" ]]
}
# tmpl_mismatch NS: XfrmInTmplMismatch, inbound packets refused by a policy
# whose template they did not match (e.g. cleartext where ESP is required).
tmpl_mismatch() { ip netns exec "$1" awk '$1 == "XfrmInTmplMismatch" { print $2 }' /proc/net/xfrm_stat; }
tmpl_mismatch_ge() { local m; m=$(tmpl_mismatch "$1") && [[ -n "$m" ]] && ((m >= $2)); }
# rx_via_sa NS SRC DST SPI R0 S0 [EXTRA]: NS's session received as many
# frames since R0 as its inbound SA decrypted since S0 (none arrived around
# IPsec), plus EXTRA.
rx_via_sa() {
  local rx s
  read -r _ rx _ _ < <(session_stats "$1") && s=$(sa_counter "$1" "$2" "$3" "$4" packets)
  [[ -n "$rx" && -n "$s" ]] && ((rx - $5 == s - $6 + ${7:-0}))
}
# rx_sa_baseline NS SRC DST SPI: "SESSION_RX SA_PACKETS", rx_via_sa's baseline.
# The two counters are read apart, and a packet (pppd's LCP echo) decrypted
# between the reads would offset them for good: the SA's is read again after
# the session's, until no packet came between (at most 20 times).
rx_sa_baseline() {
  local i s0 s1 rx
  for ((i = 0; i < 20; i++)); do
    s0=$(sa_counter "$1" "$2" "$3" "$4" packets)
    read -r _ rx _ _ < <(session_stats "$1") || return 1
    s1=$(sa_counter "$1" "$2" "$3" "$4" packets)
    [[ -n $s0 && $s0 == "$s1" ]] && break
  done
  echo "$rx $s0"
}
# inject_cleartext NS DEV DST-MAC TID SID FROM TO N: N L2TPv2 data frames (PPP
# carrying an ICMP echo FROM -> TO) for tunnel TID session SID, as UDP
# $A:1701 -> $B:1701 in Ethernet frames written straight onto DEV
# (AF_PACKET: no routing and no XFRM on the way out).
inject_cleartext() {
  ip netns exec "$1" python3 -c '
import socket, struct, sys
dev, mac, tid, sid, frm, to, n, a, b = sys.argv[1:]
def csum(d):
    d += b"\0" * (len(d) % 2)
    s = sum(struct.unpack("!%dH" % (len(d) // 2), d))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
def ip(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x1234, 0, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
eth = bytes.fromhex(mac.replace(":", "")) + s.getsockname()[4] + b"\x08\x00"  # to mac, from dev
for seq in range(1, int(n) + 1):
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4242, seq) + b"cleartext injected"
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    # L2TPv2 data header (no length, sequence or offset), then PPP: ff 03, IPv4.
    l2tp = struct.pack("!HHH", 0x0002, int(tid), int(sid)) + b"\xff\x03\x00\x21" + ip(frm, to, 1, icmp)
    s.send(eth + ip(a, b, 17, struct.pack("!HHHH", 1701, 1701, 8 + len(l2tp), 0) + l2tp))
' "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$A" "$B"
}
no_sessions() { [[ -z "$(ip -n "$1" l2tp show session)" ]]; }

# cleartext_refused NAME REQID TID-B NET SPI-A->B (step 5b of run_pass)
cleartext_refused() {
  local name=$1 reqid=$2 tid_b=$3 net=$4 spi_ab=$5
  local inj=3 mac_b m0 m1 r0 s0
  mac_b=$(ip -n "$NS_B" -br link show "$VB" | awk '{ print $3 }')
  m0=$(tmpl_mismatch "$NS_B")
  read -r r0 s0 < <(rx_sa_baseline "$NS_B" $A $B "$spi_ab") || fail "$name: no session stats from B"
  [[ $mac_b =~ ^[0-9a-f:]{17}$ && -n "$m0" && -n "$s0" && -n "$r0" ]] ||
    fail "$name: cannot read B's MAC ('$mac_b') or XfrmInTmplMismatch/SA/session counters in $NS_B"
  inject_cleartext "$NS_A" "$VA" "$mac_b" "$tid_b" 2 "$net.1" "$net.2" $inj || fail "$name: cannot inject"
  wait_until 20 "$inj cleartext L2TP frames on $NS_B's wire counter" wire_is "$NS_B" l2tp $inj
  wait_until 20 "XfrmInTmplMismatch in $NS_B to rise by $inj" tmpl_mismatch_ge "$NS_B" $((m0 + inj))
  m1=$(tmpl_mismatch "$NS_B")
  ((m1 - m0 == inj)) || fail "$name: XfrmInTmplMismatch in $NS_B rose by $((m1 - m0)), expected $inj"
  wait_until 20 "$NS_B's session to count only what its SA decrypted" rx_via_sa "$NS_B" $A $B "$spi_ab" "$r0" "$s0"
  ok "$name: $inj cleartext L2TP frames for session 2 reached $NS_B's veth and its inbound policy dropped them" \
    "(XfrmInTmplMismatch $m0 -> $m1); the session counted none of them"
  # Control: the same frames are valid L2TP for the session; with B's inbound
  # policy deleted for a moment, the session takes all of them.
  dp_b del-policy --dir in --src $A --dst $B --proto udp --sport 1701 --dport 1701 || fail "$name: del in policy in b"
  m0=$(tmpl_mismatch "$NS_B")
  read -r r0 s0 < <(rx_sa_baseline "$NS_B" $A $B "$spi_ab") || fail "$name: no session stats from B"
  inject_cleartext "$NS_A" "$VA" "$mac_b" "$tid_b" 2 "$net.1" "$net.2" $inj || fail "$name: cannot inject"
  wait_until 20 "$inj more cleartext L2TP frames on $NS_B's wire counter" wire_is "$NS_B" l2tp $((2 * inj))
  wait_until 20 "$NS_B's session to count the $inj cleartext frames" rx_via_sa "$NS_B" $A $B "$spi_ab" "$r0" "$s0" $inj
  [[ $(tmpl_mismatch "$NS_B") == "$m0" ]] || fail "$name: XfrmInTmplMismatch rose without an inbound policy"
  dp_b add-policy --dir in --src $A --dst $B --proto udp --sport 1701 --dport 1701 --reqid "$reqid" --priority 1000 ||
    fail "$name: in policy in b (again)"
  ok "$name: control: without B's inbound policy the session took the same $inj cleartext frames"
}

# run_pass NAME REQID CIPHER ENCKEYLEN INTEG AUTHKEYLEN ENCAP(0|1) TID-A TID-B NET
#   (PPP addresses NET.1 in A, NET.2 in B)
run_pass() {
  local name=$1 reqid=$2 cipher=$3 eklen=$4 integ=$5 aklen=$6 encap=$7 tid_a=$8 tid_b=$9 net=${10}
  local ek_ab ek_ba auth_ab=() auth_ba=() enc=() encap_pids=() spi_ab spi_ba p ns
  local sel=(--sel-proto udp --sel-sport 1701 --sel-dport 1701)
  ek_ab=$(key "$eklen" 30) ek_ba=$(key "$eklen" 130)
  if [[ $integ != none ]]; then
    auth_ab=(--integ "$integ" --auth-key "$(key "$aklen" 60)")
    auth_ba=(--integ "$integ" --auth-key "$(key "$aklen" 160)")
  fi

  # 1. IPsec first, as the daemon does (Quick Mode before L2TP): the NAT-T
  #    sockets, inbound SPIs allocated by their receivers, outbound SAs, policies.
  if [[ $encap == 1 ]]; then
    enc=(--encap-sport 4500 --encap-dport 4500)
    for ns in "$NS_A" "$NS_B"; do
      ip netns exec "$ns" "$DP" xfrm encap-socket --port 4500 >"$WORK/encap-$ns" 2>&1 &
      encap_pids+=($!)
      PIDS+=($!)
    done
    wait_until 20 "encap socket in $NS_A" grep -q ready "$WORK/encap-$NS_A"
    wait_until 20 "encap socket in $NS_B" grep -q ready "$WORK/encap-$NS_B"
  fi
  spi_ab=$(dp_b add-sa --alloc-spi --src $A --dst $B --reqid "$reqid" --cipher "$cipher" --enc-key "$ek_ab" \
    "${auth_ab[@]}" "${enc[@]}" "${sel[@]}") || fail "$name: alloc+add inbound SA in B"
  spi_ba=$(dp_a add-sa --alloc-spi --src $B --dst $A --reqid "$reqid" --cipher "$cipher" --enc-key "$ek_ba" \
    "${auth_ba[@]}" "${enc[@]}" "${sel[@]}") || fail "$name: alloc+add inbound SA in A"
  [[ $spi_ab =~ ^0x[0-9a-f]{8}$ && $spi_ba =~ ^0x[0-9a-f]{8}$ ]] || fail "$name: SPIs '$spi_ab' '$spi_ba'"
  dp_a add-sa --spi "$spi_ab" --src $A --dst $B --reqid "$reqid" --cipher "$cipher" --enc-key "$ek_ab" \
    "${auth_ab[@]}" "${enc[@]}" "${sel[@]}" --replay-window 0 || fail "$name: outbound SA in A"
  dp_b add-sa --spi "$spi_ba" --src $B --dst $A --reqid "$reqid" --cipher "$cipher" --enc-key "$ek_ba" \
    "${auth_ba[@]}" "${enc[@]}" "${sel[@]}" --replay-window 0 || fail "$name: outbound SA in B"
  for side in "a $A $B" "b $B $A"; do
    set -- $side
    "dp_$1" add-policy --dir out --src "$2" --dst "$3" --proto udp --sport 1701 --dport 1701 --reqid "$reqid" \
      --priority 1000 || fail "$name: out policy in $1"
    "dp_$1" add-policy --dir in --src "$3" --dst "$2" --proto udp --sport 1701 --dport 1701 --reqid "$reqid" \
      --priority 1000 || fail "$name: in policy in $1"
  done
  for side in "$NS_A $A $B" "$NS_B $B $A"; do
    set -- $side
    ip -n "$1" xfrm state >"$WORK/state"
    [[ $(grep -c '^src' "$WORK/state") -eq 2 ]] || fail "$name: $1 does not hold exactly 2 SAs: $(cat "$WORK/state")"
    expect_lines "$WORK/state" "$name: $1's SAs" "proto esp spi $spi_ab reqid $((reqid)) mode transport" \
      "proto esp spi $spi_ba reqid $((reqid)) mode transport" "sel src $2/32 dst $3/32 proto udp sport 1701 dport 1701"
    if [[ $encap == 1 ]]; then
      expect_lines "$WORK/state" "$name: $1's SAs" "encap type espinudp sport 4500 dport 4500"
    else
      grep -q encap "$WORK/state" && fail "$name: unexpected encapsulation in $1: $(cat "$WORK/state")"
    fi
    ip -n "$1" xfrm policy >"$WORK/policy"
    expect_lines "$WORK/policy" "$name: $1's policies" \
      "src $2/32 dst $3/32 proto udp sport 1701 dport 1701" "dir out priority 1000" \
      "src $3/32 dst $2/32 proto udp sport 1701 dport 1701" "dir in priority 1000" \
      "proto esp reqid $((reqid)) mode transport"
  done
  ok "$name: SAs $spi_ab ($A->$B) and $spi_ba ($B->$A), in+out policies for UDP 1701 on both sides"

  # 2. The wire watched from here on.
  wire_start "$encap" "$spi_ab" "$spi_ba"

  # 3. L2TP: static tunnels and sessions, A the LNS; pppd on each end.
  in_a "$DP" l2tp add-tunnel --tid "$tid_a" --peer-tid "$tid_b" --local $A --peer $B || fail "$name: add-tunnel A"
  in_b "$DP" l2tp add-tunnel --tid "$tid_b" --peer-tid "$tid_a" --local $B --peer $A || fail "$name: add-tunnel B"
  in_a "$DP" l2tp add-session --tid "$tid_a" --sid 1 --peer-sid 2 --lns || fail "$name: add-session A"
  in_b "$DP" l2tp add-session --tid "$tid_b" --sid 2 --peer-sid 1 || fail "$name: add-session B"
  ip -n "$NS_A" l2tp show tunnel >"$WORK/tun"
  expect_lines "$WORK/tun" "$name: A's tunnel" "Tunnel $tid_a, encap UDP" "From $A to $B" \
    "Peer tunnel $tid_b" "UDP source / dest ports: 1701/1701"
  ip -n "$NS_B" l2tp show session >"$WORK/sess"
  expect_lines "$WORK/sess" "$name: B's session" "Session 2 in tunnel $tid_b" "Peer session 1, tunnel $tid_a"
  local lns=lns$encap lac=lac$encap pid_a pid_b
  start_pppd "$NS_A" $lns "$net.1" "$net.2" --tid "$tid_a" --sid 1 --peer-tid "$tid_b" --peer-sid 2 --lns
  pid_a=$PPPD_PID
  start_pppd "$NS_B" $lac "$net.2" "$net.1" --tid "$tid_b" --sid 2 --peer-tid "$tid_a" --peer-sid 1
  pid_b=$PPPD_PID
  wait_ppp_up "$NS_A" $lns "$net.1" "$net.2"
  wait_ppp_up "$NS_B" $lac "$net.2" "$net.1"
  ok "$name: L2TP tunnel $tid_a<->$tid_b, session 1<->2; pppd up: ppp-$lns $net.1 <-> ppp-$lac $net.2"

  # 4. Pings both ways across PPP. Each direction's SA carries the requests
  #    one way and the replies to the other side's pings: at least 2 x pings.
  local pings=10 c ns_ src dst spi n0 n1 b0 b1 before=() after=()
  local sas=("$NS_A $A $B $spi_ab" "$NS_B $A $B $spi_ab" "$NS_B $B $A $spi_ba" "$NS_A $B $A $spi_ba")
  for c in "${sas[@]}"; do
    read -r ns_ src dst spi <<<"$c"
    before+=("$(sa_counters "$ns_" "$src" "$dst" "$spi")")
  done
  read -r atx0 arx0 atxb0 arxb0 < <(session_stats "$NS_A") || fail "$name: no session stats from A"
  read -r btx0 brx0 btxb0 brxb0 < <(session_stats "$NS_B") || fail "$name: no session stats from B"
  in_a ping -c $pings -i 0.2 -W 2 -w 30 "$net.2" || fail "$name: no ping reply across PPP from A"
  in_b ping -c $pings -i 0.2 -W 2 -w 30 "$net.1" >/dev/null || fail "$name: no ping reply across PPP from B"
  read -r atx1 arx1 atxb1 arxb1 < <(session_stats "$NS_A") || fail "$name: no session stats from A"
  read -r btx1 brx1 btxb1 brxb1 < <(session_stats "$NS_B") || fail "$name: no session stats from B"
  local i=0
  for c in "${sas[@]}"; do
    read -r ns_ src dst spi <<<"$c"
    read -r n0 b0 <<<"${before[$i]}"
    read -r n1 b1 < <(sa_counters "$ns_" "$src" "$dst" "$spi")
    after+=("$n1")
    echo "SA $spi $src->$dst in $ns_: packets $n0 -> $n1, bytes $b0 -> $b1"
    [[ $n0 =~ ^[0-9]+$ && $n1 =~ ^[0-9]+$ && $b0 =~ ^[0-9]+$ && $b1 =~ ^[0-9]+$ ]] ||
      fail "$name: cannot read SA $spi's counters in $ns_"
    ((n1 - n0 >= 2 * pings)) || fail "$name: SA $spi in $ns_ counted $((n1 - n0)) packets, expected >= $((2 * pings))"
    # Each ping is 84 bytes of IP, inside PPP, L2TP, UDP and IP.
    ((b1 - b0 >= 2 * pings * 84)) || fail "$name: SA $spi in $ns_ counted only $((b1 - b0)) bytes"
    i=$((i + 1))
  done
  ok "$name: ESP SA counters (ip -s xfrm state) rose by >= $((2 * pings)) packets on both SAs at both ends"
  echo "session A: tx $atx0 -> $atx1 ($atxb0 -> $atxb1 bytes), rx $arx0 -> $arx1 ($arxb0 -> $arxb1 bytes)"
  echo "session B: tx $btx0 -> $btx1 ($btxb0 -> $btxb1 bytes), rx $brx0 -> $brx1 ($brxb0 -> $brxb1 bytes)"
  for d in "A $atx0 $atx1 $arx0 $arx1 $atxb0 $atxb1 $arxb0 $arxb1" "B $btx0 $btx1 $brx0 $brx1 $btxb0 $btxb1 $brxb0 $brxb1"; do
    set -- $d
    (($3 - $2 >= 2 * pings && $5 - $4 >= 2 * pings)) || fail "$name: $1's session packets rose by less than $((2 * pings))"
    (($7 - $6 >= 2 * pings * 84 && $9 - $8 >= 2 * pings * 84)) || fail "$name: $1's session bytes rose too little"
  done
  ok "$name: session counters read by l2tpsec-dp rose by >= $((2 * pings)) packets each way at both ends"

  # 5. The wire: only ESP with our SPIs, as many packets as the receiving SA
  #    decrypted (polled: a late PPP frame may be in flight between the two
  #    reads); not one cleartext L2TP datagram.
  local wa wb la lb oa ob
  wait_until 30 "$NS_B's veth ESP count to equal its inbound SA's" wire_matches_sa "$NS_B" $A $B "$spi_ab"
  wait_until 30 "$NS_A's veth ESP count to equal its inbound SA's" wire_matches_sa "$NS_A" $B $A "$spi_ba"
  read -r la wa oa < <(wire_all "$NS_A")
  read -r lb wb ob < <(wire_all "$NS_B")
  echo "wire: $NS_A received $wa ESP (spi $spi_ba), $NS_B received $wb ESP (spi $spi_ab);" \
    "cleartext 1701: $la / $lb; other ESP/4500: $oa / $ob"
  ((wa >= 2 * pings && wb >= 2 * pings)) || fail "$name: the veth saw too little ESP: $wb A->B, $wa B->A"
  [[ $la == 0 && $lb == 0 ]] || fail "$name: cleartext UDP 1701 crossed the veth ($lb A->B, $la B->A)"
  [[ $oa == 0 && $ob == 0 ]] || fail "$name: unexpected ESP or UDP 4500 packets crossed the veth ($ob A->B, $oa B->A)"
  ok "$name: the veth carried only $([[ $encap == 1 ]] && echo 'ESP-in-UDP 4500' || echo 'ESP (proto 50)')" \
    "with our SPIs ($wb A->B, $wa B->A), no cleartext UDP 1701"

  # 5b. Cleartext L2TP for the live session, from A:1701 but around A's
  #     policy: it crosses the wire, and B's inbound policy drops it. (Once:
  #     the NAT-T pass has the same L2TP socket and the same policy check.)
  if [[ $encap == 0 ]]; then cleartext_refused "$name" "$reqid" "$tid_b" "$net" "$spi_ab"; fi

  # 6. Teardown: pppd exits (its socket takes the session), tunnels, policies, SAs.
  kill -TERM "$pid_a" "$pid_b"
  wait "$pid_a" "$pid_b" 2>/dev/null
  for ns in "$NS_A" "$NS_B"; do
    wait_until 30 "sessions gone in $ns after pppd exited" no_sessions "$ns"
  done
  in_a "$DP" l2tp del-tunnel --tid "$tid_a" || fail "$name: del-tunnel A"
  in_b "$DP" l2tp del-tunnel --tid "$tid_b" || fail "$name: del-tunnel B"
  wait_until 30 "A's tunnel list to empty" no_tunnels "$NS_A"
  wait_until 30 "B's tunnel list to empty" no_tunnels "$NS_B"
  for side in "a $A $B" "b $B $A"; do
    set -- $side
    "dp_$1" del-policy --dir out --src "$2" --dst "$3" --proto udp --sport 1701 --dport 1701 || fail "del out policy"
    "dp_$1" del-policy --dir in --src "$3" --dst "$2" --proto udp --sport 1701 --dport 1701 || fail "del in policy"
    "dp_$1" del-sa --src $A --dst $B --spi "$spi_ab" || fail "del-sa $spi_ab in $1"
    "dp_$1" del-sa --src $B --dst $A --spi "$spi_ba" || fail "del-sa $spi_ba in $1"
  done
  for p in "${encap_pids[@]}"; do kill -TERM "$p"; wait "$p" || fail "$name: encap-socket did not exit cleanly"; done

  for ns in "$NS_A" "$NS_B"; do ip netns exec "$ns" nft delete table netdev wire || fail "nft delete table in $ns"; done

  for ns in "$NS_A" "$NS_B"; do
    [[ -z "$(ip -n "$ns" xfrm state)" ]] || fail "$name: SAs left in $ns: $(ip -n "$ns" xfrm state)"
    [[ -z "$(ip -n "$ns" xfrm policy)" ]] || fail "$name: policies left in $ns: $(ip -n "$ns" xfrm policy)"
    [[ -z "$(ip -n "$ns" l2tp show tunnel)" ]] || fail "$name: tunnels left in $ns: $(ip -n "$ns" l2tp show tunnel)"
  done
  PIDS=()
  ok "$name: torn down; ip xfrm state, ip xfrm policy and ip l2tp show tunnel are empty on both sides"
}

run_pass "plain ESP, AES-CBC-256 + HMAC-SHA2-256-128" 0x4c320041 aes-cbc 32 hmac-sha2-256-128 32 0 16385 16386 10.0.0
run_pass "ESP-in-UDP 4500, AES-GCM-256" 0x4c320042 aes-gcm-16 36 none 0 1 16387 16388 10.0.1
echo PASS
