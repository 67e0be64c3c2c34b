#!/bin/bash
# The IKEv1 interop matrix with strongSwan (charon via swanctl, PSK, transport
# mode for udp/1701), in one VM boot: five proposal sets (IKE and the
# matching ESP), two topologies (direct; the client behind a masquerading
# NAT router, where IKE floats to UDP 4500 and ESP goes in UDP), two
# directions and two deleters, covered pairwise in ten cases: every proposal
# set in both directions and both topologies, and every pair of direction,
# topology and deleter (the full product, twenty cases, took 310 s of the
# suite for no pair this misses: the ESP algorithm does not meet the UDP
# encapsulation anywhere in the kernel or in l2tpsecd). The directions:
#   charon-l2tpsecd  charon initiates from the client namespace, where an
#                    l2tpsecd LAC with ipsec = "off" sends its L2TP under
#                    charon's policies, to the l2tpsecd LNS with ipsec =
#                    "required";
#   l2tpsecd-charon  an l2tpsecd LAC with ipsec = "required" negotiates IPsec
#                    with charon on the server, then its L2TP tunnel with the
#                    l2tpsecd LNS (ipsec = "off") that charon's policy protects.
# Each case checks that Main Mode and Quick Mode chose the intended algorithms
# on both ends (l2tpctl sas, swanctl --list-sas), that ESP in the expected
# encapsulation carried the L2TP tunnel's set-up (the byte counters of all
# four kernel SAs rise), and that a delete from one side (alternately charon's
# swanctl --terminate and l2tpsecd's SIGTERM) removes both ends' SAs and
# policies, so that the next case starts from the kernels' baseline.
#   usage: ike_matrix.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

command -v nft >/dev/null || fail "nft is not installed (run tools/setup)"
# swanctl needs no crypto of its own for pre-shared keys.
export SWANCTL_LOAD="pem pkcs1 x509 pubkey"
nat_router

# IKE proposal:ESP proposal.
SETS=(aes256-sha1-modp2048:aes256-sha1 aes128-sha1-modp1024:aes128-sha1 3des-sha1-modp1024:3des-sha1
      aes256-sha256-modp2048:aes256-sha256 aes128-sha256-ecp256:aes128-sha256)

psk='interop matrix psk 4711'
secret_file "$WORK/psk" "$psk"
ppp_alice

# The kernels' IPsec state before any case: each case must leave it so.
declare -A BASE=()
for ns in "$NS_S" "$NS_C" "$NS_N"; do
  BASE[$ns]="$(xfrm_count "$ns" state) $(xfrm_count "$ns" policy)"
done
at_baseline() {
  local ns
  for ns in "$@"; do
    [[ "$(xfrm_count "$ns" state) $(xfrm_count "$ns" policy)" == "${BASE[$ns]}" ]] || return 1
  done
}
# wait_baseline WHAT NS...: at most 30 s for at_baseline; else fail with what is left.
wait_baseline() {
  local what=$1 end ns left=""
  shift
  end=$(($(date +%s) + 30))
  until at_baseline "$@"; do
    if [[ $(date +%s) -ge $end ]]; then
      for ns in "$@"; do
        left+=$'\n'"$ns (baseline ${BASE[$ns]}):"$'\n'"$(ip -n "$ns" xfrm state; ip -n "$ns" xfrm policy)"
      done
      fail "$what: the kernels are not back to their baseline after 30 s:$left"
    fi
    sleep 0.2
  done
}

# strongSwan's names of our algorithms, as swanctl --list-sas prints them.
swan_alg() {
  case $1 in
    aes128) echo AES_CBC-128 ;; aes256) echo AES_CBC-256 ;; 3des) echo 3DES_CBC ;;
    sha1) echo HMAC_SHA1_96 ;; sha256) echo HMAC_SHA2_256_128 ;;
    prf-sha1) echo PRF_HMAC_SHA1 ;; prf-sha256) echo PRF_HMAC_SHA2_256 ;;
    modp1024) echo MODP_1024 ;; modp2048) echo MODP_2048 ;; ecp256) echo ECP_256 ;;
    *) fail "no strongSwan name for $1" ;;
  esac
}
swan_ike_suite() {
  local c i g
  IFS=- read -r c i g <<<"$1"
  echo "$(swan_alg "$c")/$(swan_alg "$i")/$(swan_alg "prf-$i")/$(swan_alg "$g")"
}
swan_esp_suite() {
  local c i
  IFS=- read -r c i <<<"$1"
  echo "ESP:$(swan_alg "$c")/$(swan_alg "$i")"
}

