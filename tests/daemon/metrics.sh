#!/bin/bash
# The metrics of l2tpsecd, scraped as Prometheus does: an LNS with
# [metrics] listen on loopback and a LAC, both on the fake kernel
# dataplanes (no root), IKE and L2TP between them; the scrape over HTTP and
# `l2tpctl metrics` pass `promtool check metrics` and give the numbers of
# `l2tpctl status --json`; a wrong path, a wrong method, garbage and an
# oversized request get an error and the daemon still answers; a reload
# moves the listener.
# Usage: metrics.sh L2TPSECD L2TPCTL
# Ports of this test's own: meson runs the daemon tests in parallel.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mport=$(free_port)
LNS_IPSEC=required LAC_IPSEC=required IKE_PORTS="21506 24506"
LNS_TABLES="[metrics]
listen = \"127.0.0.1:$mport\""
source "$(dirname "$0")/lac_lns_lib.sh" "$1" "$2" metrics 21706
write_lac lac 127.0.0.2 "psk_file = \"$tmp/psk\""

start lns
start lac
url="http://127.0.0.1:$mport/metrics"
# The value of one sample in an exposition: NAME or NAME{LABELS}.
sample() { awk -v m="$2" '$1 == m { print $2; found = 1 } END { exit !found }' <<<"$1"; }
check_metrics() {
  promtool check metrics <<<"$1" >"$tmp/promtool.out" 2>&1 ||
    fail "promtool check metrics ($2): $(cat "$tmp/promtool.out")"$'\n'"$1"
}

# Before anything is up: all zero, and valid.
scrape=$(curl -sf "$url") || fail "no scrape from $url"
check_metrics "$scrape" "idle"
[[ $(sample "$scrape" l2tpsec_sessions) == 0 ]] || fail "sessions before any: $scrape"

lac connect office >/dev/null || fail "l2tpctl connect office"
up() { [[ $(lns sessions --json | jq '[.sessions[] | select(.state == "established")] | length') == 1 ]]; }
waitfor up || fail "no established session on the LNS"

st=$(lns status --json) || fail "l2tpctl status"
jq -e --arg conf "$tmp/lns.conf" '.config_file == $conf and .dataplane == "null" and .ipsec == "required"
  and .tunnels == 1 and .sessions == 1 and .isakmp_established == 1 and .isakmp_connecting == 0
  and .ipsec_sa_pairs == 1 and .pool_used == 1 and .pool_size == 10 and .blocked_sources == 0' <<<"$st" \
  >/dev/null || fail "status: $st"
lns status | grep -q '^l2tp: *1 tunnel(s), 1 session(s)$' || fail "status (text): $(lns status)"
lns status | grep -q '^pool: *1 of 10 address(es) in use$' || fail "status (text): $(lns status)"

scrape=$(curl -sf "$url") || fail "no scrape from $url"
check_metrics "$scrape" "scrape"
ctl_text=$(lns metrics) || fail "l2tpctl metrics"
check_metrics "$ctl_text" "l2tpctl metrics"
for text in "$scrape" "$ctl_text"; do
  for pair in 'l2tpsec_sessions .sessions' 'l2tpsec_tunnels .tunnels' 'l2tpsec_ipsec_sa_pairs .ipsec_sa_pairs' \
    'l2tpsec_isakmp_sas{state="established"} .isakmp_established' \
    'l2tpsec_isakmp_sas{state="connecting"} .isakmp_connecting' \
    'l2tpsec_pool_addresses_used .pool_used' 'l2tpsec_pool_addresses .pool_size' \
    'l2tpsec_blocked_sources .blocked_sources'; do
    read -r name key <<<"$pair"
    got=$(sample "$text" "$name") || fail "no $name in: $text"
    [[ $got == $(jq "$key" <<<"$st") ]] || fail "$name is $got, status $key is $(jq "$key" <<<"$st")"
  done
done
[[ $(sample "$scrape" 'l2tpsec_setups_total{stage="ike"}') == 1 ]] || fail "IKE setups: $scrape"
[[ $(sample "$scrape" 'l2tpsec_setups_total{stage="l2tp"}') == 1 ]] || fail "L2TP setups: $scrape"
sample "$scrape" "l2tpsec_build_info{version=\"$(jq -r .version <<<"$st")\"}" >/dev/null ||
  fail "no build info: $scrape"
lns metrics --json | jq -e '.text | startswith("# HELP ")' >/dev/null || fail "metrics --json"

# What a scraper must not get away with: each an error, the daemon unharmed.
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[[ $(code "http://127.0.0.1:$mport/") == 404 ]] || fail "GET / is not 404"
[[ $(code -X POST "$url") == 405 ]] || fail "POST /metrics is not 405"
[[ $(code -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' a)" "$url") == 431 ]] ||
  fail "an oversized request is not 431"
exec 3<>"/dev/tcp/127.0.0.1/$mport"
printf 'garbage\r\n\r\n' >&3
IFS= read -r -t 5 line <&3
exec 3<&-
[[ $line == "HTTP/1.1 400 Bad Request"* ]] || fail "garbage got: $line"
exec 3<>"/dev/tcp/127.0.0.1/$mport"
head -c 100000 /dev/urandom >&3 2>/dev/null
exec 3<&-
curl -sf "$url" >/dev/null || fail "no scrape after the bad requests"
lns status >/dev/null || fail "no status after the bad requests"

# A reload moves the listener.
mport2=$(free_port)
sed -i "s/127.0.0.1:$mport/127.0.0.1:$mport2/" "$tmp/lns.conf"
lns reload >/dev/null || fail "reload"
curl -sf "http://127.0.0.1:$mport2/metrics" >/dev/null || fail "no scrape on the new address after a reload"
! curl -s "$url" >/dev/null || fail "the old address still answers after a reload"

stop lac
stop lns
echo "ok: metrics over HTTP and l2tpctl"
