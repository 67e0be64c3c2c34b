#include "ppp/radius_files.h"

#include "common/unique_fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

namespace l2tpsec::ppp {

namespace {

// The RFC 2865/2866/2869 attributes pppd's radius plugin sends or reads, and
// Microsoft's (RFC 2548) for MS-CHAP and MPPE. The plugin's radiusclient
// library refuses to send an attribute its dictionary lacks. NAS-Port-Id (87)
// carries the l2tpsec session id (avpair option).
constexpr std::string_view kDictionary = R"(# RADIUS dictionary for pppd's radius plugin, written by l2tpsecd.
ATTRIBUTE	User-Name		1	string
ATTRIBUTE	User-Password		2	string
ATTRIBUTE	CHAP-Password		3	string
ATTRIBUTE	NAS-IP-Address		4	ipaddr
ATTRIBUTE	NAS-Port		5	integer
ATTRIBUTE	Service-Type		6	integer
ATTRIBUTE	Framed-Protocol		7	integer
ATTRIBUTE	Framed-IP-Address	8	ipaddr
ATTRIBUTE	Framed-IP-Netmask	9	ipaddr
ATTRIBUTE	Framed-Routing		10	integer
ATTRIBUTE	Filter-Id		11	string
ATTRIBUTE	Framed-MTU		12	integer
ATTRIBUTE	Framed-Compression	13	integer
ATTRIBUTE	Reply-Message		18	string
ATTRIBUTE	Callback-Number		19	string
ATTRIBUTE	Callback-Id		20	string
ATTRIBUTE	Framed-Route		22	string
ATTRIBUTE	State			24	string
ATTRIBUTE	Class			25	string
ATTRIBUTE	Vendor-Specific		26	string
ATTRIBUTE	Session-Timeout		27	integer
ATTRIBUTE	Idle-Timeout		28	integer
ATTRIBUTE	Termination-Action	29	integer
ATTRIBUTE	Called-Station-Id	30	string
ATTRIBUTE	Calling-Station-Id	31	string
ATTRIBUTE	NAS-Identifier		32	string
ATTRIBUTE	Proxy-State		33	string
ATTRIBUTE	Acct-Status-Type	40	integer
ATTRIBUTE	Acct-Delay-Time		41	integer
ATTRIBUTE	Acct-Input-Octets	42	integer
ATTRIBUTE	Acct-Output-Octets	43	integer
ATTRIBUTE	Acct-Session-Id		44	string
ATTRIBUTE	Acct-Authentic		45	integer
ATTRIBUTE	Acct-Session-Time	46	integer
ATTRIBUTE	Acct-Input-Packets	47	integer
ATTRIBUTE	Acct-Output-Packets	48	integer
ATTRIBUTE	Acct-Terminate-Cause	49	integer
ATTRIBUTE	Acct-Multi-Session-Id	50	string
ATTRIBUTE	Acct-Link-Count		51	integer
ATTRIBUTE	Acct-Input-Gigawords	52	integer
ATTRIBUTE	Acct-Output-Gigawords	53	integer
ATTRIBUTE	Event-Timestamp		55	integer
ATTRIBUTE	CHAP-Challenge		60	string
ATTRIBUTE	NAS-Port-Type		61	integer
ATTRIBUTE	Port-Limit		62	integer
ATTRIBUTE	Connect-Info		77	string
ATTRIBUTE	Message-Authenticator	80	string
ATTRIBUTE	Acct-Interim-Interval	85	integer
ATTRIBUTE	NAS-Port-Id		87	string
ATTRIBUTE	Framed-Pool		88	string
ATTRIBUTE	Session-Octets-Limit	227	integer
ATTRIBUTE	Octets-Direction	228	integer
VALUE	Service-Type		Framed-User		2
VALUE	Framed-Protocol		PPP			1
VALUE	Acct-Status-Type	Start			1
VALUE	Acct-Status-Type	Stop			2
VALUE	Acct-Status-Type	Alive			3
VALUE	Acct-Authentic		RADIUS			1
VALUE	NAS-Port-Type		Async			0
VALUE	NAS-Port-Type		Sync			1
VALUE	NAS-Port-Type		Virtual			5
VALUE	Acct-Terminate-Cause	User-Request		1
VALUE	Acct-Terminate-Cause	Lost-Carrier		2
VALUE	Acct-Terminate-Cause	Idle-Timeout		4
VALUE	Acct-Terminate-Cause	Session-Timeout		5
VALUE	Acct-Terminate-Cause	Port-Error		8
VALUE	Acct-Terminate-Cause	NAS-Error		9
VALUE	Acct-Terminate-Cause	NAS-Request		10
VALUE	Acct-Terminate-Cause	Service-Unavailable	15
VALUE	Acct-Terminate-Cause	Callback		16
VENDOR	Microsoft	311
ATTRIBUTE	MS-CHAP-Response	1	string	Microsoft
ATTRIBUTE	MS-CHAP-Error		2	string	Microsoft
ATTRIBUTE	MS-CHAP-CPW-1		3	string	Microsoft
ATTRIBUTE	MS-CHAP-CPW-2		4	string	Microsoft
ATTRIBUTE	MS-CHAP-LM-Enc-PW	5	string	Microsoft
ATTRIBUTE	MS-CHAP-NT-Enc-PW	6	string	Microsoft
ATTRIBUTE	MS-MPPE-Encryption-Policy	7	string	Microsoft
ATTRIBUTE	MS-MPPE-Encryption-Types	8	string	Microsoft
ATTRIBUTE	MS-RAS-Vendor		9	integer	Microsoft
ATTRIBUTE	MS-CHAP-Domain		10	string	Microsoft
ATTRIBUTE	MS-CHAP-Challenge	11	string	Microsoft
ATTRIBUTE	MS-CHAP-MPPE-Keys	12	string	Microsoft
ATTRIBUTE	MS-MPPE-Send-Key	16	string	Microsoft
ATTRIBUTE	MS-MPPE-Recv-Key	17	string	Microsoft
ATTRIBUTE	MS-RAS-Version		18	string	Microsoft
ATTRIBUTE	MS-CHAP2-Response	25	string	Microsoft
ATTRIBUTE	MS-CHAP2-Success	26	string	Microsoft
ATTRIBUTE	MS-CHAP2-CPW		27	string	Microsoft
ATTRIBUTE	MS-Primary-DNS-Server	28	ipaddr	Microsoft
ATTRIBUTE	MS-Secondary-DNS-Server	29	ipaddr	Microsoft
ATTRIBUTE	MS-Primary-NBNS-Server	30	ipaddr	Microsoft
ATTRIBUTE	MS-Secondary-NBNS-Server	31	ipaddr	Microsoft
)";

std::string serverList(const std::vector<RadiusServer> &servers)
{
	std::string s;
	for (const RadiusServer &srv : servers)
		s += (s.empty() ? "" : ",") + srv.str();
	return s;
}

Result<void> writeFile(const std::string &dir, const RadiusFile &f)
{
	std::string path = dir + "/" + f.name;
	std::string tmp = path + ".new";
	::unlink(tmp.c_str());
	UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
	if (!fd)
		return sysError("[radius]: cannot create " + tmp);
	size_t done = 0;
	while (done < f.text.size()) {
		ssize_t n = ::write(fd.get(), f.text.data() + done, f.text.size() - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			auto e = sysError("[radius]: cannot write " + tmp);
			::unlink(tmp.c_str());
			return e;
		}
		done += static_cast<size_t>(n);
	}
	if (::rename(tmp.c_str(), path.c_str()) < 0) {
		auto e = sysError("[radius]: cannot rename " + tmp + " to " + path);
		::unlink(tmp.c_str());
		return e;
	}
	return {};
}

} // namespace

