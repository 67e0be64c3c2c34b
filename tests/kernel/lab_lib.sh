# Shared by every tests/kernel/*.sh (directly, or through l2tp_lib.sh and
# xfrm_lib.sh): skip outside the lab VM, the ok/fail helpers, a scratch
# directory, background PIDs, two network namespaces joined by a veth pair,
# and one EXIT trap that undoes all of it. Sourcing it twice is harmless.
#   source lab_lib.sh
# then, as needed:
#   lab_dp "$1"           DP: the l2tpsec-dp executable (must exist)
#   lab_need TOOL...      fail unless each TOOL is on PATH
#   lab_modules MOD...    modprobe each, fail if one cannot be loaded
#   lab_netns PREFIX      NS_A (${PREFIX}a-$$, $VA = $A/24) and NS_B
#                         (${PREFIX}b-$$, $VB = $B/24), lo and the veth up;
#                         does nothing if this test already made them
[[ -n "${LAB_LIB_LOADED:-}" ]] && return 0
LAB_LIB_LOADED=1
set -uo pipefail

if [[ "${L2TPSEC_LAB:-}" != 1 ]]; then
  echo "SKIP: kernel suite runs only inside the lab VM; run it through tools/test" \
       "(or: tests/lab/vm-run --rw build -- env L2TPSEC_LAB=1 meson test -C build --suite kernel)"
  exit 77
fi

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
T0=$(date +%s.%N)
ok() { awk -v t="$(date +%s.%N)" -v t0="$T0" -v m="$*" 'BEGIN { printf "ok (%5.1fs): %s\n", t - t0, m }'; }

command -v ip >/dev/null || fail "ip is not installed"
[[ $EUID -eq 0 ]] || fail "must run as root inside the lab VM"

WORK=$(mktemp -d /tmp/klab-test.XXXXXX) || fail "mktemp"
PIDS=()   # background processes to end on exit
NS_A="" NS_B="" VA="" VB=""
A=192.0.2.1 B=192.0.2.2
E="l2tpsec-dp:"   # the prefix of l2tpsec-dp's error lines

lab_cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  PIDS=()
  # A namespace takes its L2TP tunnels and sessions, SAs and policies with it.
  [[ -n "$NS_A" ]] && ip netns del "$NS_A" 2>/dev/null
  [[ -n "$NS_B" ]] && ip netns del "$NS_B" 2>/dev/null
  rm -rf "$WORK"
  return 0
}
trap lab_cleanup EXIT

lab_dp() {
  [[ -n "${DP:-}" ]] && return 0
  DP=${1:?usage: $0 PATH-TO-l2tpsec-dp}
  [[ -x "$DP" ]] || fail "$DP is not executable"
}

lab_need() {
  local t
  for t in "$@"; do command -v "$t" >/dev/null || fail "$t is not installed"; done
}

lab_modules() {
  local m
  for m in "$@"; do modprobe "$m" || fail "modprobe $m failed (kernel $(uname -r))"; done
}

lab_netns() {
  [[ -n "$NS_A" ]] && return 0
  NS_A=${1}a-$$ NS_B=${1}b-$$ VA=${1}va$$ VB=${1}vb$$
  ip netns add "$NS_A" || fail "ip netns add $NS_A"
  ip netns add "$NS_B" || fail "ip netns add $NS_B"
  ip link add "$VA" netns "$NS_A" type veth peer name "$VB" netns "$NS_B" || fail "cannot create a veth pair"
  ip -n "$NS_A" addr add "$A/24" dev "$VA" || fail "cannot address $VA"
  ip -n "$NS_B" addr add "$B/24" dev "$VB" || fail "cannot address $VB"
  ip -n "$NS_A" link set lo up && ip -n "$NS_B" link set lo up || fail "cannot bring lo up"
  ip -n "$NS_A" link set "$VA" up && ip -n "$NS_B" link set "$VB" up || fail "cannot bring the veth up"
}

# Not for background jobs whose PID matters: a backgrounded function runs in a
# subshell, so $! would not be the command's PID. Write `ip netns exec ... &`.
in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }

# wait_until SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds.
wait_until() {
  local limit=$1 what=$2 end
  shift 2
  end=$(($(date +%s) + limit))
  until "$@" >/dev/null 2>&1; do
    [[ $(date +%s) -lt $end ]] || fail "timed out after ${limit}s waiting for: $what"
    sleep 0.2
  done
}

# expect_error STDERR-TEXT COMMAND...: COMMAND must exit 1 and print exactly
# that one line to stderr.
expect_error() {
  local want=$1 rc
  shift
  "$@" >"$WORK/out" 2>"$WORK/err"
  rc=$?
  [[ $rc -eq 1 ]] || fail "'$*' exited $rc (expected 1); stderr: $(cat "$WORK/err")"
  [[ "$(cat "$WORK/err")" == "$want" ]] || fail "'$*' printed '$(cat "$WORK/err")', expected '$want'"
}

# expect_error_re REGEX COMMAND...: COMMAND must exit 1 and print one line to
# stderr that matches REGEX (anchored at both ends).
expect_error_re() {
  local want=$1 rc got
  shift
  "$@" >"$WORK/out" 2>"$WORK/err"
  rc=$?
  got=$(cat "$WORK/err")
  [[ $rc -eq 1 ]] || fail "'$*' exited $rc (expected 1); stderr: $got"
  [[ $(wc -l <"$WORK/err") -eq 1 ]] || fail "'$*' printed more than one line: $got"
  [[ "$got" =~ ^$want$ ]] || fail "'$*' printed '$got', expected /$want/"
}

# expect_lines FILE DESCRIPTION LINE...: every LINE (a fixed string) occurs in FILE.
expect_lines() {
  local file=$1 what=$2 l
  shift 2
  for l in "$@"; do
    grep -qF -- "$l" "$file" || { cat "$file" >&2; fail "$what: no line '$l'"; }
  done
}
