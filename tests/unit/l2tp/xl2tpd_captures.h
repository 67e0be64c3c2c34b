#pragma once
// Control messages captured from xl2tpd 1.3.18 (Debian 12), two instances
// talking over loopback (LAC 127.0.0.2:1702 -> LNS 127.0.0.1:1701; no kernel
// L2TP, so the calls end in a CDN when pppd cannot open /dev/ppp), recorded
// with `tcpdump -i lo` and dumped with `tshark -T fields -e udp.payload`.
// Run 1 ("...Challenge"): both sides with "challenge = yes", "hidden bit =
// yes" (xl2tpd then sends Random Vectors but hides nothing) and the secret
// "h3secret" for the pair lac-h3/lns-h3. Run 2: no tunnel authentication,
// kept up for 70 s (HELLO) and then disconnected (StopCCN).
// These are UDP payloads: the L2TP header and AVPs.

#include <string_view>

namespace l2tpsec::l2tp::xl2tpd {

inline constexpr std::string_view kSecret = "h3secret";

/// LAC -> LNS, tunnel 0: Assigned Tunnel ID 1741, Host Name "lac-h3"
inline constexpr std::string_view kSccrq =
        "c8020067000000000000000080080000000000018008000000020100800a0000000300000003800a0000000400000000"
        "0008000000060690800c000000076c61632d683300130000000878656c6572616e63652e636f6d80080000000906cd80"
        "080000000a0004";

/// LNS -> LAC, tunnel 1741: Assigned Tunnel ID 48182, Host Name "lns-h3"
inline constexpr std::string_view kSccrp =
        "c802006706cd00000000000180080000000000028008000000020100800a0000000300000003800a0000000400000000"
        "0008000000060690800c000000076c6e732d683300130000000878656c6572616e63652e636f6d800800000009bc3680"
        "080000000a0004";

/// LAC -> LNS, Ns 1 Nr 1
inline constexpr std::string_view kScccn = "c8020014bc360000000100018008000000000003";

/// Assigned Session ID 25845, Call Serial Number 1, Bearer Type 0
inline constexpr std::string_view kIcrq =
        "c8020030bc36000000020001800800000000000a80080000000e64f5800a0000000f00000001800a0000001200000000";

/// LNS -> LAC acknowledging the ICRQ: Ns 1 Nr 2
inline constexpr std::string_view kZlb = "c802000c06cd000000010002";

/// session 25845: Assigned Session ID 43456
inline constexpr std::string_view kIcrp = "c802001c06cd64f500010003800800000000000b80080000000ea9c0";

/// Tx Connect Speed 0, Framing Type 1 (sync), Rx Connect Speed 0 (M=0)
inline constexpr std::string_view kIccn =
        "c8020032bc36a9c000030002800800000000000c800a0000001800000000800a0000001300000001000a000000260000"
        "0000";

/// after pppd failed: Result Code 1, error 0
inline constexpr std::string_view kCdn = "c802002606cd64f500020004800800000000000e800a000000010001000080080000000ea9c0";

/// LNS -> LAC, 60 s idle
inline constexpr std::string_view kHello = "c802001406cd0000000300068008000000000006";

/// after "xl2tpd-control disconnect": Result Code 1, error 0, "Goodbye!"
inline constexpr std::string_view kStopCcn =
        "c802002ebc36000000060004800800000000000480080000000906cd80120000000100010000476f6f6462796521";

/// Random Vector, Challenge b2576bda...
inline constexpr std::string_view kSccrqChallenge =
        "c8020093000000000000000080080000000000018016000000249daa434450b4af62a6252effad6363bc800800000002"
        "0100800a0000000300000003800a00000004000000000008000000060690800c000000076c61632d6833001300000008"
        "78656c6572616e63652e636f6d8008000000093cb580080000000a000480160000000bb2576bda261b3472729e8663ee"
        "82f66a";

/// Random Vector, Challenge Response to kSccrqChallenge, own Challenge
inline constexpr std::string_view kSccrpChallenge =
        "c80200a93cb5000000000001800800000000000280160000002492fb98f960a1cf9ea34385640d179e21800800000002"
        "0100800a0000000300000003800a00000004000000000008000000060690800c000000076c6e732d6833001300000008"
        "78656c6572616e63652e636f6d800800000009652180080000000a000480160000000d0f3921c0cd4e042d9535dc182d"
        "99dd9180160000000bd8c72f427bc93fd38bb95bedaadbaa52";

/// Random Vector, Challenge Response to kSccrpChallenge's challenge
inline constexpr std::string_view kScccnChallenge =
        "c802004065210000000100018008000000000003801600000024816b47f28c9febc85cf1e1e3bfcbd75180160000000d"
        "300c2657be7702bd95272757e0eacbb4";

} // namespace l2tpsec::l2tp::xl2tpd
