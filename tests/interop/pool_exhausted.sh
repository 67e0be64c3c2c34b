#!/bin/bash
# An LNS whose pool holds one address: l2tpsecd (LAC) connects a profile, its
# session gets the address and PPP comes up; a second call (`l2tpctl call`)
# must be refused by the LNS with a CDN of result code 4 (no facilities,
# temporary) and the LNS log line "address pool exhausted", and the first
# session must stay up (established on both ends, its pppd alive, pings cross).
#   usage: pool_exhausted.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

ppp_alice
write_lns_conf "$WORK/lns.conf" pool=10.99.0.10-10.99.0.10
write_lac_conf "$WORK/lac.conf"
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"
start_l2tpsecd lac "$NS_C" "$WORK/lac.conf"
ctl lac connect office >/dev/null || fail "l2tpctl connect office"
wait_until 120 "ppp up in the LAC namespace (10.99.0.10 peer 10.99.0.1)" ppp_up "$NS_C" 10.99.0.10 10.99.0.1
wait_until 30 "ppp up in the LNS namespace" ppp_up "$NS_S" 10.99.0.1 10.99.0.10
ok "first session up with the pool's only address, 10.99.0.10"
first=$(ctl lns sessions --json | jq -r '.sessions[0] | "\(.tunnel)/\(.session)"')

ctl lac call office >/dev/null || fail "l2tpctl call office"
wait_until 60 "the LAC to log the LNS's CDN" grep -q "peer sent CDN (result 4 " "$WORK/lac.log"
grep "peer sent CDN" "$WORK/lac.log"
grep -q 'peer sent CDN (result 4 error 4 "address pool exhausted")' "$WORK/lac.log" ||
  fail "the CDN the LAC got is not result 4, error 4, \"address pool exhausted\""
grep -q "address pool exhausted (1 addresses leased): call refused" "$WORK/lns.log" ||
  fail "no 'address pool exhausted' line in the LNS log"
ok "second call refused: CDN result 4 and 'address pool exhausted' in the LNS log"

# The refused call is gone everywhere; the first one is untouched.
one_left() {
  [[ $(ctl lns sessions --json | jq '.sessions | length') == 1 ]] &&
    [[ $(ctl lac sessions --json | jq '.sessions | length') == 1 ]]
}
wait_until 30 "one session left on each side" one_left
sj=$(ctl lns sessions --json)
jq -e --arg f "$first" '.sessions[0] | "\(.tunnel)/\(.session)" == $f and .state == "established"
    and .address == "10.99.0.10"' <<<"$sj" >/dev/null || fail "the first session changed: $sj"
[[ $(ctl lac sessions --json | jq -r '.sessions[0].state') == established ]] || fail "LAC session not established"
for ns in "$NS_S" "$NS_C"; do
  [[ $(kernel_sessions "$ns") == 1 && $(pppd_count "$ns") == 1 && $(ppp_count "$ns") == 1 ]] ||
    fail "$ns: not exactly 1 kernel session, 1 pppd, 1 ppp interface"
done
ip netns exec "$NS_C" ping -c 3 -i 0.3 -W 3 -w 30 10.99.0.1 >/dev/null || fail "no ping over the first session"
ok "first session $first still up: established, 1 kernel session, 1 pppd per side, pings cross"
echo PASS
