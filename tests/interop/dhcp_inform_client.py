#!/usr/bin/env python3
"""A DHCPINFORM client as Windows runs one over its PPP link, for
dhcp_inform.sh: sends an INFORM (RFC 2131 section 3.4) from ADDRESS:68 on
INTERFACE to 255.255.255.255:67 and prints what the DHCPACK says, one
"KEY VALUE" a line:

    server 10.99.0.1
    route 203.0.113.0/24 via 10.99.0.1       (option 121)
    ms-route 203.0.113.0/24 via 10.99.0.1    (option 249)
    dns 10.99.0.1
    domain lab.example

Its own parser, independent of src/dhcp/. Exit 0 with an ACK, 2 with no
answer within --timeout, 1 with a malformed answer.

usage: dhcp_inform_client.py INTERFACE ADDRESS [--ciaddr A] [--timeout S]
"""
import argparse
import os
import socket
import struct
import sys

COOKIE = bytes([99, 130, 83, 99])


def inform(xid, ciaddr):
    head = struct.pack("!BBBBIHH4s4s4s4s16s", 1, 1, 6, 0, xid, 0, 0, socket.inet_aton(ciaddr), bytes(4),
                       bytes(4), bytes(4), bytes([2, 0, 0, 0, 0, 1]) + bytes(10))
    options = bytes([53, 1, 8, 55, 4, 6, 15, 121, 249])
    return head + bytes(192) + COOKIE + options + bytes([255])


def options_of(packet):
    if len(packet) < 240 or packet[236:240] != COOKIE:
        raise ValueError("no DHCP header and cookie")
    found, i = {}, 240
    while i < len(packet):
        code = packet[i]
        if code == 0:
            i += 1
            continue
        if code == 255:
            return found
        if i + 2 > len(packet) or i + 2 + packet[i + 1] > len(packet):
            raise ValueError(f"option {code} cut short")
        found[code] = found.get(code, b"") + packet[i + 2:i + 2 + packet[i + 1]]
        i += 2 + packet[i + 1]
    raise ValueError("no End option")


def routes(value):
    out, i = [], 0
    while i < len(value):
        width = value[i]
        n = (width + 7) // 8
        if width > 32 or i + 1 + n + 4 > len(value):
            raise ValueError("bad classless route")
        dest = value[i + 1:i + 1 + n] + bytes(4 - n)
        router = value[i + 1 + n:i + 5 + n]
        out.append(f"{socket.inet_ntoa(dest)}/{width} via {socket.inet_ntoa(router)}")
        i += 5 + n
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("interface")
    p.add_argument("address")
    p.add_argument("--ciaddr", help="the ciaddr to claim (default: ADDRESS)")
    p.add_argument("--timeout", type=float, default=5.0)
    a = p.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.interface.encode())
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.bind((a.address, 68))
    s.settimeout(a.timeout)
    xid = int.from_bytes(os.urandom(4), "big")
    s.sendto(inform(xid, a.ciaddr or a.address), ("255.255.255.255", 67))
    while True:
        try:
            packet, _ = s.recvfrom(4096)
        except socket.timeout:
            print("no answer", file=sys.stderr)
            return 2
        if len(packet) >= 8 and struct.unpack("!I", packet[4:8])[0] == xid:
            break
    try:
        if packet[0] != 2:
            raise ValueError("not a reply")
        o = options_of(packet)
        if o.get(53) != bytes([5]):
            raise ValueError(f"not a DHCPACK: option 53 = {o.get(53)!r}")
        if packet[16:20] != bytes(4):
            raise ValueError("yiaddr set")
        if 51 in o:
            raise ValueError("a lease time in the ACK to an INFORM")
        print("server", socket.inet_ntoa(o[54]))
        for r in routes(o.get(121, b"")):
            print("route", r)
        for r in routes(o.get(249, b"")):
            print("ms-route", r)
        dns = o.get(6, b"")
        for i in range(0, len(dns) - 3, 4):
            print("dns", socket.inet_ntoa(dns[i:i + 4]))
        if 15 in o:
            print("domain", o[15].decode())
    except (ValueError, KeyError) as e:
        print("malformed answer:", e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
