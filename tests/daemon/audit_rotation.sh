#!/bin/bash
# The session audit survives logrotate: an LNS and a LAC l2tpsecd on the fake
# dataplane connect and disconnect again and again while logrotate, with the
# Debian package's logrotate file (its path and signal pointed at this test's
# daemon), rotates the audit file under them; one more rotation is a bare
# rename without the signal. Every record must be in the files exactly once,
# whole, and the records after the last rotation in the new file.
# Usage: audit_rotation.sh L2TPSECD L2TPCTL LOGROTATE-FILE
rotate_conf=$3
LNS_AUDIT=log/audit.jsonl
source "$(dirname "$0")/lac_lns_lib.sh" "$1" "$2" auditrot 21703
rotator=
trap '[[ -n $rotator ]] && kill "$rotator" 2>/dev/null; cleanup' EXIT
command -v logrotate >/dev/null || fail "logrotate is not installed (tools/setup installs it)"
cycles=12
mkdir -m 700 "$tmp/log"
start lns
start lac
lns_pid=${pids[0]}
established() { [[ $(lns sessions --json | jq '[.sessions[] | select(.state == "established")] | length') == "$1" ]]; }
cycle() {
  lac connect office >/dev/null || fail "l2tpctl connect office"
  waitfor established 1 || fail "no session on the LNS"
  lac disconnect office >/dev/null || fail "l2tpctl disconnect office"
  waitfor bash -c "[[ \$($ctl -s $tmp/lns.sock sessions --json | jq '.sessions | length') == 0 ]]" ||
    fail "LNS session still there after disconnect"
}

# The shipped file, with this test's directory and daemon.
grep -q '^/var/log/l2tpsec/\*\.jsonl {' "$rotate_conf" || fail "$rotate_conf: no /var/log/l2tpsec/*.jsonl block"
grep -q 'systemctl kill .*--signal=USR1 l2tpsecd.service' "$rotate_conf" || fail "$rotate_conf: no USR1 signal"
grep -q copytruncate "$rotate_conf" && fail "$rotate_conf: copytruncate loses or splits records"
sed -e "s|^/var/log/l2tpsec/|$tmp/log/|" -e "s|systemctl kill .*--signal=USR1 l2tpsecd.service|kill -USR1 $lns_pid|" \
  "$rotate_conf" >"$tmp/logrotate.conf"

# Rotation under load: logrotate -f every 0.3 s while sessions come and go.
(
  while [[ ! -e $tmp/stop-rotating ]]; do
    logrotate -f -s "$tmp/logrotate.state" "$tmp/logrotate.conf" >>"$tmp/rotate.log" 2>&1 ||
      echo "logrotate failed" >>"$tmp/rotate.log"
    sleep 0.3
  done
) &
rotator=$!
for _ in $(seq $cycles); do cycle; done
touch "$tmp/stop-rotating"
wait "$rotator"
rotator=
grep -q "logrotate failed" "$tmp/rotate.log" && fail "logrotate failed: $(cat "$tmp/rotate.log")"
rotations=$(ls "$tmp/log" | grep -c '^audit\.jsonl\.')
[[ $rotations -ge 3 ]] || fail "only $rotations rotated files: $(ls "$tmp/log")"
grep -q "info daemon: received SIGUSR1: reopening the audit log" "$tmp/lns.log" || fail "no SIGUSR1 reopen"

# A rename without the signal: the next record still goes to a new file.
# (Only the daemon makes the file after a rotation (nocreate): once it is
# there, the last rotation's signal has been handled.)
waitfor test -e "$tmp/log/audit.jsonl" || fail "the LNS did not reopen the audit file after the last rotation"
mv "$tmp/log/audit.jsonl" "$tmp/log/audit.jsonl.renamed"
cycle
[[ $(wc -l <"$tmp/log/audit.jsonl") == 2 ]] || fail "after a bare rename the new file has: $(cat "$tmp/log/audit.jsonl")"
grep -q "info audit: $tmp/log/audit.jsonl was rotated; writing to a new file" "$tmp/lns.log" ||
  fail "no line about the rotation"

# Every record whole and exactly once across all the files.
for f in "$tmp"/log/audit.jsonl*; do zcat -f "$f"; done >"$tmp/all"
total=$(wc -l <"$tmp/all")
[[ $total == $((2 * (cycles + 1))) ]] || fail "$total records for $((cycles + 1)) sessions: $(cat "$tmp/all")"
jq -c . "$tmp/all" >/dev/null || fail "a record is not one whole JSON object: $(cat "$tmp/all")"
[[ -z $(sort "$tmp/all" | uniq -d) ]] || fail "records written twice: $(sort "$tmp/all" | uniq -d)"
[[ $(jq -s '[.[] | select(.event == "start")] | length' "$tmp/all") == $((cycles + 1)) ]] || fail "start records"
[[ $(jq -s '[.[] | select(.event == "stop")] | length' "$tmp/all") == $((cycles + 1)) ]] || fail "stop records"
# Each session's start and stop pair up.
[[ $(jq -s 'group_by([.tunnel, .session, .peer_tunnel]) | map(select(length != 2)) | length' "$tmp/all") == 0 ]] ||
  fail "unpaired records: $(jq -sc 'group_by([.tunnel, .session, .peer_tunnel]) | map(select(length != 2))' "$tmp/all")"
echo "PASS: $total records in $((rotations + 1)) rotated files and the current one, each exactly once"
