#!/bin/bash
# Two l2tpsecd LNS servers share one FreeRADIUS running the SHIPPED
# examples/freeradius-sql (sql and sqlippool on SQLite; users, the address
# pool and accounting in one database). Server A (192.0.2.1, namespace
# $NS_S, FreeRADIUS beside it on 198.51.100.1) and server B (203.0.113.1, its
# own namespace, reaching FreeRADIUS over a second link) have no [ppp] pool:
# the Access-Accept's Framed-IP-Address is the client's address. An l2tpsecd
# LAC dials each: alice to A, bob to B. Checked: both get an address of the
# one SQL pool, distinct, leased in radippool to their server's
# NAS-IP-Address; each LNS shows the session with that address; radacct has
# one Start row per session, l2tpsecd's (pppd's radius plugin sends no
# accounting), with NAS-IP-Address, NAS-Port-Id (the session's tag),
# Calling-Station-Id (the client's public address), the daemon's
# Acct-Session-Id (random boot id and count) and an Acct-Unique-Session-Id
# naming the server; alice dialling B as well is refused (Simultaneous-Use
# := 1 against her open session on A); A's interim_interval of 60s brings
# alice's Interim-Update with the octets of a ping burst (B, without it,
# sends none); alice's hang-up writes her Stop row with the octets of the
# burst, cause User-Request, and frees her lease; her next session, ended by
# `l2tpctl disconnect` on A, stops with Admin-Reset; her third, named by a
# RADIUS Disconnect-Request (radclient, beside FreeRADIUS) with the
# Acct-Session-Id of her open radacct row, is refused by B, which does not
# hold it (Disconnect-NAK, Session-Context-Not-Found), and ended by A
# (Disconnect-ACK; Admin-Reset). Each server's
# Accounting-On at start is acknowledged; B killed with its pppd leaves
# bob's session open, and B's Accounting-On at restart closes it
# (NAS-Reboot) and frees his address; B's clean stop with bob's next session
# up sends its Stop (Admin-Reboot), then an Accounting-Off, both
# acknowledged. No row but l2tpsecd's, no accounting line from pppd.
#   usage: radius_sql.sh L2TPSECD L2TPCTL   (inside the lab VM)
source "$(dirname "$0")/interop_lib.sh"
source "$(dirname "$0")/freeradius_lib.sh"
command -v freeradius >/dev/null || fail "freeradius is not installed (run tools/setup)"
command -v radclient >/dev/null || fail "radclient is not installed (run tools/setup)"
[[ -e /usr/lib/pppd/2.4.9/radius.so ]] || fail "pppd's radius plugin (/usr/lib/pppd/2.4.9/radius.so) is missing"
[[ -e /usr/lib/freeradius/rlm_sql_sqlite.so && -e /usr/lib/freeradius/rlm_sqlippool.so ]] ||
  fail "FreeRADIUS has no rlm_sql_sqlite or rlm_sqlippool (Debian's freeradius package)"
FRCONF=/etc/freeradius/3.0/mods-config/sql
[[ -f $FRCONF/main/sqlite/schema.sql && -f $FRCONF/ippool/sqlite/schema.sql ]] ||
  fail "no SQL schemas in $FRCONF (Debian's freeradius-config package)"
EXAMPLE=$(dirname "$0")/../../examples/freeradius-sql
[[ -f $EXAMPLE/sites-available/l2tpsec-sql ]] || fail "no $EXAMPLE/sites-available/l2tpsec-sql"

# Server B and its client: two more namespaces; B reaches FreeRADIUS over
# 10.200.0.0/30.
NS_S2=isrv2-$$ NS_C2=icli2-$$ S2_IP=203.0.113.1 C2_IP=203.0.113.2
ip netns add "$NS_S2" && EXTRA_NS+=("$NS_S2") && ip netns add "$NS_C2" && EXTRA_NS+=("$NS_C2") ||
  fail "ip netns add"
ip link add "ws$$" netns "$NS_S2" type veth peer name "wc$$" netns "$NS_C2" &&
  ip link add "xa$$" netns "$NS_S" type veth peer name "xb$$" netns "$NS_S2" || fail "cannot create veth pairs"
ip -n "$NS_S2" addr add "$S2_IP/24" dev "ws$$" && ip -n "$NS_C2" addr add "$C2_IP/24" dev "wc$$" &&
  ip -n "$NS_S" addr add 10.200.0.1/30 dev "xa$$" && ip -n "$NS_S2" addr add 10.200.0.2/30 dev "xb$$" ||
  fail "cannot address the veth pairs"
