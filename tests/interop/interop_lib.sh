# shellcheck shell=bash
# Sourced by the tests/interop/*.sh scripts that run l2tpsecd against real
# peers (xl2tpd, a second l2tpsecd) with the kernel's L2TP and pppd, inside the
# lab VM: skip (77) outside it, the ok/fail helpers, a scratch directory, two
# network namespaces joined by a veth pair (the LNS side $NS_S = 192.0.2.1/24,
# the LAC side $NS_C = 192.0.2.2/24), background processes, and one EXIT trap
# that ends all of it.
#   source interop_lib.sh L2TPSECD L2TPCTL
# Helpers:
#   start_l2tpsecd NAME NS CONF   l2tpsecd in NS, control socket $WORK/NAME.sock,
#                                 log $WORK/NAME.log (PID in ${DAEMON_PID[NAME]}),
#                                 its pppds with the pppd plugin of the build
#                                 tree beside $DAEMON (or $L2TPSEC_PPPD_PLUGIN)
#   ctl NAME ARGS...              l2tpctl against daemon NAME
#   start_xl2tpd NAME NS CONF [CHAP-SECRETS]
#                                 xl2tpd -D in NS, in a private mount namespace
#                                 with its own /run and, if given, CHAP-SECRETS
#                                 over /etc/ppp/chap-secrets (for its pppds);
#                                 control pipe $WORK/NAME.ctl, log $WORK/NAME.log
#   xl2tpd_ctl NAME COMMAND       write one command to xl2tpd's control pipe
#   start_charon NAME NS SWANCTL-CONF
#                                 strongSwan's charon in NS with a private /run, its own
#                                 strongswan.conf and vici socket, log $WORK/NAME.log;
#                                 SWANCTL-CONF (connections, secrets) loaded;
#                                 SWANCTL_LOAD="PLUGIN..." makes swanctl load only
#                                 those (each call starts faster in the VM)
#                                 CHARON_EXTRA="KEY = VALUE" adds a charon setting
#   swan NAME ARGS...             swanctl against charon NAME
#   charon_psk_conf FILE ... / charon_cert_conf ...
#                                 swanctl.conf for charon with a pre-shared key
#                                 / with certificates (see each)
#   windows_clients NS SERVER N PSK   N emulated Windows clients (one charon
#                                 "clients", an xl2tpd cI each) at `client_ip I`
#   stop_charon NAME / stop_l2tpsecd NAME
#                                 SIGTERM and wait until it has exited
#   nat_router                    a NAT router namespace $NS_R (MASQUERADE) with a
#                                 client namespace $NS_N ($N_IP) behind it, towards
#                                 $NS_S's second address $S_NAT_IP
#   EXTRA_NS+=(NS)                a namespace the test made itself: its processes
#                                 are killed and it is deleted at exit
#   xfrm_count NS state|policy    number of SAs / SPD policies (not per-socket
#                                 ones) in NS's kernel
#   xfrm_sa_bytes NS SPI...       the byte counters of the SAs with these SPIs
#                                 (0x%08x) in NS, one a line
#   tunnel_up NAME / no_tunnel NAME   l2tpsecd NAME has an established L2TP
#                                 tunnel / none at all, closing ones included
#   child_up NAME / no_ike_sas NAME   l2tpsecd NAME has an IPsec SA pair / no SAs
#   charon_no_sas NAME            charon NAME holds no IKEv1 SA
#   lac_profile LINE...           the [[lac]] profile "office" for alice
#   ppp_alice                     alice's CHAP secret ($WORK/chap-secrets) and
#                                 password ($WORK/alice.pass); PPP_LNS and PPP_LAC,
#                                 the [ppp] sections of an l2tpsecd LNS (10.99.0.1,
#                                 pool 10.99.0.10-19) and LAC
#   wait_until SECONDS WHAT CMD...  poll CMD (every 0.2 s, or WAIT_STEP s) for at most SECONDS
#   esp_ping NAME NS ADDRESS      ping ADDRESS over PPP from NS; the inbound SA of
#                                 daemon NAME (l2tpctl sas, first IPsec SA) must
#                                 count the replies
#   ppp_up NS LOCAL PEER          NS has a ppp interface "inet LOCAL peer PEER/32"
#   ppp_count NS                  number of ppp interfaces in NS
#   mem_kib VmRSS|Pss PID...      the processes' memory summed, in KiB (the
#                                 benchmarks)
#   session_pppds NS / pppd_count NS   the pids / number of the pppds in NS
#                                 serving a session (not those l2tpsecd
#                                 prestarted, still waiting for one)
#   kernel_tunnels NS / kernel_sessions NS   counts from `ip l2tp show`
# INTEROP_LOGDIR=DIR in the environment keeps each test's logs in DIR/TEST/.
[[ -n "${INTEROP_LIB_LOADED:-}" ]] && return 0
INTEROP_LIB_LOADED=1
set -uo pipefail

