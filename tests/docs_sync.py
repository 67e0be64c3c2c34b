#!/usr/bin/env python3
"""The man pages' lists against the code, both ways.

test_config_docs.cpp checks that l2tpsec.conf(5) documents every config key;
this checks the other lists a reader relies on and that drift silently when
a command, option, log component or key is added, renamed or removed:

- every option of l2tpsecd, l2tpctl and l2tpsec-dp is in its man page, and
  every option a man page lists as its program's exists;
- every l2tpctl and l2tpsec-dp subcommand has an entry in its man page, and
  every entry is a subcommand;
- every control-protocol command (include/l2tpsec/control.h) is listed in
  l2tpctl(8)'s CONTROL PROTOCOL section, and nothing else is;
- the log components the code writes are exactly those l2tpsecd(8)'s
  LOGGING section lists;
- every key l2tpsec.conf(5) documents (`.It Cm key No = ...`) is a key the
  loader knows.

Usage: docs_sync.py SOURCE_ROOT
"""

import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
problems = []


def read(rel):
    return (root / rel).read_text()


def sources(*globs):
    text = ""
    for g in globs:
        for p in sorted(root.glob(g)):
            text += p.read_text()
    return text


def section(man, name, next_name=None):
    """The text of `.Sh NAME` up to the next .Sh (or `.Sh next_name`)."""
    start = man.index(f".Sh {name}\n")
    end = man.index(f".Sh {next_name}\n", start) if next_name else man.find("\n.Sh ", start + 1)
    return man[start:end if end != -1 else len(man)]


def check_sets(what, in_code, in_man, page):
    for name in sorted(in_code - in_man):
        problems.append(f"{page}: {what} '{name}' is in the code but not in the man page")
    for name in sorted(in_man - in_code):
        problems.append(f"{page}: {what} '{name}' is in the man page but not in the code")


# ---- options -----------------------------------------------------------------

OPTION_CALL = re.compile(r'add_(?:option|flag)\(\s*"([^"]+)"')


def code_options(text):
    names = {"-h", "--help"}  # CLI11 adds them to every program
    for spec in OPTION_CALL.findall(text):
        for name in spec.split(","):
            name = name.strip()
            if name.startswith("-"):
                names.add(name)
    return names


def man_options(man):
    # mdoc writes --foo as "Fl \-foo" and -c as "Fl c"; "Fl \-" alone is the
    # end-of-options marker, not an option.
    names = set()
    for m in re.finditer(r"Fl (\\-[a-z0-9][a-z0-9-]*|[A-Za-z])\b", man):
        names.add("-" + m.group(1).replace("\\-", "-"))
    return names


def check_options(page, code_globs, exclude=()):
    man = read(page)
    in_code = code_options(sources(*code_globs))
    in_man = man_options(man) - (set(exclude) - in_code)
    check_sets("option", in_code, in_man, page)


# l2tpsecd(8) also names pppd's and l2tpctl's options in its prose.
check_options("man/l2tpsecd.8", ["src/daemon/main.cpp"])
# l2tpctl(8) may name l2tpsecd's options when it says how the daemon runs.
check_options("man/l2tpctl.8", ["tools/l2tpctl/*.cpp"], exclude=code_options(sources("src/daemon/main.cpp")))
check_options("man/l2tpsec-dp.8", ["tools/dp/*.cpp"])

# ---- subcommands -------------------------------------------------------------


def man_items(text):
    """The words after `.It Cm` that name a command (up to the first macro)."""
    words = set()
    # ".It Cm name ..." or, for a long head, ".It Xo" then ".Cm name ...".
    for m in re.finditer(r"^\.It (?:Xo\n\.)?Cm ([a-z][a-z0-9 -]*?)(?: (?:Ar|Fl|Op|Oo|No|Ns)\b.*)?$", text, re.M):
        words.add(m.group(1).strip())
    return words


SUBCOMMAND = re.compile(r'(?:([\w.]+)\s*=\s*)?([\w.]+)(?:->|\.)add_subcommand\(\s*"([a-z0-9-]+)"')


