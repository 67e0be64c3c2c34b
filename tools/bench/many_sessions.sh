#!/bin/bash
# Many sessions on one l2tpsecd LNS, inside the lab VM: L LAC peers, each an
# l2tpsecd as LAC in its own network namespace and from its own address
# (10.200.0.1, 10.200.0.2, ...; a veth to the LNS each), with one [[lac]]
# profile and its own PPP user, bring up S sessions each through IPsec
# (`[l2tp] ipsec = "required"` on both ends, a pre-shared key, transport
# mode): the profile's connect (IKE, the tunnel, its first session), then
# S - 1 calls, `l2tpctl call`'s request on the LAC's control socket (socat:
# an l2tpctl takes seconds to start in the emulated VM). At most WINDOW
# sessions are being set up at once (placed and not up on the LNS).
# It prints one JSON line:
#   setup_s, setup_per_s   first connect until the LNS has all N sessions up
#                  (N ppp interfaces with their peer's address); tunnels_s
#                  until all L tunnels are up
#   daemon_kib     the LNS daemon's VmRSS and Pss before the load, with the N
#                  sessions up, its VmRSS after the listings below
#                  (rss_listed) and after the teardown, and the growth per
#                  session; daemon_fds its open descriptors with N up
#   pppd_kib       the LNS pppds' VmRSS and Pss, the mean of one
#   lac_daemon_rss_kib   one LAC daemon's VmRSS, the mean
#   sessions_json_s   `l2tpctl sessions --json` on the LNS, wall time, the
#                  median of 3 (and its size in bytes)
#   lns_kernel     with N up: L2TP tunnels and sessions, ESP SAs (ip xfrm)
#   pings          sessions pinged from the LNS namespace to the client's pool
#                  address, spread over the LACs (each LAC's ESP byte
#                  counters must grow by the pings)
#   teardown_s     `l2tpctl disconnect` of every profile until the LNS has
#                  no pppd, no ppp interface and no kernel L2TP tunnel or
#                  session; sa_delete_s then the LAC daemons' SIGTERM (each
#                  deletes its ISAKMP and IPsec SAs) until the LNS holds no
#                  ESP SA
# It fails (exit 1) if any session is not up, not protected by IPsec, or not
# pinging, or if anything is left in the LNS's kernel or processes after the
# teardown: functional checks only, never a time (the waits are hang
# guards: STALL seconds without a new session, 120 s for the rest).
#   usage: many_sessions.sh L2TPSECD L2TPCTL [--lacs L] [--sessions S]
#                           [--window W] [--pings P] [--stall SECONDS]
#                           [--log-level LEVEL]
#          (defaults 50, 20, 10, 10, 300, info: the daemons' [server] log_level)
# The window: the LNS's event loop waits for each pppd it starts until the
# pppd has exec'd (about 1 s in the emulated VM), so 50 calls at once held
# its L2TP answers back past the LACs' retransmissions (about 30 s) and
# their tunnels dropped; 10 keeps that wait near 10 s.
# Run it with tools/bench/many-sessions (boots the VM); the interop test
# l2tpsecd_many runs it small (5 LACs x 4 sessions).
set -uo pipefail
daemon=${1:?usage: $0 L2TPSECD L2TPCTL [--lacs L] [--sessions S] [--window W] [--pings P]}
ctl_bin=${2:?usage: $0 L2TPSECD L2TPCTL [--lacs L] [--sessions S] [--window W] [--pings P]}
shift 2
LACS=50 PER_LAC=20 WINDOW=10 PINGS=10 STALL=300 LOG_LEVEL=info
while [[ $# -gt 0 ]]; do
  case $1 in
    --lacs) LACS=$2; shift 2 ;;
    --sessions) PER_LAC=$2; shift 2 ;;
    --window) WINDOW=$2; shift 2 ;;
    --pings) PINGS=$2; shift 2 ;;
    --stall) STALL=$2; shift 2 ;;
    --log-level) LOG_LEVEL=$2; shift 2 ;;
    *) echo "many_sessions.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
MS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$MS_DIR/../../tests/interop/interop_lib.sh" "$daemon" "$ctl_bin"
command -v socat >/dev/null || fail "socat is not installed (run tools/setup)"
for v in LACS PER_LAC WINDOW PINGS STALL; do
  [[ ${!v} =~ ^[0-9]+$ ]] || fail "--${v,,}: not a number: ${!v}"
