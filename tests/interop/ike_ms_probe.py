#!/usr/bin/env python3
"""An IKEv1 Main Mode initiator that reads NAT discovery as Windows does,
for server_behind_nat.sh. It sends Main Mode 1 with Windows' vendor IDs
(MS NT5 ISAKMPOAKLEY, Vid-Initial-Contact, RFC 3947, draft-02\\n,
FRAGMENTATION; with --other only the two NAT-T ones) and Windows' first
proposal (AES-CBC-256, SHA1, MODP2048, pre-shared key, 28800 s), Main Mode
3 with a real Diffie-Hellman value, a nonce and two NAT-D payloads (RFC
3947 section 3.2), and reads Main Mode 4's NAT-D:

    the server looks NATed when none of its own NAT-D (all but the first)
    is HASH(CKY-I | CKY-R | the address dialled | 500);
    the client looks NATed when the first is not HASH(... | its own | 500).

Windows refuses a server that looks NATed (error 809, unless its registry
says otherwise): then, with --microsoft, the probe stops there as Windows
would. Otherwise it goes on as the client would: to UDP 4500 (non-ESP
marker) when either side looks NATed, Main Mode 5 (ID, HASH_I) encrypted
with the derived keys, and checks Main Mode 6's HASH_R. It prints one
"KEY VALUE" a line:

    server-natd natted|direct
    client-natd natted|direct
    verdict refused-809|proceeds
    floated 4500|no
    main-mode-6 verified

Its own IKE code, independent of src/ike/ (RFC 2408, 2409, 3947).
Exit 0 when it got as far as the client would go, 1 on a protocol error,
2 with no answer.

usage: ike_ms_probe.py LOCAL SERVER PSK-FILE [--other] [--timeout S]
"""
import argparse
import hashlib
import hmac
import os
import socket
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# RFC 3526 group 14 (MODP2048), generator 2.
P14 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AACAA68FFFFFFFFFFFFFFFF", 16)

# Payload types (RFC 2408 section 3.1, RFC 3947 section 3.2).
SA, KE, ID, HASH, NONCE, VID, NATD = 1, 4, 5, 8, 10, 13, 20


def md5(text):
    return hashlib.md5(text).digest()


VID_MS_NT5 = md5(b"MS NT5 ISAKMPOAKLEY") + bytes([0, 0, 0, 9])
VID_MS_INITIAL_CONTACT = md5(b"Vid-Initial-Contact")
VID_RFC3947 = md5(b"RFC 3947")
VID_DRAFT02N = md5(b"draft-ietf-ipsec-nat-t-ike-02\n")
VID_FRAGMENTATION = md5(b"FRAGMENTATION")


class ProtocolError(Exception):
    pass


def prf(key, *parts):
    return hmac.new(key, b"".join(parts), hashlib.sha1).digest()


def payloads(chain):
    """[(type, body)] to a payload chain: first type and bytes."""
    out = b""
    for i, (_, body) in enumerate(chain):
        nxt = chain[i + 1][0] if i + 1 < len(chain) else 0
        out += struct.pack("!BBH", nxt, 0, 4 + len(body)) + body
    return (chain[0][0] if chain else 0), out


def parse_payloads(first, data):
    out, kind, i = [], first, 0
    while kind != 0:
        if i + 4 > len(data):
            raise ProtocolError("payload chain runs past the message")
        nxt, _, length = struct.unpack_from("!BBH", data, i)
        if length < 4 or i + length > len(data):
            raise ProtocolError("bad payload length %d" % length)
        out.append((kind, data[i + 4:i + length]))
        kind, i = nxt, i + length
    return out


def header(cky_i, cky_r, first, flags, length):
    return cky_i + cky_r + struct.pack("!BBBBII", first, 0x10, 2, flags, 0, 28 + length)


def sa_body():
    """SAi_b: DOI IPsec, SIT_IDENTITY_ONLY, one proposal of one transform."""
    attrs = b"".join(struct.pack("!HH", 0x8000 | t, v)
                     for t, v in ((1, 7), (14, 256), (2, 2), (3, 1), (4, 14), (11, 1), (12, 28800)))
    transform = struct.pack("!BBH", 0, 0, 8 + len(attrs)) + struct.pack("!BBH", 1, 1, 0) + attrs
    proposal = struct.pack("!BBHBBBB", 0, 0, 8 + len(transform), 1, 1, 0, 1) + transform
    return struct.pack("!II", 1, 1) + proposal


