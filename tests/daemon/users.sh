#!/bin/bash
# `l2tpctl user` against a running l2tpsecd (fake dataplane): add, passwd,
# del and list round trips on the [ppp] secrets file the daemon's config
# names, with the daemon reloading after each; two writers at once lose no
# user while reloads run, and no reload ever sees a torn file; a config with
# [radius] refuses every user command.
# Usage: users.sh L2TPSECD L2TPCTL
set -uo pipefail
daemon=$1 ctl=$2
tmp=$(mktemp -d /tmp/l2tpsec-users.XXXXXX)
pid=
cleanup() { [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- daemon log:" >&2; cat "$tmp/log" >&2 2>/dev/null; exit 1; }
waitfor() { for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done; return 1; }

secrets=$tmp/chap-secrets
printf '# the VPN users\nalice * "alice pw" *\n' >"$secrets"
chmod 644 "$secrets" # loose on purpose: the tool writes 0600
cat >"$tmp/l2tpsec.conf" <<CONF
[server]
listen = ["127.0.0.1"]
audit_log = "$tmp/audit.jsonl"
[l2tp]
ipsec = "off"
[ppp]
secrets = "$secrets"
local_address = "10.99.0.1"
pool = "10.99.0.10-10.99.0.99"
CONF
sock=$tmp/control
"$daemon" -c "$tmp/l2tpsec.conf" --control-socket "$sock" --fake-dataplane --l2tp-port 22701 2>"$tmp/log" &
pid=$!
waitfor test -S "$sock" || fail "no control socket"
c=("$ctl" -s "$sock")
reloads() { "${c[@]}" status --json | jq '.reloads'; }

# add: the daemon's config is found over the control socket, no --config.
out=$(echo "bob's pw" | "${c[@]}" user add bob --password-stdin) || fail "user add bob: $out"
[[ $out == "added bob to $secrets; l2tpsecd reloaded" ]] || fail "user add said: $out"
grep -qx "bob \* \"bob's pw\" \*" "$secrets" || fail "bob's line: $(cat "$secrets")"
[[ $(stat -c %a "$secrets") == 600 ]] || fail "mode $(stat -c %a "$secrets"), not 600"
head -1 "$secrets" | grep -qx '# the VPN users' || fail "the comment went"
[[ $(reloads) == 1 ]] || fail "no reload after user add"
"${c[@]}" user add bob --generate >/dev/null 2>"$tmp/err" && fail "a second bob was added"
grep -q "already in" "$tmp/err" || fail "second add said: $(cat "$tmp/err")"

# add --generate prints the password once, and JSON carries it.
json=$("${c[@]}" --json user add carol --generate) || fail "user add carol"
pw=$(jq -r '.password' <<<"$json")
[[ ${#pw} == 20 ]] && grep -qx "carol \* $pw \*" "$secrets" || fail "carol: $json / $(cat "$secrets")"
jq -e '.added == true and .reloaded == true' <<<"$json" >/dev/null || fail "add --json: $json"

# passwd keeps the entry's place; list shows every user with the live count.
echo "new bob pw" | "${c[@]}" user passwd bob --password-stdin >/dev/null || fail "user passwd"
grep -qx 'bob \* "new bob pw" \*' "$secrets" || fail "bob's new line: $(cat "$secrets")"
[[ $(grep -c '^bob ' "$secrets") == 1 ]] || fail "bob twice"
list=$("${c[@]}" --json user list) || fail "user list"
jq -e '[.users[].user] == ["alice", "bob", "carol"] and all(.users[]; .sessions == 0)' <<<"$list" >/dev/null ||
  fail "user list: $list"
"${c[@]}" user list | grep -q '^carol  *0  *-$' || fail "human list: $("${c[@]}" user list)"

# del removes the entry and nothing else.
"${c[@]}" user del carol --disconnect >/dev/null || fail "user del"
grep -q '^carol ' "$secrets" && fail "carol is still there"
"${c[@]}" user del carol 2>"$tmp/err" && fail "deleting a missing user succeeded"
grep -q "no user carol" "$tmp/err" || fail "del of a missing user said: $(cat "$tmp/err")"

# Two writers at once and reloads in a loop: every user lands, and no reload
# fails on a half-written file.
before=$("${c[@]}" status --json | jq '.reload_failures')
jobs=()
for w in a b; do
  (for i in $(seq 15); do "${c[@]}" user add "$w$i" --generate >/dev/null || echo "$w$i" >>"$tmp/lost"; done) &
  jobs+=($!)
done
(for _ in $(seq 40); do "${c[@]}" reload >/dev/null; done) &
jobs+=($!)
wait "${jobs[@]}" # not the daemon
[[ -e $tmp/lost ]] && fail "user add failed for: $(cat "$tmp/lost")"
n=$("${c[@]}" --json user list | jq '[.users[] | select(.user | test("^[ab][0-9]+$"))] | length')
[[ $n == 30 ]] || fail "$n of 30 users landed: $(cat "$secrets")"
after=$("${c[@]}" status --json | jq '.reload_failures')
[[ $after == "$before" ]] || fail "a reload failed while users were written: $(grep 'reload' "$tmp/log" | tail -3)"

# With [radius], users live on the RADIUS server: every user command refuses.
kill "$pid"; wait "$pid" 2>/dev/null; pid=
cat >>"$tmp/l2tpsec.conf" <<CONF
[radius]
auth_servers = ["127.0.0.1"]
secret_file = "$tmp/radius.secret"
CONF
for cmd in "add dave --generate" "passwd bob --generate" "del bob" "list"; do
  # shellcheck disable=SC2086 # the words of the command
  "$ctl" -s "$tmp/none" user $cmd -c "$tmp/l2tpsec.conf" >/dev/null 2>"$tmp/err" && fail "user $cmd with [radius]"
  grep -q "has a \[radius\] section" "$tmp/err" || fail "user $cmd with [radius] said: $(cat "$tmp/err")"
done
grep -q '^bob ' "$secrets" || fail "a refused command changed the file"
echo PASS