done
((LACS >= 1 && LACS <= 1000)) || fail "--lacs: 1 to 1000"
((PER_LAC >= 1 && PER_LAC <= 1000)) || fail "--sessions: 1 to 1000"
((WINDOW >= 1)) || fail "--window: at least 1"
TOTAL=$((LACS * PER_LAC))
((TOTAL <= 60000)) || fail "at most 60000 sessions (the pool)"
((PINGS <= TOTAL)) || PINGS=$TOTAL

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.2f", b - a }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
lac_ns() { echo "ilac$1-$$"; }
lac_ip() { echo "10.200.$(($1 / 250)).$(($1 % 250 + 1))"; }

# ---- the kernel's ESP cipher, built before the load ------------------------------
# The first SA with an algorithm makes the kernel build that cipher and run
# its self-tests; in the emulated VM that takes from seconds to a minute,
# while every netlink request that adds an SA waits (the first run of this
# bench saw each LAC's Quick Mode 2 wait 60 s in XFRM_MSG_UPDSA, past the
# LNS's Quick Mode timeout). One throwaway SA with the suite the daemons
# choose (aes256gcm16), in the unused namespace $NS_C, pays that first.
t0=$(now)
ip -n "$NS_C" xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x00001000 mode transport \
  aead 'rfc4106(gcm(aes))' "0x$(printf '%072d' 0)" 128 || fail "cannot add an aes256gcm16 ESP SA (warm-up)"
ip -n "$NS_C" xfrm state flush
ok "the kernel's aes256gcm16 ready in $(since "$t0")s"

# ---- the LACs' namespaces: a veth to the LNS each, /32 routes both ways --------
t0=$(now)
lns_batch=$WORK/lns-links.batch
: >"$lns_batch"
for ((i = 0; i < LACS; i++)); do
  ns=$(lac_ns "$i")
  ip netns add "$ns" && EXTRA_NS+=("$ns") || fail "ip netns add $ns"
  ip link add "l$i-$$" netns "$ns" type veth peer name "s$i-$$" netns "$NS_S" || fail "veth for LAC $i"
  printf 'link set s%d-%d up\nroute add %s/32 dev s%d-%d src %s\n' "$i" $$ "$(lac_ip "$i")" "$i" $$ "$S_IP" \
    >>"$lns_batch"
  printf 'addr add %s/32 dev l%d-%d\nlink set l%d-%d up\nlink set lo up\nroute add %s/32 dev l%d-%d src %s\n' \
    "$(lac_ip "$i")" "$i" $$ "$i" $$ "$S_IP" "$i" $$ "$(lac_ip "$i")" | ip -n "$ns" -batch - ||
    fail "cannot address LAC $i's namespace"
done
ip -n "$NS_S" -batch "$lns_batch" || fail "cannot route the LACs' addresses in the LNS namespace"
ok "$LACS LAC namespaces linked to the LNS in $(since "$t0")s"

# ---- configurations: one PPP user per LAC, the LNS's pool for all ---------------
ppp_alice
secret_file "$WORK/psk" 'many sessions pre-shared key 4711'
secrets=""
for ((i = 0; i < LACS; i++)); do
  secret_file "$WORK/lac$i.pass" "password-of-lac$i"
  secrets+="lac$i * password-of-lac$i *"$'\n'
done
secret_file "$WORK/chap-secrets" "$secrets"
# Pool: 10.100.0.1 upwards, as many addresses as sessions and a few more.
last=$((TOTAL + 16))
write_lns_conf "$WORK/lns.conf" ipsec=required server="log_level = \"$LOG_LEVEL\"" \
  pool="10.100.0.1-10.100.$((last / 256)).$((last % 256))"
for ((i = 0; i < LACS; i++)); do
  {
    printf '[server]\nlisten = ["%s"]\nlog_level = "%s"\n[l2tp]\nipsec = "required"\n%s\n' "$(lac_ip "$i")" \
      "$LOG_LEVEL" "$PPP_LAC"
    printf '[[lac]]\nname = "p"\nserver = "%s"\nuser = "lac%d"\npassword_file = "%s"\npsk_file = "%s"\n' \
      "$S_IP" "$i" "$WORK/lac$i.pass" "$WORK/psk"
  } >"$WORK/lac$i.conf"
done

