#include "tools/dp/commands.h"

namespace l2tpsec::dp {

void addXfrmCommands(CLI::App &, Outcome &) {}

} // namespace l2tpsec::dp
