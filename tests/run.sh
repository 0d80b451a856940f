#!/bin/sh
# Runs every test suite and ends with one line: "N passed, N failed".
#   tests/run.sh BUILD_DIR [unit|cli|http|browser|validity|pg|asan|fuzz]...
# Unit suites are Criterion executables; HTTP and browser suites use
# node's test runner against a real `byline serve` on 127.0.0.1.
# The pg kind starts a throwaway PostgreSQL cluster on 127.0.0.1
# (scripts/pg-cluster.sh, in a temporary folder, stopped at the end) and
# runs the store unit suite and every HTTP suite again with the sites on
# PostgreSQL (BYLINE_TEST_PG), then the multi-node suites in tests/nodes
# (two nodes behind nginx, PostgreSQL stopped under a running node).
# The asan kind runs the unit, CLI and HTTP suites again against build-asan
# (see `make asan`), built with AddressSanitizer and UBSan, leak checks on.
# The fuzz kind builds the libFuzzer harnesses with clang in build-fuzz
# (FUZZ_BUILD), replays tests/fuzz/regress/<target>/ and runs each harness
# for FUZZ_TEST_SECONDS (10).
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
shift 2>/dev/null || true
kinds=${*:-unit cli http browser validity pg asan fuzz}
asan_build=${ASAN_BUILD:-build-asan}
passed=0
failed=0
log=$(mktemp)
pgdir=
cleanup() {
	rm -f "$log"
	if [ -n "$pgdir" ]; then
		scripts/pg-cluster.sh stop "$pgdir/pg"
		rm -rf "$pgdir"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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

# Sanitizer reports in the log of the last suite, for the asan kind.
count_sanitizer() {
	n=$(grep -c 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$log")
	[ "$n" -gt 0 ] || return 0
	echo "   $n sanitizer report(s):"
	grep -A12 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$log" |
	    head -n 60
	# A report that the suite did not already count as a failure: one
	# failure per report for Criterion (one per test process), else $2.
	if [ "$(grep -c "$1" "$log")" -eq 0 ]; then
		failed=$((failed + ${2:-$n}))
	fi
}

node_deps() {
	# Install when missing, and again whenever the lock file changed.
	if [ ! -f tests/node_modules/.package-lock.json ] ||
	    [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
		(cd tests && npm ci --no-audit --no-fund --loglevel=error) || return 1
	fi
}

# Runs one Criterion executable: run_unit LABEL EXE.
run_unit() {
	echo "== $1: $(basename "$2")"
	BYLINE_DATADIR=$(pwd) "$2" --jobs 2 >"$log" 2>&1
	status=$?
	grep -E 'FAIL|Crash|Warning|Synthesis' "$log" | tail -n 30
	count_criterion
	if [ $status -ne 0 ] && ! grep -q 'Failing: [1-9]\|Crashing: [1-9]' "$log"; then
		failed=$((failed + 1))
	fi
}

# Runs one node suite against a binary: run_node LABEL FILE BIN [VAR=VALUE...].
run_node() {
	label=$1 t=$2 bin=$3
	shift 3
	echo "== $label: $(basename "$t")"
	env "$@" BYLINE_BIN="$bin" BYLINE_DATADIR="$(pwd)" \
	    node --test --test-reporter=tap "$t" >"$log" 2>&1
	grep -E '^not ok|^# (pass|fail)' "$log"
	if grep -q '^not ok' "$log"; then
		grep -B2 -A30 '^not ok' "$log" | head -n 80
	fi
	count_node
}

for kind in $kinds; do
	case $kind in
	unit)
		for exe in $(find "$build/tests/unit" -type f -perm -u+x -name 'unit-*' | sort); do
			run_unit unit "$exe"
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
			run_node "$kind" "$t" "$(pwd)/$build/byline"
		done
		;;
	pg)
		if ! node_deps; then
			echo "== pg: cannot install the node test dependencies"
			failed=$((failed + 1))
			continue
		fi
		pgdir=$(mktemp -d)
		if ! url=$(scripts/pg-cluster.sh start "$pgdir/pg" 2>"$log"); then
			cat "$log"
			echo "== pg: cannot start a PostgreSQL cluster (run 'make deps')"
			failed=$((failed + 1))
			continue
		fi
		export BYLINE_TEST_PG="$url"
		for exe in $(find "$build/tests/unit" -type f -perm -u+x -name 'unit-store*' | sort); do
			run_unit "pg unit" "$exe"
		done
		for t in tests/http/*.test.mjs tests/cli/migrate.test.mjs tests/cli/database.test.mjs tests/nodes/*.test.mjs; do
			[ -f "$t" ] || continue
			run_node "pg $(basename "$(dirname "$t")")" "$t" "$(pwd)/$build/byline"
		done
		unset BYLINE_TEST_PG
		scripts/pg-cluster.sh stop "$pgdir/pg"
		rm -rf "$pgdir"
		pgdir=
		;;
	asan)
		if [ ! -x "$asan_build/byline" ]; then
			echo "== asan: no $asan_build/byline (run 'make asan')"
			failed=$((failed + 1))
			continue
		fi
		# Leaks in libvips and GLib internals are not ours: tests/lsan.supp.
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		export LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0"
		for exe in $(find "$asan_build/tests/unit" -type f -perm -u+x -name 'unit-*' | sort); do
			run_unit "asan unit" "$exe"
			count_sanitizer 'Failing: [1-9]\|Crashing: [1-9]'
		done
		if ! node_deps; then
			echo "== asan: cannot install the node test dependencies"
			failed=$((failed + 1))
			continue
		fi
		# A debug build under ASan is 3-6 times slower: every CLI suite and
		# a representative subset of the HTTP ones (ASAN_SUITES to change).
		for t in ${ASAN_SUITES:-tests/cli/*.test.mjs tests/http/pages.test.mjs \
		    tests/http/comments.test.mjs tests/http/search.test.mjs \
		    tests/http/feeds.test.mjs}; do
			[ -f "$t" ] || continue
			run_node "asan $(basename "$(dirname "$t")")" "$t" \
			    "$(cd "$asan_build" && pwd)/byline" BYLINE_SANITIZE=1
			count_sanitizer '^not ok' 1
		done
		unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
		;;
	fuzz)
		fbuild=${FUZZ_BUILD:-build-fuzz}
		if [ ! -f "$fbuild/build.ninja" ] &&
		    ! CC=clang meson setup "$fbuild" -Db_sanitize=address,undefined \
		    -Db_lundef=false -Dfuzz=true >"$log" 2>&1; then
			tail -n 20 "$log"
			echo "== fuzz: cannot configure $fbuild (is clang installed?)"
			failed=$((failed + 1))
			continue
		fi
		if ! ninja -C "$fbuild" >"$log" 2>&1; then
			grep -E 'error|FAILED' "$log" | head -n 20
			echo "== fuzz: cannot build $fbuild"
			failed=$((failed + 1))
			continue
		fi
		# A UBSan report must stop the harness, as a crash does.
		export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
		for src in tests/fuzz/fuzz_*.c; do
			t=$(basename "$src" .c)
			t=${t#fuzz_}
			exe=$fbuild/tests/fuzz/fuzz_$t
			echo "== fuzz: $t"
			# New inputs go to a scratch copy, never into the tree.
			work=$(mktemp -d)
			cp tests/fuzz/corpus/"$t"/* "$work"/ 2>/dev/null
			ok=1
			if [ -d tests/fuzz/regress/"$t" ] &&
			    [ -n "$(ls tests/fuzz/regress/"$t")" ]; then
				"$exe" -runs=0 tests/fuzz/regress/"$t"/* >"$log" 2>&1 ||
				    { ok=0; grep -A15 'ERROR\|runtime error' "$log" | head -n 30; }
			fi
			if [ $ok -eq 1 ]; then
				dict=
				[ -f tests/fuzz/"$t".dict ] && dict=-dict=tests/fuzz/"$t".dict
				"$exe" -max_total_time="${FUZZ_TEST_SECONDS:-10}" $dict \
				    -artifact_prefix="$work/" "$work" >"$log" 2>&1 ||
				    { ok=0; grep -A15 'ERROR\|runtime error' "$log" | head -n 30
				      mkdir -p tests/fuzz/crashes
				      cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* \
				          "$work"/oom-* tests/fuzz/crashes/ 2>/dev/null
				      echo "   crashing input kept in tests/fuzz/crashes/"; }
				grep -E '^#[0-9]+.*DONE' "$log" | tail -n 1
			fi
			rm -rf "$work"
			if [ $ok -eq 1 ]; then
				passed=$((passed + 1))
			else
				failed=$((failed + 1))
			fi
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
