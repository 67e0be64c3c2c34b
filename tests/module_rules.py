#!/usr/bin/env python3
"""What may include what, checked: every `#include "DIR/..."` in src/ and
tools/ must name a module its own module may use (ALLOWED below). The rule
keeps the engines free of I/O and of the kernel's implementations: IKE and
L2TP see only the kernel interfaces (src/kernel/*.h), the netlink code sees
nothing above it, and only the daemon wires everything together.

A new directory under src/ fails this check until it is given a line in
ALLOWED; CONTRIBUTING.md ("The module map") explains each line.

usage: module_rules.py SOURCE_ROOT
"""
import os
import re
import sys

# module -> the modules it may include (besides itself). A module is a
# directory under src/ (two levels for the ones with sub-modules), or one of
# tools/* and include/l2tpsec.
ALLOWED = {
    "algorithms": set(),
    "common": set(),
    "config": {"common", "algorithms"},
    "crypto": {"common", "algorithms"},
    "kernel": {"common", "algorithms"},
    "kernel/netlink": {"common"},
    "kernel/xfrm": {"common", "kernel", "kernel/netlink"},
    "kernel/l2tp": {"common", "kernel", "kernel/netlink"},
    "kernel/factory": {"common", "kernel", "kernel/xfrm", "kernel/l2tp"},
    "ike/codec": {"common"},
    "ike": {"common", "algorithms", "config", "crypto", "ike/codec", "kernel"},
    "l2tp/codec": {"common", "crypto"},
    "l2tp": {"common", "kernel", "l2tp/codec", "ppp"},
    "ppp": {"common", "config"},
    "dhcp": {"common"},
    "radius": {"common", "crypto"},
    "control": {"common", "l2tpsec"},
    "l2tpsec": {"common"},
    "daemon": {"common", "config", "control", "crypto", "ike", "ike/codec", "kernel", "kernel/factory",
               "kernel/xfrm", "kernel/l2tp", "l2tp", "l2tp/codec", "ppp", "dhcp", "radius", "l2tpsec"},
    "doctor": {"common", "config"},
    "tools/l2tpctl": {"common", "config", "control", "doctor", "l2tpsec"},
    "tools/dp": {"common", "kernel", "kernel/netlink", "kernel/xfrm", "kernel/l2tp"},
    "tools/bench": None,  # benchmarks may use anything
    "tools/install-config": None,
}
SPLIT = {"kernel", "ike", "l2tp", "ppp"}  # modules with sub-modules


def module_of_dir(parts):
    """parts: a path below src/ split at '/', the file name excluded."""
    if len(parts) >= 2 and parts[0] in SPLIT and (parts[0] + "/" + parts[1]) in ALLOWED:
        return parts[0] + "/" + parts[1]
    return parts[0]


def module_of_include(path):
    parts = path.split("/")
    if len(parts) < 2:
        return None  # same directory
    return module_of_dir(parts[:-1])


def main():
    root = sys.argv[1]
    problems = []
    files = 0
    for top in ("src", "tools", "include"):
        for d, _, names in os.walk(os.path.join(root, top)):
            for n in names:
                if not n.endswith((".cpp", ".h", ".c")):
                    continue
                rel = os.path.relpath(os.path.join(d, n), root).split("/")
                if top == "src":
                    mod = module_of_dir(rel[1:-1])
                elif top == "tools":
                    mod = "tools/" + rel[1]
                else:
                    mod = "l2tpsec"
                if mod not in ALLOWED:
                    problems.append(f"{'/'.join(rel)}: module {mod} has no rule in tests/module_rules.py")
                    continue
                files += 1
                allowed = ALLOWED[mod]
                if allowed is None:
                    continue
                with open(os.path.join(d, n), encoding="utf-8") as f:
                    for lineno, line in enumerate(f, 1):
                        m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                        if not m:
                            continue
                        target = module_of_include(m.group(1))
                        if target is None or target == mod or target not in ALLOWED:
                            continue
                        if target not in allowed:
                            problems.append(f"{'/'.join(rel)}:{lineno}: {mod} may not include {m.group(1)} "
                                            f"({target}); see CONTRIBUTING.md, \"The module map\"")
    for p in problems:
        print(p)
    if files == 0:
        print("no source files found under", root)
        return 1
    print(f"{files} files checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
