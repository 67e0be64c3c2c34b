#!/bin/bash
# strongSwan (charon via swanctl, IKEv1, auth = pubkey) against l2tpsecd with
# X.509 certificates, RSA and ECDSA P-256 (auth methods 3 and 9), in both
# roles, directly and with the client behind a NAT router namespace (nft
# masquerade, interop_lib.sh's nat_router), where IKE floats to UDP 4500 and
# both kernels carry the ESP in UDP, pairwise in four cases (at the end);
# with the kernel's XFRM and L2TP. The
# test PKI (a CA, a server and a client certificate per key type) is made here
# with openssl.
#   1. charon initiates to an l2tpsecd LNS (ipsec = "required", [ike]
#      certificate); an l2tpsecd LAC beside charon (ipsec = "off": charon's
#      policies carry its L2TP) sets up a tunnel. Checked: both kernels hold
#      the SA pair, the LNS saw charon's certificate subject as the peer id,
#      the tunnel came up through ESP (the LNS's SA counted bytes both ways),
#      and charon's delete removes the LNS's SAs.
#   2. An l2tpsecd LAC ([[lac]] certificate, peer_id, ipsec = "required")
#      initiates to charon; an l2tpsecd LNS beside charon (ipsec = "off")
#      takes the tunnel. Checked: the LAC's SA counted bytes both ways, then
#      the LAC daemon stops, its Delete removes charon's SAs.
# No PPP is waited for: the L2TP tunnel's own control messages are the
# traffic that has to cross the SAs.
#   usage: strongswan_cert.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"

command -v openssl >/dev/null || fail "openssl is not installed"
command -v nft >/dev/null || fail "nft is not installed (run tools/setup)"
nat_router
ORG="/C=CH/O=l2tpsec interop"
SERVER_DN="C=CH, O=l2tpsec interop, CN=vpn.example.test"
CLIENT_DN="C=CH, O=l2tpsec interop, CN=client.example.test"

