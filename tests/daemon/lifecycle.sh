#!/bin/bash
# l2tpsecd as a process: start with the example config, answer l2tpctl,
# reload on SIGHUP (a broken config keeps the old one), stop on SIGTERM.
# Usage: lifecycle.sh L2TPSECD L2TPCTL EXAMPLE_CONF
set -uo pipefail
daemon=$1 ctl=$2 example=$3
tmp=$(mktemp -d /tmp/l2tpsec-lifecycle.XXXXXX)
pid=
cleanup() { [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- daemon log:" >&2; cat "$tmp/log" >&2 2>/dev/null; exit 1; }
# Waits up to 10 s for a command to succeed (a hang guard, not a timing claim).
waitfor() { for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done; return 1; }

# The example with its secret files moved into the scratch directory, and
# listening on loopback (its documentation address is on no interface here,
# which --check would rightly warn about).
conf=$tmp/l2tpsec.conf
sed -e "s|\"/etc/l2tpsec/|\"$tmp/|g" -e "s|\"/var/log/l2tpsec/|\"$tmp/log.d/|g" \
  -e 's|^listen = .*|listen = ["127.0.0.1"]|' "$example" >"$conf"
for f in $(grep -o "\"$tmp/[^\"]*\"" "$conf" | tr -d '"' | sort -u); do
  case $f in
    *.jsonl) continue ;;
    *secrets) echo "alice * alice-password *" >"$f" ;;
    # Pre-shared keys need 20 characters; the other secrets get as many.
    *) echo "a long secret for $(basename "$f")" >"$f" ;;
  esac
  chmod 600 "$f"
done
sock=$tmp/run/control

out=$("$daemon" --check -c "$conf" 2>&1) || fail "--check rejected the example: $out"
[[ $out == "$conf: configuration is valid" ]] || fail "--check said: $out"

# The fake dataplane: this test runs anywhere, without kernel L2TP or XFRM;
# the L2TP and IKE listeners on ports of their own (the example has IPsec on).
"$daemon" -c "$conf" --control-socket "$sock" --fake-dataplane --l2tp-port 21701 --ike-port 21501 \
  --natt-port 24501 2>"$tmp/log" &
pid=$!
waitfor test -S "$sock" || fail "no control socket at $sock"
[[ $(stat -c %a "$sock") == 600 ]] || fail "control socket mode is $(stat -c %a "$sock"), not 600"
grep -q " info daemon: l2tpsecd .* started (pid $pid, config $conf, control socket $sock" "$tmp/log" ||
  fail "no start line"

json=$("$ctl" -s "$sock" status --json) || fail "l2tpctl status --json failed"
jq -e --argjson pid "$pid" --arg conf "$conf" \
  '.pid == $pid and .config_file == $conf and .reloads == 0 and (.listen | length) >= 1 and .uptime_seconds >= 0' \
  <<<"$json" >/dev/null || fail "unexpected status: $json"
"$ctl" -s "$sock" status | grep -q "^l2tpsecd .*, pid $pid, up " || fail "human status output"
"$ctl" -s "$sock" version | grep -q "^l2tpsecd " || fail "l2tpctl version"
"$ctl" -s "$sock" --json version | jq -e '.protocol == 1' >/dev/null || fail "l2tpctl --json version"

# SIGHUP with a good config reloads it.
kill -HUP "$pid"
waitfor grep -q "info daemon: reloaded $conf" "$tmp/log" || fail "no reload after SIGHUP"
"$ctl" -s "$sock" status --json | jq -e '.reloads == 1' >/dev/null || fail "reload not counted"

# SIGHUP with a broken config keeps the old one and says why, with file:line.
cp "$conf" "$tmp/good.conf"
line=$(grep -n '^mtu = ' "$conf" | cut -d: -f1)
[[ -n $line ]] || fail "the example sets no [ppp] mtu"
sed -i "${line}s/.*/mtu = 99999/" "$conf"
kill -HUP "$pid"
waitfor grep -q "failed with 1 error(s); the configuration loaded at .* stays in force" "$tmp/log" ||
  fail "no reload-failure line"
grep -q "error config: $conf:$line: \[ppp\] mtu: expected an integer from 576 to 1500, got 99999" "$tmp/log" ||
  fail "the reload error does not name file:line"
"$ctl" -s "$sock" status --json | jq -e '.reloads == 1 and .reload_failures == 1' >/dev/null ||
  fail "status after failed reload"

# l2tpctl reload reports the same error and exits 1.
err=$("$ctl" -s "$sock" reload 2>&1); rc=$?
[[ $rc == 1 ]] || fail "l2tpctl reload of a broken config exited $rc"
[[ $err == *"$conf:$line: [ppp] mtu: expected an integer from 576 to 1500, got 99999"* ]] ||
  fail "l2tpctl reload said: $err"
cp "$tmp/good.conf" "$conf"
"$ctl" -s "$sock" reload >/dev/null || fail "l2tpctl reload of a good config"

