#!/bin/bash
# The generated bash completion (l2tpctl completion bash) offers every
# subcommand l2tpctl --help lists, the global options, and files after
# --socket. Usage: completion.sh L2TPCTL COMPLETION_FILE
set -uo pipefail
ctl=$1 script=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

# shellcheck source=/dev/null
source "$script" || fail "cannot source $script"
[[ $(complete -p l2tpctl 2>/dev/null) == *"-F _l2tpctl"* ]] || fail "no completion registered for l2tpctl"
# complete WORD...: runs the completion function on the words, the last one
# being completed; the candidates land in COMPREPLY.
complete_words() {
  COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _l2tpctl l2tpctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
}
has() { local w=$1; shift; local c; for c in "$@"; do [[ $c == "$w" ]] && return 0; done; return 1; }

# The subcommands, from the help text (a different path than the generator's).
mapfile -t subs < <("$ctl" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
[[ ${#subs[@]} -ge 9 ]] || fail "l2tpctl --help lists only ${#subs[@]} subcommands: ${subs[*]}"
complete_words l2tpctl ""
for s in "${subs[@]}"; do
  has "$s" "${COMPREPLY[@]}" || fail "'l2tpctl ' does not offer '$s' (offers: ${COMPREPLY[*]})"
done
has completion "${COMPREPLY[@]}" && fail "the hidden 'completion' subcommand is offered"
[[ ${#COMPREPLY[@]} == "${#subs[@]}" ]] || fail "'l2tpctl ' offers ${COMPREPLY[*]}, help lists ${subs[*]}"

complete_words l2tpctl st
has status "${COMPREPLY[@]}" || fail "'l2tpctl st' does not offer status: ${COMPREPLY[*]}"
has version "${COMPREPLY[@]}" && fail "'l2tpctl st' offers version"

complete_words l2tpctl --
for o in --socket --json --timeout --help; do
  has "$o" "${COMPREPLY[@]}" || fail "'l2tpctl --' does not offer $o: ${COMPREPLY[*]}"
done
# After a global option with a value, the subcommands again.
complete_words l2tpctl --timeout 100 se
has sessions "${COMPREPLY[@]}" || fail "'l2tpctl --timeout 100 se' does not offer sessions: ${COMPREPLY[*]}"
# Global options after the command ("status --json").
complete_words l2tpctl status --j
has --json "${COMPREPLY[@]}" || fail "'l2tpctl status --j' does not offer --json: ${COMPREPLY[*]}"
complete_words l2tpctl status ""
[[ ${#COMPREPLY[@]} == 0 ]] || fail "'l2tpctl status ' offers ${COMPREPLY[*]}"
# --socket takes a path.
tmp=$(mktemp -d /tmp/l2tpsec-compl.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/control.sock"
complete_words l2tpctl --socket "$tmp/con"
has "$tmp/control.sock" "${COMPREPLY[@]}" || fail "'--socket PATH' does not complete files: ${COMPREPLY[*]}"
echo "bash completion offers: $(complete_words l2tpctl ""; echo "${COMPREPLY[*]}")"
