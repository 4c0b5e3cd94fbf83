# The installed bash completion: `sparsekit <TAB>` offers every tool,
# `sparsekit TOOL --<TAB>` and `TOOL --<TAB>` offer exactly the long options of
# TOOL's --help, a non-option word falls back to file names, eval keeps bash's
# own completion, and bash-completion's on-demand loader finds it by any tool's
# name (when bash-completion is installed).
source "$SK_ROOT/tests/cli/lib.sh"
source "$SK_ROOT/tests/install/lib.sh"

dest=$SK_TMP/dest
sk_install "$dest"
bin=$dest/usr/bin comp=$dest/usr/share/bash-completion/completions
sk_tool_names > tools.txt

cat > probe-completion.sh <<'SH'
# complete WORD... — COMPREPLY (sorted, one a line) for the line WORD... with the cursor on the last word
complete_line() {
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    local f; f=$(complete -p "$1" | sed -E 's/.*-F ([^ ]+).*/\1/')
    "$f" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort
}
SH

# The long options that a tool's --help defines (in the tag of an option line:
# indented, starting with '-', up to two spaces), sorted.
long_options() {
    "$bin/$1" --help | awk '/^[ \t]+-/ { sub(/^[ \t]+/, ""); sub(/  .*/, ""); print }' |
        grep -oE -- '--[A-Za-z0-9][A-Za-z0-9-]*' | LC_ALL=C sort -u
}

run_bash() {  # script → output; the installed tools first on PATH, the completion sourced
    env -i PATH="$bin:/usr/bin:/bin" HOME="$SK_TMP" bash --norc --noprofile -c \
        "source '$comp/sparsekit'; source '$SK_TMP/probe-completion.sh'; $1"
}

got=$(run_bash 'complete_line sparsekit ""' | grep -v '^--')
want=$(grep -vx sparsekit tools.txt | LC_ALL=C sort)
[ "$got" = "$want" ] || fail "sparsekit <TAB> offers '$(echo $got)', not the tools '$(echo $want)'"
[ "$(run_bash 'complete_line sparsekit fi')" = fista ] || fail "sparsekit fi<TAB> is not fista"
[ "$(run_bash 'complete_line sparsekit --l')" = --list ] || fail "sparsekit --l<TAB> is not --list"

for t in $(cat tools.txt); do
    [ "$t" = sparsekit ] && continue
    want=$(long_options "$t")
    got=$(run_bash "complete_line sparsekit $t --")
    [ "$got" = "$want" ] || fail "sparsekit $t --<TAB>: '$(echo $got)', --help has '$(echo $want)'"
    [ "$t" = eval ] && continue
    got=$(run_bash "complete_line $t --")
    [ "$got" = "$want" ] || fail "$t --<TAB>: '$(echo $got)', --help has '$(echo $want)'"
done
[ "$(run_bash 'complete_line fista --la')" = --lambda ] || fail "fista --la<TAB> is not --lambda"
[ "$(run_bash 'complete_line sparsekit eval --cod')" = --codes ] || fail "sparsekit eval --cod<TAB> is not --codes"
[ "$(run_bash 'complete_line sparsekit eval --co')" = "$(printf -- '--codes\n--columns')" ] ||
    fail "sparsekit eval --co<TAB>: $(run_bash 'complete_line sparsekit eval --co')"
# freeze-decoder's help mentions fista's --dict and --bias; it has neither.
[ -z "$(run_bash 'complete_line freeze-decoder --di')" ] || fail "freeze-decoder --di<TAB> offers fista's --dict"
[ "$(run_bash 'complete_line freeze-decoder --mo')" = "$(printf -- '--mode\n--model')" ] || fail "freeze-decoder --mo<TAB>: $(run_bash 'complete_line freeze-decoder --mo')"
# A file argument: nothing from us, so that -o default completes file names.
[ -z "$(run_bash 'complete_line fista --dict da')" ] || fail "fista --dict da<TAB> should fall back to file names"
run_bash 'complete -p fista' | grep -q -- '-o default' || fail "fista's completion has no file-name fallback"
# eval is bash's builtin: not ours.
! run_bash 'complete -p eval' 2>/dev/null | grep -q _sparsekit || fail "the completion took over bash's eval"

# bash-completion's loader finds the file by a tool's name (the symlink).
if [ -f /usr/share/bash-completion/bash_completion ]; then
    out=$(env -i PATH="$bin:/usr/bin:/bin" HOME="$SK_TMP" XDG_DATA_DIRS="$dest/usr/share" \
        bash --norc --noprofile -ic 'source /usr/share/bash-completion/bash_completion; __load_completion dl-fista; complete -p dl-fista' 2>/dev/null)
    grep -q _sparsekit <<< "$out" || fail "bash-completion did not load the completion for dl-fista: $out"
else
    echo "note: bash-completion is not installed; its on-demand loading is not checked"
fi
