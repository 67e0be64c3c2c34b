#!/bin/bash
# l2tpctl doctor on the lab's stock kernel (l2tpctl(8), DOCTOR): first every
# kernel module l2tpsecd needs is found; then, with l2tp_ppp blacklisted,
# net.ipv4.ip_forward off, udp 1701 taken by another program and a listen
# address the host lacks, it names each problem with its fix and exits 1.
# Everything it changes lives in the VM's throw-away overlay, and is undone.
#   doctor.sh PATH-TO-l2tpctl
source "$(dirname "$0")/lab_lib.sh"
lab_need modprobe sysctl socat
L2TPCTL=${1:?usage: $0 PATH-TO-l2tpctl}
[[ -x "$L2TPCTL" ]] || fail "$L2TPCTL is not executable"

CONF=/etc/modprobe.d/l2tpsec-doctor-test.conf
FORWARD=$(sysctl -n net.ipv4.ip_forward)
doctor_cleanup() {
  rm -f "$CONF"
  sysctl -qw net.ipv4.ip_forward="$FORWARD"
  lab_cleanup
}
trap doctor_cleanup EXIT

# No daemon here: a socket nobody listens on is info, not a failure.
doctor() { "$L2TPCTL" -s "$WORK/no-daemon" -t 1000 doctor "$@" >"$WORK/doctor.out" 2>"$WORK/doctor.err"; }

# 1. The stock kernel: every module is there (loaded or loadable).
modprobe -r l2tp_ppp 2>/dev/null
[[ -d /sys/module/l2tp_ppp ]] && fail "l2tp_ppp is loaded and cannot be unloaded; the blacklist step needs it out"
doctor
cat "$WORK/doctor.out"
for m in l2tp_ppp l2tp_netlink ppp_generic esp4 esp6 xfrm_user; do
  grep -qE "^ok +module $m " "$WORK/doctor.out" || fail "stock kernel: module $m is not ok"
done
grep -qE '^ok +kernel L2TP_V3 ' "$WORK/doctor.out" || fail "stock kernel: CONFIG_L2TP_V3 not found"
grep -qE '^info +daemon +l2tpsecd is not running' "$WORK/doctor.out" || fail "no daemon is not info"
ok "stock kernel: every module l2tpsecd needs is found"

# 2. Break it: blacklist l2tp_ppp, turn forwarding off, hold udp 1701, and
#    name an address in the config that no interface has.
echo 'blacklist l2tp_ppp' >"$CONF"
sysctl -qw net.ipv4.ip_forward=0
socat -u UDP4-RECV:1701 /dev/null &
PIDS+=($!)
wait_until 10 "socat on udp 1701" grep -q ':06A5 ' /proc/net/udp
printf '[server]\nlisten = ["127.0.0.1", "203.0.113.9"]\n' >"$WORK/l2tpsec.conf"
doctor --config "$WORK/l2tpsec.conf"
rc=$?
cat "$WORK/doctor.out"
[[ $rc -eq 1 ]] || fail "doctor exited $rc with fatal findings (expected 1); stderr: $(cat "$WORK/doctor.err")"
expect_lines "$WORK/doctor.out" "broken host" \
  "fix: delete that line from $CONF, then: modprobe l2tp_ppp" \
  "net.ipv4.ip_forward = 0: VPN clients reach this host only" \
  "fix: sysctl -w net.ipv4.ip_forward=1" \
  "0.0.0.0:1701 is held by socat (not l2tpsecd): l2tpsecd cannot bind L2TP" \
  "no interface has 203.0.113.9"
grep -qE "^fatal +module l2tp_ppp +not loaded, and $CONF: blacklist l2tp_ppp keeps" "$WORK/doctor.out" ||
  fail "the blacklisted l2tp_ppp is not fatal"
grep -qE '^warn +ip_forward ' "$WORK/doctor.out" || fail "ip_forward 0 is not a warning"
grep -qE '^fatal +udp 1701 ' "$WORK/doctor.out" || fail "udp 1701 held by socat is not fatal"
ok "broken host: each problem named with its fix, exit 1"

# 3. The same as JSON: the summary counts the fatal findings.
doctor --json --config "$WORK/l2tpsec.conf"
[[ $? -eq 1 ]] || fail "doctor --json did not exit 1"
fatal=$(jq -r '[.findings[] | select(.status == "fatal") | .check] | join(",")' "$WORK/doctor.out")
[[ ",$fatal," == *",module l2tp_ppp,"* && ",$fatal," == *",udp 1701,"* ]] || fail "JSON: fatal checks are $fatal"
[[ $(jq '.summary.fatal' "$WORK/doctor.out") == $(jq '[.findings[] | select(.status == "fatal")] | length' \
   "$WORK/doctor.out") ]] || fail "JSON summary: $(jq -c .summary "$WORK/doctor.out")"
ok "--json: findings and summary"
echo "PASS"
