#!/bin/bash
# make bench: Byline against nginx and a minimal libmicrohttpd server, side by
# side, plus listings, search, comment posts, start-up time and memory.
# Writes bench/results.md. See bench/README.md for what is measured and how.
#
# Settings (environment or make variables):
#   ARTICLES=10000 COMMENTS=100000   the dataset measured
#   GROWTH="100000:1000000"          more sizes for start-up and memory only
#   ROUNDS=3 DURATION=10 WARMUP=3    rounds, seconds per wrk run, warm-up
#   THREADS=2 CONNECTIONS=50         wrk's threads and connections
#   SEARCH_CONNECTIONS=2             wrk's connections for search pages
#   POSTERS=32                       concurrent comment posters
#   RELATED_FULL_MAX=2000            larger sites get nearby related lists
#                                    instead of store_related_rebuild
#   MODERATION=none                  comments.moderation of the bench site
#   BENCH_BUILD=build-bench          build folder (generated sites are cached
#                                    in BENCH_BUILD/sites/)
#   BENCH_OUT=bench/results.md       where the report goes
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

ARTICLES=${ARTICLES:-10000}
COMMENTS=${COMMENTS:-100000}
GROWTH=${GROWTH:-}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
SEARCH_CONNECTIONS=${SEARCH_CONNECTIONS:-2}
POSTERS=${POSTERS:-32}
MODERATION=${MODERATION:-none}
BENCH_BUILD=${BENCH_BUILD:-build-bench}
BENCH_OUT=${BENCH_OUT:-bench/results.md}
RELATED_FULL_MAX=${RELATED_FULL_MAX:-2000}
SMALL="1000:10000"

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

for v in ARTICLES COMMENTS ROUNDS DURATION WARMUP THREADS CONNECTIONS \
    SEARCH_CONNECTIONS POSTERS; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, not '${!v}'"
done
[ "$ARTICLES" -ge 10 ] || die "ARTICLES must be at least 10"

# ------------------------------------------------------------ packages

need=""
command -v wrk >/dev/null 2>&1 || need="$need wrk"
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need="$need nginx-light"
for c in curl sqlite3 node; do
	command -v $c >/dev/null 2>&1 || need="$need $c"
done
if [ -n "$need" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	say "installing$need"
	$SUDO apt-get update -qq
	# Debian starts nginx's own service on port 80 where it can; the bench
	# never uses it and runs its own nginx.
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
	    --no-install-recommends $need
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --------------------------------------------------------------- build

if [ ! -f "$BENCH_BUILD/build.ninja" ]; then
	meson setup "$BENCH_BUILD" -Dbuildtype=release -Dbench=true >/dev/null
else
	meson configure "$BENCH_BUILD" -Dbuildtype=release -Dbench=true >/dev/null
fi
say "building $BENCH_BUILD (release)"
ninja -C "$BENCH_BUILD" byline byline-media.so bench/bench-gen bench/bench-ceiling \
    bench/bench-startup bench/bench-poster >/dev/null
BIN=$ROOT/$BENCH_BUILD/byline
GEN=$ROOT/$BENCH_BUILD/bench/bench-gen
CEILING=$ROOT/$BENCH_BUILD/bench/bench-ceiling
STARTUP=$ROOT/$BENCH_BUILD/bench/bench-startup
export BYLINE_DATADIR=$ROOT

# ------------------------------------------------------- scratch, cleanup

RUN=$(mktemp -d "$ROOT/$BENCH_BUILD/run.XXXXXX")
chmod 755 "$RUN"
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 100); do
			[ -d /proc/$p ] || break
			sleep 0.05
		done
	done
	[ -n "${BENCH_KEEP:-}" ] || rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Stops one server this script started and waits until it has gone.
