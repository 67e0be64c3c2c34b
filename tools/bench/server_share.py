#!/usr/bin/env python3
"""The server's share of one client's connect, from a packet trace.

side_by_side.sh captures, in the server's namespace, IKE (UDP 500) and the
decrypted L2TP (UDP 1701, logged by nftables before ESP on the way out and
after it on the way in) of one connect, and feeds tshark's fields here, one
packet a line:

    time|ip.src|udp.srcport|udp.dstport|isakmp.exchangetype|isakmp.messageid|
    l2tp.type|l2tp.avp.message_type|ppp.protocol|ppp.code|chap.code

The client's own work (starting swanctl, charon's and pppd's computing, its
ip-pre-up script) is the same whichever server it talks to; what differs is
how long the client waits for the server. So: from each client packet that
asks for an answer (an IKE Main Mode message, the first of a Quick Mode,
SCCRQ, ICRQ, an LCP or IPCP Configure-Request, an LCP Echo-Request, an IPv6CP
request, a CHAP Response) the clock runs until the server's next packet
that is not a bare L2TP acknowledgement (ZLB). The sum, for IKE and for
L2TP + PPP apart, is printed first.

Then the exchanges' own durations on the wire: IKE from the client's first
Main Mode message to the last Quick Mode message, L2TP + PPP from the SCCRQ
to the last IPCP packet (the link carries IP). They leave out the lab's
own steps around them (starting swanctl, the control pipe to xl2tpd, polling
for the client's address, the client's ip-pre-up script), which do not
depend on the server. Printed:
"IKE_WAIT L2TP_PPP_WAIT IKE_WIRE L2TP_PPP_WIRE" (seconds).

    usage: tshark ... | server_share.py SERVER_ADDRESS
"""
import sys

LCP, IPCP, IPV6CP, CHAP = 0xC021, 0x8021, 0x8057, 0xC223
CONF_REQ, ECHO_REQ, CHAP_RESPONSE = 1, 9, 2
MAIN_MODE, QUICK_MODE = 2, 32
SCCRQ, ICRQ = 1, 10


def number(text):
    """A tshark field: '', '17', '0x0000c021'; the first of several."""
    text = text.split(";")[0].strip()
    if not text:
        return None
    try:
        return int(text, 0)
    except ValueError:
        return None


def asks(fields, quick_modes_seen):
    """Whether a client packet waits for an answer from the server."""
    exchange, message_id = number(fields[4]), fields[5]
    if exchange is not None:
        if exchange == MAIN_MODE:
            return True
        if exchange == QUICK_MODE:
            first = message_id not in quick_modes_seen
            quick_modes_seen.add(message_id)
            return first  # the third message answers the server's
        return False
    if number(fields[6]) == 1:  # L2TP control
        return number(fields[7]) in (SCCRQ, ICRQ)
    protocol, code, chap = number(fields[8]), number(fields[9]), number(fields[10])
    if protocol in (LCP, IPCP, IPV6CP):
        return code == CONF_REQ or (protocol == LCP and code == ECHO_REQ)
    if protocol == CHAP:
        return chap == CHAP_RESPONSE
    return False


def is_zlb(fields):
    return number(fields[6]) == 1 and number(fields[7]) is None


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: server_share.py SERVER_ADDRESS")
    server = sys.argv[1]
    packets = []
    for line in sys.stdin:
        fields = line.rstrip("\n").split("|")
        if len(fields) < 11:
            continue
        try:
            packets.append((float(fields[0]), fields))
        except ValueError:
            continue
    packets.sort(key=lambda p: p[0])
    waited = {"ike": 0.0, "l2tp": 0.0}
    pending = {"ike": None, "l2tp": None}
    quick_modes_seen = set()
    for t, fields in packets:
        phase = "ike" if "500" in (fields[2], fields[3]) else "l2tp"
        if fields[1] != server:
            if pending[phase] is None and asks(fields, quick_modes_seen):
                pending[phase] = t
        elif pending[phase] is not None and not is_zlb(fields):
            waited[phase] += t - pending[phase]
            pending[phase] = None
    if not packets:
        sys.exit("server_share.py: no packets")
    ike = [t for t, f in packets if "500" in (f[2], f[3])]
    sccrq = [t for t, f in packets if number(f[6]) == 1 and number(f[7]) == SCCRQ]
    ipcp = [t for t, f in packets if number(f[8]) == IPCP]
    if not ike or not sccrq or not ipcp:
        sys.exit("server_share.py: no IKE, SCCRQ or IPCP in the trace")
    print(f"{waited['ike']:.3f} {waited['l2tp']:.3f} {ike[-1] - ike[0]:.3f} {ipcp[-1] - sccrq[0]:.3f}")


if __name__ == "__main__":
    main()
