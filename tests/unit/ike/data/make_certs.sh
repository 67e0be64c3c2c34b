#!/bin/bash
# Regenerates the test PKI of test_ike_certs.cpp and test_config_loader.cpp
# (run once; the outputs are checked in, so the tests need no openssl):
#   ca-rsa, ca-ec      CAs (RSA 2048, ECDSA P-256), valid for 100 years
#   server-*, client-* end entities under them, with subjectAltNames
#   ca-other, client-other   a second RSA CA and a client under it (untrusted)
# Keys come in each form PrivateKey::fromBytes reads: PKCS#8, "RSA PRIVATE
# KEY" (PKCS#1) and "EC PRIVATE KEY" (SEC 1).
#   usage: tests/unit/ike/data/make_certs.sh   (from anywhere)
set -euo pipefail
cd "$(dirname "$0")"
days=36500
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ca() { # NAME KEYFILE CN
  openssl req -x509 -new -key "$2" -sha256 -days $days -subj "/C=CH/O=l2tpsec test/CN=$3" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" -out "$1.pem"
}
leaf() { # NAME KEYFILE CA CN SAN
  openssl req -new -key "$2" -subj "/C=CH/O=l2tpsec test/CN=$4" -out "$tmp/$1.csr"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=%s\n' "$5" >"$tmp/$1.ext"
  openssl x509 -req -in "$tmp/$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -sha256 -days $days \
    -extfile "$tmp/$1.ext" -out "$1.pem" 2>/dev/null
}

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ca-rsa.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca-ec.key
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ca-other.key 2>/dev/null
ca ca-rsa ca-rsa.key "l2tpsec test CA RSA"
ca ca-ec ca-ec.key "l2tpsec test CA ECDSA"
ca ca-other ca-other.key "l2tpsec other CA"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out server-rsa.key 2>/dev/null
openssl genrsa -traditional -out client-rsa.key 2048 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out server-ec.key
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out client-ec.key
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out client-other.key 2>/dev/null

leaf server-rsa server-rsa.key ca-rsa vpn.example.test "DNS:vpn.example.test,IP:192.0.2.1"
leaf client-rsa client-rsa.key ca-rsa client.example.test \
  "DNS:client.example.test,email:alice@example.test,IP:192.0.2.2"
leaf server-ec server-ec.key ca-ec vpn.example.test "DNS:vpn.example.test,IP:192.0.2.1"
leaf client-ec client-ec.key ca-ec client.example.test \
  "DNS:client.example.test,email:alice@example.test,IP:192.0.2.2"
leaf client-other client-other.key ca-other client.example.test "DNS:client.example.test,IP:192.0.2.2"
rm -f ./*.srl
chmod 600 ./*.key

# Known answers from OpenSSL over a raw 20-byte "hash" 01 02 .. 14 (what
# SIG_I/SIG_R sign): RSA PKCS#1 v1.5 type 1 without a DigestInfo, which is
# deterministic, and ECDSA as r | s (32 bytes each) from its DER form.
printf '\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14' >"$tmp/hash"
openssl pkeyutl -sign -inkey client-rsa.key -in "$tmp/hash" | xxd -p | tr -d '\n' >client-rsa.rawsig.hex
openssl pkeyutl -sign -inkey client-ec.key -in "$tmp/hash" -out "$tmp/ec.der"
openssl asn1parse -inform DER -in "$tmp/ec.der" | awk -F: '/INTEGER/ { printf "%64s", $NF }' | tr ' ' 0 \
  >client-ec.rawsig.hex