for l in "$NS_S2 ws$$" "$NS_C2 wc$$" "$NS_S xa$$" "$NS_S2 xb$$" "$NS_S2 lo" "$NS_C2 lo"; do
  read -r ns dev <<<"$l"
  ip -n "$ns" link set "$dev" up || fail "cannot bring $dev up in $ns"
done
ip -n "$NS_S" addr add "$R_IP/32" dev lo || fail "cannot add $R_IP to lo in $NS_S"
ip -n "$NS_S2" route add "$R_IP/32" via 10.200.0.1 || fail "no route to $R_IP in $NS_S2"
# The administrator's RADIUS tools run beside FreeRADIUS: from there A is
# local (requests come from $S_IP) and B is reached over the second link
# (from 10.200.0.1).
ip -n "$NS_S" route add "$S2_IP/32" via 10.200.0.2 || fail "no route to $S2_IP in $NS_S"

# The database: FreeRADIUS's SQLite schemas, four pool addresses, alice
# (one session at most) and bob.
DB=$WORK/radius.sqlite
sql() { python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
for row in db.execute(sys.argv[2]): print("|".join("" if v is None else str(v) for v in row))
db.commit()' "$DB" "$1"; }
python3 - "$DB" "$FRCONF" <<'EOF' || fail "cannot create $DB"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for schema in ("main", "ippool"):
    db.executescript(open(f"{sys.argv[2]}/{schema}/sqlite/schema.sql").read())
for i in range(10, 14):
    db.execute("INSERT INTO radippool (pool_name, framedipaddress, expiry_time) "
               "VALUES ('l2tpsec', ?, '2000-01-01 00:00:00')", (f"10.99.1.{i}",))
db.executemany("INSERT INTO radcheck (username, attribute, op, value) VALUES (?, ?, ':=', ?)",
               [("alice", "Cleartext-Password", "alice-pw-4711"), ("alice", "Simultaneous-Use", "1"),
                ("bob", "Cleartext-Password", "bob-pw-4711")])
db.commit()
EOF

# FreeRADIUS: a minimal radiusd.conf around the shipped modules and site,
# switched to SQLite; Debian's SQL queries and schemas beside them.
mkdir -p "$RADDB"/{mods-available,sites-available,mods-config/sql} || fail "mkdir $RADDB"
sed -e 's/^\tdialect = "postgresql"$/\tdialect = "sqlite"/' -e "s|/var/lib/freeradius/l2tpsec.sqlite|$DB|" \
  "$EXAMPLE/mods-available/l2tpsec-sql" >"$RADDB/mods-available/l2tpsec-sql" &&
  cp "$EXAMPLE/sites-available/l2tpsec-sql" "$RADDB/sites-available/" &&
  cp -r "$EXAMPLE/mods-config/sql/ippool-l2tpsec" "$RADDB/mods-config/sql/" &&
  ln -s "$FRCONF/main" "$FRCONF/ippool" "$RADDB/mods-config/sql/" || fail "cannot copy the example"
[[ $(grep -c '^	dialect = "sqlite"$' "$RADDB/mods-available/l2tpsec-sql") == 2 ]] ||
  fail "the example's dialects did not switch to sqlite"
radiusd_conf
cat >>"$RADDB/radiusd.conf" <<RADEOF
client lnsb {
	ipaddr = 10.200.0.2
	secret = $R_SECRET
	require_message_authenticator = no
}
modules {
	expr {
	}
	pap {
	}
	chap {
	}
	mschap {
	}
	\$INCLUDE \${confdir}/mods-available/l2tpsec-sql
}
\$INCLUDE \${confdir}/sites-available/l2tpsec-sql
RADEOF
run_freeradius

# The two servers: no [ppp] pool, each its own NAS-Identifier and
# NAS-IP-Address (and its own directory, for the radiusclient files).
secret_file "$WORK/radius.secret" "$R_SECRET"
lns_conf() {
  mkdir -p "$WORK/$1"
  cat <<EOF
[server]
listen = ["$2"]
control_socket = "$WORK/$1/ctl.sock"
[l2tp]
ipsec = "off"
[ppp]
auth = ["mschap-v2"]
local_address = "10.99.0.1"
options = ["lcp-echo-interval 0", "noccp", "noipv6"]
[radius]
auth_servers = ["$R_IP"]
secret_file = "$WORK/radius.secret"
nas_identifier = "$1"
nas_ip_address = "$2"
timeout = "3s"
retries = 2
${3:-}
EOF
}
# Server A: an Interim-Update every minute (the shortest [radius]
# interim_interval takes, after RFC 2869 5.16).
lns_conf lnsa "$S_IP" 'interim_interval = "60s"
das_listen = ["'"$S_IP"'"]
das_clients = ["'"$S_IP"'"]' >"$WORK/lnsa.conf"
lns_conf lnsb "$S2_IP" 'das_listen = ["'"$S2_IP"'"]
das_clients = ["10.200.0.1"]' >"$WORK/lnsb.conf"
secret_file "$WORK/alice.pass" alice-pw-4711
secret_file "$WORK/bob.pass" bob-pw-4711
lac_conf() {
  printf '[server]\nlisten = ["%s"]\n[l2tp]\nipsec = "off"\n' "$1"
  printf '[ppp]\noptions = ["lcp-echo-interval 0", "noccp", "noipv6"]\n'
  shift
  while [[ $# -gt 0 ]]; do
    printf '[[lac]]\nname = "%s"\nserver = "%s"\nuser = "%s"\npassword_file = "%s"\n' "$1" "$2" "$3" \
      "$WORK/$3.pass"
    shift 3
  done
}
lac_conf "$C_IP" a "$S_IP" alice >"$WORK/laca.conf"
lac_conf "$C2_IP" b "$S2_IP" bob extra "$S2_IP" alice >"$WORK/lacb.conf"
start_l2tpsecd laca "$NS_C" "$WORK/laca.conf"
start_l2tpsecd lacb "$NS_C2" "$WORK/lacb.conf"
freeradius_ready
start_l2tpsecd lnsa "$NS_S" "$WORK/lnsa.conf"
start_l2tpsecd lnsb "$NS_S2" "$WORK/lnsb.conf"
# Each server's Accounting-On at start: FreeRADIUS notes the reload.
on_acked() { grep -q "radius: Accounting-On (NAS-Identifier $1) acknowledged by $R_IP:1813" "$WORK/$1.log"; }
wait_until 30 "server A's Accounting-On" on_acked lnsa
wait_until 30 "server B's Accounting-On" on_acked lnsb
ok "FreeRADIUS (examples/freeradius-sql on SQLite), servers A and B (Accounting-On acknowledged), a client each"

# 1. alice on A, bob on B: each an address of the one pool, not the same.
ctl laca connect a >/dev/null && ctl lacb connect b >/dev/null || fail "l2tpctl connect"
client_addr() { ip -n "$1" -4 -o addr show 2>/dev/null | sed -n 's|.* inet \(10\.99\.1\.[0-9]*\) peer 10\.99\.0\.1/32 .*|\1|p'; }
both_up() { [[ -n "$(client_addr "$NS_C")" && -n "$(client_addr "$NS_C2")" ]]; }
wait_until 120 "ppp up on both clients with an address of 10.99.1.10-13" both_up
addr_a=$(client_addr "$NS_C") addr_b=$(client_addr "$NS_C2")
[[ $addr_a != "$addr_b" ]] || fail "both clients got $addr_a"
wait_until 30 "ppp up on server A" ppp_up "$NS_S" 10.99.0.1 "$addr_a"
wait_until 30 "ppp up on server B" ppp_up "$NS_S2" 10.99.0.1 "$addr_b"
sql "SELECT framedipaddress, nasipaddress, pool_key, username FROM radippool ORDER BY framedipaddress"
[[ $(sql "SELECT username, nasipaddress FROM radippool WHERE framedipaddress = '$addr_a'
          AND expiry_time > datetime('now')") == "alice|$S_IP" &&
   $(sql "SELECT username, nasipaddress FROM radippool WHERE framedipaddress = '$addr_b'
          AND expiry_time > datetime('now')") == "bob|$S2_IP" ]] ||
  fail "radippool does not lease $addr_a to alice on $S_IP and $addr_b to bob on $S2_IP"
# Each server knows its client by the address RADIUS gave.
session_of() { ctl "$1" sessions --json | jq -c '.sessions[0] // empty'; }
sa=$(session_of lnsa) sb=$(session_of lnsb)
echo "A: $sa"
echo "B: $sb"
jq -e --arg a "$addr_a" '.user == "alice" and .address == $a' <<<"$sa" >/dev/null || fail "server A's session: $sa"
jq -e --arg a "$addr_b" '.user == "bob" and .address == $a' <<<"$sb" >/dev/null || fail "server B's session: $sb"
tag_a=l2tpsec-$(jq -r '"\(.tunnel)-\(.session)"' <<<"$sa") tag_b=l2tpsec-$(jq -r '"\(.tunnel)-\(.session)"' <<<"$sb")
ok "alice on A has $addr_a, bob on B has $addr_b: one SQL pool, leased per server"

pings=20 size=1000
ip netns exec "$NS_C" ping -c $pings -s $size -i 0.2 -W 3 -w 60 10.99.0.1 >/dev/null || fail "ping burst on A failed"
ip netns exec "$NS_C2" ping -c 3 -i 0.3 -W 3 -w 30 10.99.0.1 >/dev/null || fail "no ping across B"
ok "pings cross both links"

# 2. Accounting-Start rows, one per session, naming its server, with the
# Acct-Session-Id the daemon logged when FreeRADIUS acknowledged it.
starts() { [[ $(sql "SELECT COUNT(*) FROM radacct WHERE acctstoptime IS NULL") == 2 ]]; }
wait_until 30 "two open sessions in radacct" starts
# "radius: Start of l2tpsec-T-S (alice, Acct-Session-Id ID) acknowledged by ..."
acct_id() {
  sed -n "s|.* radius: $2 of $3 ($4, Acct-Session-Id \([0-9a-f]\{16\}-[0-9a-f]\{8\}\)[,)].* acknowledged by $R_IP:1813\$|\1|p" \
    "$WORK/$1.log" | tail -1
}
q="SELECT username, nasipaddress, nasportid, callingstationid, framedipaddress, acctsessionid, acctuniqueid
   FROM radacct WHERE acctstoptime IS NULL ORDER BY username"
sql "$q"
row_a=$(sql "$q" | sed -n 1p) row_b=$(sql "$q" | sed -n 2p)
id_a=$(acct_id lnsa Start "$tag_a" alice) id_b=$(acct_id lnsb Start "$tag_b" bob)
[[ -n $id_a && -n $id_b && $id_a != "$id_b" ]] || fail "no acknowledged Start in the servers' logs: '$id_a' '$id_b'"
[[ $row_a == "alice|$S_IP|$tag_a|$C_IP|$addr_a|$id_a|lnsa/$S_IP/$tag_a/$id_a" ]] || fail "alice's Start row: $row_a"
[[ $row_b == "bob|$S2_IP|$tag_b|$C2_IP|$addr_b|$id_b|lnsb/$S2_IP/$tag_b/$id_b" ]] || fail "bob's Start row: $row_b"
ok "radacct: Start rows of alice ($tag_a on A, $id_a) and bob ($tag_b on B, $id_b), the daemons' own"

# 3. alice dials B too: one session at most (Simultaneous-Use := 1).
ctl lacb connect extra >/dev/null || fail "l2tpctl connect extra"
wait_until 90 "server B to refuse alice" grep -q 'Peer alice failed CHAP authentication' "$WORK/lnsb.log"
grep -q 'You are already logged in - access denied' "$WORK/freeradius.log" ||
  fail "FreeRADIUS did not refuse alice's second login for Simultaneous-Use"
ctl lacb disconnect extra >/dev/null || fail "l2tpctl disconnect extra"
[[ $(ppp_count "$NS_C2") == 1 && $(sql "SELECT COUNT(*) FROM radacct") == 2 ]] ||
  fail "alice's second login left a link or a radacct row"
ok "alice's second login (on B) refused: already logged in (Simultaneous-Use 1)"

# 4. alice's Interim-Update, a minute after her Start ([radius]
# interim_interval of server A).
interim() {
  [[ -n $(sql "SELECT 1 FROM radacct WHERE username = 'alice' AND acctinterval IS NOT NULL
               AND acctstoptime IS NULL") ]]
}
wait_until 90 "alice's Interim-Update" interim
int_a=$(sql "SELECT acctinputoctets, acctoutputoctets FROM radacct WHERE username = 'alice'")
IFS='|' read -r in_a out_a <<<"$int_a"
# The burst and little more (no LCP echoes): at most twice its size.
in_burst() { ((${1:-0} >= pings * size && ${1:-0} <= 2 * pings * size)); }
in_burst "$in_a" && in_burst "$out_a" || fail "alice's Interim-Update counts $int_a octets for $pings x $size"
[[ -z $(sql "SELECT 1 FROM radacct WHERE username = 'bob' AND acctinterval IS NOT NULL") ]] ||
  fail "bob got an Interim-Update without interim_interval on B"
ok "alice's Interim-Update: $in_a octets in, $out_a out"

# 5. alice hangs up (her LAC's CDN): her Stop row has the ping burst's octets
# and cause User-Request; her address is free again.
ctl laca disconnect a >/dev/null || fail "l2tpctl disconnect a"
stopped() { [[ -n $(sql "SELECT 1 FROM radacct WHERE username = 'alice' AND acctstoptime IS NOT NULL") ]]; }
wait_until 60 "alice's Stop row" stopped
stop_a=$(sql "SELECT acctinputoctets, acctoutputoctets, acctsessiontime, acctterminatecause, acctsessionid
              FROM radacct WHERE username = 'alice'")
echo "alice's Stop: in|out|time|cause|id = $stop_a"
IFS='|' read -r in_a out_a _ cause_a sid_a <<<"$stop_a"
in_burst "$in_a" && in_burst "$out_a" || fail "alice's Stop counts $in_a/$out_a octets for $pings x $size"
[[ $cause_a == User-Request && $sid_a == "$id_a" ]] || fail "alice's Stop: cause $cause_a, Acct-Session-Id $sid_a"
[[ $(acct_id lnsa Stop "$tag_a" alice) == "$id_a" ]] || fail "no acknowledged Stop of $id_a in server A's log"
[[ -n $(sql "SELECT 1 FROM radippool WHERE framedipaddress = '$addr_a' AND expiry_time <= datetime('now')") ]] ||
  fail "alice's address $addr_a is still leased: $(sql "SELECT * FROM radippool")"
ok "alice's Stop: $in_a octets in, $out_a out, cause $cause_a; $addr_a free again"

# 5b. alice again, ended on server A by `l2tpctl disconnect`: Admin-Reset.
ctl laca connect a >/dev/null || fail "l2tpctl connect a (again)"
alice_open() { [[ -n $(sql "SELECT 1 FROM radacct WHERE username = 'alice' AND acctstoptime IS NULL") ]]; }
wait_until 60 "alice's second Start row" alice_open
ctl lnsa disconnect alice >/dev/null || fail "l2tpctl disconnect alice on server A"
alice_closed() { [[ -z $(sql "SELECT 1 FROM radacct WHERE username = 'alice' AND acctstoptime IS NULL") ]]; }
wait_until 30 "alice's second Stop row" alice_closed
ctl laca disconnect a >/dev/null || fail "l2tpctl disconnect a (no reconnection)"
rows_a=$(sql "SELECT acctsessionid, acctterminatecause FROM radacct WHERE username = 'alice' ORDER BY radacctid")
echo "$rows_a"
[[ $(wc -l <<<"$rows_a") == 2 && $(sed -n 2p <<<"$rows_a") == ?*"|Admin-Reset" &&
   $(sed -n 2p <<<"$rows_a") != "$id_a|"* ]] || fail "alice's second session: $rows_a"
ok "alice's second session, ended by l2tpctl disconnect: its own row, Admin-Reset"

# 5c. alice a third time, ended from the RADIUS side: a Disconnect-Request
# naming her open row's Acct-Session-Id, sent to each server; only the one
# holding the session acts on it.
ctl laca connect a >/dev/null || fail "l2tpctl connect a (a third time)"
wait_until 60 "alice's third Start row" alice_open
sid3=$(sql "SELECT acctsessionid FROM radacct WHERE username = 'alice' AND acctstoptime IS NULL")
disconnect_at() {
  printf 'Acct-Session-Id = "%s"\n' "$sid3" |
    ip netns exec "$NS_S" radclient -x -r 1 -t 5 "$1:3799" disconnect "$R_SECRET" 2>&1
}
out=$(disconnect_at "$S2_IP")
echo "$out"
grep -q 'Received Disconnect-NAK' <<<"$out" && grep -q 'Error-Cause = Session-Context-Not-Found' <<<"$out" ||
  fail "server B, which does not hold $sid3, did not answer Disconnect-NAK 503"
alice_open || fail "server B's refusal ended alice's session"
out=$(disconnect_at "$S_IP")
echo "$out"
grep -q 'Received Disconnect-ACK' <<<"$out" || fail "server A, which holds $sid3, did not answer Disconnect-ACK"
wait_until 30 "alice's third Stop row" alice_closed
ctl laca disconnect a >/dev/null || fail "l2tpctl disconnect a (no reconnection)"
[[ $(sql "SELECT acctterminatecause FROM radacct WHERE acctsessionid = '$sid3'") == Admin-Reset ]] ||
  fail "alice's third session: $(sql "SELECT * FROM radacct WHERE acctsessionid = '$sid3'")"
ok "alice's third session ($sid3), named by Acct-Session-Id: B answered Disconnect-NAK 503, A ended it (Admin-Reset)"

# 6. Server B crashes (it and its pppd killed): bob's session stays open;
# B's restart sends Accounting-On, which closes it and frees its address.
kill_ns "$NS_S2" KILL
gone_b() { [[ -z $(ip netns pids "$NS_S2") ]]; }
wait_until 10 "server B's processes to die" gone_b
[[ -z $(sql "SELECT 1 FROM radacct WHERE username = 'bob' AND acctstoptime IS NOT NULL") ]] ||
  fail "bob's session was closed without a restart"
rm -f "$WORK/lnsb.sock"
: >"$WORK/lnsb.log"
start_l2tpsecd lnsb "$NS_S2" "$WORK/lnsb.conf"
bob_stopped() { [[ -n $(sql "SELECT 1 FROM radacct WHERE username = 'bob' AND acctstoptime IS NOT NULL") ]]; }
wait_until 30 "bob's session closed by B's Accounting-On" bob_stopped
wait_until 10 "server B's Accounting-On" on_acked lnsb
[[ $(sql "SELECT acctterminatecause FROM radacct WHERE username = 'bob'") == NAS-Reboot ]] ||
  fail "bob's session: $(sql "SELECT * FROM radacct WHERE username = 'bob'")"
[[ -n $(sql "SELECT 1 FROM radippool WHERE framedipaddress = '$addr_b' AND expiry_time <= datetime('now')") ]] ||
  fail "bob's address $addr_b is still leased after B's Accounting-On"
ok "server B killed and restarted: its Accounting-On closed bob's session (NAS-Reboot), freed $addr_b"

# 7. bob on B again, then a clean stop of B: bob's Stop (Admin-Reboot), then
# the Accounting-Off, each acknowledged before B exits.
ctl lacb disconnect b >/dev/null && ctl lacb connect b >/dev/null || fail "l2tpctl disconnect/connect b"
bob_open() { [[ -n $(sql "SELECT 1 FROM radacct WHERE username = 'bob' AND acctstoptime IS NULL") ]]; }
wait_until 60 "bob's second Start row" bob_open
stop_l2tpsecd lnsb
[[ $(sql "SELECT acctterminatecause FROM radacct WHERE username = 'bob' ORDER BY radacctid DESC LIMIT 1") == \
   Admin-Reboot ]] || fail "bob's second session: $(sql "SELECT * FROM radacct WHERE username = 'bob'")"
stop_line=$(grep -n "radius: Stop of .* (bob, .*Admin-Reboot) acknowledged by $R_IP:1813" "$WORK/lnsb.log" | cut -d: -f1)
off_line=$(grep -n "radius: Accounting-Off (NAS-Identifier lnsb) acknowledged by $R_IP:1813" "$WORK/lnsb.log" |
  cut -d: -f1)
[[ -n $stop_line && -n $off_line ]] && ((stop_line < off_line)) ||
  fail "server B stopped without bob's acknowledged Stop ($stop_line) before its Accounting-Off ($off_line)"
sql "SELECT username, nasipaddress, acctstarttime, acctstoptime, acctinputoctets, acctoutputoctets,
     acctterminatecause FROM radacct ORDER BY radacctid"
ok "server B stopped cleanly: bob's Stop (Admin-Reboot), then its Accounting-Off, acknowledged"

# 8. Every row is l2tpsecd's (pppd's radius plugin sent no accounting).
ids=$(sql "SELECT acctsessionid FROM radacct")
[[ $(wc -l <<<"$ids") == 5 ]] && ! grep -qv '^[0-9a-f]\{16\}-[0-9a-f]\{8\}$' <<<"$ids" ||
  fail "radacct has other rows than l2tpsecd's five sessions: $ids"
! grep -h "cannot locate radius.so\|Accounting .* failed" "$WORK/lnsa.log" "$WORK/lnsb.log" ||
  fail "radius.so's accounting was not turned off cleanly"
ok "radacct: five rows, one per session, each with l2tpsecd's Acct-Session-Id"
echo PASS
