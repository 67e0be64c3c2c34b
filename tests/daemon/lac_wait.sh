#!/bin/bash
# `l2tpctl profiles` and `connect --wait` against two daemons over loopback
# on the fake dataplane (as lac_lns.sh): the wait returns once the session is
# up, `complete` lists the names the shell completions offer, and with the
# LNS gone the wait says the L2TP stage failed and why. Every error under
# --json is one JSON object on stdout.
# Usage: lac_wait.sh L2TPSECD L2TPCTL
source "$(dirname "$0")/lac_lns_lib.sh" "$1" "$2" lacwait 21712

# Two retransmissions, not five: the failure with no LNS comes in seconds.
sed -i 's/^ipsec = .*/&\nretries = 2/' "$tmp/lac.conf"
start lns
start lac

p=$(lac profiles --json) || fail "l2tpctl profiles: $p"
jq -e '.profiles == [{"name": "office", "server": "127.0.0.1", "wanted": false, "state": "idle", "tunnel": null,
        "session": null, "address": null, "last_error": null, "error_stage": null, "retry_in_seconds": null}]' \
  <<<"$p" >/dev/null || fail "profiles before connect: $p"
lns profiles --json | jq -e '.profiles == []' >/dev/null || fail "the LNS has profiles"
[[ $(lac complete profiles) == office ]] || fail "complete profiles: $(lac complete profiles)"

out=$(lac connect office --wait --wait-timeout 20 2>"$tmp/wait.err"); rc=$?
[[ $rc == 0 ]] || fail "connect --wait exit $rc: $out $(cat "$tmp/wait.err")"
[[ $out =~ ^office:\ up\ \(tunnel\ [0-9]+,\ session\ [0-9]+/[0-9]+,\ address\ -\)$ ]] ||
  fail "connect --wait printed: $out"
p=$(lac profiles --json)
jq -e '.profiles[0] | .wanted and .state == "up" and (.tunnel | type) == "number"
       and (.session | test("^[0-9]+/[0-9]+$")) and .retry_in_seconds == null' <<<"$p" >/dev/null ||
  fail "profiles when up: $p"
lac profiles | grep -Eq '^office +127\.0\.0\.1 +yes +up ' || fail "profiles (text): $(lac profiles)"
session=$(jq -r '.profiles[0].session' <<<"$p")
[[ $(lac complete sessions) == "$session" ]] || fail "complete sessions: $(lac complete sessions), not $session"
[[ $(lac complete users) == alice ]] || fail "complete users: $(lac complete users)"
[[ $(lac complete tunnels) == "${session%/*}" ]] || fail "complete tunnels: $(lac complete tunnels)"
# Already up: --wait returns at once.
lac connect office --wait --json | jq -e '.state == "up"' >/dev/null || fail "connect --wait --json when up"

# The LNS goes away: the next connect's L2TP stage fails, and says why.
lac disconnect office >/dev/null || fail "disconnect office"
stop lns
out=$(lac connect office --wait --wait-timeout 60 2>&1); rc=$?
[[ $rc == 1 ]] || fail "connect --wait without an LNS: exit $rc: $out"
grep -q "^l2tpctl: office: the L2TP tunnel or session failed: .*; l2tpsecd tries again in " <<<"$out" ||
  fail "connect --wait without an LNS printed: $out"
p=$(lac profiles --json)
jq -e '.profiles[0] | .state == "waiting to retry" and .error_stage == "l2tp" and .retry_in_seconds > 0
       and (.last_error | length) > 0' <<<"$p" >/dev/null || fail "profiles after the failure: $p"
lac disconnect office >/dev/null || fail "disconnect office"

# Too short a wait: its own exit status.
lac connect office --wait --wait-timeout 1 >/dev/null 2>"$tmp/wait.err"; rc=$?
[[ $rc == 4 ]] || fail "connect --wait-timeout 1: exit $rc: $(cat "$tmp/wait.err")"
grep -q "^l2tpctl: office: not up after 1s" "$tmp/wait.err" || fail "timeout message: $(cat "$tmp/wait.err")"
lac disconnect office >/dev/null

# --json: errors too are one object on stdout, with the usual exit status.
out=$("$ctl" -s "$tmp/nobody.sock" --json status 2>/dev/null); rc=$?
[[ $rc == 2 ]] && jq -e '.exit == 2 and (.error | test("nobody.sock"))' <<<"$out" >/dev/null ||
  fail "unreachable under --json: exit $rc: $out"
out=$(lac connect nosuch --json 2>/dev/null); rc=$?
[[ $rc == 1 ]] && jq -e '.exit == 1 and (.error | test("nosuch"))' <<<"$out" >/dev/null ||
  fail "daemon error under --json: exit $rc: $out"
out=$(lac --json sesions 2>/dev/null); rc=$?
[[ $rc == 64 ]] && jq -e '.exit == 64 and .error == "unknown command \"sesions\"; did you mean \"sessions\"?"' \
  <<<"$out" >/dev/null || fail "usage error under --json: exit $rc: $out"
err=$(lac sesions 2>&1 >/dev/null); rc=$?
[[ $rc == 64 && $err == 'l2tpctl: unknown command "sesions"; did you mean "sessions"?' ]] ||
  fail "did you mean: exit $rc: $err"
lac sessions --help | grep -q -- '--json' || fail "sessions --help does not list --json"
# No daemon: complete prints nothing and succeeds (it runs inside completions).
out=$("$ctl" -s "$tmp/nobody.sock" complete profiles users 2>&1); rc=$?
[[ $rc == 0 && -z $out ]] || fail "complete without a daemon: exit $rc: $out"
stop lac; pids=()
echo "ok: profiles, connect --wait, complete and --json errors"
