#!/bin/bash
# Kernel-suite smoke test: the lab kernel has what l2tpsec needs (L2TP netlink + PPP,
# ESP, XFRM netlink) and network namespaces joined by veth pass traffic.
# Outside the lab VM (L2TPSEC_LAB != 1) it is skipped (77); inside, anything missing fails.
set -uo pipefail

if [[ "${L2TPSEC_LAB:-}" != 1 ]]; then
  echo "SKIP: kernel suite runs only inside the lab VM; run it through tools/test" \
       "(or: tests/lab/vm-run --rw build -- env L2TPSEC_LAB=1 meson test -C build --suite kernel)"
  exit 77
fi

fail() { echo "FAIL: $*" >&2; exit 1; }
for t in ip modprobe ping; do command -v "$t" >/dev/null || fail "$t is not installed"; done
[[ $EUID -eq 0 ]] || fail "must run as root inside the lab VM"

# 1. Modules.
for m in l2tp_netlink l2tp_ppp esp4 xfrm_user; do
  modprobe "$m" || fail "modprobe $m failed (kernel $(uname -r))"
  [[ -d /sys/module/$m ]] || fail "module $m is not loaded after modprobe"
  echo "ok: module $m loaded"
done
ip l2tp show tunnel >/dev/null || fail "'ip l2tp show tunnel' failed: L2TP generic netlink unusable"
ip xfrm state list >/dev/null || fail "'ip xfrm state list' failed: XFRM netlink unusable"

# 2. Two namespaces joined by veth.
sfx=$$ a=klab-a-$$ b=klab-b-$$
cleanup() {
  ip netns del "$a" 2>/dev/null
  ip netns del "$b" 2>/dev/null
}
trap cleanup EXIT
ip netns add "$a" || fail "ip netns add failed"
ip netns add "$b" || fail "ip netns add failed"
ip link add "va$sfx" netns "$a" type veth peer name "vb$sfx" netns "$b" || fail "cannot create a veth pair"
ip -n "$a" addr add 192.0.2.1/24 dev "va$sfx" || fail "cannot address va$sfx"
ip -n "$b" addr add 192.0.2.2/24 dev "vb$sfx" || fail "cannot address vb$sfx"
for n in "$a" "$b"; do ip -n "$n" link set lo up; done
ip -n "$a" link set "va$sfx" up || fail "cannot bring va$sfx up"
ip -n "$b" link set "vb$sfx" up || fail "cannot bring vb$sfx up"
ip netns exec "$a" ping -c 3 -i 0.2 -W 2 -w 10 192.0.2.2 || fail "no ping reply from 192.0.2.2 across the veth"
ip netns exec "$b" ping -c 1 -W 2 -w 5 192.0.2.1 >/dev/null || fail "no ping reply from 192.0.2.1 across the veth"
echo "ok: namespaces $a <-> $b ping across veth"

cleanup
trap - EXIT
ip netns list | grep -q "klab-[ab]-$$" && fail "namespaces left behind"
echo "PASS"
