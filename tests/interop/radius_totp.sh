#!/bin/bash
# Password + one-time code through RADIUS (l2tpsec(7), TWO-FACTOR SIGN-IN:
# PASSWORD + CODE): a Linux client (charon, xl2tpd, pppd with PAP only)
# dials an l2tpsecd LNS that requires IPsec and authenticates through a real
# FreeRADIUS running the SHIPPED configuration of examples/freeradius-totp
# (copied as it is; only alice's password and TOTP secret are filled into
# its users file). alice's PAP password is her password followed by the
# current `oathtool --totp` code. Checked: `l2tpsecd --check` takes PAP
# alone without its plain-text warning here (and still warns with
# ipsec = "off"); (1) password + current code connects, and pings cross the
# ESP-protected link; (2) a stale code (10 minutes old), (3) a wrong code and
# (4) the password alone are refused, each with one "failed" audit record
# with factor "code" and user alice, and (5) a wrong password with the
# current code with factor "password"; the client is told only "Login
# incorrect", never which factor failed; the four refusals count towards
# brute-force blocking.
#   usage: radius_totp.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"
source "$(dirname "$0")/freeradius_lib.sh"
for t in freeradius oathtool base32; do
  command -v $t >/dev/null || fail "$t is not installed (run tools/setup)"
done
[[ -e /usr/lib/pppd/2.4.9/radius.so ]] || fail "pppd's radius plugin (/usr/lib/pppd/2.4.9/radius.so) is missing"
EXAMPLE=$(dirname "$0")/../../examples/freeradius-totp
[[ -f $EXAMPLE/sites-available/l2tpsec-totp ]] || fail "no $EXAMPLE/sites-available/l2tpsec-totp"

ALICE_PW='alice-pw-4711'
TOTP_SECRET=$(head -c 20 /dev/urandom | base32)
ip -n "$NS_S" addr add "$R_IP/32" dev lo || fail "cannot add $R_IP to lo in $NS_S"

# FreeRADIUS: a minimal radiusd.conf around the shipped module file, site and
# users file (the site listens on *:1812 of the server namespace).
mkdir -p "$RADDB"/{mods-available,sites-available,mods-config/files} || fail "mkdir $RADDB"
cp "$EXAMPLE/mods-available/l2tpsec-totp" "$RADDB/mods-available/" &&
  cp "$EXAMPLE/sites-available/l2tpsec-totp" "$RADDB/sites-available/" || fail "cannot copy the example"
sed -e "s/\"change-this-password\"/\"$ALICE_PW\"/" -e "s/\"CHANGETHISBASE32SECRETAAAAAAAAAA\"/\"$TOTP_SECRET\"/" \
  "$EXAMPLE/mods-config/files/l2tpsec-totp-users" >"$RADDB/mods-config/files/l2tpsec-totp-users"
grep -q "^alice	Cleartext-Password := \"$ALICE_PW\", TOTP-Secret := \"$TOTP_SECRET\"\$" \
  "$RADDB/mods-config/files/l2tpsec-totp-users" || fail "the users file: $(cat "$RADDB/mods-config/files/l2tpsec-totp-users")"
radiusd_conf
cat >>"$RADDB/radiusd.conf" <<RADEOF
modules {
	\$INCLUDE \${confdir}/mods-available/l2tpsec-totp
}
\$INCLUDE \${confdir}/sites-available/l2tpsec-totp
RADEOF
run_freeradius