def cli_subcommands(globs):
    """Each file's CLI11 subcommands as the man pages name them: "show", or
    "PARENT CHILD" for a nested one (the parent alone is then no entry)."""
    paths = set()
    for g in globs:
        for p in sorted(root.glob(g)):
            name_of, parent_of = {}, {}
            for lhs, parent, name in SUBCOMMAND.findall(p.read_text()):
                if lhs:
                    name_of[lhs] = name
                parent_of[name] = name_of.get(parent)
            parents = {v for v in parent_of.values() if v}
            for name, parent in parent_of.items():
                if name in parents:
                    continue
                path = [name]
                while parent:
                    path.insert(0, parent)
                    parent = parent_of.get(parent)
                paths.add(" ".join(path))
    return paths


l2tpctl_man = read("man/l2tpctl.8")
l2tpctl_src = sources("tools/l2tpctl/*.cpp")
# The command table's entries ({"status", "...", ...}) and the CLI11 ones.
ctl_code = set(re.findall(r'^\s*\{"([a-z-]+)", "', l2tpctl_src, re.M)) | cli_subcommands(["tools/l2tpctl/*.cpp"])
if len(ctl_code) < 5:
    problems.append("tools/l2tpctl: found no subcommands (did the command table change shape?)")
commands_section = l2tpctl_man[l2tpctl_man.index(".Sh DESCRIPTION\n"):l2tpctl_man.index(".Sh CONTROL PROTOCOL\n")]
check_sets("subcommand", ctl_code, man_items(commands_section), "man/l2tpctl.8")

dp_code = cli_subcommands(["tools/dp/*.cpp"])
if len(dp_code) < 5:
    problems.append("tools/dp: found no subcommands (did the registration change shape?)")
check_sets("subcommand", dp_code, man_items(section(read("man/l2tpsec-dp.8"), "DESCRIPTION")), "man/l2tpsec-dp.8")

# ---- control protocol ----------------------------------------------------------

protocol = set(re.findall(r'inline constexpr const char \*k\w+ = "([a-z-]+)";',
                          read("include/l2tpsec/control.h").split("namespace cmd {")[1].split("}")[0]))
if not protocol:
    problems.append("include/l2tpsec/control.h: found no command constants in namespace cmd")
check_sets("control command", protocol, man_items(section(l2tpctl_man, "CONTROL PROTOCOL")), "man/l2tpctl.8")

# ---- log components ------------------------------------------------------------

code = sources("src/**/*.cpp", "src/**/*.h")
components = set(re.findall(r'\blog(?:Debug|Info|Warn|Error)\(\s*"([a-z0-9_-]+)"', code))
components |= set(re.findall(r'constexpr std::string_view k\w*Log\s*=\s*"([a-z0-9_-]+)"', code))
components |= set(re.findall(r'log::write\(\s*\w+,\s*"([a-z0-9_-]+)"', code))
logging = section(read("man/l2tpsecd.8"), "LOGGING")
listed = logging[logging.index("component names"):]
listed = listed[:listed.index(".El")]
check_sets("log component", components, set(re.findall(r"^\.It Cm ([a-z0-9_-]+)$", listed, re.M)),
           "man/l2tpsecd.8 LOGGING")

# ---- config keys (the other direction is test_config_docs.cpp) -----------------

keys = set(re.findall(r'\{"[a-z0-9]+", "([a-z0-9_]+)",', read("src/config/config_keys.cpp")))
if not keys:
    problems.append("src/config/config_keys.cpp: found no keys (did the table change shape?)")
documented = set(re.findall(r"^\.It Cm ([a-z_]+) No = ", read("man/l2tpsec.conf.5"), re.M))
for k in sorted(documented - keys):
    problems.append(f"man/l2tpsec.conf.5: key '{k}' is documented but the loader does not know it")

for p in problems:
    print(p)
print(f"docs_sync: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