class Probe:
    def __init__(self, local, server, psk, microsoft, timeout):
        self.local, self.server, self.psk = local, server, psk
        self.microsoft, self.timeout = microsoft, timeout
        self.port = 500
        self.socks = {}
        for port in (500, 4500):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((local, port))
            s.settimeout(2.0)
            self.socks[port] = s
        self.cky_i, self.cky_r = os.urandom(8), bytes(8)

    def exchange(self, datagram, what):
        """Sends, resending every 2 s, until a message of this SA arrives."""
        s = self.socks[self.port]
        marker = bytes(4) if self.port == 4500 else b""
        for _ in range(max(1, int(self.timeout / 2))):
            s.sendto(marker + datagram, (self.server, self.port))
            try:
                while True:
                    data, _ = s.recvfrom(65535)
                    if self.port == 4500:
                        if data[:4] != bytes(4):
                            continue
                        data = data[4:]
                    if len(data) >= 28 and data[:8] == self.cky_i:
                        return data
            except socket.timeout:
                continue
        print("no answer to", what, file=sys.stderr)
        sys.exit(2)

    def natd(self, address, port):
        return hashlib.sha1(self.cky_i + self.cky_r + socket.inet_aton(address) + struct.pack("!H", port)).digest()

    def run(self):
        # Main Mode 1 and 2.
        vids = [VID_RFC3947, VID_DRAFT02N]
        if self.microsoft:
            vids = [VID_MS_NT5, VID_RFC3947, VID_DRAFT02N, VID_FRAGMENTATION, VID_MS_INITIAL_CONTACT]
        self.sai_b = sa_body()
        first, body = payloads([(SA, self.sai_b)] + [(VID, v) for v in vids])
        mm2 = self.exchange(header(self.cky_i, self.cky_r, first, 0, len(body)) + body, "Main Mode 1")
        self.cky_r = mm2[8:16]
        got = parse_payloads(mm2[16], mm2[28:])
        if mm2[18] != 2 or not any(t == SA for t, _ in got):
            raise ProtocolError("Main Mode 2 is not an SA answer: %s" % [t for t, _ in got])

        # Main Mode 3 and 4.
        x = int.from_bytes(os.urandom(32), "big")
        self.gxi = pow(2, x, P14).to_bytes(256, "big")
        self.ni = os.urandom(32)
        first, body = payloads([(KE, self.gxi), (NONCE, self.ni), (NATD, self.natd(self.server, 500)),
                                (NATD, self.natd(self.local, 500))])
        mm4 = self.exchange(header(self.cky_i, self.cky_r, first, 0, len(body)) + body, "Main Mode 3")
        got = parse_payloads(mm4[16], mm4[28:])
        ke = [b for t, b in got if t == KE]
        nr = [b for t, b in got if t == NONCE]
        natd = [b for t, b in got if t == NATD]
        if len(ke) != 1 or len(nr) != 1 or len(natd) < 2:
            raise ProtocolError("Main Mode 4 without KE, nonce and two NAT-D: %s" % [t for t, _ in got])
        self.gxr, self.nr = ke[0], nr[0]
        server_natted = self.natd(self.server, 500) not in natd[1:]
        client_natted = natd[0] != self.natd(self.local, 500)
        print("server-natd", "natted" if server_natted else "direct")
        print("client-natd", "natted" if client_natted else "direct")
        if self.microsoft and server_natted:
            print("verdict refused-809")
            return
        print("verdict proceeds")

        # Keys (RFC 2409 section 5 and appendix B), then Main Mode 5 and 6.
        gxy = pow(int.from_bytes(self.gxr, "big"), x, P14).to_bytes(256, "big")
        skeyid = prf(self.psk, self.ni, self.nr)
        cookies = self.cky_i + self.cky_r
        skeyid_d = prf(skeyid, gxy, cookies, b"\0")
        skeyid_a = prf(skeyid, skeyid_d, gxy, cookies, b"\1")
        skeyid_e = prf(skeyid, skeyid_a, gxy, cookies, b"\2")
        k = prf(skeyid_e, b"\0")
        k += prf(skeyid_e, k)
        key = k[:32]
        iv = hashlib.sha1(self.gxi + self.gxr).digest()[:16]
        if server_natted or client_natted:
            self.port = 4500
        print("floated", "4500" if self.port == 4500 else "no")

        id_body = struct.pack("!BBH", 1, 17, 500) + socket.inet_aton(self.local)
        hash_i = prf(skeyid, self.gxi, self.gxr, cookies, self.sai_b, id_body)
        first, plain = payloads([(ID, id_body), (HASH, hash_i)])
        plain += bytes(-len(plain) % 16)
        enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        sealed = enc.update(plain) + enc.finalize()
        mm6 = self.exchange(header(self.cky_i, self.cky_r, first, 1, len(sealed)) + sealed, "Main Mode 5")
        if not mm6[19] & 1:
            raise ProtocolError("Main Mode 6 is not encrypted (an error notify?)")
        body = mm6[28:]
        dec = Cipher(algorithms.AES(key), modes.CBC(sealed[-16:])).decryptor()
        opened = dec.update(body) + dec.finalize()
        got = parse_payloads(mm6[16], opened)
        idr = [b for t, b in got if t == ID]
        hash_r = [b for t, b in got if t == HASH]
        if len(idr) != 1 or len(hash_r) != 1:
            raise ProtocolError("Main Mode 6 without ID and HASH_R (wrong key?)")
        if hash_r[0] != prf(skeyid, self.gxr, self.gxi, self.cky_r + self.cky_i, self.sai_b, idr[0]):
            raise ProtocolError("Main Mode 6's HASH_R does not verify")
        print("main-mode-6 verified")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("local")
    ap.add_argument("server")
    ap.add_argument("psk_file")
    ap.add_argument("--other", action="store_true", help="no Microsoft vendor IDs")
    ap.add_argument("--timeout", type=float, default=20.0)
    args = ap.parse_args()
    with open(args.psk_file, "rb") as f:
        psk = f.read().rstrip(b"\n")
    try:
        Probe(args.local, args.server, psk, not args.other, args.timeout).run()
    except ProtocolError as e:
        print("error", e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
