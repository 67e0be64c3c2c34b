#!/bin/bash
# Kernel-suite smoke test: the lab kernel has what l2tpsec needs (L2TP netlink + PPP,
# ESP, XFRM netlink) and network namespaces joined by veth pass traffic.
# Outside the lab VM (L2TPSEC_LAB != 1) it is skipped (77); inside, anything missing fails.
source "$(dirname "$0")/lab_lib.sh"
lab_need ip modprobe ping

# 1. Modules.
for m in l2tp_netlink l2tp_ppp esp4 xfrm_user; do
  lab_modules "$m"
  [[ -d /sys/module/$m ]] || fail "module $m is not loaded after modprobe"
  ok "module $m loaded"
done
ip l2tp show tunnel >/dev/null || fail "'ip l2tp show tunnel' failed: L2TP generic netlink unusable"
ip xfrm state list >/dev/null || fail "'ip xfrm state list' failed: XFRM netlink unusable"

# 2. Two namespaces joined by veth.
lab_netns klab-
in_a ping -c 3 -i 0.2 -W 2 -w 10 $B || fail "no ping reply from $B across the veth"
in_b ping -c 1 -W 2 -w 5 $A >/dev/null || fail "no ping reply from $A across the veth"
ok "namespaces $NS_A <-> $NS_B ping across veth"

lab_cleanup
ip netns list | grep -q "klab-[ab]-$$" && fail "namespaces left behind"
echo "PASS"
