#include "usage.h"

#include "common/suggest.h"

#include <fmt/format.h>

#include <vector>

namespace l2tpsec::ctl {

namespace {

class HelpFormatter : public CLI::Formatter {
public:
	std::string make_help(const CLI::App *app, std::string name, CLI::AppFormatMode mode) const override
	{
		if (mode == CLI::AppFormatMode::Sub)
			return make_expanded(app);
		std::string out = make_description(app) + make_usage(app, std::move(name)) + make_positionals(app) +
		                  make_groups(app, mode);
		// CLI11 shows only the subcommand's own options; the ones above
		// apply as well (fallthrough).
		for (const CLI::App *p = app->get_parent(); p != nullptr; p = p->get_parent()) {
			const CLI::Option *help = p->get_help_ptr();
			auto opts = p->get_options(
			        [help](const CLI::Option *o) { return o->nonpositional() && o != help; });
			if (opts.empty())
				continue;
			out += make_group(p->get_parent() ? fmt::format("Options of {}", p->get_name())
			                                  : "Global options",
			                  false, opts);
		}
		return out + make_subcommands(app, mode) + "\n" + make_footer(app);
	}
};

} // namespace

std::shared_ptr<CLI::Formatter> helpFormatter()
{
	return std::make_shared<HelpFormatter>();
}

std::optional<std::string> unknownCommand(const CLI::App &app)
{
	// The deepest command given that wants a subcommand and got none.
	const CLI::App *at = &app;
	std::string path;
	for (bool deeper = true; deeper;) {
		deeper = false;
		for (const CLI::App *sub : at->get_subcommands())
			if (sub->parsed()) {
				at = sub;
				path += sub->get_name() + " ";
				deeper = true;
				break;
			}
	}
	if (at->get_require_subcommand_min() == 0)
		return std::nullopt;
	// A word a subcommand did not take falls through to the top (fallthrough()).
	std::string word;
	for (const std::string &w : app.remaining(true))
		if (!w.starts_with("-")) {
			word = w;
			break;
		}
	if (word.empty())
		return std::nullopt;
	std::vector<std::string> names;
	for (const CLI::App *sub : at->get_subcommands([](const CLI::App *s) { return !s->get_group().empty(); }))
		names.push_back(sub->get_name());
	std::string hint = suggestion(word, std::vector<std::string_view>(names.begin(), names.end()));
	if (hint.empty())
		return fmt::format("unknown command \"{}{}\"; see l2tpctl {}--help", path, word, path);
	return fmt::format("unknown command \"{}{}\"; did you mean \"{}{}\"?", path, word, path, hint);
}

} // namespace l2tpsec::ctl
