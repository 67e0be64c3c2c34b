#!/usr/bin/env python3
"""An L2TP control speaker (RFC 2661) that opens a tunnel and a session the
way a stock client does, with that client's SCCRQ AVPs, for client_kinds.sh:
SCCRQ (Host Name, Vendor Name, Firmware Revision, Framing Capabilities),
SCCCN, ICRQ, ICCN; then it acks what the server sends until --hold seconds
have passed, and ends with a StopCCN. It speaks no PPP: the server's pppd
gets no answer, which is enough for `l2tpctl sessions` to show the session.
Prints "up TUNNEL SESSION" (the server's ids) once the ICCN is sent.
Its own encoder, independent of src/l2tp/.

usage: l2tp_emulated_client.py LOCAL SERVER --host NAME [--vendor NAME]
                               [--firmware N] [--port N] [--hold S]
--port: the UDP port it sends from (default 1701, as Windows and Android;
Apple's client sends from an ephemeral port).
"""
import argparse
import socket
import struct
import sys
import time

SCCRQ, SCCRP, SCCCN, STOPCCN, ICRQ, ICRP, ICCN = 1, 2, 3, 4, 10, 11, 12


def avp(attr, value, mandatory=True):
    return struct.pack("!HHH", (0x8000 if mandatory else 0) | (6 + len(value)), 0, attr) + value


def u16(v):
    return struct.pack("!H", v)


def u32(v):
    return struct.pack("!I", v)


class Speaker:
    def __init__(self, local, port, server):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((local, port))
        self.server = (server, 1701)
        self.ns = 0
        self.nr = 0
        self.peer_tunnel = 0

    def send(self, session, avps):
        body = b"".join(avps)
        head = struct.pack("!HHHHHH", 0xC802, 12 + len(body), self.peer_tunnel, session, self.ns, self.nr)
        self.sock.sendto(head + body, self.server)
        if avps:
            self.ns = (self.ns + 1) & 0xFFFF
        return head + body

    def receive(self, want, timeout):
        """The AVPs of the next control message of type `want`; acks others."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.sock.settimeout(max(0.1, end - time.monotonic()))
            try:
                data, _ = self.sock.recvfrom(4096)
            except socket.timeout:
                break
            flags, length, _tunnel, _session, ns, _nr = struct.unpack("!HHHHHH", data[:12])
            if not flags & 0x8000 or length <= 12:
                continue  # data (the server's pppd) or a ZLB ack
            self.nr = (ns + 1) & 0xFFFF
            avps = parse_avps(data[12:length])
            if want is not None and avps.get(0) == u16(want):
                return avps
            self.send(0, [])  # a ZLB ack
        return None


def parse_avps(data):
    avps = {}
    while len(data) >= 6:
        head, _vendor, attr = struct.unpack("!HHH", data[:6])
        length = head & 0x3FF
        if length < 6:
            break
        avps[attr] = data[6:length]
        data = data[length:]
    return avps


def main():
    a = argparse.ArgumentParser()
    a.add_argument("local")
    a.add_argument("server")
    a.add_argument("--host", required=True)
    a.add_argument("--vendor")
    a.add_argument("--firmware", type=lambda s: int(s, 0))
    a.add_argument("--port", type=int, default=1701)
    a.add_argument("--hold", type=float, default=30)
    args = a.parse_args()

    s = Speaker(args.local, args.port, args.server)
    our_tunnel, our_session = 7, 1
    sccrq = [avp(0, u16(SCCRQ)), avp(2, bytes([1, 0])), avp(3, u32(1)), avp(7, args.host.encode()),
             avp(9, u16(our_tunnel)), avp(10, u16(8))]
    if args.firmware is not None:
        sccrq.append(avp(6, u16(args.firmware), mandatory=False))
    if args.vendor:
        sccrq.append(avp(8, args.vendor.encode(), mandatory=False))
    # Resent every 2 s as RFC 2661 section 5.8 has it (its first copy can
    # meet IPsec SAs that the server has not installed yet).
    datagram = s.send(0, sccrq)
    for _ in range(5):
        sccrp = s.receive(SCCRP, 2)
        if sccrp:
            break
        s.sock.sendto(datagram, s.server)
    if not sccrp or 9 not in sccrp:
        sys.exit("no SCCRP")
    s.peer_tunnel = struct.unpack("!H", sccrp[9])[0]
    s.send(0, [avp(0, u16(SCCCN))])
    s.send(0, [avp(0, u16(ICRQ)), avp(14, u16(our_session)), avp(15, u32(1))])
    icrp = s.receive(ICRP, 10)
    if not icrp or 14 not in icrp:
        sys.exit("no ICRP")
    peer_session = struct.unpack("!H", icrp[14])[0]
    s.send(peer_session, [avp(0, u16(ICCN)), avp(24, u32(100000000)), avp(19, u32(1))])
    print(f"up {s.peer_tunnel} {peer_session}", flush=True)
    s.receive(None, args.hold)
    s.send(0, [avp(0, u16(STOPCCN)), avp(9, u16(our_tunnel)), avp(1, u16(1))])


if __name__ == "__main__":
    main()
