#!/bin/bash
# The generated bash, zsh and fish completions (l2tpctl completion SHELL)
# parse (zsh and fish only where installed: they are no build dependency),
# name every subcommand l2tpctl --help lists, and complete profile and user
# names from `l2tpctl complete` (a stand-in l2tpctl on PATH here; the daemon
# tests run the real one).
# Usage: completion_scripts.sh L2TPCTL BASH_FILE ZSH_FILE FISH_FILE
set -uo pipefail
ctl=$1 bash_file=$2 zsh_file=$3 fish_file=$4
fail() { echo "FAIL: $*" >&2; exit 1; }

bash -n "$bash_file" || fail "bash -n $bash_file"
for shell in zsh fish; do
  file=${shell}_file
  if command -v "$shell" >/dev/null; then
    "$shell" -n "${!file}" || fail "$shell -n ${!file}"
  else
    echo "($shell is not installed: not parsed)"
  fi
done

# Every subcommand, the user subcommands too, by name in each script.
mapfile -t subs < <("$ctl" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
mapfile -t usersubs < <("$ctl" user --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
[[ ${#subs[@]} -ge 9 && ${#usersubs[@]} -ge 4 ]] || fail "--help lists ${subs[*]}; user --help ${usersubs[*]}"
for file in "$bash_file" "$zsh_file" "$fish_file"; do
  for s in "${subs[@]}" "${usersubs[@]}"; do
    grep -qw -- "$s" "$file" || fail "$file does not name '$s'"
  done
  for hidden in completion complete; do
    grep -qE "(^|[ '\"(])$hidden[):]" "$file" && fail "$file offers the hidden '$hidden'"
  done
done

# Names from the daemon: a stand-in that answers `complete KIND...`.
tmp=$(mktemp -d /tmp/l2tpsec-compl.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/l2tpctl" <<'STUB'
#!/bin/bash
while [[ $1 == --* ]]; do shift 2; done
[[ $1 == complete ]] || exit 64
shift
for kind; do
  case $kind in
    profiles) echo office; echo lab ;;
    users) echo alice; echo bob ;;
    tunnels) echo 7 ;;
    sessions) echo 7/9 ;;
  esac
done
STUB
chmod +x "$tmp/l2tpctl"
export PATH=$tmp:$PATH
# shellcheck source=/dev/null
source "$bash_file" || fail "cannot source $bash_file"
complete_words() {
  COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _l2tpctl l2tpctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
}
expect() { # WANTED... -- WORDS...
  local want=() got
  while [[ $1 != -- ]]; do want+=("$1"); shift; done
  shift
  complete_words "$@"
  got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
  [[ $got == "$(printf '%s\n' "${want[@]}" | sort | tr '\n' ' ')" ]] || fail "'$*' offers '$got', not '${want[*]}'"
}
expect office lab -- l2tpctl connect ""
expect office -- l2tpctl --json connect o
expect lab -- l2tpctl call l
expect -- l2tpctl connect office ""
expect office lab 7 7/9 alice bob -- l2tpctl disconnect ""
expect 7 7/9 -- l2tpctl show ""
expect alice -- l2tpctl user del a
expect bob -- l2tpctl user -c /etc/x.conf passwd b
expect -- l2tpctl user add ""
expect add passwd del list -- l2tpctl user ""
expect -- l2tpctl status ""
if command -v fish >/dev/null; then
  got=$(fish -c "source $fish_file; complete -C 'l2tpctl connect '" | cut -f1 | sort | tr '\n' ' ')
  [[ $got == "lab office " ]] || fail "fish: 'l2tpctl connect ' offers '$got'"
  got=$(fish -c "source $fish_file; complete -C 'l2tpctl user del '" | cut -f1 | sort | tr '\n' ' ')
  [[ $got == "alice bob " ]] || fail "fish: 'l2tpctl user del ' offers '$got'"
fi
echo "completion scripts: bash, zsh, fish parse and name ${#subs[@]} + ${#usersubs[@]} subcommands"