# Garbage on the control socket costs one error reply, not the daemon; the
# reply comes even though socat shuts its side down right after the line,
# and the daemon then closes (socat ends at once, not after -t).
reply=$(printf 'garbage\n' | timeout 5 socat -t 4 - "UNIX-CONNECT:$sock" 2>/dev/null || true)
[[ $reply == *'"ok":false'* ]] || fail "reply to garbage: $reply"
kill -0 "$pid" || fail "daemon died on garbage"

# The L2TP views answer (empty), and bad targets are one-line errors, exit 1.
"$ctl" -s "$sock" tunnels --json | jq -e '.tunnels == []' >/dev/null || fail "tunnels --json"
"$ctl" -s "$sock" sessions --json | jq -e '.sessions == []' >/dev/null || fail "sessions --json"
err=$("$ctl" -s "$sock" connect nosuch 2>&1); rc=$?
[[ $rc == 1 && $err == "l2tpctl: no [[lac]] profile named 'nosuch'" ]] || fail "connect nosuch: $rc $err"
err=$("$ctl" -s "$sock" disconnect nobody 2>&1); rc=$?
[[ $rc == 1 && $err == "l2tpctl: no LAC profile, tunnel, session or user 'nobody'" ]] || fail "disconnect nobody: $rc $err"
err=$("$ctl" -s "$sock" show 12x 2>&1); rc=$?
[[ $rc == 1 && $err == "l2tpctl: '12x' is not a tunnel id or TUNNEL/SESSION" ]] || fail "show 12x: $rc $err"
"$ctl" -s "$sock" show 2>/dev/null; rc=$?
[[ $rc == 64 ]] || fail "show without an id exited $rc, not 64"

# SIGTERM stops it cleanly: exit 0, the socket removed, the lines logged.
kill -TERM "$pid"
waitfor bash -c "! kill -0 $pid 2>/dev/null" || fail "still running after SIGTERM"
wait "$pid"; rc=$?; pid=
[[ $rc == 0 ]] || fail "exit status $rc after SIGTERM"
grep -q "info daemon: received SIGTERM: telling peers (StopCCN), then stopping" "$tmp/log" || fail "no SIGTERM line"
grep -q "info daemon: stopped" "$tmp/log" || fail "no stopped line"
[[ ! -e $sock ]] || fail "control socket left behind"
# Every log line has a timestamp, a level and a component.
bad=$(grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z (debug|info|warn|error) [a-z][a-z0-9]*: ' "$tmp/log") &&
  fail "malformed log lines: $bad"

# Without a daemon l2tpctl says so in one line and exits 2.
err=$("$ctl" -s "$sock" status 2>&1); rc=$?
[[ $rc == 2 ]] || fail "l2tpctl without daemon exited $rc"
[[ $err == "l2tpctl: cannot connect to l2tpsecd at $sock: No such file or directory (is l2tpsecd running?)" ]] ||
  fail "l2tpctl without daemon said: $err"

# A broken config stops the start with file:line and exit 1.
printf '[server]\nlisten = ["192.0.2.1"]\nbogus = 1\n' >"$tmp/bad.conf"
err=$("$daemon" -c "$tmp/bad.conf" --control-socket "$sock" 2>&1); rc=$?
[[ $rc == 1 ]] || fail "start with a broken config exited $rc"
[[ $err == *"error config: $tmp/bad.conf:3: unknown key 'bogus' in [server]"* ]] || fail "broken start said: $err"
"$daemon" --check -c "$tmp/bad.conf" >/dev/null 2>&1 && fail "--check accepted a broken config"

# A config that parses but can serve no one starts nothing either: exit 1,
# the reason in one line, no control socket.
refused() { # NAME EXPECTED-ERROR-LINE
  local err rc
  err=$("$daemon" -c "$tmp/$1" --control-socket "$sock" --fake-dataplane --l2tp-port 21701 --ike-port 21501 \
    --natt-port 24501 2>&1); rc=$?
  [[ $rc == 1 ]] || fail "start with $1 exited $rc"
  [[ $err == *"error config: $2"* ]] || fail "start with $1 said: $err"
  [[ ! -e $sock ]] || fail "start with $1 left a control socket"
  "$daemon" --check -c "$tmp/$1" >/dev/null 2>&1 && fail "--check accepted $1"
  return 0
}
printf '[server]\nlisten = ["127.0.0.1"]\n' >"$tmp/nokey.conf"
refused nokey.conf "$tmp/nokey.conf: [l2tp] ipsec is \"required\" (the default) but [ike] has neither psk_file nor \
certificate, so no client can connect; set one of them, or ipsec = \"off\""
(umask 077; echo 'too short' >"$tmp/short.psk")
printf '[ike]\npsk_file = "short.psk"\n' >"$tmp/short.conf"
refused short.conf "$tmp/short.conf:2: [ike] psk_file: the key in '$tmp/short.psk' has 9 characters; use one of \
at least 20, or set [ike] allow_short_psk = true to accept it"
: >"$tmp/empty.conf"
refused empty.conf "$tmp/empty.conf: the file is empty; a server needs at least [ike] psk_file and [ppp] secrets, \
see l2tpsec.conf(5)"
mkdir "$tmp/conf.d"
refused conf.d "$tmp/conf.d: is a directory, not a config file; name the file in it, such as \
$tmp/conf.d/l2tpsec.conf"
echo "lifecycle: ok"