if [[ "${L2TPSEC_LAB:-}" != 1 ]]; then
  echo "SKIP: interop suite runs only inside the lab VM; run it through tools/test" \
       "(or: tests/lab/vm-run --rw build -- env L2TPSEC_LAB=1 meson test -C build --suite interop)"
  exit 77
fi

DAEMON=${1:?usage: $0 L2TPSECD L2TPCTL}
CTL=${2:?usage: $0 L2TPSECD L2TPCTL}
T0=$(date +%s.%N)
WORK=""

# Everything the test wrote, for the failure report.
dump_logs() {
  local f
  [[ -n "$WORK" ]] || return 0
  for f in "$WORK"/*.log; do
    [[ -s $f ]] || continue
    echo "--- $f (last 60 lines)" >&2
    tail -n 60 "$f" >&2
  done
}
fail() {
  echo "FAIL: $*" >&2
  dump_logs
  exit 1
}
elapsed() { awk -v t="$(date +%s.%N)" -v t0="$T0" 'BEGIN { printf "%.1f", t - t0 }'; }
ok() { echo "ok ($(elapsed)s): $*"; }

for t in ip jq xl2tpd pppd unshare modprobe; do
  command -v "$t" >/dev/null || fail "$t is not installed (run tools/setup)"
done
[[ $EUID -eq 0 ]] || fail "must run as root inside the lab VM"
[[ -x "$DAEMON" && -x "$CTL" ]] || fail "$DAEMON or $CTL is not executable"

WORK=$(mktemp -d /tmp/l2tpsec-interop.XXXXXX) || fail "mktemp"
NS_S=isrv-$$ NS_C=icli-$$
S_IP=192.0.2.1 C_IP=192.0.2.2
PIDS=()
declare -A DAEMON_PID=() XL2TPD_PID=() CHARON_PID=()
NS_R="" NS_N=""
# More namespaces a test adds (ended and deleted like the others).
EXTRA_NS=()

# Every process in NS (ip netns pids), signalled with SIG.
kill_ns() {
  local pids
  pids=$(ip netns pids "$1" 2>/dev/null) || return 0
  # shellcheck disable=SC2086 # one PID per word
  [[ -n "$pids" ]] && kill "-$2" $pids 2>/dev/null
  return 0
}

interop_cleanup() {
  local p i
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  # l2tpsecd sends StopCCN and waits up to 3 s for the ack; pppd stops on TERM.
  for ((i = 0; i < 50; i++)); do
    local alive=0
    for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.1
  done
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  # What the daemons started (pppd) and anything else left in the namespaces.
  kill_ns "$NS_S" KILL
  kill_ns "$NS_C" KILL
  [[ -n "$NS_N" ]] && kill_ns "$NS_N" KILL
  for p in "${EXTRA_NS[@]}"; do kill_ns "$p" KILL; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  ip netns del "$NS_S" 2>/dev/null
  ip netns del "$NS_C" 2>/dev/null
  [[ -n "$NS_N" ]] && ip netns del "$NS_N" 2>/dev/null
  [[ -n "$NS_R" ]] && ip netns del "$NS_R" 2>/dev/null
  for p in "${EXTRA_NS[@]}"; do ip netns del "$p" 2>/dev/null; done
  # INTEROP_LOGDIR=DIR keeps the logs (in the VM: a directory shared with --rw).
  if [[ -n "${INTEROP_LOGDIR:-}" && -n "$WORK" ]]; then
    mkdir -p "$INTEROP_LOGDIR/$(basename "$0" .sh)" &&
      cp "$WORK"/*.log "$WORK"/*.jsonl "$INTEROP_LOGDIR/$(basename "$0" .sh)/" 2>/dev/null
  fi
  [[ -n "$WORK" ]] && rm -rf "$WORK"
  return 0
}
trap interop_cleanup EXIT

modprobe l2tp_netlink && modprobe l2tp_ppp && modprobe ppp_generic ||
  fail "cannot load l2tp_netlink, l2tp_ppp, ppp_generic (kernel $(uname -r))"
[[ -c /dev/ppp ]] || mknod /dev/ppp c 108 0 || fail "cannot create /dev/ppp"

ip netns add "$NS_S" && ip netns add "$NS_C" || fail "ip netns add"
ip link add "vs$$" netns "$NS_S" type veth peer name "vc$$" netns "$NS_C" || fail "cannot create a veth pair"
ip -n "$NS_S" addr add "$S_IP/24" dev "vs$$" && ip -n "$NS_C" addr add "$C_IP/24" dev "vc$$" ||
  fail "cannot address the veth pair"
for ns in "$NS_S" "$NS_C"; do
  ip -n "$ns" link set lo up || fail "cannot bring lo up in $ns"
done
ip -n "$NS_S" link set "vs$$" up && ip -n "$NS_C" link set "vc$$" up || fail "cannot bring the veth up"

# wait_until SECONDS WHAT COMMAND...: poll until COMMAND succeeds (a hang
# guard; the bound is not what a test asserts unless it says so).
wait_until() {
  local limit=$1 what=$2 end
  shift 2
  end=$(($(date +%s) + limit))
  until "$@" >/dev/null 2>&1; do
    [[ $(date +%s) -lt $end ]] || fail "timed out after ${limit}s waiting for: $what"
    sleep "${WAIT_STEP:-0.2}"
  done
}

# A secret file (mode 600) holding $2; prints nothing.
secret_file() { (umask 077 && printf '%s\n' "$2" >"$1"); }

# The pppd plugin of the daemon under test: the build tree's, beside its
# l2tpsecd (L2TPSEC_PPPD_PLUGIN names another); an installed daemon has its own.
PPPD_PLUGIN=${L2TPSEC_PPPD_PLUGIN:-$(dirname "$DAEMON")/../ppp/plugin/l2tpsec-pppd.so}
start_l2tpsecd() {
  local name=$1 ns=$2 conf=$3 plugin=()
  [[ -f $PPPD_PLUGIN ]] && plugin=(--pppd-plugin "$(realpath "$PPPD_PLUGIN")")
  ip netns exec "$ns" "$DAEMON" -c "$conf" --control-socket "$WORK/$name.sock" "${plugin[@]}" \
    2>"$WORK/$name.log" &
  DAEMON_PID[$name]=$!
  PIDS+=($!)
  wait_until 30 "l2tpsecd $name: control socket" test -S "$WORK/$name.sock"
  kill -0 "${DAEMON_PID[$name]}" 2>/dev/null || fail "l2tpsecd $name exited at start"
}

ctl() {
  local name=$1
  shift
  "$CTL" -t 20000 -s "$WORK/$name.sock" "$@"
}

start_xl2tpd() {
  local name=$1 ns=$2 conf=$3 secrets=${4:-}
  : >"$WORK/$name.l2tp-secrets"
  chmod 600 "$WORK/$name.l2tp-secrets"
  # (ip netns exec, unshare and sh all exec: $! is xl2tpd.)
  ip netns exec "$ns" unshare --mount --propagation private -- sh -c '
    mount -t tmpfs tmpfs /run || exit 1
    if [ -n "$1" ]; then mount --bind "$1" /etc/ppp/chap-secrets || exit 1; fi
    shift
    exec "$@"' sh "$secrets" \
    xl2tpd -D -c "$conf" -s "$WORK/$name.l2tp-secrets" -p "$WORK/$name.pid" -C "$WORK/$name.ctl" \
    >"$WORK/$name.log" 2>&1 &
  XL2TPD_PID[$name]=$!
  PIDS+=($!)
  wait_until 30 "xl2tpd $name: control pipe" test -p "$WORK/$name.ctl"
  kill -0 "${XL2TPD_PID[$name]}" 2>/dev/null || fail "xl2tpd $name exited at start"
}

xl2tpd_ctl() { echo "$2" >"$WORK/$1.ctl"; }

ppp_up() { ip -n "$1" -4 -o addr show 2>/dev/null | grep -q "inet $2 peer $3/32"; }
ppp_count() { ip -n "$1" -o link show type ppp 2>/dev/null | wc -l; }
# session_pppds NS: the pids of the pppds in NS that serve a session. Not a
# pppd that l2tpsecd prestarted ([ppp] prestart) and that has no session yet:
# it waits named "pppd-idle", and before it gets there it has l2tpsec_wait on
# its command line and no /dev/ppp open. (Builtins only: the VM is slow.)
session_pppds() {
  local p comm fd args
  for p in $(ip netns pids "$1" 2>/dev/null); do
    comm=""
    read -r comm 2>/dev/null <"/proc/$p/comm"
    [[ "$comm" == pppd ]] || continue
    mapfile -d '' -t args 2>/dev/null <"/proc/$p/cmdline"
    if [[ ${args[-1]:-} == l2tpsec_wait ]]; then
      for fd in /proc/"$p"/fd/*; do
        [[ $fd -ef /dev/ppp ]] && { echo "$p"; break; }
      done
    else
      echo "$p"
    fi
  done
}
# mem_kib FIELD PID...: the sum (KiB) of VmRSS (status) or Pss (smaps_rollup).
mem_kib() {
  local field=$1 p sum=0 v
  shift
  for p in "$@"; do
    if [[ $field == Pss ]]; then
      v=$(awk '$1 == "Pss:" { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
    else
      v=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$p/status" 2>/dev/null)
    fi
    sum=$((sum + ${v:-0}))
  done
  echo "$sum"
}
pppd_count() {
  local pids
  mapfile -t pids < <(session_pppds "$1")
  echo "${#pids[@]}"
}
kernel_tunnels() { ip -n "$1" l2tp show tunnel | grep -c '^Tunnel '; }
kernel_sessions() { ip -n "$1" l2tp show session | grep -c '^Session '; }

# strongSwan's charon as a Linux L2TP/IPsec client runs it (NetworkManager-l2tp
# drives it the same way), with everything private to the test.
start_charon() {
  local name=$1 ns=$2 conf=$3 charon="" c
  command -v swanctl >/dev/null || fail "swanctl is not installed (run tools/setup)"
  for c in /usr/lib/ipsec/charon /usr/libexec/ipsec/charon; do
    [[ -x $c ]] && { charon=$c; break; }
  done
  [[ -n "$charon" ]] || fail "no charon daemon found (strongswan-charon)"
  cat >"$WORK/$name.strongswan.conf" <<EOF
charon {
  load = random nonce aes sha1 sha2 hmac md5 gmp openssl pem pkcs1 x509 pubkey kernel-netlink socket-default vici
  install_routes = no
  ${CHARON_EXTRA:-}
  filelog {
    charon {
      path = $WORK/$name.log
      default = 1
      ike = 2
      knl = 2
      flush_line = yes
    }
  }
  plugins {
    vici {
      socket = unix://$WORK/$name.vici
    }
  }
}
EOF
  [[ -n "${SWANCTL_LOAD:-}" ]] &&
    printf 'swanctl {\n  load = %s\n}\n' "$SWANCTL_LOAD" >>"$WORK/$name.strongswan.conf"
  STRONGSWAN_CONF="$WORK/$name.strongswan.conf" ip netns exec "$ns" unshare --mount --propagation private -- \
    sh -c 'mount -t tmpfs tmpfs /run && exec "$@"' sh "$charon" >"$WORK/$name-out.log" 2>&1 &
  CHARON_PID[$name]=$!
  PIDS+=($!)
  wait_until 30 "charon $name answers swanctl" swan "$name" --stats
  swan "$name" --load-all --file "$conf" >"$WORK/$name-load.log" 2>&1 ||
    fail "swanctl --load-all for $name: $(tail -5 "$WORK/$name-load.log")"
}

swan() {
  local name=$1
  shift
  STRONGSWAN_CONF="$WORK/$name.strongswan.conf" timeout 90 swanctl "$@" --uri "unix://$WORK/$name.vici"
}

# client_ppp_options PROFILE USER PASSWORD: the options file of an xl2tpd
# client's pppd ($WORK/PROFILE-ppp.options, log $WORK/PROFILE-pppd.log): it
# authenticates with MS-CHAPv2 only, as the stock clients are set up.
client_ppp_options() {
  cat >"$WORK/$1-ppp.options" <<EOF
name $2
user $2
password $3
noauth
refuse-pap
refuse-chap
refuse-mschap
refuse-eap
noccp
noipdefault
nodefaultroute
lcp-echo-interval 0
mtu 1400
mru 1400
debug
logfile $WORK/$1-pppd.log
EOF
}

# xl2tpd_client_conf PROFILE...: $WORK/xl2tpd.conf for xl2tpd as a LAC on
# $C_IP:1701, one [lac PROFILE] section each towards $S_IP with the options of
# client_ppp_options PROFILE; XL2TPD_AUTODIAL=yes dials at start.
xl2tpd_client_conf() {
  local p
  {
    printf '[global]\nlisten-addr = %s\nport = 1701\naccess control = no\n' "$C_IP"
    for p in "$@"; do
      printf '[lac %s]\nlns = %s\nredial = no\nautodial = %s\nrequire authentication = no\n' \
        "$p" "$S_IP" "${XL2TPD_AUTODIAL:-no}"
      printf 'length bit = yes\npppoptfile = %s\n' "$WORK/$p-ppp.options"
    done
  } >"$WORK/xl2tpd.conf"
}

# windows_clients NS SERVER N PSK: N emulated Windows 10/11 clients in NS, at
# the addresses `client_ip I` (the caller's function, I from 0): one charon
# "clients" with a connection cI per address (Windows' Main Mode and Quick
# Mode proposals, transport mode on UDP 1701 at both ends, pre-shared key
# PSK), and one xl2tpd cI per address (from port 1701, as Windows sends
# L2TP) with the pppd options of client_ppp_options cI userI password-I.
windows_clients() {
  local ns=$1 server=$2 n=$3 psk=$4 i
  {
    echo "connections {"
    for ((i = 0; i < n; i++)); do
      cat <<CONF
  c$i {
    version = 1
    local_addrs = $(client_ip "$i")
    remote_addrs = $server
    proposals = aes256-sha1-ecp384,aes128-sha1-ecp256,aes256-sha1-modp2048,aes256-sha1-modp1024,aes128-sha1-modp1024,3des-sha1-modp2048,3des-sha1-modp1024
    local { auth = psk }
    remote { auth = psk }
    children {
      c$i {
        mode = transport
        local_ts = dynamic[udp/1701]
        remote_ts = dynamic[udp/1701]
        esp_proposals = aes256-sha1,aes128-sha1,3des-sha1
      }
    }
  }
CONF
    done
    printf '}\nsecrets {\n  ike-all {\n    secret = "%s"\n  }\n}\n' "$psk"
  } >"$WORK/clients.swanctl.conf"
  # Each `swanctl --initiate` holds one of charon's worker threads until its
  # connection is up (16 by default): N at once need N more, or the IKE work
  # of all of them waits behind the blocked threads until swanctl times out.
  CHARON_EXTRA="${CHARON_EXTRA:-}
  threads = $((n + 16))" start_charon clients "$ns" "$WORK/clients.swanctl.conf"
  for ((i = 0; i < n; i++)); do
    client_ppp_options "c$i" "user$i" "password-$i"
    printf '[global]\nlisten-addr = %s\nport = 1701\naccess control = no\n[lac c]\nlns = %s\nredial = no\n' \
      "$(client_ip "$i")" "$server" >"$WORK/c$i.xl2tpd.conf"
    printf 'autodial = no\nrequire authentication = no\nlength bit = yes\npppoptfile = %s\n' \
      "$WORK/c$i-ppp.options" >>"$WORK/c$i.xl2tpd.conf"
    start_xl2tpd "c$i" "$ns" "$WORK/c$i.xl2tpd.conf"
  done
}

# stop_pid PID WHAT: SIGTERM, then wait (at most 15 s: l2tpsecd waits up to 3 s
# for StopCCN acks) until it has exited.
stop_pid() {
  local pid=$1 what=$2 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    sleep 0.1
  done
  fail "$what did not exit within 15 s of SIGTERM"
}
stop_l2tpsecd() { stop_pid "${DAEMON_PID[$1]}" "l2tpsecd $1"; }
stop_charon() { stop_pid "${CHARON_PID[$1]}" "charon $1"; }

# charon_child MODE LOCAL_TS REMOTE_TS ESP [LINES]: the children section of
# the connection "l2tp" (charon_psk_conf, charon_cert_conf), LINES added.
charon_child() {
  cat <<EOF
    children {
      l2tp {
        mode = $1
        local_ts = $2
        remote_ts = $3
        esp_proposals = $4
        ${5:-}
      }
    }
EOF
}

# charon_psk_conf FILE [NAME=VALUE...]: a swanctl.conf with one IKEv1
# connection "l2tp", the pre-shared key $psk, protecting the L2TP flow (UDP
# 1701 at both ends). NAME: me and peer (addresses, and me as our ID; without
# them any, as a responder takes), ike and esp (proposals; by default
# aes256-sha1-modp2048 and aes256-sha1), mode (transport, the default, or
# tunnel: the flow between me and peer), aggressive (yes: Aggressive Mode),
# rekey and life (the IPsec SA's rekey_time and life_time, with no random
# part; by default charon's own), l2tp_port (our end's L2TP port, default
# 1701; Apple's clients use an ephemeral one).
charon_psk_conf() {
  local file=$1 kv me="" peer="" ike=aes256-sha1-modp2048 esp=aes256-sha1 mode=transport aggressive=no
  local rekey="" life="" l2tp_port=1701
  shift
  for kv in "$@"; do
    case ${kv%%=*} in
      me | peer | ike | esp | mode | aggressive | rekey | life | l2tp_port) printf -v "${kv%%=*}" '%s' "${kv#*=}" ;;
      *) fail "charon_psk_conf: unknown setting $kv" ;;
    esac
  done
  local addrs="" id="" ts_me="dynamic[udp/$l2tp_port]" ts_peer="dynamic[udp/1701]"
  [[ -n $me ]] && addrs="local_addrs = $me" id="id = $me"
  [[ -n $peer ]] && addrs+=$'\n'"    remote_addrs = $peer"
  [[ $mode == tunnel ]] && ts_me="$me/32[udp/1701]" ts_peer="$peer/32[udp/1701]"
  local lifetimes=""
  [[ -n $rekey ]] && lifetimes="rekey_time = $rekey"$'\n'"        rand_time = 0s"
  [[ -n $life ]] && lifetimes+=$'\n'"        life_time = $life"
  cat >"$file" <<EOF
connections {
  l2tp {
    version = 1
    aggressive = $aggressive
    $addrs
    proposals = $ike
    local {
      auth = psk
      $id
    }
    remote {
      auth = psk
    }
$(charon_child "$mode" "$ts_me" "$ts_peer" "$esp" "$lifetimes")
  }
}
secrets {
  ike-l2tp {
    secret = "$psk"
  }
}
EOF
}

# charon_cert_conf [NAME=VALUE...]: prints a swanctl.conf with one IKEv1
# connection "l2tp" (aes256-sha1-modp2048; ESP aes256-sha1 in transport mode
# on UDP 1701 at both ends) authenticated by certificates: me and peer
# (local_addrs and remote_addrs), cert and key (our certificate and its key
# file), keytype (rsa, the default, or ecdsa), ca (the CA certificate that
# vouches for the peer) and peer_id (the identity the peer must prove).
# swanctl loads the private keys of the rsa/ and ecdsa/ directories beside
# the file it is given: the key must be there.
charon_cert_conf() {
  local kv me="" peer="" cert="" key="" keytype=rsa ca="" peer_id=""
  for kv in "$@"; do
    case ${kv%%=*} in
      me | peer | cert | key | keytype | ca | peer_id) printf -v "${kv%%=*}" '%s' "${kv#*=}" ;;
      *) fail "charon_cert_conf: unknown setting $kv" ;;
    esac
  done
  cat <<EOF
connections {
  l2tp {
    version = 1
    local_addrs = $me
    remote_addrs = $peer
    proposals = aes256-sha1-modp2048
    send_certreq = yes
    local {
      auth = pubkey
      certs = $cert
    }
    remote {
      auth = pubkey
      id = "$peer_id"
    }
$(charon_child transport "dynamic[udp/1701]" "dynamic[udp/1701]" aes256-sha1)
  }
}
authorities {
  interop {
    cacert = $ca
  }
}
secrets {
  $keytype-l2tp {
    file = $key
  }
}
EOF
}

# nat_router: a router namespace $NS_R between the server namespace and a
# client namespace $NS_N behind a NAT. $NS_S gets a second veth and address,
# $S_NAT_IP = 198.51.100.1/24, towards the router's public side $R_IP =
# 198.51.100.2/24; $NS_N is $N_IP = 10.77.0.2/24 with its default route via
# the router's inside 10.77.0.1, which masquerades what leaves by its public
# side (the server sees every client packet from $R_IP).
nat_router() {
  NS_R=irtr-$$ NS_N=inat-$$
  S_NAT_IP=198.51.100.1 R_IP=198.51.100.2 N_IP=10.77.0.2
  ip netns add "$NS_R" && ip netns add "$NS_N" || fail "ip netns add (NAT router)"
  ip link add "vsr$$" netns "$NS_S" type veth peer name "vrs$$" netns "$NS_R" &&
    ip link add "vrn$$" netns "$NS_R" type veth peer name "vnr$$" netns "$NS_N" ||
    fail "cannot create the NAT router's veth pairs"
  ip -n "$NS_S" addr add "$S_NAT_IP/24" dev "vsr$$" && ip -n "$NS_R" addr add "$R_IP/24" dev "vrs$$" &&
    ip -n "$NS_R" addr add 10.77.0.1/24 dev "vrn$$" && ip -n "$NS_N" addr add "$N_IP/24" dev "vnr$$" ||
    fail "cannot address the NAT router's veth pairs"
  ip -n "$NS_R" link set lo up && ip -n "$NS_N" link set lo up &&
    ip -n "$NS_S" link set "vsr$$" up && ip -n "$NS_R" link set "vrs$$" up &&
    ip -n "$NS_R" link set "vrn$$" up && ip -n "$NS_N" link set "vnr$$" up ||
    fail "cannot bring the NAT router's links up"
  ip -n "$NS_N" route add default via 10.77.0.1 || fail "no default route behind the NAT"
  ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1 || fail "cannot enable forwarding in $NS_R"
  ip netns exec "$NS_R" nft -f - <<EOF || fail "cannot set up MASQUERADE in $NS_R"
table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "vrs$$" masquerade
  }
}
EOF
}

# (Policies: those of the SPD; the per-socket ones, such as the daemons' IKE
# bypasses, do not count.)
xfrm_count() {
  if [[ $2 == policy ]]; then
    ip -n "$1" xfrm policy list | grep -c '^[[:space:]]dir '
  else
    ip -n "$1" xfrm state list | grep -c '^src '
  fi
}

esp_ping() {
  local name=$1 ns=$2 address=$3 before after
  before=$(ctl "$name" sas --json | jq '.ipsec[0].in_bytes')
  [[ $before =~ ^[0-9]+$ ]] || fail "l2tpctl sas gives no inbound byte counter: $before"
  ip netns exec "$ns" ping -c 5 -i 0.3 -W 3 -w 30 "$address" >/dev/null || fail "no ping reply over PPP"
  after=$(ctl "$name" sas --json | jq '.ipsec[0].in_bytes')
  ((after > before + 5 * 84)) || fail "ESP inbound bytes went from $before to $after only"
  ok "ESP carries L2TP: $name's inbound SA counted $before -> $after bytes"
}

xfrm_sa_bytes() {
  local ns=$1
  shift
  ip -s -n "$ns" xfrm state | awk -v want="$*" '
    /^src / { spi = "" }
    $1 == "proto" && $3 == "spi" { spi = $4; sub(/\(.*/, "", spi) }
    spi != "" && /lifetime current:/ { getline; split($1, a, "("); bytes[spi] = a[1] }
    END { n = split(want, w, " "); for (i = 1; i <= n; i++) { if (!(w[i] in bytes)) exit 1; print bytes[w[i]] } }'
}