# charon_sas_ok NAME IKE ESP NAT: charon NAME holds one established IKEv1 SA
# with IKE and one installed child with ESP, in UDP if NAT is true.
charon_sas_ok() {
  local out mode=TRANSPORT
  [[ $4 == true ]] && mode=TRANSPORT-in-UDP
  out=$(swan "$1" --list-sas) || return 1
  [[ $(grep -c 'ESTABLISHED, IKEv1' <<<"$out") == 1 ]] &&
    grep -qF "$(swan_ike_suite "$2")" <<<"$out" &&
    [[ $(grep -cF "INSTALLED, $mode, $(swan_esp_suite "$3")" <<<"$out") == 1 ]]
}

# kernel_pair_ok NS NAT: NS's kernel holds the SA pair $IN_SPI/$OUT_SPI, both
# ESP in UDP if NAT is true, neither if not.
kernel_pair_ok() {
  local st n
  st=$(ip -n "$1" xfrm state) || return 1
  [[ $st == *"spi $IN_SPI"* && $st == *"spi $OUT_SPI"* ]] || return 1
  n=$(grep -c 'encap type espinudp' <<<"$st")
  if [[ $2 == true ]]; then [[ $n == 2 ]]; else [[ $n == 0 ]]; fi
}

# The polls read l2tpctl's JSON (dump(2): one '"key": value' a line) with
# grep and awk: jq starts slowly in the emulated VM.

