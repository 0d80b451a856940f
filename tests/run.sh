#!/bin/sh
# Runs every test suite and ends with one line: "N passed, N failed".
#   tests/run.sh BUILD_DIR [unit|http|browser]...
# Unit suites are Criterion executables; HTTP and browser suites use
# node's test runner against a real `byline serve` on 127.0.0.1.
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
shift 2>/dev/null || true
kinds=${*:-unit cli http browser validity}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count_criterion() {
	# "[====] Synthesis: Tested: 6 | Passing: 6 | Failing: 0 | Crashing: 0"
	line=$(grep 'Synthesis:' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		failed=$((failed + 1))
		return
	fi
	p=$(echo "$line" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
	f=$(echo "$line" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
	c=$(echo "$line" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
	passed=$((passed + p))
	failed=$((failed + f + c))
}

count_node() {
	p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -n 1)
	if [ -z "$p" ]; then
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + p))
	failed=$((failed + ${f:-0}))
}

node_deps() {
	# Install when missing, and again whenever the lock file changed.
	if [ ! -f tests/node_modules/.package-lock.json ] ||
	    [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
		(cd tests && npm ci --no-audit --no-fund --loglevel=error) || return 1
	fi
}

for kind in $kinds; do
	case $kind in
	unit)
		for exe in $(find "$build/tests/unit" -type f -perm -u+x -name 'unit-*' | sort); do
			echo "== unit: $(basename "$exe")"
			BYLINE_DATADIR=$(pwd) "$exe" --jobs 2 >"$log" 2>&1
			status=$?
			grep -E 'FAIL|Crash|Warning|Synthesis' "$log" | tail -n 30
			count_criterion
			if [ $status -ne 0 ] && ! grep -q 'Failing: [1-9]\|Crashing: [1-9]' "$log"; then
				failed=$((failed + 1))
			fi
		done
		;;
	cli|http|browser|validity)
		if ! node_deps; then
			echo "== $kind: cannot install the node test dependencies"
			failed=$((failed + 1))
			continue
		fi
		for t in tests/$kind/*.test.mjs; do
			[ -f "$t" ] || continue
			echo "== $kind: $(basename "$t")"
			BYLINE_BIN="$(pwd)/$build/byline" BYLINE_DATADIR=$(pwd) \
			    node --test --test-reporter=tap "$t" >"$log" 2>&1
			grep -E '^not ok|^# (pass|fail)' "$log"
			if grep -q '^not ok' "$log"; then
				grep -B2 -A30 '^not ok' "$log" | head -n 80
			fi
			count_node
		done
		;;
	*)
		echo "unknown suite kind '$kind'" >&2
		exit 2
		;;
	esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
