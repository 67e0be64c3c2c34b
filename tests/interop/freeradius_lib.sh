# shellcheck shell=bash
# Sourced after interop_lib.sh by the tests that need a RADIUS server: a real
# FreeRADIUS 3 (Debian's freeradius) with its own minimal config tree in the
# scratch directory, listening on $R_IP in the LNS namespace, its log in
# $WORK/freeradius.log and accounting in $RADDB/acct/detail.
#   start_freeradius PASSWORD [ATTRIBUTE...]
#                               alice's password (PAP, MS-CHAP) and reply
#                               attributes ('Framed-Route += "..."'), client
#                               $R_IP with the secret $R_SECRET; waits until ready
#   radiusd_conf                $RADDB/radiusd.conf up to its client ($R_IP,
#                               $R_SECRET), for a test that appends its own
#                               modules and servers
#   run_freeradius              freeradius -X in $NS_S with $RADDB, and
#   freeradius_ready            wait until it is ready (slow in the VM: a
#                               test may start its daemons in between)
#   radius_lns_conf [LINE...]   $WORK/lns.conf: an l2tpsecd LNS on $S_IP (no
#                               IPsec, MS-CHAPv2, pool 10.99.0.10-19, audit in
#                               $WORK/audit.jsonl) whose [radius] names this
#                               server, nas_identifier "l2tpsec-interop", and
#                               the LINEs; the secret in $WORK/radius.secret
R_IP=198.51.100.1 R_SECRET=l2tpsec-interop-radius-7
RADDB=$WORK/raddb

radiusd_conf() {
  mkdir -p "$RADDB/log" "$RADDB/acct" "$RADDB/run" || fail "mkdir $RADDB"
  cat >"$RADDB/radiusd.conf" <<RADEOF
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = $RADDB/log
raddbdir = $RADDB
radacctdir = $RADDB/acct
name = freeradius
confdir = \${raddbdir}
modconfdir = \${confdir}/mods-config
certdir = \${confdir}
cadir = \${confdir}
run_dir = $RADDB/run
db_dir = \${raddbdir}
libdir = /usr/lib/freeradius
pidfile = \${run_dir}/\${name}.pid
correct_escapes = true
max_request_time = 30
cleanup_delay = 5
max_requests = 1024
hostname_lookups = no
proxy_requests = no
log {
	destination = files
	colourise = no
	file = \${logdir}/radius.log
	auth = yes
	auth_badpass = no
	auth_goodpass = no
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}
thread pool {
	start_servers = 1
	max_servers = 2
	min_spare_servers = 1
	max_spare_servers = 2
	max_requests_per_server = 0
}
client lns {
	ipaddr = $R_IP
	secret = $R_SECRET
	shortname = l2tpsec
	require_message_authenticator = no
}
RADEOF
}

run_freeradius() {
  ip netns exec "$NS_S" freeradius -X -d "$RADDB" >"$WORK/freeradius.log" 2>&1 &
  PIDS+=($!)
}
freeradius_ready() { wait_until 90 "FreeRADIUS ready" grep -q '^Ready to process requests' "$WORK/freeradius.log"; }

start_freeradius() {
  ip -n "$NS_S" addr add "$R_IP/32" dev lo || fail "cannot add $R_IP to lo in $NS_S"
  # A minimal FreeRADIUS 3 tree: PAP and MS-CHAP against a users file, and the
  # detail module writing every accounting request to $RADDB/acct/detail.
  radiusd_conf
  cat >>"$RADDB/radiusd.conf" <<RADEOF
modules {
	pap {
	}
	mschap {
	}
	files {
		filename = \${confdir}/users
	}
	detail {
		filename = \${radacctdir}/detail
		permissions = 0600
		header = "%t"
	}
}
server default {
	listen {
		type = auth
		ipaddr = $R_IP
		port = 1812
	}
	listen {
		type = acct
		ipaddr = $R_IP
		port = 1813
	}
	authorize {
		mschap
		files
		pap
	}
	authenticate {
		Auth-Type PAP {
			pap
		}
		Auth-Type MS-CHAP {
			mschap
		}
	}
	preacct {
	}
	accounting {
		detail
	}
	post-auth {
	}
}
RADEOF
  {
    printf 'alice\tCleartext-Password := "%s"\n\tService-Type = Framed-User,\n\tFramed-Protocol = PPP' "$1"
    shift
    for a in "$@"; do printf ',\n\t%s' "$a"; done
    printf '\n'
  } >"$RADDB/users"
  run_freeradius
  freeradius_ready
  ok "FreeRADIUS listening on $R_IP:1812/1813"
}

radius_lns_conf() {
  secret_file "$WORK/radius.secret" "$R_SECRET"
  {
    cat <<EOF
[server]
listen = ["$S_IP"]
control_socket = "$WORK/lns.sock"
audit_log = "$WORK/audit.jsonl"
[l2tp]
ipsec = "off"
[ppp]
auth = ["mschap-v2"]
local_address = "10.99.0.1"
pool = "10.99.0.10-10.99.0.19"
options = ["lcp-echo-interval 0"]
[radius]
auth_servers = ["$R_IP"]
secret_file = "$WORK/radius.secret"
nas_identifier = "l2tpsec-interop"
EOF
    printf '%s\n' "$@"
  } >"$WORK/lns.conf"
}
