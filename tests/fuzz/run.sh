#!/bin/sh
# Run each libFuzzer target for SECONDS on a scratch copy of its seed
# corpus, JOBS at a time; print the executions per target; fail if any
# target found a crash (its input is kept in fuzz-work/<name>-crash-…
# and printed in base64).
#   tests/fuzz/run.sh SRCDIR SECONDS JOBS target…
set -u
srcdir=$1 seconds=$2 jobs=$3
shift 3
mkdir -p fuzz-work

run_one() {
	t=$1
	name=${t##*/fuzz_}
	rm -rf "fuzz-work/$name"
	mkdir -p "fuzz-work/$name"
	if "./$t" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="fuzz-work/$name-" "fuzz-work/$name" \
		"$srcdir/tests/fuzz/corpus/$name" >"fuzz-work/$name.log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "fuzz-work/$name.log")
		echo "fuzz: $name ok, $execs executions in $seconds s"
	else
		echo "fuzz: $name FAILED"
		tail -40 "fuzz-work/$name.log"
		# CI cleans the tree afterwards: the input goes into the log
		for f in "fuzz-work/$name-"*; do
			[ -f "$f" ] || continue
			echo "fuzz: $f, base64 (base64 -d > tests/fuzz/corpus/$name/NAME):"
			base64 "$f"
		done
		return 1
	fi
}

status=0
running=0
pids=""
for t in "$@"; do
	run_one "$t" &
	pids="$pids $!"
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		for p in $pids; do wait "$p" || status=1; done
		pids=""
		running=0
	fi
done
for p in $pids; do wait "$p" || status=1; done
exit $status
