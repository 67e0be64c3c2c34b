#!/bin/bash
# Failure paths against the real kernel, with the error text asserted, and
# the pppd hand-off checked with a stand-in pppd: exactly the arguments we
# promise, and only stdio plus the PPPoL2TP socket on fd 3 inherited.
#   usage: l2tp_errors.sh PATH-TO-l2tpsec-dp   (inside the lab VM)
source "$(dirname "$0")/l2tp_lib.sh"

in_a "$DP" l2tp add-tunnel --tid 16385 --peer-tid 16386 --local 192.0.2.1 --peer 192.0.2.2 || fail "add-tunnel"
in_a "$DP" l2tp add-session --tid 16385 --sid 1 --peer-sid 2 || fail "add-session"

# 1. Refusals by the kernel (l2tp_netlink.c / l2tp_ppp.c), one line each.
expect_error "$E L2TP_CMD_TUNNEL_CREATE tunnel 16385: File exists" \
  in_a "$DP" l2tp add-tunnel --tid 16385 --peer-tid 9 --local 192.0.2.1 --peer 192.0.2.2 --sport 1705
expect_error "$E L2TP_CMD_SESSION_CREATE tunnel 16385 session 1: File exists" \
  in_a "$DP" l2tp add-session --tid 16385 --sid 1 --peer-sid 5
expect_error "$E L2TP_CMD_SESSION_CREATE tunnel 9999 session 1: No such device (no such tunnel)" \
  in_a "$DP" l2tp add-session --tid 9999 --sid 1 --peer-sid 2
expect_error "$E L2TP_CMD_TUNNEL_DELETE tunnel 9999: No such device (no such tunnel)" \
  in_a "$DP" l2tp del-tunnel --tid 9999
expect_error "$E L2TP_CMD_SESSION_DELETE tunnel 16385 session 77: No such device (no such session)" \
  in_a "$DP" l2tp del-session --tid 16385 --sid 77
expect_error "$E L2TP_CMD_TUNNEL_GET tunnel 9999: No such device (no such tunnel)" \
  in_a "$DP" l2tp show --tid 9999
expect_error "$E L2TP_CMD_SESSION_GET tunnel 16385 session 77: No such device (no such session)" \
  in_a "$DP" l2tp show --tid 16385 --sid 77
expect_error "$E connect PPPoL2TP tunnel 9999 session 1: No such file or directory (no such tunnel)" \
  in_a "$DP" ppp --tid 9999 --sid 1 --peer-tid 2 --peer-sid 2 --pppd /bin/false
# The kernel would bind a second static tunnel to the same local port: EADDRINUSE.
expect_error "$E L2TP_CMD_TUNNEL_CREATE tunnel 16386: Address already in use" \
  in_a "$DP" l2tp add-tunnel --tid 16386 --peer-tid 9 --local 192.0.2.1 --peer 192.0.2.2
# Refused before the kernel is asked, with a reason instead of a bare EINVAL.
expect_error "$E tunnel 70000 peer 9: L2TPv2 tunnel ids are 16 bits" \
  in_a "$DP" l2tp add-tunnel --tid 70000 --peer-tid 9 --local 192.0.2.1 --peer 192.0.2.2
expect_error "$E tunnel 16387: local 192.0.2.1 and peer 2001:db8::2 are of different address families" \
  in_a "$DP" l2tp add-tunnel --tid 16387 --peer-tid 9 --local 192.0.2.1 --peer 2001:db8::2
ok "kernel refusals: File exists, No such device, No such file or directory, Address already in use"