# pppds NS: the PIDs of the pppds in NS that serve a session (not those the
# LNS prestarted, still waiting for one: interop_lib.sh's session_pppds).
pppds() { session_pppds "$1"; }
# ctl_send NAME REQUEST...: the requests on daemon NAME's control socket in
# one connection; prints one reply line each. (A LAC answers `disconnect`
# once its sessions have ended: with 1,000 sessions ending at once in the
# emulated VM that took over a minute.)
ctl_send() {
  local name=$1
  shift
  printf '%s\n' "$@" | socat -t 600 - "UNIX-CONNECT:$WORK/$name.sock"
}

# ---- the daemons --------------------------------------------------------------------
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"
plugin=()
[[ -f $PPPD_PLUGIN ]] && plugin=(--pppd-plugin "$(realpath "$PPPD_PLUGIN")")
t0=$(now)
for ((i = 0; i < LACS; i++)); do
  ip netns exec "$(lac_ns "$i")" "$DAEMON" -c "$WORK/lac$i.conf" --control-socket "$WORK/lac$i.sock" "${plugin[@]}" \
    2>"$WORK/lac$i.log" &
  DAEMON_PID["lac$i"]=$!
  PIDS+=($!)
done
all_sockets() {
  local i
  for ((i = 0; i < LACS; i++)); do [[ -S $WORK/lac$i.sock ]] || return 1; done
}
wait_until 300 "every LAC daemon's control socket" all_sockets
for ((i = 0; i < LACS; i++)); do
  kill -0 "${DAEMON_PID["lac$i"]}" 2>/dev/null || fail "l2tpsecd lac$i exited at start"
done
LNS_PID=${DAEMON_PID[lns]}
rss_before=$(mem_kib VmRSS "$LNS_PID") pss_before=$(mem_kib Pss "$LNS_PID")
ok "LNS on $S_IP (IPsec required) and $LACS LAC daemons started in $(since "$t0")s"

# ---- the load -----------------------------------------------------------------------
lns_up() { ip -n "$NS_S" -4 -o addr show type ppp 2>/dev/null | grep -c ' peer 10\.100\.'; }
lac_tunnel_up() { [[ $(kernel_tunnels "$(lac_ns "$1")" 2>/dev/null) == 1 ]]; }
placed=() ready=()
t_start=$(now)
for ((i = 0; i < LACS; i++)); do
  ctl_send "lac$i" '{"cmd":"connect","profile":"p"}' >"$WORK/connect$i.reply" &
  placed[i]=1 ready[i]=0
done
wait_jobs() { # (never a bare wait: the daemons are this shell's jobs too)
  local p
  for p in $(jobs -p); do
    [[ " ${PIDS[*]} " == *" $p "* ]] || wait "$p"
  done
}
wait_jobs
for ((i = 0; i < LACS; i++)); do
  grep -q '"ok":true' "$WORK/connect$i.reply" || fail "connect on LAC $i: $(cat "$WORK/connect$i.reply")"
done
total_placed=$LACS n_ready=0 t_tunnels="" up=0 last_up=0 t_last=$(now) next=0 batch=0
while true; do
  # Tunnels: a LAC takes calls once its kernel tunnel is there.
  if ((n_ready < LACS)); then
    for ((i = 0; i < LACS; i++)); do
      ((ready[i])) && continue
      lac_tunnel_up "$i" && ready[i]=1 n_ready=$((n_ready + 1))
    done
    ((n_ready == LACS)) && t_tunnels=$(since "$t_start")
  fi
  up=$(lns_up)
  ((up == TOTAL)) && break
  if ((up > last_up)); then
    last_up=$up t_last=$(now)
  elif (($(awk -v a="$t_last" -v b="$(now)" 'BEGIN { printf "%d", b - a }') > STALL)); then
    fail "stalled: $up of $TOTAL sessions up on the LNS, none more in ${STALL}s ($total_placed placed, $n_ready of $LACS tunnels up; LNS pppds $(pppd_count "$NS_S"), kernel sessions $(kernel_sessions "$NS_S"); $(cat "$WORK"/lac*.log | grep -c 'LAC p: tunnel down') LAC tunnel drops)"
  fi
  # New calls, round robin over the LACs with a tunnel and calls to place.
  budget=$((WINDOW - (total_placed - up)))
  declare -A calls=()
  tries=0
  while ((budget > 0 && total_placed < TOTAL && tries < LACS)); do
    i=$next next=$(((next + 1) % LACS))
    if ((ready[i] && placed[i] < PER_LAC)); then
      calls[$i]=$((${calls[$i]:-0} + 1))
      placed[i]=$((placed[i] + 1)) total_placed=$((total_placed + 1)) budget=$((budget - 1)) tries=0
    else
      tries=$((tries + 1))
    fi
  done
  for i in "${!calls[@]}"; do
    reqs=()
    for ((k = 0; k < calls[$i]; k++)); do reqs+=('{"cmd":"call","profile":"p"}'); done
    batch=$((batch + 1))
    ctl_send "lac$i" "${reqs[@]}" >"$WORK/call-$batch-$i.reply" &
  done
  unset calls
  sleep 1
