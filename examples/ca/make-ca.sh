#!/bin/sh
# A small CA for l2tpsec's certificate authentication and two-factor sign-in
# ([ike] bind_ppp_user, l2tpsec.conf(5)): the CA, the server's certificate
# and one device certificate per user, each exported as PKCS#12 for the
# client. Run it in an empty directory you keep private (the CA key signs
# every device). Needs openssl (3.x or 1.1).
#
#   make-ca.sh ca                         the CA: ca.key, ca.pem (10 years)
#   make-ca.sh server NAME [ADDRESS]      server.key, server.pem for the DNS
#                                         name NAME (and the IPv4 ADDRESS)
#   make-ca.sh device USER [EMAIL]        USER.key, USER.pem with CN=USER (and
#                                         the email subjectAltName EMAIL);
#                                         USER.p12 for the client
#
# Then, on the server (chmod 600 server.key):
#   [ike]
#   certificate = "/etc/l2tpsec/server.pem"
#   private_key = "/etc/l2tpsec/server.key"
#   ca = ["/etc/l2tpsec/ca.pem"]
#   bind_ppp_user = "cn"          # the PPP user must be the certificate's CN
#
# PKCS#12: OpenSSL 3 encrypts it with AES-256 and PBKDF2 by default, which
# older Windows (before Windows 10 1709) and older macOS cannot import; set
# P12_LEGACY=1 to export with OpenSSL 3's -legacy (3DES and RC2, which every
# client reads; the file is then only as safe as its password).
set -eu

ORG=${ORG:-"/O=Example VPN"}
DAYS=${DAYS:-825}

newkey() { (umask 077 && openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$1"); }

# sign NAME SUBJECT EXTENSIONS: NAME.pem from NAME.key, signed by the CA.
sign() {
	openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
	printf '%s\n' "$3" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days "$DAYS" \
		-extfile "$1.ext" -out "$1.pem"
	rm -f "$1.csr" "$1.ext"
}

case ${1:-} in
ca)
	newkey ca.key
	openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "$ORG/CN=Example VPN device CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		-out ca.pem
	;;
server)
	name=${2:?usage: make-ca.sh server NAME [ADDRESS]}
	san="DNS:$name"
	[ -n "${3:-}" ] && san="$san,IP:$3"
	newkey server.key
	# serverAuth and the name the clients dial as a subjectAltName: what
	# Windows and macOS look for in a VPN server's certificate.
	sign server "$ORG/CN=$name" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,1.3.6.1.5.5.8.2.2
subjectAltName=$san"
	;;
device)
	user=${2:?usage: make-ca.sh device USER [EMAIL]}
	ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
	[ -n "${3:-}" ] && ext="$ext
subjectAltName=email:$3"
	newkey "$user.key"
	sign "$user" "$ORG/CN=$user" "$ext"
	# The device's key, its certificate and the CA in one file for the
	# client; openssl asks for the export password (or P12_PASSWORD has it).
	legacy="" pass=""
	[ "${P12_LEGACY:-0}" = 1 ] && legacy=-legacy
	[ -n "${P12_PASSWORD:-}" ] && pass="-passout env:P12_PASSWORD"
	# shellcheck disable=SC2086 # (empty, or one option each)
	openssl pkcs12 -export $legacy $pass -inkey "$user.key" -in "$user.pem" -certfile ca.pem \
		-name "$user (VPN device)" -out "$user.p12"
	;;
*)
	sed -n '2,/^set -eu/p' "$0" | sed '$d'
	exit 2
	;;
esac
