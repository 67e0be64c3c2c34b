#pragma once
// The crypto known-answer tests' names for the shared hex helpers.

#include "../../support/hex.h"

namespace l2tpsec::crypto::test {

using l2tpsec::test::bytes;
using l2tpsec::test::hex;

} // namespace l2tpsec::crypto::test