done
t_up=$(now)
setup_s=$(since "$t_start" "$t_up")
[[ -n $t_tunnels ]] || t_tunnels=$setup_s
wait_jobs
replies=$(cat "$WORK"/call-*.reply 2>/dev/null | grep -c '"ok":true')
((replies == TOTAL - LACS)) || fail "$replies calls answered ok, not $((TOTAL - LACS)): $(grep -hv '"ok":true' "$WORK"/call-*.reply | head -3)"
ok "$TOTAL sessions up on the LNS in ${setup_s}s ($LACS tunnels in ${t_tunnels}s)"

# ---- with N up: memory, l2tpctl sessions, the kernel, each end's view ------------
mapfile -t lns_pppds < <(pppds "$NS_S")
((${#lns_pppds[@]} == TOTAL)) || fail "the LNS has ${#lns_pppds[@]} pppds, not $TOTAL"
rss_up=$(mem_kib VmRSS "$LNS_PID") pss_up=$(mem_kib Pss "$LNS_PID")
pppd_rss=$(mem_kib VmRSS "${lns_pppds[@]}") pppd_pss=$(mem_kib Pss "${lns_pppds[@]}")
fds=$(ls "/proc/$LNS_PID/fd" | wc -l)
lac_pids=()
for ((i = 0; i < LACS; i++)); do lac_pids+=("${DAEMON_PID["lac$i"]}"); done
lac_rss=$(mem_kib VmRSS "${lac_pids[@]}")
times=()
for _ in 1 2 3; do
  t0=$(now)
  ctl lns sessions --json >"$WORK/sessions.json" || fail "l2tpctl sessions --json"
  times+=("$(since "$t0")")
done
sessions_s=$(printf '%s\n' "${times[@]}" | median)
sessions_bytes=$(wc -c <"$WORK/sessions.json")
ctl lns tunnels --json >"$WORK/tunnels.json" || fail "l2tpctl tunnels --json"
rss_listed=$(mem_kib VmRSS "$LNS_PID")
k_tunnels=$(kernel_tunnels "$NS_S") k_sessions=$(kernel_sessions "$NS_S") esp=$(xfrm_count "$NS_S" state)
ok "measured: l2tpctl sessions --json ${times[*]} s"

# The LNS: every session established, behind an IPsec SA, with its own pool
# address and traffic (PPP's negotiation) in the kernel's counters; every
# LAC's tunnel from its own address with its S sessions.
jq -e --argjson n "$TOTAL" '.sessions | length == $n and
    all(.state == "established" and .ike_peer != null and (.rx_bytes // 0) > 0 and (.tx_bytes // 0) > 0)' \
  "$WORK/sessions.json" >/dev/null ||
  fail "not $TOTAL established LNS sessions, each with an IPsec SA and counters: $(jq -c '[.sessions[] | select(.state != "established" or .ike_peer == null)][0:3]' "$WORK/sessions.json")"
addrs=$(jq -r '.sessions[].address' "$WORK/sessions.json" | grep '^10\.100\.' | sort -u | wc -l)
((addrs == TOTAL)) || fail "$addrs distinct pool addresses among the LNS's sessions, not $TOTAL"
jq -e --argjson l "$LACS" --argjson s "$PER_LAC" '[.tunnels[] | select(.state == "established")] |
    length == $l and all(.sessions == $s) and ([.[].peer | sub(":[0-9]+$"; "")] | unique | length) == $l' \
  "$WORK/tunnels.json" >/dev/null || fail "not $LACS LNS tunnels from distinct LACs with $PER_LAC sessions each: $(jq -c '[.tunnels[] | {peer, state, sessions}][0:5]' "$WORK/tunnels.json")"
((k_tunnels == LACS)) || fail "the LNS's kernel has $k_tunnels L2TP tunnels, not $LACS"
((k_sessions == TOTAL)) || fail "the LNS's kernel has $k_sessions L2TP sessions, not $TOTAL"
((esp == 2 * LACS)) || fail "the LNS's kernel has $esp ESP SAs, not $((2 * LACS)) (a pair per LAC)"
(($(ppp_count "$NS_S") == TOTAL)) || fail "the LNS has $(ppp_count "$NS_S") ppp interfaces, not $TOTAL"
ok "LNS: $LACS tunnels, $TOTAL sessions (l2tpctl, kernel, pppd, ppp interfaces), each over IPsec, distinct addresses; $esp ESP SAs"

# Each LAC: its tunnel, S sessions and pppds, S ppp links with a pool
# address, an SA pair, and l2tpctl's S established sessions (asked of every
# LAC at once).
lac_has_all() {
  local ns=$1
  [[ $(ip -n "$ns" -4 -o addr show type ppp | grep -c ' inet 10\.100\.[0-9.]* peer 10\.99\.0\.1/32') == "$PER_LAC" ]]
}
for ((i = 0; i < LACS; i++)); do
  ns=$(lac_ns "$i")
  wait_until 120 "LAC $i: $PER_LAC ppp links with pool addresses" lac_has_all "$ns"
  [[ $(kernel_tunnels "$ns") == 1 && $(kernel_sessions "$ns") == "$PER_LAC" ]] ||
    fail "LAC $i's kernel: $(kernel_tunnels "$ns") tunnels, $(kernel_sessions "$ns") sessions"
  [[ $(pppd_count "$ns") == "$PER_LAC" ]] || fail "LAC $i has $(pppd_count "$ns") pppds, not $PER_LAC"
  [[ $(xfrm_count "$ns" state) == 2 ]] || fail "LAC $i's kernel has $(xfrm_count "$ns" state) ESP SAs, not 2"
  ctl "lac$i" sessions --json >"$WORK/lac$i-sessions.json" &
done
wait_jobs
for ((i = 0; i < LACS; i++)); do
  jq -e --argjson s "$PER_LAC" '[.sessions[] | select(.state == "established")] | length == $s' \
    "$WORK/lac$i-sessions.json" >/dev/null || fail "LAC $i: not $PER_LAC established sessions in l2tpctl"
done
ok "every LAC: 1 tunnel, $PER_LAC sessions (l2tpctl, kernel, pppd, ppp links), an SA pair"

# ---- pings through a sample, spread over the LACs --------------------------------------
# esp_bytes NS: the bytes counted by all of NS's SAs.
esp_bytes() {
  ip -s -n "$1" xfrm state | awk '/lifetime current:/ { getline; split($1, a, "("); s += a[1] } END { print s + 0 }'
}
pinged=0
for ((k = 0; k < PINGS; k++)); do
  i=$((k * LACS / PINGS))
  ns=$(lac_ns "$i")
  mapfile -t mine < <(ip -n "$ns" -4 -o addr show type ppp | sed -n 's/.* inet \(10\.100\.[0-9.]*\) peer .*/\1/p')
  addr=${mine[$((k % ${#mine[@]}))]}
  before=$(esp_bytes "$ns")
  ip netns exec "$NS_S" ping -c 2 -i 0.3 -W 5 -w 30 "$addr" >/dev/null || fail "no ping reply from $addr (LAC $i)"
  after=$(esp_bytes "$ns")
  ((after >= before + 2 * 2 * 84)) || fail "LAC $i's ESP counters went from $before to $after bytes over 2 pings"
  pinged=$((pinged + 1))
done
ok "$pinged pings answered through sessions of $(((PINGS < LACS) ? PINGS : LACS)) LACs, each counted by the LAC's ESP SAs"

# ---- teardown -----------------------------------------------------------------------------
# (The cheap checks first: a pass over the namespace's processes is slow.)
lns_no_sessions() {
  [[ $(kernel_sessions "$NS_S") == 0 && $(kernel_tunnels "$NS_S") == 0 && $(ppp_count "$NS_S") == 0 &&
    -z $(pppds "$NS_S") ]]
}
t0=$(now)
for ((i = 0; i < LACS; i++)); do
  ctl_send "lac$i" '{"cmd":"disconnect","target":"p"}' >"$WORK/disconnect$i.reply" &
done
wait_jobs
for ((i = 0; i < LACS; i++)); do
  grep -q '"ok":true' "$WORK/disconnect$i.reply" || fail "disconnect on LAC $i: $(cat "$WORK/disconnect$i.reply")"
done
WAIT_STEP=0.5 wait_until 600 "the LNS without pppd, ppp interface or kernel L2TP tunnel and session" lns_no_sessions
teardown_s=$(since "$t0")
t0=$(now)
for ((i = 0; i < LACS; i++)); do kill -TERM "${DAEMON_PID["lac$i"]}" 2>/dev/null; done
lns_no_sas() { [[ $(xfrm_count "$NS_S" state) == 0 ]]; }
WAIT_STEP=0.5 wait_until 300 "the LNS without ESP SAs after the LAC daemons' deletes" lns_no_sas
sa_delete_s=$(since "$t0")
for ((i = 0; i < LACS; i++)); do stop_l2tpsecd "lac$i"; done
for ((i = 0; i < LACS; i++)); do
  ns=$(lac_ns "$i")
  [[ -z $(pppds "$ns") && $(kernel_tunnels "$ns") == 0 && $(kernel_sessions "$ns") == 0 && $(ppp_count "$ns") == 0 &&
    $(xfrm_count "$ns" state) == 0 ]] || fail "LAC $i's namespace is not empty after its daemon stopped"
done
ctl lns sessions --json >"$WORK/sessions-after.json" || fail "l2tpctl sessions --json after the teardown"
jq -e '.sessions == []' "$WORK/sessions-after.json" >/dev/null || fail "the LNS still lists sessions"
# (The LNS keeps a tunnel cleared by the peer's StopCCN in "closing" for a
# while, to acknowledge retransmissions: RFC 2661 §5.7.)
ctl lns tunnels --json | jq -e '[.tunnels[] | select(.state != "closing")] == []' >/dev/null ||
  fail "the LNS still lists open tunnels"
no_ike_sas lns || fail "the LNS still lists ISAKMP or IPsec SAs"
rss_after=$(mem_kib VmRSS "$LNS_PID")
ok "all gone: disconnect to no session in the LNS ${teardown_s}s, LAC stop to no ESP SA ${sa_delete_s}s"

jq -cn --argjson lacs "$LACS" --argjson per "$PER_LAC" --argjson n "$TOTAL" --argjson window "$WINDOW" \
  --argjson setup "$setup_s" --argjson tunnels "$t_tunnels" \
  --argjson rss0 "$rss_before" --argjson rss1 "$rss_up" --argjson rss2 "$rss_after" \
  --argjson rss_listed "$rss_listed" \
  --argjson pss0 "$pss_before" --argjson pss1 "$pss_up" --argjson fds "$fds" \
  --argjson prss "$pppd_rss" --argjson ppss "$pppd_pss" --argjson lrss "$lac_rss" \
  --argjson sj "$sessions_s" --argjson sjb "$sessions_bytes" \
  --argjson kt "$k_tunnels" --argjson ks "$k_sessions" --argjson esp "$esp" --argjson pings "$pinged" \
  --argjson down "$teardown_s" --argjson sadel "$sa_delete_s" \
  '{lacs: $lacs, sessions_per_lac: $per, sessions: $n, ipsec: "required", window: $window,
    setup_s: $setup, setup_per_s: ($n / $setup * 10 | round / 10), tunnels_s: $tunnels,
    daemon_kib: {rss_before: $rss0, rss_up: $rss1, rss_listed: $rss_listed, rss_after: $rss2, pss_before: $pss0, pss_up: $pss1,
                 rss_per_session: (($rss1 - $rss0) / $n * 10 | round / 10),
                 pss_per_session: (($pss1 - $pss0) / $n * 10 | round / 10)},
    daemon_fds: $fds,
    pppd_kib: {rss_each: ($prss / $n | round), pss_each: ($ppss / $n | round)},
    lac_daemon_rss_kib: ($lrss / $lacs | round),
    sessions_json_s: $sj, sessions_json_bytes: $sjb,
    lns_kernel: {l2tp_tunnels: $kt, l2tp_sessions: $ks, esp_sas: $esp},
    pings: $pings, teardown_s: $down, sa_delete_s: $sadel}' | tee "$WORK/result.jsonl"
echo PASS