# make_pki KIND: $WORK/KIND/{ca,server,client}.{pem,key}; keys in the
# traditional PEM forms charon's pkcs1 and openssl plugins read.
make_pki() {
  local kind=$1 d="$WORK/$1" name
  mkdir -p "$d"
  newkey() {
    if [[ $kind == rsa ]]; then
      openssl genrsa -traditional -out "$1" 2048 2>/dev/null
    else
      openssl ecparam -name prime256v1 -genkey -noout -out "$1"
    fi
  }
  newkey "$d/ca.key"
  openssl req -x509 -new -key "$d/ca.key" -sha256 -days 30 -subj "$ORG/CN=interop CA $kind" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$d/ca.pem" 2>/dev/null || fail "openssl: CA ($kind)"
  for name in server client; do
    newkey "$d/$name.key"
    local cn=vpn.example.test san="DNS:vpn.example.test,IP:$S_IP"
    [[ $name == client ]] && cn=client.example.test san="DNS:client.example.test,IP:$C_IP"
    openssl req -new -key "$d/$name.key" -subj "$ORG/CN=$cn" -out "$d/$name.csr" 2>/dev/null ||
      fail "openssl: $name request ($kind)"
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=%s\n' "$san" \
      >"$d/$name.ext"
    openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -sha256 \
      -days 30 -extfile "$d/$name.ext" -out "$d/$name.pem" 2>/dev/null || fail "openssl: $name ($kind)"
  done
  chmod 600 "$d"/*.key
}

ppp_alice

# topology direct|nat: the client's namespace and address, the server address
# it dials, and NAT true/false (the server listens on both of its addresses).
topology() {
  if [[ $1 == direct ]]; then
    CNS=$NS_C CIP=$C_IP SIP=$S_IP NAT=false
  else
    CNS=$NS_N CIP=$N_IP SIP=$S_NAT_IP NAT=true
  fi
}

# charon_conf KIND ROLE: swanctl.conf for charon as "client" (initiator on
# $CIP) or "server" (responder on $S_IP and $S_NAT_IP).
charon_conf() {
  local kind=$1 role=$2 d="$WORK/$1" keytype=rsa
  [[ $kind == ecdsa ]] && keytype=ecdsa
  if [[ $role == client ]]; then
    charon_cert_conf me="$CIP" peer="$SIP" cert="$d/client.pem" key="$d/client.key" keytype=$keytype \
      ca="$d/ca.pem" peer_id="$SERVER_DN"
  else
    charon_cert_conf me="$S_IP, $S_NAT_IP" peer=%any cert="$d/server.pem" key="$d/server.key" keytype=$keytype \
      ca="$d/ca.pem" peer_id="$CLIENT_DN"
  fi
}

stop_all() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  PIDS=()
  for ns in "$NS_S" "$NS_C" "$NS_N"; do
    kill_ns "$ns" KILL
    ip -n "$ns" xfrm state flush
    ip -n "$ns" xfrm policy flush
  done
}

established_tunnels() { ctl "$1" tunnels --json | jq '[.tunnels[] | select(.state == "established")] | length'; }
tunnel_up() { [[ $(established_tunnels "$1") == 1 ]]; }
# bytes_rise NAME: the daemon's first IPsec SA counted traffic both ways.
bytes_rise() {
  local sas
  sas=$(ctl "$1" sas --json) || return 1
  jq -e '(.ipsec | length) == 1 and .ipsec[0].in_bytes > 0 and .ipsec[0].out_bytes > 0' <<<"$sas" >/dev/null
}
no_sas() { ctl "$1" sas --json | jq -e '(.isakmp | length) == 0 and (.ipsec | length) == 0'; }
# encap_ok NS: NS's kernel SAs are ESP in UDP (both of the pair) behind the
# NAT, plain ESP (none) directly.
encap_ok() {
  local n
  n=$(ip -n "$1" xfrm state | grep -c 'encap type espinudp')
  if [[ $NAT == true ]]; then [[ $n == 2 ]]; else [[ $n == 0 ]]; fi
}
charon_no_sas() { ! swan charon --list-sas 2>/dev/null | grep -qE 'ESTABLISHED|INSTALLED'; }

# charon_initiates KIND TOPO / lac_initiates KIND TOPO: one role with KIND's
# certificates in TOPO (topology).
charon_initiates() {
  local kind=$1 topo=$2 d="$WORK/$1" method=rsasig sas in_spi out_spi
  [[ $kind == ecdsa ]] && method=ecdsa256
  topology "$topo"

  # ---- 1. charon initiates to the l2tpsecd LNS --------------------------------
  cat >"$WORK/lns.conf" <<EOF
[server]
listen = ["$S_IP", "$S_NAT_IP"]
[ike]
certificate = "$d/server.pem"
private_key = "$d/server.key"
ca = ["$d/ca.pem"]
[l2tp]
ipsec = "required"
$PPP_LNS
EOF
  LAC_SERVER=$SIP write_lac_conf "$WORK/lac.conf" listen="$CIP"
  charon_conf "$kind" client >"$WORK/swanctl.conf"
  start_charon charon "$CNS" "$WORK/swanctl.conf"
  start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"
  swan charon --initiate --child l2tp --timeout 60 >"$WORK/swanctl-initiate.log" 2>&1 ||
    fail "$kind $topo: swanctl --initiate: $(tail -5 "$WORK/swanctl-initiate.log")"
  sas=$(ctl lns sas --json) || fail "l2tpctl sas"
  jq -e --arg dn "$CLIENT_DN" '(.isakmp | length) == 1 and .isakmp[0].state == "established"
       and .isakmp[0].role == "responder" and .isakmp[0].peer_id == $dn and (.ipsec | length) == 1' \
    <<<"$sas" >/dev/null || fail "$kind $topo: LNS SAs: $sas"
  jq -e --argjson nat "$NAT" '.isakmp[0].nat_peer == $nat and .isakmp[0].nat_local == false
       and .ipsec[0].nat_t == $nat' <<<"$sas" >/dev/null || fail "$kind $topo: LNS NAT state: $sas"
  grep -q "chose aes256-sha1-modp2048/$method" "$WORK/lns.log" || fail "$kind $topo: the LNS did not choose $method"
  in_spi=$(jq -r '.ipsec[0].in_spi' <<<"$sas") out_spi=$(jq -r '.ipsec[0].out_spi' <<<"$sas")
  ip -n "$NS_S" xfrm state | grep -q "spi $in_spi" || fail "$kind $topo: no inbound SA $in_spi in the LNS kernel"
  ip -n "$CNS" xfrm state | grep -q "spi $out_spi" || fail "$kind $topo: no SA $out_spi in charon's kernel"
  encap_ok "$NS_S" && encap_ok "$CNS" || fail "$kind $topo: ESP in UDP is not $NAT in both kernels:" \
    "$(ip -n "$NS_S" xfrm state) $(ip -n "$CNS" xfrm state)"
  grep -q "authentication of '$SERVER_DN' with" "$WORK/charon.log" ||
    fail "$kind $topo: charon did not authenticate the LNS's certificate"
  ok "$kind $topo: charon -> l2tpsecd LNS: Main Mode ($method) + Quick Mode, SA pair in $in_spi out $out_spi"

  start_l2tpsecd lac "$CNS" "$WORK/lac.conf"
  ctl lac connect office >/dev/null || fail "$kind $topo: l2tpctl connect office"
  wait_until 60 "$kind $topo: the LNS's tunnel up" tunnel_up lns
  wait_until 30 "$kind $topo: the LNS's ESP counters rise both ways" bytes_rise lns
  ok "$kind $topo: the L2TP tunnel came up through ESP ($(ctl lns sas --json | jq -c '[.ipsec[0].in_bytes, .ipsec[0].out_bytes]') bytes in/out)"

  swan charon --terminate --ike l2tp >"$WORK/swanctl-terminate.log" 2>&1 || fail "$kind $topo: swanctl --terminate"
  wait_until 30 "$kind $topo: the LNS drops its SAs after charon's delete" no_sas lns
  kernel_sa_gone() { ! ip -n "$NS_S" xfrm state | grep -q "spi $in_spi"; }
  wait_until 30 "$kind $topo: the LNS kernel SAs removed" kernel_sa_gone
  wait_until 30 "$kind $topo: charon's SAs gone" charon_no_sas
  ok "$kind $topo: charon's delete removed the SAs at both ends"
  stop_all
}

lac_initiates() {
  local kind=$1 topo=$2 d="$WORK/$1" method=rsasig sas
  [[ $kind == ecdsa ]] && method=ecdsa256
  topology "$topo"

  # ---- 2. the l2tpsecd LAC initiates to charon --------------------------------
  cat >"$WORK/lns.conf" <<EOF
[server]
listen = ["$S_IP", "$S_NAT_IP"]
[l2tp]
ipsec = "off"
$PPP_LNS
EOF
  LAC_SERVER=$SIP write_lac_conf "$WORK/lac.conf" listen="$CIP" ipsec=required -- \
    "certificate = \"$d/client.pem\"" "private_key = \"$d/client.key\"" "ca = [\"$d/ca.pem\"]" \
    'peer_id = "vpn.example.test"'
  charon_conf "$kind" server >"$WORK/swanctl.conf"
  start_charon charon "$NS_S" "$WORK/swanctl.conf"
  start_l2tpsecd lns "$NS_S" "$WORK/lns.conf"
  start_l2tpsecd lac "$CNS" "$WORK/lac.conf"
  ctl lac connect office >/dev/null || fail "$kind $topo: l2tpctl connect office (LAC with a certificate)"
  wait_until 60 "$kind $topo: the LNS behind charon has the tunnel" tunnel_up lns
  wait_until 30 "$kind $topo: the LAC's ESP counters rise both ways" bytes_rise lac
  sas=$(ctl lac sas --json)
  jq -e --arg dn "$SERVER_DN" --argjson nat "$NAT" '.isakmp[0].role == "initiator" and .isakmp[0].peer_id == $dn
       and .isakmp[0].nat_local == $nat and .isakmp[0].nat_peer == false and .ipsec[0].nat_t == $nat' \
    <<<"$sas" >/dev/null || fail "$kind $topo: LAC SAs: $sas"
  encap_ok "$NS_S" && encap_ok "$CNS" || fail "$kind $topo: ESP in UDP is not $NAT in both kernels:" \
    "$(ip -n "$NS_S" xfrm state) $(ip -n "$CNS" xfrm state)"
  grep -q "authentication of '$CLIENT_DN' with" "$WORK/charon.log" ||
    fail "$kind $topo: charon did not authenticate the LAC's certificate"
  ok "$kind $topo: l2tpsecd LAC -> charon: Main Mode ($method) + Quick Mode, tunnel through ESP" \
    "($(jq -c '[.ipsec[0].in_bytes, .ipsec[0].out_bytes]' <<<"$sas") bytes in/out)"

  kill -TERM "${DAEMON_PID[lac]}"
  wait "${DAEMON_PID[lac]}" 2>/dev/null
  wait_until 30 "$kind $topo: charon drops its SAs after the LAC's delete" charon_no_sas
  lac_kernel_clear() { [[ -z "$(ip -n "$CNS" xfrm state)" ]]; }
  wait_until 30 "$kind $topo: the LAC's kernel SAs removed" lac_kernel_clear
  ok "$kind $topo: the LAC's delete removed the SAs at both ends"
  stop_all
}

# Pairwise: each key type in both roles and both topologies, each role in
# both topologies, in four cases (all eight took 181 s of the suite; the key
# type is IKE's authentication, the topology its NAT-D and the ESP's UDP
# encapsulation, and neither reaches into the other).
make_pki rsa
make_pki ecdsa
charon_initiates rsa direct
lac_initiates rsa nat
lac_initiates ecdsa direct
charon_initiates ecdsa nat
echo PASS
