#!/bin/bash
# The side-by-side benchmark, inside the lab VM: the reference server that
# road-warrior guides build from Debian's packages (strongSwan's charon,
# xl2tpd and pppd) and l2tpsecd, one after the other, serve the same emulated
# Windows clients (strongSwan with Windows' IKEv1 proposals, xl2tpd from UDP
# 1701, pppd with MS-CHAPv2), each client from its own address. Per server:
#   startup_s      launch until the server answers (charon + xl2tpd: swanctl
#                  --stats and the loaded connection, then xl2tpd's control
#                  pipe; l2tpsecd: `l2tpctl status`)
#   ike_s, l2tp_ppp_s   one client's connect, median of RUNS: Main Mode + Quick
#                  Mode (swanctl --initiate at the client), then L2TP + PPP
#                  (xl2tpd's "c" until the client's ppp interface has its
#                  address)
#   server_ike_s, server_l2tp_ppp_s   of that, the time the client waited
#                  for the server (tools/bench/server_share.py over a trace of
#                  IKE and the decrypted L2TP taken in the server's
#                  namespace), median of RUNS: the rest is the client's own
#                  work, the same for both servers
#   wire_ike_s, wire_l2tp_ppp_s   the exchanges on the wire in that trace,
#                  median of RUNS: first Main Mode to last Quick Mode message,
#                  SCCRQ to the last IPCP packet (without the lab's steps
#                  around them: starting swanctl, xl2tpd's control pipe,
#                  polling for the address, the client's ip-pre-up)
#   n_up_s         N clients at once: until every one is up and its ping
#                  through its PPP link is answered
#   cpu_ms_per_client (daemon, pppd)   server CPU (user + system, with the
#                  children they reaped) over that burst, per client: the
#                  daemons' growth, and the pppds' own (with their scripts)
#   rss_kib (daemon, pppd_each), pss_kib   memory with the N clients up
#   drain_s        all N leave at once: until the server holds no pppd, no
#                  ppp interface and no ESP SA
# It prints one JSON line per server and N, then the ratios l2tpsec/reference.
#   usage: side_by_side.sh L2TPSECD L2TPCTL [--clients N[,N...]] [--runs R]
#                          [--servers reference,l2tpsec]   (one of them alone: no ratios)
# SBS_L2TPSEC_PPP="KEY = VALUE" adds a line to l2tpsecd's [ppp] (to try options).
# Run it with tools/bench/side-by-side (boots the VM); the interop test
# side_by_side runs it small (2 clients, 1 run), checking only that both
# servers serve every client.
set -uo pipefail
daemon=${1:?usage: $0 L2TPSECD L2TPCTL [--clients N,...] [--runs R]}
ctl_bin=${2:?usage: $0 L2TPSECD L2TPCTL [--clients N,...] [--runs R]}
shift 2
CLIENTS=(20 50) RUNS=5 SERVERS=(reference l2tpsec)
while [[ $# -gt 0 ]]; do
  case $1 in
    --clients) IFS=, read -r -a CLIENTS <<<"$2"; shift 2 ;;
    --servers) IFS=, read -r -a SERVERS <<<"$2"; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "side_by_side.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
source "$BENCH_DIR/../../tests/interop/interop_lib.sh" "$daemon" "$ctl_bin"
command -v swanctl >/dev/null || fail "swanctl is not installed (run tools/setup)"

MAX=0
for n in "${CLIENTS[@]}"; do ((n > MAX)) && MAX=$n; done
((MAX >= 1 && MAX <= 200)) || fail "--clients: 1 to 200 clients"
psk='side by side pre-shared key 4711'
client_ip() { echo "192.0.2.$((10 + $1))"; }
for ((i = 0; i < MAX; i++)); do
  ip -n "$NS_C" addr add "$(client_ip "$i")/24" dev "vc$$" || fail "client address $(client_ip "$i")"