tunnel_up() { ctl "$1" tunnels --json | grep -q '"state": "established"'; }
# No tunnel at all, closing ones included (the closer's goes once the peer
# has acknowledged its StopCCN; the other end's lingers, RFC 2661 §5.7, so
# a LAC closes before it dials from port 1701 again).
no_tunnel() { ! ctl "$1" tunnels --json | grep -q '"tunnel":'; }
no_ike_sas() { [[ $(ctl "$1" sas --json | grep -c -e '"isakmp": \[\]' -e '"ipsec": \[\]') == 2 ]]; }
child_up() { ctl "$1" sas --json | grep -q '"in_spi":'; }
charon_no_sas() { ! swan "$1" --list-sas | grep -q 'IKEv1'; }

# lac_profile LINE...: the [[lac]] profile "office" for alice (ppp_alice) to
# ${LAC_SERVER:-$S_IP}, with LINEs added.
lac_profile() {
  printf '[[lac]]\nname = "office"\nserver = "%s"\nuser = "alice"\npassword_file = "%s"\n' "${LAC_SERVER:-$S_IP}" \
    "$WORK/alice.pass"
  printf '%s\n' "$@"
}

# write_lns_conf FILE [KEY=VALUE...]: an l2tpsecd LNS's config for alice
# (ppp_alice first). KEY: listen (default $S_IP), ipsec (default off;
# required adds [ike] psk_file = "$WORK/psk"), pool (default PPP_LNS's),
# options (the [ppp] options array, default PPP_LNS's), server and l2tp (a
# line added to that table).
write_lns_conf() {
  local file=$1 kv listen=$S_IP ipsec=off pool="" options="" server="" l2tp=""
  shift
  for kv in "$@"; do
    case ${kv%%=*} in
      listen | ipsec | pool | options | server | l2tp) printf -v "${kv%%=*}" '%s' "${kv#*=}" ;;
      *) fail "write_lns_conf: unknown setting $kv" ;;
    esac
  done
  local ppp=$PPP_LNS
  [[ -n $pool ]] && ppp=$(sed "s/^pool = .*/pool = \"$pool\"/" <<<"$ppp")
  [[ -n $options ]] && ppp=$(sed "s/^options = .*/options = $options/" <<<"$ppp")
  {
    printf '[server]\nlisten = ["%s"]\n' "$listen"
    [[ -n $server ]] && printf '%s\n' "$server"
    [[ $ipsec == required ]] && printf '[ike]\npsk_file = "%s"\n' "$WORK/psk"
    printf '[l2tp]\nipsec = "%s"\n' "$ipsec"
    [[ -n $l2tp ]] && printf '%s\n' "$l2tp"
    printf '%s\n' "$ppp"
  } >"$file"
}

