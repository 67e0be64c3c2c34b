#pragma once
// Names of registry values for log lines and error messages ("QUICK_MODE",
// "NO-PROPOSAL-CHOSEN"); unknown values come back as their number.

#include "ike/codec/isakmp_types.h"

#include <string>

namespace l2tpsec::ike {

std::string payloadTypeName(PayloadType t);
std::string exchangeTypeName(ExchangeType t);
std::string notifyTypeName(NotifyType t);

} // namespace l2tpsec::ike
