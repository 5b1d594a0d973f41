#!/bin/sh
# tests/valgrind/run.sh [SCRIPT...] — make check-valgrind: the integration
# scripts (default: every tests/it/*.sh that make check runs, less those
# listed in SKIP below) with pintgw, pintsim and pintcall under valgrind's
# memcheck. A script passes when it passes and every process it started
# left an empty valgrind log. TAP lines, then "N passed, N failed".
#
# Environment: top_srcdir, VG_BUILD (the build tree, default .), KEEP=1
# keeps the logs.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=$(cd "${VG_BUILD:-.}" && pwd)
here=$top/tests/valgrind
# These judge events inside fixed time windows, which valgrind's
# slowdown moves (not what memory does): retransmissions against T1 =
# 100 ms under loss; failovers while a gateway rests; a CANCEL 700 ms
# into a call that must be answered by then; NOTIFY versions in a trace
# that retransmissions under the slowdown repeat; a 1 s subscription
# whose end races the "connected" NOTIFY.
SKIP="loss.sh sim_failover.sh sim_cancel.sh sim_dialog.sh sim_monitoring.sh"

if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind is not installed (scripts/setup.sh installs it)"
	exit 1
fi
if [ $# -eq 0 ]; then
	set -- $(sed -n '/^it_tests = /,/^TESTS/p' "$top/Makefile.am" |
		grep -o 'tests/it/[a-z0-9_]*\.sh')
fi
logs=$(mktemp -d "${TMPDIR:-/tmp}/pintgw-vg.XXXXXX") || exit 99
passed=0
failed=0
n=0
for t in "$@"; do
	name=$(basename "$t")
	case " $SKIP " in *" $name "*) continue ;; esac
	n=$((n + 1))
	dir=$logs/${name%.sh}
	mkdir -p "$dir"
	try=0
	while :; do
		VG_LOGS=$dir VG_BUILD=$build PINTGW=$here/pintgw \
			PINTSIM=$here/pintsim PINTCALL=$here/pintcall \
			top_srcdir=$top sh "$top/$t" >"$dir/output" 2>&1
		rc=$?
		dirty=$(find "$dir" -name 'vg.*.log' -size +0 | sort)
		# a timing miss under the slowdown, memory clean: up to twice more
		[ $rc -ne 0 ] && [ -z "$dirty" ] && [ $try -lt 2 ] || break
		try=$((try + 1))
		rm -f "$dir"/vg.*.log
	done
	procs=$(find "$dir" -name 'vg.*.log' | wc -l)
	if [ $rc -eq 0 ] && [ -z "$dirty" ]; then
		passed=$((passed + 1))
		echo "ok $n - $name ($procs processes clean)"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name (exit $rc)"
		tail -n 15 "$dir/output" | sed 's/^/# /'
		for f in $dirty; do
			head -n 60 "$f" | sed 's/^/# /'
		done
	fi
done
if [ "${KEEP:-0}" = 1 ]; then
	echo "# logs kept in $logs"
else
	rm -rf "$logs"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
