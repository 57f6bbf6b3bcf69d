# lib.sh: helpers for CLI tests. Each check prints "ok - what" or
# "not ok - what", counted by tests/run. Tests run with BIN (the tools),
# FIX (fixtures) and a fresh scratch directory T as the working directory.
set -u
: "${BIN:?}" "${FIX:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/sk-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
PATH="$BIN:$PATH"
fails=0

ok() { printf 'ok - %s\n' "$1"; }
notok() { printf 'not ok - %s\n' "$1"; fails=$((fails + 1)); }

# expect_ok "what" cmd args...     : command must exit 0
expect_ok() {
	local what=$1; shift
	if "$@" >"$T/out" 2>"$T/err"; then ok "$what"; else
		notok "$what (exit $?: $(head -c 300 "$T/err"))"; fi
}
# expect_exit CODE "what" cmd args... : command must exit CODE with one
# line on stderr (a clear message), and no crash
expect_exit() {
	local code=$1 what=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"; local rc=$?
	local nl; nl=$(wc -l <"$T/err")
	if [ "$rc" -eq "$code" ] && [ "$nl" -ge 1 ]; then ok "$what: $(head -n1 "$T/err")"
	else notok "$what (exit $rc, want $code; stderr: $(head -c 300 "$T/err"))"; fi
}
# expect_grep "what" PATTERN FILE
expect_grep() {
	if grep -qE -- "$2" "$3"; then ok "$1"; else notok "$1 (no /$2/ in $3)"; fi
}
# expect_absent "what" FILE : no output file (nor temporary) left behind
expect_absent() {
	if [ ! -e "$2" ] && ! ls "$2".tmp* >/dev/null 2>&1; then ok "$1"; else notok "$1 ($2 exists)"; fi
}
# expect_close "what" GOT WANT RTOL
expect_close() {
	if awk -v g="$2" -v w="$3" -v r="$4" 'BEGIN{d=g-w; if(d<0)d=-d; a=w<0?-w:w; exit !(d<=r*a && g==g+0)}'; then
		ok "$1: $2 ~ $3"; else notok "$1: got $2 want $3 (rtol $4)"; fi
}
# man_lists_help TOOL [MAN]: every long option of TOOL --help is in its man
# page (written \-\-name, its inner hyphens as - or \-)
man_lists_help() {
	local tool=$1 man=${2:-$TOP/man/man1/$1.1} missing= o n
	for o in $("$tool" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		n=${o#--}
		grep -qF -- "\\-\\-$n" "$man" ||
			grep -qF -- "\\-\\-$(printf %s "$n" | sed 's/-/\\-/g')" "$man" ||
			missing="$missing $o"
	done
	[ -z "$missing" ] && ok "$tool: man page documents the options of --help" ||
		notok "$tool: man page lacks$missing"
}
# standard CLI contract of every tool: --help (stdout, exit 0), --version,
# unknown option (exit 2)
std_cli() {
	local tool=$1
	expect_ok "$tool --help exits 0" "$tool" --help
	expect_grep "$tool --help prints usage on stdout" '[Uu]sage' "$T/out"
	expect_ok "$tool --version exits 0" "$tool" --version
	expect_grep "$tool --version names the tool" "$tool" "$T/out"
	expect_exit 2 "$tool rejects an unknown option" "$tool" --no-such-option
	[ "$(wc -l <"$T/err")" -eq 2 ] && grep -q "^Try '$tool --help'" "$T/err" &&
		ok "$tool: an unknown option gives getopt's line and a pointer to --help" ||
		notok "$tool: unknown option: $(head -c 200 "$T/err")"
}
# signal_after_checkpoint SIG RST CMD...: run CMD in the background and
# send it SIG a moment after its first checkpoint RST appears (written by
# rename, so complete), so that the interruption falls mid-run however
# fast the machine is; gives up waiting after 120 s.
signal_after_checkpoint() {
	local sig=$1 rst=$2 pid i=0
	shift 2
	"$@" &
	pid=$!
	while [ ! -f "$rst" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 2400 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	sleep 0.1
	kill -s "$sig" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}
finish() { exit $((fails > 0)); }