# 2. The pppd hand-off, with a stand-in that records what it got and waits.
cat >"$WORK/fake-pppd" <<EOF
#!/bin/sh
echo "\$@" > "$WORK/pppd-args"
exec sleep 60
EOF
chmod +x "$WORK/fake-pppd"
ip netns exec "$NS_A" "$DP" ppp --tid 16385 --sid 1 --peer-tid 16386 --peer-sid 2 --lns --pppd "$WORK/fake-pppd" -- file x.opts &
PIDS+=($!)
pid=$!
wait_until 30 "the stand-in pppd to start" test -s "$WORK/pppd-args"
wait_until 30 "the stand-in pppd to exec sleep" bash -c "[[ \$(readlink /proc/$pid/exe) == */sleep ]]"
want="plugin pppol2tp.so pppol2tp 3 pppol2tp_tunnel_id 16385 pppol2tp_session_id 1 nodetach pppol2tp_lns_mode file x.opts"
[[ "$(cat "$WORK/pppd-args")" == "$want" ]] || fail "pppd got '$(cat "$WORK/pppd-args")', expected '$want'"
fds=$(ls /proc/$pid/fd | sort -n | tr '\n' ' ')
[[ "$fds" == "0 1 2 3 " ]] || fail "pppd inherited fds '$fds' (expected 0 1 2 3): $(ls -l /proc/$pid/fd)"
[[ "$(readlink /proc/$pid/fd/3)" == socket:* ]] || fail "fd 3 is not a socket"
ok "pppd gets the promised arguments and inherits only fds 0-3 (3: the PPPoL2TP socket)"

# A second PPP socket for the same session is refused (pppol2tp_connect: EEXIST).
expect_error "$E connect PPPoL2TP tunnel 16385 session 1: File exists (the session already has a PPP socket)" \
  in_a "$DP" ppp --tid 16385 --sid 1 --peer-tid 16386 --peer-sid 2 --pppd /bin/false
# The session's LNS flag reached the kernel through the socket option.
ip -n "$NS_A" l2tp show session | grep -q "^Session 1 in tunnel 16385" || fail "session 1 missing"
kill -TERM "$pid"
wait "$pid" 2>/dev/null
PIDS=()
wait_until 30 "session 1 to go with its PPP socket" \
  bash -c "[[ -z \"\$(ip -n $NS_A l2tp show session)\" ]]"
ok "a second PPP socket is refused; closing the first deletes the session"

# 3. Missing kernel modules: with module loading disabled (modprobe -> /bin/false)
#    and the modules unloaded, each layer reports what is missing.
in_a "$DP" l2tp del-tunnel --tid 16385 || fail "del-tunnel"
wait_until 30 "tunnel 16385 to go" no_tunnels "$NS_A"
modprobe_path=$(cat /proc/sys/kernel/modprobe)
restore_modules() {
  echo "$modprobe_path" >/proc/sys/kernel/modprobe
  modprobe l2tp_netlink && modprobe l2tp_ppp
}
trap 'restore_modules; lab_cleanup' EXIT
echo /bin/false >/proc/sys/kernel/modprobe
for m in l2tp_eth l2tp_ip6 l2tp_ip l2tp_ppp; do
  [[ -d /sys/module/$m ]] || continue
  rmmod "$m" || fail "rmmod $m: $(lsmod | grep "^$m")"
done
in_a "$DP" l2tp add-tunnel --tid 16385 --peer-tid 16386 --local 192.0.2.1 --peer 192.0.2.2 || fail "add-tunnel"
expect_error "$E L2TP_CMD_SESSION_CREATE tunnel 16385 session 1: Protocol not supported (PPP pseudowires need the l2tp_ppp module and a kernel with CONFIG_L2TP_V3)" \
  in_a "$DP" l2tp add-session --tid 16385 --sid 1 --peer-sid 2
expect_error "$E socket(AF_PPPOX, PX_PROTO_OL2TP): Protocol not supported (is the l2tp_ppp module available?)" \
  in_a "$DP" ppp --tid 16385 --sid 1 --peer-tid 16386 --peer-sid 2 --pppd /bin/false
in_a "$DP" l2tp del-tunnel --tid 16385 || fail "del-tunnel"
wait_until 30 "tunnel 16385 to go" no_tunnels "$NS_A"
rmmod l2tp_netlink || fail "rmmod l2tp_netlink: $(lsmod | grep '^l2tp')"
expect_error "$E generic netlink family \"l2tp\" not found: the kernel has no L2TP netlink support (modprobe l2tp_netlink)" \
  in_a "$DP" l2tp show
restore_modules || fail "cannot reload the L2TP modules"
in_a "$DP" l2tp show >/dev/null || fail "show fails after the modules are back"
ok "missing l2tp_ppp and l2tp_netlink are named in the errors"
echo PASS