# counters NAME NS: COUNTERS=(the byte counters of l2tpsecd NAME's inbound and
# outbound SA, l2tpctl sas; then of charon's, the same SPIs, in NS's kernel).
counters() {
  local pair in_spi out_spi in_b out_b
  pair=$(ctl "$1" sas --json | awk -F': ' '
    $1 ~ /"(in_spi|out_spi|in_bytes|out_bytes)"$/ { k = $1; gsub(/[ "]/, "", k); v = $2; gsub(/[",]/, "", v); f[k] = v }
    END { print f["in_spi"], f["out_spi"], f["in_bytes"], f["out_bytes"] }') || return 1
  read -r in_spi out_spi in_b out_b <<<"$pair"
  # shellcheck disable=SC2207 # two numbers
  COUNTERS=("$in_b" "$out_b" $(xfrm_sa_bytes "$2" "$out_spi" "$in_spi")) || return 1
  [[ "${COUNTERS[*]}" =~ ^[0-9]+( [0-9]+){3}$ ]]
}
# risen NAME NS BEFORE...: each of the four counters is above its BEFORE value.
risen() {
  local i
  counters "$1" "$2" || return 1
  shift 2
  for i in 0 1 2 3; do
    ((COUNTERS[i] > $1)) || return 1
    shift
  done
}

# topology direct|nat: the client's namespace, address, the server address it
# dials, the client address the server sees, and NAT true/false.
topology() {
  if [[ $1 == direct ]]; then
    CNS=$NS_C CIP=$C_IP SIP=$S_IP SEEN=$C_IP NAT=false
  else
    CNS=$NS_N CIP=$N_IP SIP=$S_NAT_IP SEEN=$R_IP NAT=true
  fi
}

# lac_conf FILE IPSEC [IKE ESP]: an l2tpsecd LAC on $CIP with profile "office" to $SIP.
lac_conf() {
  {
    printf '[server]\nlisten = ["%s"]\n' "$CIP"
    [[ $# -ge 4 ]] && printf '[ike]\nike = ["%s"]\nesp = ["%s"]\n' "$3" "$4"
    printf '[l2tp]\nipsec = "%s"\n%s\n' "$2" "$PPP_LAC"
    printf '[[lac]]\nname = "office"\nserver = "%s"\nuser = "alice"\n' "$SIP"
    printf 'password_file = "%s"\n' "$WORK/alice.pass"
    [[ $2 != off ]] && printf 'psk_file = "%s"\n' "$WORK/psk"
  } >"$1"
}

# lns_conf FILE IPSEC [IKE ESP]: the l2tpsecd LNS on both server addresses.
lns_conf() {
  {
    printf '[server]\nlisten = ["%s", "%s"]\n' "$S_IP" "$S_NAT_IP"
    [[ $# -ge 4 ]] && printf '[ike]\npsk_file = "%s"\nike = ["%s"]\nesp = ["%s"]\n' "$WORK/psk" "$3" "$4"
    printf '[l2tp]\nipsec = "%s"\n%s\n' "$2" "$PPP_LNS"
  } >"$1"
}

since() { awk -v t="$(date +%s.%N)" -v t0="$1" 'BEGIN { printf "%.1f", t - t0 }'; }
# Where each case spends its time ($WORK/steps.log, kept with the logs).
step() { echo "$(elapsed)s case $CASE: $*" | tee -a "$WORK/steps.log" >&2; }

CASE=0
# Case CASE is proposal set CASE % 5 in direction CASE / 5 (0: charon
# initiates, 1: l2tpsecd does). Its topology alternates with the set and the
# direction, its deleter with pairs of sets and the direction, so that each
# direction meets both topologies and both deleters, each set both topologies,
# and each topology both deleters.
case_topology() { if (((CASE % 5 + CASE / 5) % 2 == 0)); then echo direct; else echo nat; fi; }
deleter() { if (((CASE % 5 / 2 + CASE / 5) % 2 == 0)); then echo charon; else echo l2tpsecd; fi; }

# ---- charon initiates, l2tpsecd responds -------------------------------------

charon_initiates() {
  local topo=$1 ike=$2 esp=$3 t0 charon lacd sas spis before after who
  t0=$(date +%s.%N)
  who=$(deleter)
  topology "$topo"
  charon=swan-$topo lacd=lac-$topo
  lns_conf "$WORK/lns.conf" required "$ike" "$esp"
  start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"
  step "LNS started"
  charon_psk_conf "$WORK/$charon.conf" ike="$ike" esp="$esp" me="$CIP" peer="$SIP"
  if [[ -z "${CHARON_PID[$charon]:-}" ]]; then
    start_charon "$charon" "$CNS" "$WORK/$charon.conf"
    lac_conf "$WORK/$lacd.conf" off
    start_l2tpsecd "$lacd" "$CNS" "$WORK/$lacd.conf"
  else
    swan "$charon" --load-all --file "$WORK/$charon.conf" >"$WORK/$charon-load.log" 2>&1 ||
      fail "swanctl --load-all: $(tail -5 "$WORK/$charon-load.log")"
  fi
  step "charon loaded"

  # (a) Main Mode and Quick Mode, with the intended algorithms on both ends.
  swan "$charon" --initiate --child l2tp --timeout 60 >"$WORK/$charon-initiate.log" 2>&1 ||
    fail "$topo $ike: swanctl --initiate: $(tail -5 "$WORK/$charon-initiate.log")"
  step "Main Mode and Quick Mode done"
  sas=$(ctl lns sas --json) || fail "l2tpctl sas"
  spis=$(jq -er --arg ike "$ike" --arg esp "$esp" --arg seen "$SEEN" --argjson nat "$NAT" '
    select((.isakmp | length) == 1 and .isakmp[0].state == "established" and .isakmp[0].role == "responder"
    and .isakmp[0].suite == $ike and .isakmp[0].nat_peer == $nat and .isakmp[0].nat_local == false
    and (.isakmp[0].peer | startswith($seen + ":"))
    and (.ipsec | length) == 1 and .ipsec[0].suite == $esp and .ipsec[0].nat_t == $nat)
    | .ipsec[0] | "\(.in_spi) \(.out_spi)"' <<<"$sas") ||
    fail "$topo $ike: LNS SAs: $sas"
  charon_sas_ok "$charon" "$ike" "$esp" "$NAT" || fail "$topo $ike: charon's SAs: $(swan "$charon" --list-sas)"
  read -r IN_SPI OUT_SPI <<<"$spis"
  kernel_pair_ok "$NS_S" "$NAT" && kernel_pair_ok "$CNS" "$NAT" ||
    fail "$topo $ike: not the SA pair $IN_SPI/$OUT_SPI (NAT-T: $NAT) in both kernels:" \
         "$(ip -n "$NS_S" xfrm state; ip -n "$CNS" xfrm state)"
  step "SAs checked"

  # (b) ESP carries the L2TP tunnel's set-up.
  counters lns "$CNS" || fail "$topo $ike: byte counters: ${COUNTERS[*]}"
  before=("${COUNTERS[@]}")
  ctl "$lacd" connect office >/dev/null || fail "l2tpctl connect office"
  wait_until 60 "$topo $ike: the LNS establishes the L2TP tunnel through the SA" tunnel_up lns
  step "tunnel up"
  wait_until 20 "$topo $ike: all four ESP byte counters rise (from ${before[*]})" risen lns "$CNS" "${before[@]}"
  step "counters risen"
  after="${COUNTERS[*]}"
  ctl "$lacd" disconnect office >/dev/null || fail "l2tpctl disconnect office"
  step "tunnel closed by the LAC"
  wait_until 30 "$topo $ike: the LAC's StopCCN acknowledged" no_tunnel "$lacd"
  step "StopCCN acknowledged"

  # (c) A delete from one side removes both ends' SAs.
  if [[ $who == charon ]]; then
    swan "$charon" --terminate --ike l2tp >"$WORK/$charon-terminate.log" 2>&1 ||
      fail "swanctl --terminate: $(tail -5 "$WORK/$charon-terminate.log")"
    wait_until 30 "$topo $ike: the LNS drops its SAs after charon's delete" no_ike_sas lns
    step "charon's delete reached the LNS"
  else
    stop_l2tpsecd lns
    wait_until 30 "$topo $ike: charon drops its SAs after l2tpsecd's delete" charon_no_sas "$charon"
    step "l2tpsecd's delete reached charon"
  fi
  wait_baseline "$topo $ike" "$NS_S" "$CNS"
  step "kernels at baseline"
  [[ $who == l2tpsecd ]] || charon_no_sas "$charon" || fail "$topo $ike: charon still has SAs"
  [[ $who == charon ]] && stop_l2tpsecd lns
  ok "case $CASE charon->l2tpsecd $topo $ike/$esp: MM+QM, ESP$([[ $NAT == true ]] && echo ' in UDP')" \
     "carried L2TP (bytes in/out, charon in/out: ${before[*]} -> $after), delete by $who removed both ends" \
     "($(since "$t0")s)"
  CASE=$((CASE + 1))
}

# ---- l2tpsecd initiates, charon responds -------------------------------------

l2tpsecd_initiates() {
  local topo=$1 ike=$2 esp=$3 t0 sas spis who after
  t0=$(date +%s.%N)
  who=$(deleter)
  topology "$topo"
  charon_psk_conf "$WORK/swan-srv.conf" ike="$ike" esp="$esp"
  swan swan-srv --load-all --file "$WORK/swan-srv.conf" >"$WORK/swan-srv-load.log" 2>&1 ||
    fail "swanctl --load-all: $(tail -5 "$WORK/swan-srv-load.log")"
  lac_conf "$WORK/lac.conf" required "$ike" "$esp"
  start_l2tpsecd lac "$CNS" "$WORK/lac.conf"
  step "charon loaded, LAC started"

  # (a) Main Mode and Quick Mode, with the intended algorithms on both ends.
  ctl lac connect office >/dev/null || fail "l2tpctl connect office"
  wait_until 60 "$topo $ike: the LAC's IPsec SA pair" child_up lac
  step "Main Mode and Quick Mode done"
  sas=$(ctl lac sas --json) || fail "l2tpctl sas"
  spis=$(jq -er --arg ike "$ike" --arg esp "$esp" --arg sip "$SIP" --argjson nat "$NAT" '
    select((.isakmp | length) == 1 and .isakmp[0].state == "established" and .isakmp[0].role == "initiator"
    and .isakmp[0].suite == $ike and .isakmp[0].nat_local == $nat and .isakmp[0].nat_peer == false
    and .isakmp[0].peer == $sip + ":" + (if $nat then "4500" else "500" end)
    and (.ipsec | length) == 1 and .ipsec[0].suite == $esp and .ipsec[0].nat_t == $nat)
    | .ipsec[0] | "\(.in_spi) \(.out_spi)"' <<<"$sas") ||
    fail "$topo $ike: LAC SAs: $sas"
  charon_sas_ok swan-srv "$ike" "$esp" "$NAT" || fail "$topo $ike: charon's SAs: $(swan swan-srv --list-sas)"
  read -r IN_SPI OUT_SPI <<<"$spis"
  kernel_pair_ok "$NS_S" "$NAT" && kernel_pair_ok "$CNS" "$NAT" ||
    fail "$topo $ike: not the SA pair $IN_SPI/$OUT_SPI (NAT-T: $NAT) in both kernels:" \
         "$(ip -n "$NS_S" xfrm state; ip -n "$CNS" xfrm state)"
  step "SAs checked"

  # (b) ESP carries the L2TP tunnel's set-up: the SAs are new, so every
  # counter starts at 0.
  wait_until 60 "$topo $ike: the LAC establishes the L2TP tunnel through the SA" tunnel_up lac
  step "tunnel up"
  wait_until 20 "$topo $ike: all four ESP byte counters rise" risen lac "$NS_S" 0 0 0 0
  step "counters risen"
  after="${COUNTERS[*]}"
  tunnel_up lns2 || fail "$topo $ike: the LNS behind charon has no established tunnel"
  ctl lac disconnect office >/dev/null || fail "l2tpctl disconnect office"
  step "tunnel closed by the LAC"
  wait_until 30 "$topo $ike: the LAC's StopCCN acknowledged" no_tunnel lac
  step "StopCCN acknowledged"

  # (c) A delete from one side removes both ends' SAs.
  if [[ $who == charon ]]; then
    swan swan-srv --terminate --ike l2tp >"$WORK/swan-srv-terminate.log" 2>&1 ||
      fail "swanctl --terminate: $(tail -5 "$WORK/swan-srv-terminate.log")"
    wait_until 30 "$topo $ike: the LAC drops its SAs after charon's delete" no_ike_sas lac
    step "charon's delete reached the LAC"
  else
    stop_l2tpsecd lac
    wait_until 30 "$topo $ike: charon drops its SAs after l2tpsecd's delete" charon_no_sas swan-srv
    step "l2tpsecd's delete reached charon"
  fi
  wait_baseline "$topo $ike" "$NS_S" "$CNS"
  step "kernels at baseline"
  [[ $who == l2tpsecd ]] || charon_no_sas swan-srv || fail "$topo $ike: charon still has SAs"
  [[ $who == charon ]] && stop_l2tpsecd lac
  ok "case $CASE l2tpsecd->charon $topo $ike/$esp: MM+QM, ESP$([[ $NAT == true ]] && echo ' in UDP')" \
     "carried L2TP (bytes in/out, charon in/out: 0 0 0 0 -> $after), delete by $who removed both ends" \
     "($(since "$t0")s)"
  CASE=$((CASE + 1))
}

((${#SETS[@]} == 5)) || fail "case_topology and deleter expect five proposal sets"
for s in "${SETS[@]}"; do charon_initiates "$(case_topology)" "${s%%:*}" "${s#*:}"; done
# Their ports (IKE, L2TP) go to the l2tpsecd initiators below.
for topo in direct nat; do
  stop_charon "swan-$topo"
  stop_l2tpsecd "lac-$topo"
done

lns_conf "$WORK/lns2.conf" off
start_l2tpsecd lns2 "$NS_S" "$WORK/lns2.conf"
charon_psk_conf "$WORK/swan-srv.conf" ike="${SETS[0]%%:*}" esp="${SETS[0]#*:}"
start_charon swan-srv "$NS_S" "$WORK/swan-srv.conf"
for s in "${SETS[@]}"; do l2tpsecd_initiates "$(case_topology)" "${s%%:*}" "${s#*:}"; done
echo PASS
