#!/bin/bash
# bash completion for stafctl, stacctl and stasadm (completion/): each file loads in a
# plain bash, registers its function with `complete`, offers exactly the sub-commands
# the tool's --help lists, and completes options and option values.
. "$(dirname "$0")/lib.sh"

: "${STAS_BUILD_DIR:?run through ctest}"
C=$STAS_SRC_DIR/completion

# complete_words TOOL WORD... : the candidates for the last WORD, one per line
complete_words() {
    local tool=$1; shift
    bash --norc --noprofile -c '
        . "$1/$2" || exit 1
        shift 2
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        fn=$(complete -p "${COMP_WORDS[0]}" | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
        "$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$C" "$tool" "$tool" "$@"
}
# help_commands TOOL: the {a,b,c} list of the usage line, one per line, sorted
help_commands() {
    "$STAS_BUILD_DIR/$1" --help | sed -n 's/^[Uu]sage:.*{\([^}]*\)}.*/\1/p' | tr , '\n' | sort
}
lines() { printf '%s\n' "$@" | sort; }

for tool in stafctl stacctl stasadm; do
    run bash --norc --noprofile -c ". '$C/$tool' && complete -p $tool"
    expect_eq "$tool: sourcing registers its completion" "complete -F _$tool $tool" "$OUT"
    expect_eq "$tool: sourcing prints nothing on stderr" "" "$ERR"
    expect_eq "$tool: sub-commands are those of --help" "$(help_commands $tool)" "$(complete_words $tool "")"
    globals=(-h --help -v --version)
    [ $tool = stasadm ] && globals+=(-c --conf-file)
    expect_eq "$tool: global options" "$(lines "${globals[@]}")" "$(complete_words $tool -)"
done

expect_eq "stafctl t<TAB>" "$(lines tron troff)" "$(complete_words stafctl t)"
expect_eq "stafctl ls -<TAB>" "$(lines -d --detailed)" "$(complete_words stafctl ls -)"
expect_eq "stafctl adlp --<TAB>" "--detailed" "$(complete_words stafctl adlp --)"
expect_eq "stafctl dlp --t<TAB>" "$(lines --traddr --transport --trsvcid)" "$(complete_words stafctl dlp --t)"
expect_eq "stafctl dlp -t <TAB>" "$(lines tcp rdma fc loop)" "$(complete_words stafctl dlp -t "")"
expect_eq "stafctl dlp -f l<TAB> (interfaces)" "lo" "$(complete_words stafctl dlp -f l)"
expect_eq "stafctl dlp -a <TAB> (free text)" "" "$(complete_words stafctl dlp -a "")"
expect_eq "stafctl -v s<TAB>" "status" "$(complete_words stafctl -v s)"
expect_eq "stacctl ls --<TAB>" "--detailed" "$(complete_words stacctl ls --)"
expect_eq "stacctl tron <TAB>" "" "$(complete_words stacctl tron "")"
expect_eq "stasadm -c FILE h<TAB>" "$(lines hostid hostnqn)" "$(complete_words stasadm -c /tmp/x h)"
expect_eq "stasadm hostnqn -<TAB>" "$(lines -f --file)" "$(complete_words stasadm hostnqn -)"
touch "$E2E_TMP/hostnqn.new"
expect_eq "stasadm hostnqn -f <file><TAB>" "$E2E_TMP/hostnqn.new" \
    "$(complete_words stasadm hostnqn -f "$E2E_TMP/hostnqn.")"
expect_eq "stasadm set-s<TAB>" "set-symname" "$(complete_words stasadm set-s)"
finish
