/*
 * What the l2tpsec pppd plugin (l2tpsec-pppd.so) tells l2tpsecd, shared by
 * the plugin (C) and the daemon's decoder (ppp/plugin_message.h, C++).
 *
 * The daemon hands each pppd one end of a SOCK_SEQPACKET socket pair
 * (option `l2tpsec_fd N`); the plugin sends one message per datagram, so a
 * message is never split or merged. Integers are big-endian; a string is a
 * 16-bit length and that many bytes (no NUL). A message is its type byte
 * and the fields of that type, in this order, and nothing after them:
 *
 *   HELLO    u16 protocol version, str pppd version ("2.4.9")
 *            the first message, sent while pppd reads its options; a daemon
 *            that expects another version refuses the session
 *   AUTH_UP  str peer name: the name the peer authenticated as (PAP, CHAP,
 *            MS-CHAP, MS-CHAPv2, EAP; also through the radius plugin)
 *   IP_UP    u32 our address, u32 the peer's address, str interface
 *   IP_DOWN  u32 our address, u32 the peer's address, str interface,
 *            u8 1 if the statistics are valid (0: pppd could not read them,
 *            and the five numbers that follow are 0), u32 bytes in, u32
 *            bytes out, u32 packets in, u32 packets out, u32 seconds the
 *            link was up
 *   EXIT     u32 pppd's exit status (pppd(8), EXIT STATUS)
 *   RADIUS_ROUTES
 *            u8 count, then that many str: the values of the Framed-Route
 *            attributes (RFC 2865 §5.22, "10.20.0.0/24 0.0.0.0 1") of a
 *            RADIUS Access-Accept for the peer, as the server sent them
 *            (each 1 to 253 bytes), possibly none; sent for every
 *            Access-Accept (with pppd's radius plugin only), the latest
 *            replacing any earlier
 *   AUTH_FAILED  str the name the peer gave, str what the authenticator
 *            said (a RADIUS Access-Reject's Reply-Message lines, each ended
 *            by a newline; empty when none): a plugin such as pppd's radius
 *            plugin refused the peer's PAP password
 *   PEER_OPTIONS  what the peer chose in LCP and IPCP (LNS: the client's
 *            fingerprint), sent once at IP up, before IP_UP:
 *            u8 flags: L2TPSEC_PPPD_PEER_* below (bit 7 is 0),
 *            u16 the MRU the peer asked for (0 without PEER_MRU),
 *            u32 the ACCM the peer asked for (0 without PEER_ACCM),
 *            u8 the authentication the peer passed: L2TPSEC_PPPD_AUTH_*,
 *            then three option lists, each u8 count and that many option
 *            types (at most L2TPSEC_PPPD_MAX_OPTIONS), in the order of the
 *            peer's first Configure-Request of LCP, of IPCP and of CCP
 *            (the CCP list empty without PEER_CCP)
 *
 * One message goes the other way, from l2tpsecd to a prestarted pppd
 * (started with `l2tpsec_wait`, before its session, by an LNS):
 *
 *   SESSION  u16 count, then that many str: the session's pppd options,
 *            each word a string (at most L2TPSEC_PPPD_MAX_WORD bytes); the
 *            session's PPPoL2TP socket comes with it (SCM_RIGHTS), and the
 *            word "@pppol2tp" stands for its descriptor number
 *
 * Addresses are IPv4, as 32-bit numbers (192.0.2.1 is 0xc0000201).
 *
 * Any change to a message is a new protocol version.
 */
#ifndef L2TPSEC_PPPD_WIRE_H
#define L2TPSEC_PPPD_WIRE_H

#define L2TPSEC_PPPD_PROTOCOL 5

#define L2TPSEC_PPPD_HELLO 1
#define L2TPSEC_PPPD_AUTH_UP 2
#define L2TPSEC_PPPD_IP_UP 3
#define L2TPSEC_PPPD_IP_DOWN 4
#define L2TPSEC_PPPD_EXIT 5
#define L2TPSEC_PPPD_RADIUS_ROUTES 6
#define L2TPSEC_PPPD_AUTH_FAILED 7
#define L2TPSEC_PPPD_PEER_OPTIONS 8
/* l2tpsecd to the plugin */
#define L2TPSEC_PPPD_SESSION 9
#define L2TPSEC_PPPD_SOCKET_WORD "@pppol2tp"

/* PEER_OPTIONS flags: what the peer asked of us in LCP and IPCP, as pppd
 * acknowledged it (lcp_hisoptions, ipcp_hisoptions), and whether it sent a
 * CCP Configure-Request at all. */
#define L2TPSEC_PPPD_PEER_MRU 0x01
#define L2TPSEC_PPPD_PEER_ACCM 0x02
#define L2TPSEC_PPPD_PEER_MAGIC 0x04
#define L2TPSEC_PPPD_PEER_PFC 0x08  /* protocol field compression */
#define L2TPSEC_PPPD_PEER_ACFC 0x10 /* address/control field compression */
#define L2TPSEC_PPPD_PEER_VJ 0x20   /* Van Jacobson TCP/IP header compression */
#define L2TPSEC_PPPD_PEER_CCP 0x40

/* PEER_OPTIONS: how the peer authenticated to us (pppd's auth_done). */
#define L2TPSEC_PPPD_AUTH_NONE 0
#define L2TPSEC_PPPD_AUTH_PAP 1
#define L2TPSEC_PPPD_AUTH_CHAP_MD5 2
#define L2TPSEC_PPPD_AUTH_MSCHAP 3
#define L2TPSEC_PPPD_AUTH_MSCHAP_V2 4
#define L2TPSEC_PPPD_AUTH_EAP 5

/* The most option types one PEER_OPTIONS list holds; the rest are left out. */
#define L2TPSEC_PPPD_MAX_OPTIONS 32

/* Longest strings either side sends or accepts. pppd's names are at most
 * MAXNAMELEN - 1 (255) bytes, interface names IFNAMSIZ - 1 (15). */
#define L2TPSEC_PPPD_MAX_NAME 255
#define L2TPSEC_PPPD_MAX_IFNAME 15
#define L2TPSEC_PPPD_MAX_VERSION 31
/* A RADIUS string attribute's longest value (RFC 2865 §5). */
#define L2TPSEC_PPPD_MAX_ROUTE 253
/* What an authenticator said: RADIUS allows more, l2tpsecd reads a tag. */
#define L2TPSEC_PPPD_MAX_SAID 200
/* One pppd option word in SESSION (a path, an option's value). */
#define L2TPSEC_PPPD_MAX_WORD 1024

/* The longest message: RADIUS_ROUTES has as many routes as fit, the plugin
 * dropping the rest with a warning. */
#define L2TPSEC_PPPD_MAX_MESSAGE 4096

#endif
