#pragma once
// The IKE tests' names for the shared hex helpers (golden packets read like
// the RFC diagrams and tcpdump output they come from).

#include "../../support/hex.h"

namespace l2tpsec::ike::test {

using l2tpsec::test::concat;
using l2tpsec::test::hex;

} // namespace l2tpsec::ike::test