std::string radiusConfigPath(const RadiusConfig &r)
{
	return r.runtimeDir + "/radiusclient.conf";
}

std::vector<RadiusFile> radiusClientFiles(const RadiusConfig &r, const std::string &nasIdentifier)
{
	const std::string &dir = r.runtimeDir;
	const std::string &nas = r.nasIdentifier.empty() ? nasIdentifier : r.nasIdentifier;
	std::string conf = "# Written by l2tpsecd from [radius] in l2tpsec.conf, at every start and reload;\n"
	                   "# edit that instead. Read by pppd's radius plugin (pppd-radius(8)).\n";
	conf += "authserver " + serverList(r.authServers) + "\n";
	conf += "acctserver " + serverList(r.accountingServers) + "\n";
	conf += "servers " + dir + "/servers\n";
	conf += "dictionary " + dir + "/dictionary\n";
	conf += "mapfile " + dir + "/port-id-map\n";
	conf += "seqfile " + dir + "/radius.seq\n";
	conf += "radius_timeout " + std::to_string(r.timeout.count()) + "\n";
	conf += "radius_retries " + std::to_string(r.retries) + "\n";
	if (!nas.empty())
		conf += "nas_identifier " + nas + "\n";

	// One line per server address (the plugin looks the secret up by address).
	std::vector<IpAddress> hosts;
	for (const auto *list : {&r.authServers, &r.accountingServers})
		for (const RadiusServer &s : *list)
			if (std::find(hosts.begin(), hosts.end(), s.address) == hosts.end())
				hosts.push_back(s.address);
	std::string servers = "# Written by l2tpsecd from [radius] secret_file: server address and shared secret.\n";
	for (const IpAddress &h : hosts)
		servers += h.str() + "\t" + (r.secret ? r.secret->value : std::string()) + "\n";

	return {{"radiusclient.conf", conf},
	        {"servers", servers},
	        {"dictionary", std::string(kDictionary)},
	        {"port-id-map", "# NAS-Port is the ppp unit number; no tty names to map.\n"}};
}

Result<void> writeRadiusClientFiles(const RadiusConfig &r)
{
	if (::mkdir(r.runtimeDir.c_str(), 0700) < 0 && errno != EEXIST)
		return sysError("[radius]: cannot create " + r.runtimeDir);
	struct stat st {};
	if (::lstat(r.runtimeDir.c_str(), &st) < 0)
		return sysError("[radius]: " + r.runtimeDir);
	if (!S_ISDIR(st.st_mode))
		return Error{ENOTDIR, "[radius]: " + r.runtimeDir + " is not a directory"};
	if ((st.st_mode & 077) && ::chmod(r.runtimeDir.c_str(), 0700) < 0)
		return sysError("[radius]: cannot chmod 700 " + r.runtimeDir);
	for (const RadiusFile &f : radiusClientFiles(r, nasIdentifierOf(r)))
		if (auto w = writeFile(r.runtimeDir, f); !w)
			return w;
	return {};
}

std::string nasIdentifierOf(const RadiusConfig &r)
{
	if (!r.nasIdentifier.empty())
		return r.nasIdentifier;
	char name[HOST_NAME_MAX + 1] = {};
	std::string host;
	if (::gethostname(name, sizeof name - 1) == 0)
		host = name;
	return host.empty() ? "l2tpsec" : host;
}

void removeRadiusClientFiles(const RadiusConfig &r)
{
	for (const RadiusFile &f : radiusClientFiles(r, {}))
		::unlink((r.runtimeDir + "/" + f.name).c_str());
	::unlink((r.runtimeDir + "/radius.seq").c_str());
	::rmdir(r.runtimeDir.c_str());
}

} // namespace l2tpsec::ppp