# The LNS: IPsec required, PAP only, RADIUS.
psk='radius totp psk 4711 of the lab'
secret_file "$WORK/psk" "$psk"
secret_file "$WORK/radius.secret" "$R_SECRET"
lns_conf() {
  cat <<EOF
[server]
listen = ["$S_IP"]
control_socket = "$WORK/lns.sock"
audit_log = "$WORK/audit.jsonl"
[ike]
psk_file = "$WORK/psk"
[l2tp]
ipsec = "$1"
[ppp]
auth = ["pap"]
local_address = "10.99.0.1"
pool = "10.99.0.10-10.99.0.19"
options = ["lcp-echo-interval 0", "noccp", "noipv6"]
[radius]
auth_servers = ["$R_IP"]
secret_file = "$WORK/radius.secret"
nas_identifier = "l2tpsec-interop"
timeout = "3s"
retries = 2
EOF
}
lns_conf required >"$WORK/lns.conf"
lns_conf off >"$WORK/lns-off.conf"
# (In the server's namespace, where the listen address is.)
out=$(ip netns exec "$NS_S" "$DAEMON" --check -c "$WORK/lns.conf" 2>&1) || fail "l2tpsecd --check: $out"
grep -q 'warn' <<<"$out" && fail "l2tpsecd --check warns: $out"
grep -q 'configuration is valid' <<<"$out" || fail "l2tpsecd --check: $out"
out=$(ip netns exec "$NS_S" "$DAEMON" --check -c "$WORK/lns-off.conf" 2>&1) ||
  fail "l2tpsecd --check (ipsec off): $out"
grep -qF '[ppp] auth: with "pap" alone every password crosses the PPP link as clear text' <<<"$out" ||
  fail "l2tpsecd --check (ipsec off) does not warn about PAP: $out"
ok "l2tpsecd --check: PAP alone inside required IPsec with RADIUS is fine; without IPsec it warns"
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"

charon_psk_conf "$WORK/swanctl.conf" me="$C_IP" peer="$S_IP"
start_charon charon "$NS_C" "$WORK/swanctl.conf"
swan charon --initiate --child l2tp --timeout 60 >"$WORK/swanctl-initiate.log" 2>&1 ||
  fail "swanctl --initiate: $(tail -5 "$WORK/swanctl-initiate.log")"
wait_until 20 "the LNS's IPsec SA pair" child_up lns
ok "IPsec SA pair between charon on $C_IP and the LNS on $S_IP"
freeradius_ready
ok "FreeRADIUS with the shipped l2tpsec-totp site listening in $NS_S"

# One xl2tpd per attempt (profile "vpn", PAP only), killed afterwards with its
# pppd: its tunnel stays up on the LNS until the next xl2tpd's SCCRQ from
# the same port replaces it, so no attempt waits for a tunnel to close.
code_at() { oathtool --totp -b "$TOTP_SECRET" --now "$(date -u -d "$1" '+%Y-%m-%d %H:%M:%S UTC')"; }
ATTEMPT=0
dial() {
  ATTEMPT=$((ATTEMPT + 1))
  client_ppp_options vpn alice "$1"
  sed -i -e '/^refuse-pap$/d' -e 's/^refuse-eap$/refuse-eap\nrefuse-mschap-v2/' \
    -e "s|^logfile .*|logfile $WORK/attempt$ATTEMPT-pppd.log|" "$WORK/vpn-ppp.options"
  xl2tpd_client_conf vpn
  start_xl2tpd "xl2tpd$ATTEMPT" "$NS_C" "$WORK/xl2tpd.conf"
  xl2tpd_ctl "xl2tpd$ATTEMPT" "c vpn"
}
hang_up() {
  local p comm
  kill -KILL "${XL2TPD_PID[xl2tpd$ATTEMPT]}" 2>/dev/null
  wait "${XL2TPD_PID[xl2tpd$ATTEMPT]}" 2>/dev/null
  for p in $(ip netns pids "$NS_C" 2>/dev/null); do
    comm=""
    read -r comm 2>/dev/null <"/proc/$p/comm"
    [[ $comm == pppd ]] && kill -KILL "$p"
  done
  return 0
}

# ---- (1) password + the current code ------------------------------------------------
# FreeRADIUS 3.2's totp module takes the code of the current 30-second step
# only: dial early in a step.
s=$(($(date +%s) % 30))
((s > 15)) && sleep $((30 - s))
code=$(oathtool --totp -b "$TOTP_SECRET")
dial "$ALICE_PW$code"
link_up() { ctl lns sessions --json | jq -e '.sessions[] | select(.user == "alice" and .interface != null)'; }
wait_until 60 "PPP up for alice (password + code $code)" link_up
grep -q 'Sent Access-Accept' "$WORK/freeradius.log" || fail "FreeRADIUS sent no Access-Accept"
grep -q '^PAP authentication succeeded' "$WORK/attempt1-pppd.log" || fail "the client's pppd was not accepted with PAP"
addr=$(ctl lns sessions --json | jq -r '.sessions[] | select(.user == "alice") | .address')
ok "alice connected with PAP: password + code $code, address $addr"
esp_ping lns "$NS_C" 10.99.0.1
[[ ! -s "$WORK/audit.jsonl" ]] || ! grep -q '"event":"failed"' "$WORK/audit.jsonl" ||
  fail "a failed record for the connection that worked: $(cat "$WORK/audit.jsonl")"
