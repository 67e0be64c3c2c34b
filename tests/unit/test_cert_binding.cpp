// [ike] bind_ppp_user (daemon/cert_binding.h): which PPP users a device
// certificate may sign in as, and the refusal line for the others.

#include "daemon/cert_binding.h"

#include <doctest.h>

using namespace l2tpsec;

namespace {

const ike::PeerCertificate kAlice{
        "C=CH, O=l2tpsec test, CN=alice", {"alice"}, {"Alice@Example.test"}, {"laptop-7.example.test"}};

PppUserBindingConfig mode(PppUserBinding m)
{
	return PppUserBindingConfig{m, {}, {}};
}

PppUserBindingConfig table()
{
	PppUserBindingConfig b{PppUserBinding::Table, {"/etc/l2tpsec/users-by-cert", 7}, {}};
	b.entries = {{"alice@example.test", {"alice", "alice-admin"}, 1},
	             {"LAPTOP-7.example.test", {"alice", "kiosk"}, 2},
	             {"bob", {"bob"}, 3}};
	return b;
}

} // namespace

TEST_CASE("boundUsers: the certificate's CN, email or DNS names, or what the table gives them")
{
	CHECK(boundUsers(mode(PppUserBinding::Off), kAlice).empty());
	CHECK(boundUsers(mode(PppUserBinding::CommonName), kAlice) == std::vector<std::string>{"alice"});
	CHECK(boundUsers(mode(PppUserBinding::Email), kAlice) == std::vector<std::string>{"Alice@Example.test"});
	CHECK(boundUsers(mode(PppUserBinding::Dns), kAlice) == std::vector<std::string>{"laptop-7.example.test"});
	// Every identity of the certificate looked up, without case; each user once.
	CHECK(boundUsers(table(), kAlice) == std::vector<std::string>{"alice", "alice-admin", "kiosk"});
	ike::PeerCertificate nobody{"CN=carol", {"carol"}, {}, {}};
	CHECK(boundUsers(table(), nobody).empty());
}

TEST_CASE("userBound: exact for a CN and a table's users, without case for mail and DNS names")
{
	CHECK(userBound(mode(PppUserBinding::CommonName), kAlice, "alice"));
	CHECK_FALSE(userBound(mode(PppUserBinding::CommonName), kAlice, "Alice"));
	CHECK_FALSE(userBound(mode(PppUserBinding::CommonName), kAlice, "bob"));
	CHECK(userBound(mode(PppUserBinding::Email), kAlice, "alice@example.test"));
	CHECK_FALSE(userBound(mode(PppUserBinding::Email), kAlice, "alice"));
	CHECK(userBound(mode(PppUserBinding::Dns), kAlice, "LAPTOP-7.example.test"));
	CHECK(userBound(table(), kAlice, "kiosk"));
	CHECK_FALSE(userBound(table(), kAlice, "Kiosk"));
	CHECK_FALSE(userBound(table(), kAlice, "bob"));
	CHECK_FALSE(userBound(mode(PppUserBinding::Off), kAlice, "alice"));
}

TEST_CASE("bindingRefusal: one line naming the peer, the certificate and the user; none when bound or off")
{
	CHECK_FALSE(bindingRefusal(mode(PppUserBinding::Off), std::nullopt, "bob", "192.0.2.2"));
	CHECK_FALSE(bindingRefusal(mode(PppUserBinding::CommonName), kAlice, "alice", "192.0.2.2"));
	CHECK(bindingRefusal(mode(PppUserBinding::CommonName), kAlice, "bob", "192.0.2.2") ==
	      "peer 192.0.2.2: PPP user bob is not bound to certificate CN=alice ([ike] bind_ppp_user = \"cn\"): "
	      "refused");
	CHECK(bindingRefusal(mode(PppUserBinding::Email), kAlice, "bob", "192.0.2.2") ==
	      "peer 192.0.2.2: PPP user bob is not bound to certificate email Alice@Example.test ([ike] "
	      "bind_ppp_user = \"email\"): refused");
	CHECK(bindingRefusal(table(), kAlice, "bob", "198.51.100.7") ==
	      "peer 198.51.100.7: PPP user bob is not bound to certificate CN=alice, email Alice@Example.test, DNS "
	      "laptop-7.example.test ([ike] bind_ppp_user = \"/etc/l2tpsec/users-by-cert\", which gives it alice, "
	      "alice-admin, kiosk): refused");
	ike::PeerCertificate carol{"CN=carol", {"carol"}, {}, {}};
	CHECK(bindingRefusal(table(), carol, "carol", "192.0.2.2") ==
	      "peer 192.0.2.2: PPP user carol is not bound to certificate CN=carol ([ike] bind_ppp_user = "
	      "\"/etc/l2tpsec/users-by-cert\", which gives it no user): refused");
	// A certificate without the names the mode binds to binds no one.
	ike::PeerCertificate bare{"O=Example, OU=devices", {}, {}, {}};
	CHECK(bindingRefusal(mode(PppUserBinding::CommonName), bare, "alice", "192.0.2.2") ==
	      "peer 192.0.2.2: PPP user alice is not bound to certificate 'O=Example, OU=devices' (no CN in it) "
	      "([ike] bind_ppp_user = \"cn\"): refused");
	// A pre-shared-key peer (or one without IPsec) has no certificate.
	CHECK(bindingRefusal(mode(PppUserBinding::CommonName), std::nullopt, "alice", "192.0.2.2") ==
	      "peer 192.0.2.2: PPP user alice came without a device certificate (IKE with a pre-shared key, or no "
	      "IPsec), and [ike] bind_ppp_user = \"cn\" needs one: refused");
}
