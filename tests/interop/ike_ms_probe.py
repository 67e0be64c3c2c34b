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
with the derived keys, and checks Main Mode 6's HASH_R. With --quick-mode
it goes on to Quick Mode as Windows does (ESP AES-CBC-256 with HMAC-SHA1 in
transport mode, UDP-encapsulated when a side looks NATed, IDs for UDP 1701
both ways, NAT-OA), checks HASH(2), sends HASH(3), installs the two ESP SAs
and the L2TP policies in its network namespace with ip-xfrm(8), and runs
the command after -- (an L2TP client) while it keeps UDP 4500 open as the
ESP-in-UDP socket. It prints one "KEY VALUE" a line:

    server-natd natted|direct
    client-natd natted|direct
    verdict refused-809|proceeds
    floated 4500|no
    main-mode-6 verified
    quick-mode done ENCAPSULATION-MODE

Its own IKE code, independent of src/ike/ (RFC 2408, 2409, 3947).
Exit 0 when it got as far as the client would go (and the command exited
0), 1 on a protocol error or a failed command, 2 with no answer.

usage: ike_ms_probe.py LOCAL SERVER PSK-FILE [--other] [--timeout S]
                       [--quick-mode -- COMMAND...]
"""
import argparse
import hashlib
import hmac
import os
import socket
import struct
import subprocess
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
SA, KE, ID, HASH, NONCE, VID, NATD, NATOA = 1, 4, 5, 8, 10, 13, 20, 21
# Exchange types (RFC 2408 section 4.1, RFC 2409 section 5.5).
MAIN_MODE, QUICK_MODE = 2, 32
# Encapsulation modes (RFC 2407 section 4.5, RFC 3947 section 5.2).
TRANSPORT, UDP_TRANSPORT = 2, 4
UDP_ENCAP, UDP_ENCAP_ESPINUDP = 100, 2  # linux/udp.h


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


def header(cky_i, cky_r, first, flags, length, exchange=MAIN_MODE, mid=bytes(4)):
    return cky_i + cky_r + struct.pack("!BBBB", first, 0x10, exchange, flags) + mid + struct.pack("!I", 28 + length)


def sa_body():
    """SAi_b: DOI IPsec, SIT_IDENTITY_ONLY, one proposal of one transform."""
    attrs = b"".join(struct.pack("!HH", 0x8000 | t, v)
                     for t, v in ((1, 7), (14, 256), (2, 2), (3, 1), (4, 14), (11, 1), (12, 28800)))
    transform = struct.pack("!BBH", 0, 0, 8 + len(attrs)) + struct.pack("!BBH", 1, 1, 0) + attrs
    proposal = struct.pack("!BBHBBBB", 0, 0, 8 + len(transform), 1, 1, 0, 1) + transform
    return struct.pack("!II", 1, 1) + proposal


def esp_sa_body(spi, encapsulation):
    """Quick Mode's SA: one ESP proposal, Windows' first transform
    (ESP_AES 256 bits, HMAC-SHA1, 3600 s) in the given encapsulation mode."""
    attrs = b"".join(struct.pack("!HH", 0x8000 | t, v)
                     for t, v in ((1, 1), (2, 3600), (4, encapsulation), (5, 2), (6, 256)))
    transform = struct.pack("!BBH", 0, 0, 8 + len(attrs)) + struct.pack("!BBH", 1, 12, 0) + attrs
    proposal = struct.pack("!BBHBBBB", 0, 0, 12 + len(transform), 1, 3, 4, 1) + spi + transform
    return struct.pack("!II", 1, 1) + proposal


def ip_xfrm(*args):
    r = subprocess.run(["ip", "xfrm"] + list(args), capture_output=True, text=True)
    if r.returncode != 0:
        raise ProtocolError("ip xfrm %s: %s" % (" ".join(args[:3]), r.stderr.strip()))


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

    def exchange(self, datagram, what, exchange=MAIN_MODE, mid=bytes(4)):
        """Sends, resending every 2 s, until a message of this exchange of
        this SA arrives."""
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
                    if len(data) >= 28 and data[:8] == self.cky_i and data[18] == exchange and data[20:24] == mid:
                        return data
            except socket.timeout:
                continue
        print("no answer to", what, file=sys.stderr)
        sys.exit(2)

    def natd(self, address, port):
        return hashlib.sha1(self.cky_i + self.cky_r + socket.inet_aton(address) + struct.pack("!H", port)).digest()

    def run(self, quick_mode, command):
        # Main Mode 1 and 2.
        vids = [VID_RFC3947, VID_DRAFT02N]
        if self.microsoft:
            vids = [VID_MS_NT5, VID_RFC3947, VID_DRAFT02N, VID_FRAGMENTATION, VID_MS_INITIAL_CONTACT]
        self.sai_b = sa_body()
        first, body = payloads([(SA, self.sai_b)] + [(VID, v) for v in vids])
        mm2 = self.exchange(header(self.cky_i, self.cky_r, first, 0, len(body)) + body, "Main Mode 1")
        self.cky_r = mm2[8:16]
        got = parse_payloads(mm2[16], mm2[28:])
        self.rfc3947 = (VID, VID_RFC3947) in got
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
            return 0
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
        if quick_mode:
            self.quick_mode(skeyid_d, skeyid_a, key, body[-16:], server_natted or client_natted)
            return self.run_command(command)
        return 0

    def seal(self, key, iv, exchange, mid, first, plain):
        plain += bytes(-len(plain) % 16)
        enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        sealed = enc.update(plain) + enc.finalize()
        return header(self.cky_i, self.cky_r, first, 1, len(sealed), exchange, mid) + sealed

    def quick_mode(self, skeyid_d, skeyid_a, key, last_block, natted):
        """Quick Mode (RFC 2409 section 5.5, NAT-OA of RFC 3947 section
        5.1), then the SAs and policies in the kernel."""
        mid = os.urandom(4)
        spi_i, ni = os.urandom(4), os.urandom(32)
        encapsulation = TRANSPORT
        if natted:
            encapsulation = UDP_TRANSPORT if self.rfc3947 else 61444
        l2tp_id = lambda address: struct.pack("!BBH", 1, 17, 1701) + socket.inet_aton(address)
        nat_oa = lambda address: struct.pack("!B3x", 1) + socket.inet_aton(address)
        chain = [(SA, esp_sa_body(spi_i, encapsulation)), (NONCE, ni), (ID, l2tp_id(self.local)),
                 (ID, l2tp_id(self.server))]
        if natted:
            chain += [(NATOA, nat_oa(self.local)), (NATOA, nat_oa(self.server))]
        _, rest = payloads(chain)
        hash1 = prf(skeyid_a, mid, rest)
        first, plain = payloads([(HASH, hash1)] + chain)
        iv = hashlib.sha1(last_block + mid).digest()[:16]
        qm1 = self.seal(key, iv, QUICK_MODE, mid, first, plain)
        qm2 = self.exchange(qm1, "Quick Mode 1", QUICK_MODE, mid)
        if not qm2[19] & 1:
            raise ProtocolError("Quick Mode 2 is not encrypted")
        body = qm2[28:]
        if not body or len(body) % 16:
            raise ProtocolError("Quick Mode 2's length is not a multiple of the block size")
        dec = Cipher(algorithms.AES(key), modes.CBC(qm1[-16:])).decryptor()
        opened = dec.update(body) + dec.finalize()
        if qm2[16] != HASH:
            raise ProtocolError("Quick Mode 2 does not start with HASH(2)")
        got = parse_payloads(HASH, opened)
        opened = opened[:sum(4 + len(body) for _, body in got)]  # without the padding
        hash_len = 4 + len(got[0][1])
        if got[0][1] != prf(skeyid_a, mid, ni, opened[hash_len:]):
            raise ProtocolError("Quick Mode 2's HASH(2) does not verify")
        sa = [b for t, b in got if t == SA]
        nr = [b for t, b in got if t == NONCE]
        if len(sa) != 1 or len(nr) != 1:
            raise ProtocolError("Quick Mode 2 without one SA and one nonce: %s" % [t for t, _ in got])
        proposal = sa[0][8:]
        if len(proposal) < 12 or proposal[5] != 3 or proposal[6] != 4:
            raise ProtocolError("Quick Mode 2's proposal is not ESP with a 4-byte SPI")
        spi_r, nr = proposal[8:12], nr[0]
        chosen = proposal[12:]
        attrs, i = {}, 8
        while i + 4 <= len(chosen):
            t, v = struct.unpack_from("!HH", chosen, i)
            if t & 0x8000:
                attrs[t & 0x7FFF] = v
                i += 4
            else:
                i += 4 + v  # a variable-length value (a long lifetime)
        if attrs.get(4) != encapsulation:
            raise ProtocolError("the server chose encapsulation mode %s, not %d" % (attrs.get(4), encapsulation))

        hash3 = prf(skeyid_a, b"\0", mid, ni, nr)
        first, plain = payloads([(HASH, hash3)])
        qm3 = self.seal(key, body[-16:], QUICK_MODE, mid, first, plain)
        self.socks[self.port].sendto((bytes(4) if self.port == 4500 else b"") + qm3, (self.server, self.port))

        def keymat(spi):
            seed = bytes([3]) + spi + ni + nr
            k = prf(skeyid_d, seed)
            out = k
            while len(out) < 52:
                k = prf(skeyid_d, k, seed)
                out += k
            return out[:32].hex(), out[32:52].hex()

        encap = []
        if natted:
            # The kernel takes the server's ESP-in-UDP from this socket.
            self.socks[4500].setsockopt(socket.IPPROTO_UDP, UDP_ENCAP, UDP_ENCAP_ESPINUDP)
            encap = ["encap", "espinudp", "4500", "4500", "0.0.0.0"]
        for src, dst, spi in ((self.server, self.local, spi_i), (self.local, self.server, spi_r)):
            enc, auth = keymat(spi)
            ip_xfrm("state", "add", "src", src, "dst", dst, "proto", "esp", "spi", "0x" + spi.hex(),
                    "mode", "transport", "reqid", "4711", "enc", "cbc(aes)", "0x" + enc,
                    "auth-trunc", "hmac(sha1)", "0x" + auth, "96", *encap)
        for src, dst, direction in ((self.local, self.server, "out"), (self.server, self.local, "in")):
            ip_xfrm("policy", "add", "src", src + "/32", "dst", dst + "/32", "proto", "udp", "sport", "1701",
                    "dport", "1701", "dir", direction, "tmpl", "proto", "esp", "mode", "transport",
                    "reqid", "4711")
        print("quick-mode done", encapsulation, flush=True)

    @staticmethod
    def run_command(command):
        if not command:
            return 0
        r = subprocess.run(command)
        if r.returncode != 0:
            print("command exited", r.returncode, flush=True)
            return 1
        return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("local")
    ap.add_argument("server")
    ap.add_argument("psk_file")
    ap.add_argument("--other", action="store_true", help="no Microsoft vendor IDs")
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--quick-mode", action="store_true", help="Quick Mode, ESP, then the command after --")
    argv = sys.argv[1:]
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    args = ap.parse_args(argv[:len(argv) - len(command) - (1 if command else 0)])
    args.command = command
    with open(args.psk_file, "rb") as f:
        psk = f.read().rstrip(b"\n")
    try:
        return Probe(args.local, args.server, psk, not args.other, args.timeout).run(args.quick_mode, args.command)
    except ProtocolError as e:
        print("error", e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
