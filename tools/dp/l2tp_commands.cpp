#include "tools/dp/commands.h"

namespace l2tpsec::dp {

void addL2tpCommands(CLI::App &, Outcome &) {}

} // namespace l2tpsec::dp
