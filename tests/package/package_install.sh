#!/bin/bash
# The Debian package in the lab VM (a throw-away overlay of this machine):
# `apt-get install ./l2tpsec_*.deb` works offline, the installed l2tpsecd
# starts (without systemctl) with the installed /etc/l2tpsec/l2tpsec.conf as
# shipped, once the secret files it names exist, and answers l2tpctl; the
# man pages render; the installed unit passes systemd-analyze verify.
# Usage: package_install.sh [DEB_DIR]   (default $L2TPSEC_DEB_DIR, else the
# argument; tools/test builds the .deb there before it boots the VM).
# Outside the lab VM (L2TPSEC_LAB != 1) it is skipped (77); inside, a missing
# package fails.
set -uo pipefail

if [[ "${L2TPSEC_LAB:-}" != 1 ]]; then
  echo "SKIP: the package test installs into the system; it runs only inside the lab VM (tools/test)"
  exit 77
fi
debdir=${L2TPSEC_DEB_DIR:-${1:-}}
ns=l2tpsec-pkg-$$
dir=$(mktemp -d /tmp/l2tpsec-pkg.XXXXXX)
pid=
fail() {
  echo "FAIL: $*" >&2
  [[ -s $dir/daemon.log ]] && { echo "--- daemon log" >&2; tail -n 40 "$dir/daemon.log" >&2; }
  exit 1
}
cleanup() {
  [[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
[[ $EUID -eq 0 ]] || fail "must run as root inside the lab VM"
[[ -n $debdir && -d $debdir ]] || fail "no package directory (L2TPSEC_DEB_DIR or the argument): '$debdir'"
debs=("$debdir"/l2tpsec_*.deb)
[[ -f ${debs[0]} ]] || fail "no l2tpsec_*.deb in $debdir: build it first (tools/test does)"
[[ ${#debs[@]} == 1 ]] || fail "more than one l2tpsec_*.deb in $debdir: ${debs[*]}"
deb=$(realpath "${debs[0]}")

# 1. Install. Offline: ppp, its only dependency beyond libraries, is already
#    on this machine, so apt fetches nothing (--no-download is not used: apt
#    2.6 then rejects the local path). man-db's index update is skipped
#    (seconds under TCG).
rm -f /var/lib/man-db/auto-update
DEBIAN_FRONTEND=noninteractive apt-get install -y "$deb" \
  >"$dir/apt.log" 2>&1 || { cat "$dir/apt.log" >&2; fail "apt-get install $deb failed"; }
dpkg-query -W -f='${Status}\n' l2tpsec | grep -q '^install ok installed' || fail "l2tpsec is not installed"
for f in /usr/sbin/l2tpsecd /usr/bin/l2tpctl /usr/sbin/l2tpsec-dp /etc/l2tpsec/l2tpsec.conf \
         /lib/systemd/system/l2tpsecd.service /usr/share/bash-completion/completions/l2tpctl \
         /usr/share/zsh/vendor-completions/_l2tpctl /usr/share/fish/vendor_completions.d/l2tpctl.fish \
         /usr/share/man/man8/l2tpsecd.8.gz /usr/share/man/man8/l2tpctl.8.gz \
         /usr/share/man/man5/l2tpsec.conf.5.gz /usr/share/man/man8/l2tpsec-dp.8.gz \
         /usr/share/man/man7/l2tpsec.7.gz /usr/share/doc/l2tpsec/examples/road-warrior.conf \
         /usr/share/doc/l2tpsec/examples/l2tpsec.nft \
         "$(dh_ppp --plugin-dir 2>/dev/null || echo /usr/lib/pppd/2.4.9)/l2tpsec-pppd.so"; do
  [[ -e $f ]] || fail "$f is not installed"
done
grep -qx /etc/l2tpsec/l2tpsec.conf /var/lib/dpkg/info/l2tpsec.conffiles || fail "the config is not a conffile"
echo "installed: $(dpkg-query -W -f='${Package} ${Version}' l2tpsec)"

# 2. The installed config as shipped, plus the secret files it names, as an
#    admin writes them: pre-shared keys of at least 20 characters and a
#    chap-secrets file with a user.
conf=/etc/l2tpsec/l2tpsec.conf
for f in $(grep -Eo '^[a-z_]*(psk|password)_file = "[^"]*"' "$conf" | cut -d'"' -f2); do
  (umask 077; echo "a long secret for $(basename "$f")" >"$f")
done
for f in $(grep -Eo '^secrets = "[^"]*"' "$conf" | cut -d'"' -f2); do
  (umask 077; echo "alice * alice-password *" >"$f")
done
# The shipped listen address is a documentation address, on no interface
# here: that one warning, and no other.
out=$(/usr/sbin/l2tpsecd --check 2>"$dir/check.err") ||
  fail "l2tpsecd --check (default config path) rejected it: $(cat "$dir/check.err")"
[[ $out == "$conf: configuration is valid" ]] || fail "l2tpsecd --check said: $out"
others=$(grep -v " warn config: $conf:[0-9]*: \[server\] listen: no local interface has 192\.0\.2\.1; " "$dir/check.err")
[[ -z $others ]] || fail "l2tpsecd --check warned: $others"

# In a network namespace of its own (the shipped listen address is a
# documentation address; the daemon binds it with IP_FREEBIND).
ip netns add "$ns" || fail "ip netns add"
ip -n "$ns" link set lo up
ip netns exec "$ns" /usr/sbin/l2tpsecd >"$dir/daemon.log" 2>&1 &
pid=$!
for _ in $(seq 200); do
  [[ -S /run/l2tpsec/control ]] && break
  kill -0 "$pid" 2>/dev/null || fail "l2tpsecd exited at start"
  sleep 0.1
done
[[ -S /run/l2tpsec/control ]] || fail "no control socket at /run/l2tpsec/control after 20 s"
status=$(/usr/bin/l2tpctl status) || fail "l2tpctl status failed"
echo "$status"
[[ $status == "l2tpsecd 0."*", pid $pid, up "* ]] || fail "l2tpctl status said: $status"
/usr/bin/l2tpctl --json status | grep -q "\"config_file\": \"$conf\"" || fail "status does not name $conf"
/usr/bin/l2tpctl reload >/dev/null || fail "l2tpctl reload"
kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "l2tpsecd did not stop within 10 s of SIGTERM"
wait "$pid"; rc=$?
pid=
[[ $rc == 0 ]] || fail "l2tpsecd exited $rc after SIGTERM"
[[ -e /run/l2tpsec/control ]] && fail "the control socket was left behind"

# 3. The man pages render through man(1).
for p in l2tpsec l2tpsecd l2tpctl l2tpsec.conf l2tpsec-dp; do
  text=$(MANPAGER=cat MANWIDTH=80 man "$p" 2>"$dir/man.err") || { cat "$dir/man.err" >&2; fail "man $p failed"; }
  [[ -s $dir/man.err ]] && { cat "$dir/man.err" >&2; fail "man $p printed warnings"; }
  grep -q "^NAME" <<<"$text" && grep -q "^SEE ALSO" <<<"$text" || fail "man $p: no NAME or SEE ALSO section"
  echo "man $p: $(wc -l <<<"$text") lines"
done

# 4. The installed unit, with its real paths.
if command -v systemd-analyze >/dev/null; then
  out=$(systemd-analyze verify /lib/systemd/system/l2tpsecd.service 2>&1)
  rc=$?
  grep -F l2tpsecd.service <<<"$out" && fail "systemd-analyze verify: findings about the installed unit"
  [[ $rc == 0 ]] || { echo "$out" >&2; fail "systemd-analyze verify exited $rc"; }
fi
# bash completion as installed.
bash -c 'source /usr/share/bash-completion/completions/l2tpctl && COMP_WORDS=(l2tpctl "") COMP_CWORD=1 &&
         _l2tpctl && [[ " ${COMPREPLY[*]} " == *" status "* ]]' || fail "the installed bash completion"
echo "package: installed, started, answered, stopped; man pages render"
