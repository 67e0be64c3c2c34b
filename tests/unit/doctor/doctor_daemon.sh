#!/bin/bash
# l2tpctl doctor beside a running daemon (an LNS of lac_lns_lib.sh, on the
# fake dataplane): it adds the daemon's view as info findings and, without
# --config, checks the config the daemon loaded; with the daemon gone it
# says so as info.
# Usage: doctor_daemon.sh L2TPSECD L2TPCTL
source "$(dirname "$0")/../../daemon/lac_lns_lib.sh" "$1" "$2" doctor 21711
conf=$tmp/lns.conf sock=$tmp/lns.sock
start lns

# The exit status depends on this host (kernel modules, pppd): only the
# daemon's findings and the config's are checked here.
lns doctor --json >"$tmp/out"
rc=$?
[[ $rc == 0 || $rc == 1 ]] || fail "doctor exited $rc"
jq -e --arg conf "$conf" --argjson pid "${pid[lns]}" --argjson rc "$rc" '
  (.findings[] | select(.check == "config")) as $c |
  (.findings[] | select(.check == "daemon")) as $d |
  (.findings[] | select(.check == "daemon IPsec")) as $i |
  $c.status == "ok" and $c.why == ($conf + " parses (IPsec off)") and
  $d.status == "info" and ($d.why | startswith("l2tpsecd ")) and ($d.why | contains("pid \($pid), config \($conf)")) and
  ($d.why | endswith("listening on 127.0.0.1")) and
  $i.status == "info" and ($i.why | startswith("IKE is off: ")) and
  .summary.fatal == ([.findings[] | select(.status == "fatal")] | length) and
  (if .summary.fatal > 0 then $rc == 1 else $rc == 0 end)' "$tmp/out" >/dev/null ||
  fail "unexpected doctor output: $(cat "$tmp/out")"
lns doctor >"$tmp/human"
grep -qE "^info +daemon +l2tpsecd .*, pid ${pid[lns]}, config $conf" "$tmp/human" ||
  fail "human output: $(cat "$tmp/human")"

# A --config of its own wins over the daemon's.
lns doctor --json --config "$tmp/none.conf" >"$tmp/out"
jq -e '.findings[0] == {"check": "config", "status": "fatal", "why": "cannot read '"$tmp"'/none.conf",
       "fix": "name a readable file with --config"}' "$tmp/out" >/dev/null || fail "--config: $(cat "$tmp/out")"

stop lns
lns doctor --json >"$tmp/out"
jq -e --arg sock "$sock" '.findings[] | select(.check == "daemon") |
  .status == "info" and .why == "l2tpsecd is not running (no answer on \($sock))"' "$tmp/out" >/dev/null ||
  fail "no daemon: $(cat "$tmp/out")"
echo PASS
