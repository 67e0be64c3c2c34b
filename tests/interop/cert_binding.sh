#!/bin/bash
# Two-factor sign-in ([ike] bind_ppp_user = "cn"): a device certificate in
# IKE, a password in PPP, bound together. The Linux client stack (strongSwan's
# charon with alice's device certificate, xl2tpd, pppd with MS-CHAPv2)
# against an l2tpsecd LNS that authenticates IKE with certificates only:
#   1. alice's certificate with alice's password: PPP up, a ping answered.
#   2. the same certificate with bob's password (bob is a valid PPP user):
#      PPP authenticates bob, then the LNS refuses the session before IPCP
#      with the binding line, a "failed" audit record (reason
#      certificate-binding, factor certificate), one failure counted by
#      [blocking] against the client and one in l2tpsec_setup_failures_total.
#   3. a charon with a pre-shared key and no certificate: refused in IKE.
# The test PKI (a CA, the server's certificate, alice's) is made here with
# openssl, as examples/ca/make-ca.sh makes one.
#   usage: cert_binding.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

command -v openssl >/dev/null || fail "openssl is not installed"
ORG="/C=CH/O=l2tpsec interop"
SERVER_DN="C=CH, O=l2tpsec interop, CN=vpn.example.test"
ALICE_DN="C=CH, O=l2tpsec interop, CN=alice"
# (swanctl loads private keys from the rsa/ directory beside its config.)
P=$WORK/rsa
mkdir -p "$P"
# cert NAME SUBJECT SAN: $P/NAME.{pem,key}, signed by $P/ca.
cert() {
  openssl genrsa -traditional -out "$P/$1.key" 2048 2>/dev/null || fail "openssl: $1 key"
  openssl req -new -key "$P/$1.key" -subj "$2" -out "$P/$1.csr" 2>/dev/null || fail "openssl: $1 request"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=%s\n' "$3" >"$P/$1.ext"
  openssl x509 -req -in "$P/$1.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -CAcreateserial -sha256 -days 30 \
    -extfile "$P/$1.ext" -out "$P/$1.pem" 2>/dev/null || fail "openssl: $1 certificate"
}
openssl genrsa -traditional -out "$P/ca.key" 2048 2>/dev/null || fail "openssl: CA key"
openssl req -x509 -new -key "$P/ca.key" -sha256 -days 30 -subj "$ORG/CN=interop device CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out "$P/ca.pem" 2>/dev/null || fail "openssl: CA"
cert server "$ORG/CN=vpn.example.test" "DNS:vpn.example.test,IP:$S_IP"
cert alice "$ORG/CN=alice" "email:alice@example.test"
chmod 600 "$P"/*.key

ppp_alice
secret_file "$WORK/chap-secrets" $'alice * alice-pw-4711 *\nbob * bob-pw-4711 *'
cat >"$WORK/lns.conf" <<CONF
[server]
listen = ["$S_IP"]
audit_log = "$WORK/audit.jsonl"
[ike]
certificate = "$P/server.pem"
private_key = "$P/server.key"
ca = ["$P/ca.pem"]
bind_ppp_user = "cn"
[l2tp]
ipsec = "required"
$PPP_LNS
CONF
start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"

# charon gives up on an unanswered message after 3 + 3 s.
export CHARON_EXTRA="retransmit_tries = 1
  retransmit_timeout = 3
  retransmit_base = 1"
charon_cert_conf me="$C_IP" peer="$S_IP" cert="$P/alice.pem" key="$P/alice.key" ca="$P/ca.pem" \
  peer_id="$SERVER_DN" >"$WORK/swanctl.conf"
start_charon charon "$NS_C" "$WORK/swanctl.conf"
swan charon --initiate --child l2tp --timeout 60 >"$WORK/swanctl-initiate.log" 2>&1 ||
  fail "swanctl --initiate: $(tail -5 "$WORK/swanctl-initiate.log")"
wait_until 20 "the LNS's IPsec SA pair" child_up lns
ctl lns sas --json | jq -e --arg dn "$ALICE_DN" '.isakmp[0].peer_id == $dn' >/dev/null ||
  fail "the LNS's ISAKMP SA: $(ctl lns sas --json)"
ok "charon authenticated with alice's device certificate ($ALICE_DN)"

# ---- 1. alice's certificate, alice's password ---------------------------------------
client_ppp_options alice alice alice-pw-4711
xl2tpd_client_conf alice
start_xl2tpd xl2tpd "$NS_C" "$WORK/xl2tpd.conf"
xl2tpd_ctl xl2tpd "c alice"
link_up() { ctl lns sessions --json | jq -e --arg u "$1" '.sessions[] | select(.user == $u and .interface != null)'; }
wait_until 120 "PPP up for alice" link_up alice
ip netns exec "$NS_C" ping -c 3 -i 0.3 -W 3 -w 30 10.99.0.1 >/dev/null || fail "no ping reply over alice's PPP link"
grep -qF 'is not bound to certificate' "$WORK/lns.log" && fail "a binding refusal for alice"
ok "alice's certificate + alice's password: PPP up, ping answered"

# ---- 2. alice's certificate, bob's password -----------------------------------------
stop_pid "${XL2TPD_PID[xl2tpd]}" xl2tpd
# (xl2tpd closed the tunnel; the server lingers 31 s, RFC 2661 section 5.7.)
wait_until 60 "alice's tunnel gone" no_tunnel lns
client_ppp_options bob bob bob-pw-4711
xl2tpd_client_conf bob
start_xl2tpd xl2tpd2 "$NS_C" "$WORK/xl2tpd.conf"
xl2tpd_ctl xl2tpd2 "c bob"
line="peer $C_IP: PPP user bob is not bound to certificate CN=alice ([ike] bind_ppp_user = \"cn\"): refused"
refused() { grep -qF -- "$line" "$WORK/lns.log"; }
wait_until 120 "the binding refusal of bob" refused
grep -qF "the peer authenticated as 'bob'" "$WORK/lns.log" || fail "PPP did not authenticate bob first"
has_record() { jq -e 'select(.event == "failed" and .reason == "certificate-binding")' "$WORK/audit.jsonl"; }
wait_until 10 "the audit record" has_record
rec=$(jq -c 'select(.event == "failed" and .reason == "certificate-binding")' "$WORK/audit.jsonl")
jq -e --arg p "$C_IP" '.stage == "ppp" and .factor == "certificate" and .user == "bob" and .peer == $p
     and .detail == "certificate CN=alice"' <<<"$rec" >/dev/null || fail "the audit record: $rec"
ctl lns metrics | grep -qxF 'l2tpsec_setup_failures_total{stage="ppp",reason="certificate-binding"} 1' ||
  fail "metrics: $(ctl lns metrics | grep setup_failures)"
counted=$(ctl lns blocked --json | jq -r --arg a "$C_IP" '[(.counting[], .blocked[]) | select(.source == $a) | .failures] | first // 0')
[[ $counted == 1 ]] || fail "blocking counts $counted failures for $C_IP: $(ctl lns blocked --json)"
no_bob() { ! ctl lns sessions --json | jq -e '.sessions[] | select(.user == "bob")' >/dev/null; }
wait_until 30 "bob's session cleared" no_bob
jq -e 'select(.event == "start" and .user == "bob")' "$WORK/audit.jsonl" >/dev/null && fail "a start record for bob"
ok "alice's certificate + bob's password: \"$line\", audit record, metric, blocking count"

# ---- 3. a pre-shared key, no certificate -------------------------------------------
stop_pid "${XL2TPD_PID[xl2tpd2]}" xl2tpd2
swan charon --terminate --ike l2tp >/dev/null 2>&1 || true
wait_until 30 "the LNS drops alice's SAs" no_ike_sas lns
stop_charon charon
psk='cert binding psk 4711 not taken here' charon_psk_conf "$WORK/swanctl-psk.conf" me="$C_IP" peer="$S_IP"
start_charon psk "$NS_C" "$WORK/swanctl-psk.conf"
swan psk --initiate --child l2tp --timeout 30 >"$WORK/swanctl-psk.log" 2>&1 && fail "a pre-shared key connected"
ike_refused() { jq -e --arg p "$C_IP" 'select(.event == "failed" and .stage == "ike" and .peer == $p)' "$WORK/audit.jsonl"; }
wait_until 30 "the IKE refusal's audit record" ike_refused
ctl lns sas --json | jq -e '[.isakmp[] | select(.state == "established")] | length == 0' >/dev/null ||
  fail "an ISAKMP SA for the pre-shared key: $(ctl lns sas --json)"
ok "a pre-shared key without a certificate: refused in IKE ($(grep -F "peer $C_IP: Main Mode" "$WORK/lns.log" | tail -1 | sed 's/.*peer /peer /'))"
echo PASS