# write_lac_conf FILE [KEY=VALUE...] [-- LINE...]: an l2tpsecd LAC's config
# with the profile "office" for alice (lac_profile; ppp_alice first), LINEs
# added to the profile. KEY: listen (default $C_IP), ipsec (default off:
# charon or nothing protects its L2TP), server (a line added to [server]).
write_lac_conf() {
  local file=$1 kv listen=$C_IP ipsec=off server=""
  shift
  while [[ $# -gt 0 && $1 != -- ]]; do
    kv=$1
    shift
    case ${kv%%=*} in
      listen | ipsec | server) printf -v "${kv%%=*}" '%s' "${kv#*=}" ;;
      *) fail "write_lac_conf: unknown setting $kv" ;;
    esac
  done
  [[ ${1:-} == -- ]] && shift
  {
    printf '[server]\nlisten = ["%s"]\n' "$listen"
    [[ -n $server ]] && printf '%s\n' "$server"
    printf '[l2tp]\nipsec = "%s"\n%s\n' "$ipsec" "$PPP_LAC"
    lac_profile "$@"
  } >"$file"
}

ppp_alice() {
  secret_file "$WORK/chap-secrets" 'alice * alice-pw-4711 *'
  secret_file "$WORK/alice.pass" alice-pw-4711
  # shellcheck disable=SC2034 # for the scripts that source this
  PPP_LNS='[ppp]
auth = ["mschap-v2"]
secrets = "'"$WORK"'/chap-secrets"
local_address = "10.99.0.1"
pool = "10.99.0.10-10.99.0.19"
options = ["lcp-echo-interval 0", "noccp", "noipv6"]'
  # shellcheck disable=SC2034
  PPP_LAC='[ppp]
options = ["lcp-echo-interval 0", "noccp", "noipv6"]'
}