hang_up

# ---- (2)-(5) refused ----------------------------------------------------------------
failed_count() { jq -s '[.[] | select(.event == "failed")] | length' "$WORK/audit.jsonl" 2>/dev/null || echo 0; }
failed_is() { [[ $(failed_count) == "$1" ]]; }
N=0
# refused PASSWORD FACTOR WHAT
refused() {
  local password=$1 factor=$2 what=$3 rec log
  dial "$password"
  log=$WORK/attempt$ATTEMPT-pppd.log
  N=$((N + 1))
  wait_until 60 "the failed record of $what" failed_is "$N"
  rec=$(jq -sc '[.[] | select(.event == "failed")] | last' "$WORK/audit.jsonl")
  echo "$rec"
  jq -e --arg p "$C_IP" --arg f "$factor" '.stage == "ppp" and .reason == "peer-auth-failed" and .peer == $p
         and .factor == $f and .user == "alice" and .windows_error == 691 and .client == "strongSwan/xl2tpd"
         and (has("detail") | not)' <<<"$rec" >/dev/null || fail "the audit record of $what: $rec"
  wait_until 30 "the client's pppd told it was refused" grep -q '^rcvd \[PAP AuthNak' "$log"
  grep '^rcvd \[PAP AuthNak' "$log" | grep -q '"Login incorrect"' ||
    fail "the client was not told \"Login incorrect\": $(grep 'PAP AuthNak' "$log")"
  ! grep -q 'l2tpsec-stage' "$log" || fail "the client learnt the failed factor"
  hang_up
  ok "$what refused: factor $factor, user alice in the audit record; the client was told \"Login incorrect\""
}
stale=$(code_at '-10 min')
[[ $stale != "$(oathtool --totp -b "$TOTP_SECRET")" ]] || stale=$(code_at '-20 min')
refused "$ALICE_PW$stale" code "a stale code ($stale, 10 minutes old)"
wrong=$(printf '%06d' $(((10#$(oathtool --totp -b "$TOTP_SECRET") + 500000) % 1000000)))
refused "$ALICE_PW$wrong" code "a wrong code ($wrong)"
refused "$ALICE_PW" code "the password alone"
refused "not-alices-pw$(oathtool --totp -b "$TOTP_SECRET")" password "a wrong password with the current code"

grep -qF "IPsec and L2TP ok, PPP authentication failed: the password was right, the one-time code wrong, stale or missing for user alice; Windows shows error 691" \
  "$WORK/lns.log" || fail "no warning line for a wrong code: $(grep 'PPP authentication failed' "$WORK/lns.log")"
grep -qF "IPsec and L2TP ok, PPP authentication failed: wrong user name or password for user alice; Windows shows error 691" \
  "$WORK/lns.log" || fail "no warning line for a wrong password: $(grep 'PPP authentication failed' "$WORK/lns.log")"
[[ $(grep -c 'Sent Access-Reject' "$WORK/freeradius.log") -ge 4 ]] || fail "FreeRADIUS sent fewer than 4 Access-Rejects"
grep 'PPP authentication failed' "$WORK/lns.log"

# Every refusal counts towards brute-force blocking ([blocking] defaults:
# 10 within 5 minutes), a wrong code as a wrong password.
failures=$(ctl lns blocked --json | jq -r --arg a "$C_IP" '[(.counting[], .blocked[]) | select(.source == $a) | .failures] | first // 0')
[[ $failures == 4 ]] || fail "brute-force blocking counted $failures failures from $C_IP: $(ctl lns blocked --json)"
ok "the four refusals count towards brute-force blocking of $C_IP"

echo PASS
