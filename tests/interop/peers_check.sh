#!/bin/bash
# Interop-suite smoke test: the real peers the interop tests drive are usable inside
# the lab VM: strongSwan's charon (answers swanctl over a private vici socket),
# xl2tpd (starts in the foreground and listens), pppd with its pppol2tp plugin.
# Outside the lab VM (L2TPSEC_LAB != 1) it is skipped (77); inside, anything missing fails.
set -uo pipefail

if [[ "${L2TPSEC_LAB:-}" != 1 ]]; then
  echo "SKIP: interop suite runs only inside the lab VM; run it through tools/test" \
       "(or: tests/lab/vm-run --rw build -- env L2TPSEC_LAB=1 meson test -C build --suite interop)"
  exit 77
fi

fail() {
  echo "FAIL: $*" >&2
  for f in "${dir:-/nonexistent}"/*.log; do [[ -s $f ]] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }; done
  exit 1
}
for t in ip swanctl xl2tpd pppd ss unshare timeout; do
  command -v "$t" >/dev/null || fail "$t is not installed (run tools/setup)"
done
[[ $EUID -eq 0 ]] || fail "must run as root inside the lab VM"

dir=$(mktemp -d /tmp/l2tpsec-peers.XXXXXX)
ns=klab-peer-$$
charon_pid="" xl2tpd_pid=""
stop() {  # stop PID: TERM, wait up to 5 s, then KILL
  local pid=$1 i
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null; return 1
}
cleanup() {
  stop "$charon_pid"; stop "$xl2tpd_pid"
  ip netns del "$ns" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
ip netns add "$ns" || fail "ip netns add failed"
ip -n "$ns" link set lo up
# Run in the namespace with a private /run (the daemons' fixed pid/socket paths stay ours).
# (ip netns exec, unshare and sh all exec, so $! of a background in_ns is the daemon.)
in_ns=(ip netns exec "$ns" unshare --mount --propagation private --
       sh -c 'mount -t tmpfs tmpfs /run && exec "$@"' sh)

# 1. strongSwan: charon with a private strongswan.conf and vici socket.
charon=""
for c in /usr/lib/ipsec/charon /usr/libexec/ipsec/charon /usr/sbin/charon-systemd; do
  [[ -x $c ]] && { charon=$c; break; }
done
[[ -n "$charon" ]] || fail "no charon daemon found (strongswan-charon / charon-systemd)"
vici="unix://$dir/charon.vici"
cat > "$dir/strongswan.conf" <<EOF
charon {
  load = random nonce aes sha1 sha2 hmac md5 gmp pem pkcs1 x509 pubkey kernel-netlink socket-default vici
  install_routes = no
  filelog {
    charon {
      path = $dir/charon.log
      default = 1
    }
  }
  plugins {
    vici {
      socket = $vici
    }
  }
}
swanctl {
  socket = $vici
}
EOF
STRONGSWAN_CONF="$dir/strongswan.conf" "${in_ns[@]}" "$charon" > "$dir/charon-out.log" 2>&1 &
charon_pid=$!
ok=0
for ((i = 0; i < 100; i++)); do   # up to 20 s: the VM is slow
  kill -0 "$charon_pid" 2>/dev/null || fail "$charon exited early"
  if [[ -S "$dir/charon.vici" ]] &&
     STRONGSWAN_CONF="$dir/strongswan.conf" timeout 10 swanctl --stats --uri "$vici" > "$dir/stats.out" 2>&1; then
    ok=1; break
  fi
  sleep 0.2
done
[[ $ok == 1 ]] || { cat "$dir/stats.out" >&2; fail "swanctl --stats got no answer from charon at $vici"; }
grep -q 'uptime' "$dir/stats.out" || { cat "$dir/stats.out" >&2; fail "unexpected swanctl --stats output"; }
echo "ok: $charon answers swanctl at $vici: $(grep -m1 -i 'running\|uptime' "$dir/stats.out")"
stop "$charon_pid" || fail "charon did not stop on SIGTERM"
charon_pid=""
echo "ok: charon stopped"

# 2. xl2tpd in the foreground, private config, pid and control files.
cat > "$dir/xl2tpd.conf" <<EOF
[global]
listen-addr = 127.0.0.1
port = 1701
access control = no
EOF
: > "$dir/l2tp-secrets"; chmod 600 "$dir/l2tp-secrets"
"${in_ns[@]}" xl2tpd -D -c "$dir/xl2tpd.conf" -s "$dir/l2tp-secrets" -p "$dir/xl2tpd.pid" \
  -C "$dir/l2tp-control" > "$dir/xl2tpd.log" 2>&1 &
xl2tpd_pid=$!
ok=0
for ((i = 0; i < 100; i++)); do
  kill -0 "$xl2tpd_pid" 2>/dev/null || fail "xl2tpd exited early"
  if [[ -p "$dir/l2tp-control" ]] && ip netns exec "$ns" ss -Hunl 'sport = :1701' | grep -q 1701; then
    ok=1; break
  fi
  sleep 0.2
done
[[ $ok == 1 ]] || fail "xl2tpd did not create its control pipe and listen on udp/1701"
sleep 0.5
kill -0 "$xl2tpd_pid" 2>/dev/null || fail "xl2tpd died after start"
echo "ok: xl2tpd alive (pid $xl2tpd_pid), listening on 127.0.0.1:1701"
stop "$xl2tpd_pid" || fail "xl2tpd did not stop on SIGTERM"
xl2tpd_pid=""
echo "ok: xl2tpd stopped"

# 3. pppd and its L2TP plugin.
v=$(pppd --version 2>&1) || fail "pppd --version failed: $v"
echo "ok: $v"
plugins=(/usr/lib/pppd/*/pppol2tp.so)
[[ -f "${plugins[0]}" ]] || fail "no /usr/lib/pppd/*/pppol2tp.so (package ppp)"
echo "ok: ${plugins[*]}"

cleanup
trap - EXIT
echo "PASS"
