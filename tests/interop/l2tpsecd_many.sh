#!/bin/bash
# The many-sessions benchmark (tools/bench/many_sessions.sh) small, as a
# functional check: an l2tpsecd LNS with IPsec required and 5 l2tpsecd LACs,
# each in its own namespace and from its own address, with 4 sessions each
# (the profile's connect, then 3 calls). It fails if a session does not come
# up on both ends (l2tpctl, the kernel's tunnels and sessions, pppds, ppp
# interfaces with distinct pool addresses), is not protected by the LAC's
# IPsec SA pair, or does not carry pings, or if anything is left in either
# end's kernel or processes after the disconnects and the LACs' stop; never
# on a time.
#   usage: l2tpsecd_many.sh L2TPSECD L2TPCTL   (inside the lab VM)
set -- "${1:-}" "${2:-}" --lacs 5 --sessions 4 --pings 3 --window 10 --stall 180
source "$(dirname "$0")/../../tools/bench/many_sessions.sh"