done
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
# poll_until SECONDS WHAT CMD...: wait_until at 20 ms steps (its 200 ms are
# too coarse for a time that is measured).
poll_until() { WAIT_STEP=0.02 wait_until "$@"; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---- the clients: one charon for all, one xl2tpd (and its pppd) each ----------
windows_clients "$NS_C" "$S_IP" "$MAX" "$psk"
secrets=""
for ((i = 0; i < MAX; i++)); do secrets+="user$i * password-$i *"$'\n'; done
secret_file "$WORK/chap-secrets" "$secrets"
ok "clients: $MAX addresses, one charon, $MAX xl2tpd"

# client_ppp_if I: the ppp interface of client I's pppd (its log names it).
client_ppp_if() { sed -n 's/^Using interface \(ppp[0-9]*\)$/\1/p' "$WORK/c$1-pppd.log" | tail -n 1; }
client_ppp_up() {
  local ifname
  ifname=$(client_ppp_if "$1")
  [[ -n $ifname ]] && ip -n "$NS_C" -4 -o addr show dev "$ifname" 2>/dev/null | grep -q ' peer 10\.99\.0\.1/32'
}
client_ping() { ip netns exec "$NS_C" ping -c 1 -W 5 -I "$(client_ppp_if "$1")" 10.99.0.1 >/dev/null 2>&1; }
client_connect_ike() { swan clients --initiate --child "c$1" --timeout 60 >"$WORK/c$1-initiate.log" 2>&1; }
client_connect_l2tp() { : >"$WORK/c$1-pppd.log"; xl2tpd_ctl "c$1" "c c"; }
client_leave() {
  xl2tpd_ctl "c$1" "d c"
  swan clients --terminate --ike "c$1" --timeout 30 >/dev/null 2>&1
}

# ---- server processes and their CPU and memory ----------------------------------
# Every pppd of the server: those serving a session and those l2tpsecd
# prestarted ("pppd-idle"), whose start is part of what a session costs.
all_server_pppds() {
  local p comm
  for p in $(ip netns pids "$NS_S" 2>/dev/null); do
    comm=""
    read -r comm 2>/dev/null <"/proc/$p/comm"
    [[ $comm == pppd || $comm == pppd-idle ]] && echo "$p"
  done
}
server_pppds() { session_pppds "$NS_S"; }
# cpu_ticks PID...: user + system time of the processes (every thread) and of
# their children that have ended (pppd's ip-up scripts), in ticks.
cpu_ticks() {
  local p t=0 f a
  for p in "$@"; do
    f=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    f=${f##*) }   # the fields after "(comm) ": utime is the 12th
    read -r -a a <<<"$f"
    t=$((t + a[11] + a[12] + a[13] + a[14]))
  done
  echo "$t"
}
TICK=$(getconf CLK_TCK)
server_empty() {
  [[ -z $(server_pppds) ]] && [[ $(ppp_count "$NS_S") == 0 ]] && [[ $(xfrm_count "$NS_S" state) == 0 ]]
}

# ---- the two servers ------------------------------------------------------------
SERVER_PIDS=()
start_reference() {
  cat >"$WORK/ref.swanctl.conf" <<EOF
connections {
  l2tp-psk {
    version = 1
    local_addrs = $S_IP
    proposals = aes256-sha1-modp2048,aes256-sha1-modp1024,aes128-sha1-modp1024,3des-sha1-modp1024,default
    local { auth = psk }
    remote { auth = psk }
    children {
      l2tp-psk {
        mode = transport
        local_ts = dynamic[udp/1701]
        remote_ts = dynamic[udp/1701]
        esp_proposals = aes256-sha1,aes128-sha1,3des-sha1,default
      }
    }
  }
}
secrets {
  ike-psk {
    secret = "$psk"
  }
}
EOF
  cat >"$WORK/ref.xl2tpd.conf" <<EOF
[global]
listen-addr = $S_IP
port = 1701
[lns default]
ip range = 10.99.0.10-10.99.0.250
local ip = 10.99.0.1
require chap = yes
refuse pap = yes
require authentication = yes
name = l2tpd
pppoptfile = $WORK/ref-ppp.options
length bit = yes
EOF
  # The options of the common road-warrior guides (setup-ipsec-vpn's
  # options.xl2tpd, without connect-delay, which acts only after a connect
  # script, and with the lab's DNS address).
  cat >"$WORK/ref-ppp.options" <<EOF
+mschap-v2
ipcp-accept-local
ipcp-accept-remote
noccp
auth
mtu 1280
mru 1280
proxyarp
lcp-echo-failure 4
lcp-echo-interval 30
ms-dns 10.99.0.1
EOF
  local t0
  t0=$(now)
  start_charon ref "$NS_S" "$WORK/ref.swanctl.conf"
  start_xl2tpd ref "$NS_S" "$WORK/ref.xl2tpd.conf" "$WORK/chap-secrets"
  STARTUP=$(since "$t0")
  SERVER_PIDS=("${CHARON_PID[ref]}" "${XL2TPD_PID[ref]}")
}
start_l2tpsec() {
  cat >"$WORK/l2tpsec.conf" <<EOF
[server]
listen = ["$S_IP"]
[ike]
psk_file = "$WORK/psk"
proposals = "compat"
[l2tp]
ipsec = "required"
[ppp]
auth = ["mschap-v2"]
secrets = "$WORK/chap-secrets"
local_address = "10.99.0.1"
pool = "10.99.0.10-10.99.0.250"
dns = ["10.99.0.1"]
${SBS_L2TPSEC_PPP:-}
EOF
  secret_file "$WORK/psk" "$psk"
  local t0 plugin=()
  [[ -f $PPPD_PLUGIN ]] && plugin=(--pppd-plugin "$(realpath "$PPPD_PLUGIN")")
  t0=$(now)
  ip netns exec "$NS_S" "$DAEMON" -c "$WORK/l2tpsec.conf" --control-socket "$WORK/l2tpsec.sock" "${plugin[@]}" \
    2>"$WORK/l2tpsec.log" &
  DAEMON_PID[l2tpsec]=$!
  PIDS+=($!)
  poll_until 30 "l2tpsecd answers l2tpctl status" ctl l2tpsec status
  STARTUP=$(since "$t0")
  SERVER_PIDS=("${DAEMON_PID[l2tpsec]}")
}
stop_server() {
  local p
  for p in "${SERVER_PIDS[@]}"; do stop_pid "$p" "server process $p"; done
  kill_ns "$NS_S" KILL
  ip -n "$NS_S" xfrm state flush
  ip -n "$NS_S" xfrm policy flush
  SERVER_PIDS=()
  # The clients' half of any SA left over.
  for ((i = 0; i < MAX; i++)); do client_leave "$i"; done
  ip -n "$NS_C" xfrm state flush
}

# ---- the server's share of a connect: a trace in its namespace -------------------
# nftables copies IKE and L2TP (on the way in after ESP, on the way out
# before it) to NFLOG group 5, each packet at once (queue-threshold 1: else
# the kernel batches them for up to a second and they carry the time tcpdump
# read them); tcpdump records that group during a connect.
ip netns exec "$NS_S" nft -f - <<EOF || fail "nftables: the trace rules"
table inet sbs_trace {
  chain in { type filter hook input priority 0; udp dport { 500, 1701 } log group 5 queue-threshold 1; }
  chain out { type filter hook output priority 0; udp sport { 500, 1701 } log group 5 queue-threshold 1; }
}
EOF
TRACE_PID="" TRACE_FILE=""
# trace_start PCAP: record into PCAP until trace_stop.
trace_start() {
  TRACE_FILE=$1
  : >"$WORK/trace.err"
  ip netns exec "$NS_S" tcpdump -i nflog:5 -U -w "$TRACE_FILE" 2>"$WORK/trace.err" &
  TRACE_PID=$!
  PIDS+=($!)
  poll_until 30 "tcpdump listens on nflog:5" grep -q listening "$WORK/trace.err"
}
# SBS_TRACE_DIR=DIR keeps a copy of each connect's trace there.
trace_stop() {
  stop_pid "$TRACE_PID" tcpdump
  [[ -n ${SBS_TRACE_DIR:-} ]] && cp "$TRACE_FILE" "$SBS_TRACE_DIR/"
  return 0
}
# server_share PCAP: "IKE_WAIT L2TP_PPP_WAIT IKE_WIRE L2TP_PPP_WIRE": what the
# client waited for the server, and the exchanges on the wire.
server_share() {
  tshark -r "$1" -T fields -E separator='|' -E aggregator=';' -e frame.time_epoch -e ip.src -e udp.srcport \
    -e udp.dstport -e isakmp.exchangetype -e isakmp.messageid -e l2tp.type -e l2tp.avp.message_type \
    -e ppp.protocol -e ppp.code -e chap.code 2>/dev/null | python3 "$BENCH_DIR/server_share.py" "$S_IP"
}

# one_client SERVER: RUNS connects of client 0, the medians.
one_client() {
  local r t0 ike=() l2tp=() s_ike=() s_l2tp=() w_ike=() w_l2tp=() share
  for ((r = 0; r < RUNS; r++)); do
    trace_start "$WORK/trace-$1-$r.pcap"
    t0=$(now)
    client_connect_ike 0 || fail "$1: client 0: swanctl --initiate: $(tail -3 "$WORK/c0-initiate.log")"
    ike+=("$(since "$t0")")
    t0=$(now)
    client_connect_l2tp 0
    poll_until 60 "$1: client 0's PPP up" client_ppp_up 0
    l2tp+=("$(since "$t0")")
    trace_stop
    share=$(server_share "$TRACE_FILE") || fail "$1: no trace of the connect"
    read -r -a share <<<"$share"
    ((${#share[@]} == 4)) || fail "$1: server_share.py printed ${share[*]}"
    s_ike+=("${share[0]}") s_l2tp+=("${share[1]}") w_ike+=("${share[2]}") w_l2tp+=("${share[3]}")
    client_ping 0 || fail "$1: client 0: no ping reply through PPP"
    client_leave 0
    poll_until 60 "$1: the server empty after client 0 left" server_empty
  done
  IKE_S=$(printf '%s\n' "${ike[@]}" | median)
  L2TP_S=$(printf '%s\n' "${l2tp[@]}" | median)
  SERVER_IKE_S=$(printf '%s\n' "${s_ike[@]}" | median)
  SERVER_L2TP_S=$(printf '%s\n' "${s_l2tp[@]}" | median)
  WIRE_IKE_S=$(printf '%s\n' "${w_ike[@]}" | median)
  WIRE_L2TP_S=$(printf '%s\n' "${w_l2tp[@]}" | median)
  ok "$1: one client: IKE ${ike[*]} s, L2TP + PPP ${l2tp[*]} s; waiting for the server: IKE ${s_ike[*]} s, L2TP + PPP ${s_l2tp[*]} s; on the wire: IKE ${w_ike[*]} s, L2TP + PPP ${w_l2tp[*]} s"
}

# burst SERVER N: N clients at once; prints the JSON line.
burst() {
  local server=$1 n=$2 i t0 cpu0 cpu1 pppds up_s drain_s pppd_ticks
  cpu0=$(cpu_ticks "${SERVER_PIDS[@]}")
  t0=$(now)
  local jobs=()
  for ((i = 0; i < n; i++)); do
    (client_connect_ike "$i" && client_connect_l2tp "$i") &
    jobs+=($!)
  done
  all_up() {
    local i
    for ((i = 0; i < n; i++)); do client_ppp_up "$i" || return 1; done
  }
  poll_until 600 "$server: $n clients up" all_up
  for ((i = 0; i < n; i++)); do client_ping "$i" || fail "$server: client $i: no ping reply through PPP"; done
  up_s=$(since "$t0")
  wait "${jobs[@]}" # (never a bare wait: the servers are this shell's jobs too)
  cpu1=$(cpu_ticks "${SERVER_PIDS[@]}")
  mapfile -t pppds < <(server_pppds)
  ((${#pppds[@]} == n)) || fail "$server: $n clients up but ${#pppds[@]} server pppds"
  local all_pppds
  mapfile -t all_pppds < <(all_server_pppds)
  pppd_ticks=$(cpu_ticks "${all_pppds[@]}")
  local rss_d rss_p pss_d pss_p
  rss_d=$(mem_kib VmRSS "${SERVER_PIDS[@]}") pss_d=$(mem_kib Pss "${SERVER_PIDS[@]}")
  rss_p=$(mem_kib VmRSS "${pppds[@]}") pss_p=$(mem_kib Pss "${pppds[@]}")
  t0=$(now)
  jobs=()
  for ((i = 0; i < n; i++)); do
    client_leave "$i" &
    jobs+=($!)
  done
  wait "${jobs[@]}"
  poll_until 300 "$server: the server empty after $n clients left" server_empty
  drain_s=$(since "$t0")
  jq -cn --arg server "$server" --argjson n "$n" --argjson startup "$STARTUP" --argjson ike "$IKE_S" \
    --argjson l2tp "$L2TP_S" --argjson s_ike "$SERVER_IKE_S" --argjson s_l2tp "$SERVER_L2TP_S" \
    --argjson w_ike "$WIRE_IKE_S" --argjson w_l2tp "$WIRE_L2TP_S" \
    --argjson up "$up_s" --argjson drain "$drain_s" \
    --argjson dcpu "$(((cpu1 - cpu0) * 1000 / TICK))" --argjson pcpu "$((pppd_ticks * 1000 / TICK))" \
    --argjson rss_d "$rss_d" --argjson rss_p "$rss_p" --argjson pss_d "$pss_d" --argjson pss_p "$pss_p" \
    '{server: $server, clients: $n, startup_s: $startup, ike_s: $ike, l2tp_ppp_s: $l2tp,
      connect_s: (($ike + $l2tp) * 1000 | round / 1000),
      server_ike_s: $s_ike, server_l2tp_ppp_s: $s_l2tp, server_connect_s: (($s_ike + $s_l2tp) * 1000 | round / 1000),
      wire_ike_s: $w_ike, wire_l2tp_ppp_s: $w_l2tp, wire_connect_s: (($w_ike + $w_l2tp) * 1000 | round / 1000),
      n_up_s: $up, drain_s: $drain,
      cpu_ms_per_client: {daemon: ($dcpu / $n), pppd: ($pcpu / $n), total: (($dcpu + $pcpu) / $n)},
      rss_kib: {daemon: $rss_d, pppd_each: ($rss_p / $n | floor)},
      pss_kib: {daemon: $pss_d, pppd_each: ($pss_p / $n | floor)}}' | tee -a "$WORK/results.jsonl"
}

: >"$WORK/results.jsonl"
for server in "${SERVERS[@]}"; do
  case $server in
    reference) start_reference ;;
    l2tpsec) start_l2tpsec ;;
    *) fail "--servers: reference and/or l2tpsec, not $server" ;;
  esac
  ok "$server: ready in $STARTUP s"
  one_client "$server"
  for n in "${CLIENTS[@]}"; do burst "$server" "$n"; done
  stop_server
done
# The ratios l2tpsec / reference, per N (the CPU ratio is on the total).
jq -sc 'group_by(.clients)[] | (map(select(.server == "reference"))[0]) as $r
  | (map(select(.server == "l2tpsec"))[0]) as $l | select($r != null and $l != null)
  | {ratios: "l2tpsec/reference", clients: $r.clients,
     startup: ($l.startup_s / $r.startup_s * 100 | round / 100),
     connect: ($l.connect_s / $r.connect_s * 100 | round / 100),
     wire_connect: ($l.wire_connect_s / $r.wire_connect_s * 100 | round / 100),
     server_connect: (if $r.server_connect_s > 0 then ($l.server_connect_s / $r.server_connect_s * 100 | round / 100) else null end),
     n_up: ($l.n_up_s / $r.n_up_s * 100 | round / 100),
     cpu_per_client: ($l.cpu_ms_per_client.total / $r.cpu_ms_per_client.total * 100 | round / 100),
     drain: ($l.drain_s / $r.drain_s * 100 | round / 100)}' "$WORK/results.jsonl"
echo PASS