stop() {
	local pid=$1 i
	kill "$pid" 2>/dev/null || true
	for i in $(seq 200); do
		[ -d /proc/$pid ] || break
		[ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" != Z ] || break
		sleep 0.05
	done
	wait "$pid" 2>/dev/null || true
	local keep=() p
	for p in "${PIDS[@]}"; do
		[ "$p" = "$pid" ] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

# A TCP port on 127.0.0.1 that nobody listens on.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 12000))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo $p
			return
		fi
	done
}

# Waits until a GET of URL answers (any status) from server PID.
wait_http() {
	local i
	for i in $(seq 400); do
		curl -s -o /dev/null "$1" && return 0
		[ -d /proc/"$2" ] || die "the server for $1 has stopped"
		sleep 0.05
	done
	die "no answer from $1"
}

# ---------------------------------------------------------------- sites

GENHASH=$(cat bench/gen.c | sha1sum | cut -c1-8)

# Prints the cached site folder for ARTICLES:COMMENTS, generating it first
# when missing. Generation writes a temporary folder and renames it, so an
# interrupted run leaves nothing half-made in the cache.
site_for() {
	local a=${1%%:*} c=${1##*:} dir tmp t0 t1 rel=full
	[ "$a" -le "$RELATED_FULL_MAX" ] || rel=near
	dir=$ROOT/$BENCH_BUILD/sites/a$a-c$c-$rel-$GENHASH
	if [ ! -f "$dir/bench.env" ]; then
		mkdir -p "$ROOT/$BENCH_BUILD/sites"
		tmp=$dir.tmp.$$
		rm -rf "$tmp"
		"$BIN" init "$tmp" --title "The Bench Courier" >/dev/null
		say "generating $a articles and $c comments (cached in $dir)"
		t0=$(date +%s.%N)
		"$GEN" "$tmp" --articles "$a" --comments "$c" --related "$rel" >&2
		t1=$(date +%s.%N)
		echo "GEN_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')" \
		    >>"$tmp/bench.env"
		mv "$tmp" "$dir"
	fi
	echo "$dir"
}

# Copies a cached site into the scratch folder with the bench settings, so
# the comment posts and settings never touch the cache.
work_copy() {
	local src=$1 dst=$RUN/site-$(basename "$1") port=$2
	rm -rf "$dst"
	cp -a "$src" "$dst"
	"$BIN" config set comments.min_seconds 0 --site "$dst" >/dev/null
	"$BIN" config set comments.flood_seconds 0 --site "$dst" >/dev/null
	"$BIN" config set comments.moderation "$MODERATION" --site "$dst" >/dev/null
	"$BIN" config set site.url "http://127.0.0.1:$port" --site "$dst" >/dev/null
	echo "$dst"
}

rss_kb() { awk '/^VmRSS:/ {print $2}' /proc/"$1"/status; }

# utime + stime (clock ticks) of a process and its children (nginx's
# workers), read from /proc without forking while wrk runs.
TICK=$(getconf CLK_TCK)
cpu_ticks() {
	local total=0 p line f kids
	for p in "$@"; do
		kids=$(cat /proc/$p/task/*/children 2>/dev/null || true)
		for f in $p $kids; do
			[ -r /proc/$f/stat ] || continue
			read -r line </proc/$f/stat
			line=${line##*) }
			set -- $line
			total=$((total + ${12} + ${13}))
		done
	done
	echo $total
}

# Waits until server PID has stopped using CPU (no tick for 0.5 s), so
# requests a finished wrk run left queued (slow pages) do not spill into
# the next run. Gives up after 120 s.
wait_idle() {
	local i a b
	for i in $(seq 240); do
		a=$(cpu_ticks "$1")
		sleep 0.5
		b=$(cpu_ticks "$1")
		[ $((b - a)) -gt 1 ] || return 0
	done
	say "warning: server $1 still busy after 120 s"
}

median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# Runs wrk once (CONNS connections, default CONNECTIONS); prints
# "RPS P50_MS P99_MS ERRORS" (errors: non-2xx/3xx answers, socket errors
# and timeouts).
run_wrk() {
	local url=$1 secs=$2 conns=${3:-$CONNECTIONS} out
	out=$(wrk -t"$THREADS" -c"$conns" -d"${secs}s" --timeout 10s --latency \
	    -H 'Accept-Encoding: gzip' "$url" 2>&1) || die "wrk failed: $out"
	awk '
	function ms(v) {
		if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
		if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
		if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
		return v
	}
	/Requests\/sec:/ { rps = $2 }
	/^ +50%/ { p50 = ms($2) }
	/^ +99%/ { p99 = ms($2) }
	/Non-2xx or 3xx responses:/ { bad += $NF }
	/Socket errors:/ { for (i = 3; i <= NF; i += 2) bad += $(i+1) }
	END { printf "%s %.3f %.3f %d\n", rps, p50, p99, bad }' <<<"$out"
}

# --------------------------------------------------- the measured site

MAIN="$ARTICLES:$COMMENTS"
SIZES=("$SMALL")
[ "$MAIN" = "$SMALL" ] || SIZES+=("$MAIN")
for g in $GROWTH; do
	[[ $g =~ ^[0-9]+:[0-9]+$ ]] || die "GROWTH entries look like 100000:1000000, not '$g'"
	[ "$g" = "$MAIN" ] || [ "$g" = "$SMALL" ] || SIZES+=("$g")
done
declare -A CACHED
for s in "${SIZES[@]}"; do
	CACHED[$s]=$(site_for "$s")
done
MAIN_CACHE=${CACHED[$MAIN]}
# shellcheck disable=SC1091
. "$MAIN_CACHE/bench.env"
MAIN_GEN_SECONDS=$GEN_SECONDS
MAIN_GEN_ARTICLES=$GEN_SECONDS_ARTICLES
MAIN_GEN_COMMENTS=$GEN_SECONDS_COMMENTS
MAIN_ARTICLE_PATH=$ARTICLE_PATH
MAIN_ARTICLE_COMMENTS=$ARTICLE_COMMENTS

# ---------------------------------------------- start-up and memory

# For each size: five start-ups from exec to the first 200 of "/", the
# resident memory after each, then a short load and the memory after it.
declare -A UP_MS UP_RSS LOAD_RSS DB_MB GEN_S
for s in "${SIZES[@]}"; do
	port=$(free_port)
	site=$(work_copy "${CACHED[$s]}" "$port")
	DB_MB[$s]=$(du -m "$site/byline.db" | cut -f1)
	GEN_S[$s]=$(. "${CACHED[$s]}/bench.env" && echo "${GEN_SECONDS%.*}")
	say "start-up and memory, $s"
	ms=() rss=()
	for i in 1 2 3 4 5; do
		pid="" t=""
		read -r pid t < <("$STARTUP" "$port" / "$BIN" serve "$site" \
		    --listen "127.0.0.1:$port" 2>>"$RUN/serve.log") || true
		[ -n "$t" ] || die "byline serve did not start (see its log above)"
		PIDS+=("$pid")
		ms+=("$t")
		rss+=("$(rss_kb "$pid")")
		if [ "$i" -lt 5 ]; then
			stop "$pid"
		fi
	done
	UP_MS[$s]=$(printf '%s\n' "${ms[@]}" | median)
	UP_RSS[$s]=$(printf '%s\n' "${rss[@]}" | median)
	if [ "$s" != "$MAIN" ]; then
		# shellcheck disable=SC1091
		. "$site/bench.env"
		for u in "$ARTICLE_PATH" / "/tag/$TAG_SLUG/" "/search?q=police"; do
			c=$CONNECTIONS
			[[ $u != /search* ]] || c=$SEARCH_CONNECTIONS
			run_wrk "http://127.0.0.1:$port$u" "$(( (DURATION + 1) / 2 ))" "$c" >/dev/null
			wait_idle "$pid"
		done
		LOAD_RSS[$s]=$(rss_kb "$pid")
	fi
	stop "$pid"
	[ "$s" = "$MAIN" ] || rm -rf "$site"
done

# ------------------------------------------------------- the servers

# shellcheck disable=SC1091
. "$MAIN_CACHE/bench.env"
BPORT=$(free_port)
SITE=$(work_copy "$MAIN_CACHE" "$BPORT")
"$BIN" serve "$SITE" --listen "127.0.0.1:$BPORT" 2>>"$RUN/serve.log" &
BPID=$!
PIDS+=("$BPID")
wait_http "http://127.0.0.1:$BPORT/" "$BPID"
B=http://127.0.0.1:$BPORT

# The article page exactly as Byline sends it to a gzip client.
curl -s -H 'Accept-Encoding: gzip' -D "$RUN/article.headers" \
    -o "$RUN/article.html.gz" "$B$ARTICLE_PATH"
grep -qi '^content-encoding: *gzip' "$RUN/article.headers" ||
    die "Byline did not send $ARTICLE_PATH gzipped"
head -n1 "$RUN/article.headers" | grep -q ' 200' || die "GET $ARTICLE_PATH failed"
gunzip -c "$RUN/article.html.gz" >"$RUN/article.html"
GZ_BYTES=$(stat -c %s "$RUN/article.html.gz")
HTML_BYTES=$(stat -c %s "$RUN/article.html")

# nginx: the same gzip bytes as a static file (gzip_static), the same
# headers where nginx can send them, 2 workers, no access log.
NPORT=$(free_port)
NG=$RUN/nginx
mkdir -p "$NG/www" "$NG/tmp"
cp "$RUN/article.html" "$RUN/article.html.gz" "$NG/www/"
touch -r "$RUN/article.html" "$NG/www/article.html.gz"
chmod -R a+rX "$NG"
addh=""
while IFS= read -r line; do
	line=${line%$'\r'}
	name=${line%%:*}
	value=${line#*:}
	value=${value# }
	case "${name,,}" in
	content-type|content-encoding|content-length|date|server|vary|connection|\
	transfer-encoding|keep-alive|etag|last-modified|set-cookie|http/*|"") continue ;;
	esac
	value=${value//\\/\\\\}
	value=${value//\"/\\\"}
	addh="$addh        add_header $name \"$value\" always;"$'\n'
done <"$RUN/article.headers"
ctype=$(awk -F': *' 'tolower($1) == "content-type" {sub(/\r$/, "", $2); print $2}' \
    "$RUN/article.headers")
user=""
[ "$(id -u)" -ne 0 ] || user="user root root;"
cat >"$NG/nginx.conf" <<EOF
$user
worker_processes 2;
pid $NG/nginx.pid;
error_log $NG/error.log warn;
daemon off;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000000;
    server_tokens off;
    etag off;
    client_body_temp_path $NG/tmp/body;
    proxy_temp_path $NG/tmp/proxy;
    fastcgi_temp_path $NG/tmp/fastcgi;
    uwsgi_temp_path $NG/tmp/uwsgi;
    scgi_temp_path $NG/tmp/scgi;
    types { }
    default_type "$ctype";
    server {
        listen 127.0.0.1:$NPORT;
        root $NG/www;
        gzip_static on;
        gzip_vary on;
        location / {
$addh        }
    }
}
EOF
"$NGINX" -p "$NG" -c "$NG/nginx.conf" 2>>"$RUN/nginx.log" &
NPID=$!
PIDS+=("$NPID")
N=http://127.0.0.1:$NPORT
wait_http "$N/article.html" "$NPID"
curl -s -H 'Accept-Encoding: gzip' -o "$RUN/nginx.body" "$N/article.html"
cmp -s "$RUN/nginx.body" "$RUN/article.html.gz" || die "nginx does not send the same bytes"

# The ceiling: libmicrohttpd answering with the bytes from memory.
CPORT=$(free_port)
"$CEILING" "$CPORT" "$RUN/article.html.gz" "$RUN/article.headers" &
CPID=$!
PIDS+=("$CPID")
C=http://127.0.0.1:$CPORT
wait_http "$C/article.html" "$CPID"
curl -s -H 'Accept-Encoding: gzip' -o "$RUN/ceiling.body" "$C/article.html"
cmp -s "$RUN/ceiling.body" "$RUN/article.html.gz" || die "the ceiling does not send the same bytes"

# -------------------------------------------------------- throughput

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# name|pid|url|connections. Search pages are not cached and cost far
# more than the others: at 50 connections their latency would be mostly
# queueing, so they get SEARCH_CONNECTIONS (2: one per server thread).
TARGETS=(
	"byline article|$BPID|$B$ARTICLE_PATH|$CONNECTIONS"
	"nginx static (same bytes)|$NPID|$N/article.html|$CONNECTIONS"
	"ceiling (libmicrohttpd)|$CPID|$C/article.html|$CONNECTIONS"
	"byline front page|$BPID|$B/|$CONNECTIONS"
	"byline tag page|$BPID|$B/tag/$TAG_SLUG/|$CONNECTIONS"
	"byline section page|$BPID|$B/section/$SECTION_SLUG/|$CONNECTIONS"
)
for w in $SEARCH_WORDS; do
	TARGETS+=("byline search '$w'|$BPID|$B/search?q=$w|$SEARCH_CONNECTIONS")
done
# Each listing must answer 200 before it is measured.
for t in "${TARGETS[@]}"; do
	IFS='|' read -r name pid url conns <<<"$t"
	code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept-Encoding: gzip' "$url")
	[ "$code" = 200 ] || die "$name: $url answered $code"
done

say "warming up (${WARMUP} s each)"
for t in "${TARGETS[@]}"; do
	IFS='|' read -r name pid url conns <<<"$t"
	[ "$WARMUP" -eq 0 ] || run_wrk "$url" "$WARMUP" "$conns" >/dev/null
	wait_idle "$pid"
done

# Rounds: every target once per round, the three article servers first in
# a rotating order, so slow drift of the machine hits each alike.
RES=$RUN/results.tsv
: >"$RES"
for r in $(seq "$ROUNDS"); do
	order=()
	for k in 0 1 2; do
		order+=($(( (k + r - 1) % 3 )))
	done
	for ((k = 3; k < ${#TARGETS[@]}; k++)); do
		order+=("$k")
	done
	for k in "${order[@]}"; do
		IFS='|' read -r name pid url conns <<<"${TARGETS[$k]}"
		wait_idle "$pid"
		c0=$(cpu_ticks "$pid")
		read -r rps p50 p99 bad < <(run_wrk "$url" "$DURATION" "$conns")
		c1=$(cpu_ticks "$pid")
		cpu_us=$(awk -v d=$((c1 - c0)) -v t="$TICK" -v r="$rps" -v s="$DURATION" \
		    'BEGIN { n = r * s; printf "%.1f", (n > 0 ? d / t * 1e6 / n : 0) }')
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$k" "$rps" "$p50" "$p99" \
		    "$cpu_us" "$bad" >>"$RES"
		say "round $r: $name: $rps req/s, p50 $p50 ms, p99 $p99 ms, $cpu_us us CPU/req"
	done
done
stop "$NPID"
stop "$CPID"

# ---------------------------------------------------------- comments

# bench-poster (bench/poster.c): each poster GETs an article page (gzip),
# reads its form, answers the question and POSTs it; only a 303 counts as
# accepted. It is C so that the client leaves the cores to the server:
# about 0.3 ms of CPU a post, where the node client (bench/comments.mjs,
# the same steps) took about 1.1 ms.
ninja -C "$BENCH_BUILD" bench/bench-poster >/dev/null
POSTER=$ROOT/$BENCH_BUILD/bench/bench-poster
count_comments() { sqlite3 "$SITE/byline.db" 'SELECT count(*) FROM comments'; }
before=$(count_comments)
CRES=$RUN/comments.jsonl
CCPU=$RUN/comments-cpu.txt
: >"$CRES"
: >"$CCPU"
for r in $(seq "$ROUNDS"); do
	wait_idle "$BPID"
	c0=$(cpu_ticks "$BPID")
	"$POSTER" --url "$B" --paths "$POST_PATHS" \
	    --concurrency "$POSTERS" --seconds "$DURATION" --min-seconds 0 >>"$CRES"
	c1=$(cpu_ticks "$BPID")
	# Server CPU per accepted post (its GET included), in us.
	n=$(tail -n1 "$CRES" | sed -n 's/.*"accepted":\([0-9]*\).*/\1/p')
	awk -v d=$((c1 - c0)) -v t="$TICK" -v n="${n:-0}" \
	    'BEGIN {printf "%.0f\n", (n > 0 ? d / t / n * 1e6 : 0)}' >>"$CCPU"
	say "round $r: comments: $(tail -n1 "$CRES"), $(tail -n1 "$CCPU") us server CPU/post"
done
after=$(count_comments)
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
LOADED_RSS=$(rss_kb "$BPID")
stop "$BPID"

# ------------------------------------------------------------ report

col() { awk -F'\t' -v k="$1" -v c="$2" '$2 == k {print $c}' "$RES" | median; }
# Requests/s as a person reads them: whole numbers, two decimals below 100.
fmt_rps() { awk -v v="$1" 'BEGIN {printf (v < 100 ? "%.2f" : "%.0f"), v}'; }
rounds_of() {
	awk -F'\t' -v k="$1" '$2 == k {printf "%s" ($3 < 100 ? "%.2f" : "%d"), s, $3; s = ", "}' "$RES"
}
ratio_rounds() {
	awk -F'\t' -v a="$1" -v b="$2" '$2 == a {x[$1] = $3} $2 == b {y[$1] = $3}
	    END {for (r in x) if (y[r] > 0) print x[r] / y[r]}' "$RES"
}
jcol() { node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").map(JSON.parse);console.log(l.map(o=>eval("o."+process.argv[2])).join("\n"))' "$CRES" "$1"; }

R_NGINX=$(ratio_rounds 0 1 | median)
R_CEIL=$(ratio_rounds 0 2 | median)
R_NGINX_ALL=$(ratio_rounds 0 1 | sort -g | awk '{printf "%s%.2f", s, $1; s = ", "}')
R_CEIL_ALL=$(ratio_rounds 0 2 | sort -g | awk '{printf "%s%.2f", s, $1; s = ", "}')
ACC=$(jcol accepted_per_s | median)
ACC_ALL=$(jcol accepted_per_s | awk '{printf "%s%s", s, $1; s = ", "}')
ACC_SUM=$(jcol accepted | awk '{n += $1} END {print n}')
FAIL_SUM=$(jcol failed | awk '{n += $1} END {print n}')
STATUSES=$(node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").map(JSON.parse);const s={};for(const o of l)for(const[k,v]of Object.entries(o.statuses))s[k]=(s[k]||0)+v;console.log(Object.entries(s).map(([k,v])=>k+": "+v).join(", "))' "$CRES")
POST_CPU=$(median <"$CCPU")
POST_P50=$(jcol post_p50_ms | median)
POST_P99=$(jcol post_p99_ms | median)
GETS=$(jcol gets | awk '{n += $1} END {print n}')

cpu_model=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
mem_total=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME" || echo unknown)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain 2>/dev/null | grep -q . && echo " (with uncommitted changes)" || true)

{
cat <<EOF
# Byline benchmarks

Written by \`make bench\` (bench/bench.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'),
Byline $rev$dirty, release build. Rerun with
\`make bench ARTICLES=$ARTICLES COMMENTS=$COMMENTS${GROWTH:+ GROWTH=\"$GROWTH\"}\`.

## Machine

| | |
|---|---|
| CPUs | $(nproc) × $cpu_model |
| memory | $mem_total |
| system | $os, Linux $(uname -r | cut -d. -f1,2) |
| nginx | $("$NGINX" -v 2>&1 | sed 's/.*version: //') |
| wrk | $(wrk -v 2>&1 | head -n1 | awk '{print $2}') |
| libmicrohttpd | $(pkg-config --modversion libmicrohttpd) |
| SQLite | $(pkg-config --modversion sqlite3) |
| comment client | bench-poster (bench/poster.c) |

Everything runs on 127.0.0.1 on the same $(nproc) cores: the load generator
competes with the server measured, so the fastest servers' figures are
partly client-bound (server CPU per request separates them better).
Load average (1, 5, 15 min) before the throughput runs: $LOAD_BEFORE;
after the comment runs: $LOAD_AFTER (other work on the machine shows here).

## Dataset

$GEN_ARTICLES articles and $GEN_COMMENTS comments (database $(du -m "$MAIN_CACHE/byline.db" | cut -f1) MB),
generated by \`bench-gen\` through Byline's store API in ${MAIN_GEN_SECONDS%.*} s
(articles ${MAIN_GEN_ARTICLES} s and comments ${MAIN_GEN_COMMENTS} s into a staging
database as drafts, 1,000 writes per transaction; the whole-site copy into
the site, publishing them, ${GEN_SECONDS_COPY} s; related lists
${GEN_SECONDS_RELATED} s). Bodies of 400–1500 words in 5–25 paragraphs from
about a thousand news words with Zipf-like frequencies and a long tail of
20,000 rare made-up words (names, places), 10
sections, 300 authors, 3,000 tags (2–6 a story, Zipf-distributed), 0–3
photos a story with captions and credits (8 shared JPEG files), comments
over the stories with a heavy tail (a third of the stories have none), a
third of them replies, 92 % approved. Related lists: $(
[ "$GEN_RELATED" = full ] && echo "computed by \`store_related_rebuild\` (${GEN_SECONDS_RELATED} s)." ||
echo "the five previous stories of the same section (\`--related near\`): \`store_related_rebuild\` takes minutes on sites of 100,000 stories (docs/related.md).")

The article measured: \`$ARTICLE_PATH\` with $ARTICLE_COMMENTS comments,
photos and tags; $HTML_BYTES bytes of HTML, $GZ_BYTES bytes as Byline
gzips it. Tag page \`/tag/$TAG_SLUG/\` (the second most used tag),
section page \`/section/$SECTION_SLUG/\`.

Site settings for the bench (\`byline config set\` on a scratch copy):
\`comments.min_seconds 0\`, \`comments.flood_seconds 0\`,
\`comments.moderation $MODERATION\`; everything else default
(\`server.threads\` 0 = one per core).

## Throughput

wrk $(wrk -v 2>&1 | head -n1 | awk '{print $2}'), $THREADS threads, $CONNECTIONS connections, keep-alive,
\`Accept-Encoding: gzip\`, $DURATION s a run after a ${WARMUP} s warm-up, $ROUNDS rounds;
medians of the rounds. Searches are not cached and cost far more than the
other pages, so they run with $SEARCH_CONNECTIONS connections (one per server thread):
their p50/p99 are the time of a search, not a queue. Before each run the
script waits until the server has finished what the last run left queued.
Server CPU is user + system time of the server's processes (read from /proc before and after each run) per request.

| target | req/s | p50 ms | p99 ms | server CPU µs/req | req/s per round | errors |
|---|---:|---:|---:|---:|---|---:|
EOF
for ((k = 0; k < ${#TARGETS[@]}; k++)); do
	IFS='|' read -r name pid url conns <<<"${TARGETS[$k]}"
	[ "$conns" = "$CONNECTIONS" ] || name="$name ($conns connections)"
	printf '| %s | %s | %.2f | %.2f | %.0f | %s | %s |\n' "$name" "$(fmt_rps "$(col $k 3)")" \
	    "$(col $k 4)" "$(col $k 5)" "$(col $k 6)" "$(rounds_of $k)" \
	    "$(awk -F'\t' -v k=$k '$2 == k {n += $7} END {print n + 0}' "$RES")"
done
cat <<EOF

**Byline/nginx: $(printf '%.2f' "$R_NGINX")** (per round: $R_NGINX_ALL).
**Byline/ceiling: $(printf '%.2f' "$R_CEIL")** (per round: $R_CEIL_ALL).
The ratios are of requests/s within each round, then the median.

nginx serves \`article.html.gz\` with \`gzip_static on\`, 2 worker
processes, \`access_log off\`, \`sendfile on\` (Debian's default),
\`keepalive_requests\` unlimited and Byline's response headers through
\`add_header\` (it adds \`Last-Modified\` of its own). The ceiling is
\`bench/ceiling.c\`: libmicrohttpd $(pkg-config --modversion libmicrohttpd), epoll with a pool of 2
threads, one persistent response holding the same bytes and headers.
Byline renders a fresh comment form (new arithmetic question) into every
article response; nginx and the ceiling send one fixed copy.

## Comment posts

$POSTERS concurrent posters (bench-poster, C, one keep-alive connection
each), each in a loop: GET one of
100 article pages, read the form, answer its question, POST it with an
Origin header; $DURATION s a round, $ROUNDS rounds.

| accepted/s (median) | per round | accepted (303) | other answers | POST p50 ms | POST p99 ms | GETs | server CPU per post (µs, with its GET) |
|---:|---|---:|---|---:|---:|---:|---:|
| $ACC | $ACC_ALL | $ACC_SUM | $FAIL_SUM (${STATUSES}) | $POST_P50 | $POST_P99 | $GETS | $POST_CPU |

Comments in the database: $before before, $after after: $((after - before))
new, against $ACC_SUM accepted answers$( [ $((after - before)) -eq "$ACC_SUM" ] && echo " (every 303 is in the database)" || echo " (MISMATCH)").
A comment is committed (\`synchronous=FULL\`) before its 303. The
defaults \`cache.comment_refresh_ms 1000\` and \`comments.per_page 50\`
apply: during the burst an article page is rebuilt at most once a second
(every poster still sees its own comment at once) and shows at most 50
threads.

## Start-up and memory

Start-up: from exec of \`byline serve\` to the first 200 answer to \`/\`
(polled every millisecond by \`bench-startup\`), median of 5; resident
memory (VmRSS) right after start-up, and after the load (the full run
above for the measured size; a short wrk run on the article, front, tag
and search pages for the others). Sites above $RELATED_FULL_MAX stories have nearby related
lists instead of computed ones (see Dataset).

| articles | comments | generated in s | database MB | start-up ms | RSS after start-up MB | RSS after load MB |
|---:|---:|---:|---:|---:|---:|---:|
EOF
for s in "${SIZES[@]}"; do
	a=${s%%:*} c=${s##*:}
	if [ "$s" = "$MAIN" ]; then lr=$LOADED_RSS; else lr=${LOAD_RSS[$s]}; fi
	printf '| %s | %s | %s | %s | %.1f | %.1f | %.1f |\n' "$a" "$c" "${GEN_S[$s]}" \
	    "${DB_MB[$s]}" \
	    "${UP_MS[$s]}" "$(awk -v k="${UP_RSS[$s]}" 'BEGIN {print k / 1024}')" \
	    "$(awk -v k="$lr" 'BEGIN {print k / 1024}')"
done
cat <<EOF

## Method

\`make bench\` installs wrk and nginx from Debian if missing, builds a
release build in \`$BENCH_BUILD\` with the bench programs (\`-Dbench=true\`),
generates each dataset once (cached in \`$BENCH_BUILD/sites/\`, keyed by
its size and the generator's source), and works on a scratch copy, so
comment posts never change the cache. All servers listen on 127.0.0.1
on free ports and are stopped when the script ends. Nothing here is a
test: no figure is asserted.
EOF
} >"$RUN/results.md"
mv "$RUN/results.md" "$BENCH_OUT"
say "wrote $BENCH_OUT"
sed -n '/^## Throughput/,/^## Start-up/p' "$BENCH_OUT" | grep '^|'
grep -A20 '^## Start-up' "$BENCH_OUT" | grep '^|'
