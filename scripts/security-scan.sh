#!/bin/sh
# Runs sqlmap and wapiti against fresh demo sites on free loopback ports,
# then stops the servers and prints a summary. It takes from half an hour
# to an hour and a half on two cores, so it is not part of `make test`;
# docs/security.md records the results and explains them.
#
#   scripts/security-scan.sh [BYLINE_BIN [OUT_DIR]]
#
# BYLINE_BIN defaults to build/byline; OUT_DIR (logs, sqlmap sessions,
# wapiti's JSON report, summary.txt) to a new temporary folder, printed at
# the end. Needs the Debian packages sqlmap and wapiti, python3 and curl.
# Every request goes to 127.0.0.1 only.
#
# sqlmap and wapiti each get their own site and server and run side by
# side. Time bounds (seconds), settable in the environment:
#   SQLMAP_RUN_SECONDS     each sqlmap run (default 1500)
#   WAPITI_SCAN_SECONDS    wapiti's crawl (default 600)
#   WAPITI_ATTACK_SECONDS  each wapiti module (default 180; 19 modules)
# SQLMAP_DBMS (default SQLite) limits sqlmap's DBMS-specific payloads to the
# site's store; generic payloads are always sent.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-build/byline}
out=${2:-}
SQLMAP_RUN_SECONDS=${SQLMAP_RUN_SECONDS:-1500}
WAPITI_SCAN_SECONDS=${WAPITI_SCAN_SECONDS:-600}
WAPITI_ATTACK_SECONDS=${WAPITI_ATTACK_SECONDS:-180}
SQLMAP_DBMS=${SQLMAP_DBMS:-SQLite}

for tool in sqlmap wapiti python3 curl timeout; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "security-scan: $tool not found (apt-get install sqlmap wapiti)" >&2
		exit 1
	}
done
[ -x "$bin" ] || { echo "security-scan: no byline binary at $bin" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

work=$(mktemp -d)
[ -n "$out" ] || out=$work/out
mkdir -p "$out"
out=$(cd "$out" && pwd)
pids=""
run=""

cleanup() {
	for p in $run $pids; do
		kill "$p" 2>/dev/null || true
	done
	for p in $run $pids; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$work/sql" "$work/wap" "$work/ep" "$work/wapiti"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$1/"; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "security-scan: nothing answers on port $1" >&2; exit 1; }
		sleep 0.1
	done
}

# site DIR PORT PROXY_PORT MODERATION: a demo site served on PORT, with the
# solver in front of it on PROXY_PORT. The comment throttles that would
# turn most payloads away before they reach the store are off, so every
# payload goes as far into the code as it can; the edit window is a day,
# so the edit endpoint is still open when its turn comes.
site() {
	"$bin" demo "$1" >>"$out/demo.log"
	for kv in comments.min_seconds=0 comments.flood_seconds=0 \
	    comments.edit_minutes=1440 comments.moderation="$4"; do
		"$bin" config set "${kv%%=*}" "${kv#*=}" --site "$1" >/dev/null
	done
	"$bin" serve "$1" --listen "127.0.0.1:$2" >>"$out/server-$4.log" 2>&1 &
	pids="$pids $!"
	wait_port "$2"
	python3 "$here/security-scan-solver.py" "$3" "$2" \
	    --log "$out/solver-$4.log" >>"$out/solver.out" 2>&1 &
	pids="$pids $!"
	wait_port "$3"
}

# sqlmap's site holds comments for moderation (pages stay small however
# many payloads are posted); wapiti's publishes them, so its stored-XSS
# module can look for its payloads on the pages.
port=$(free_port)
proxy=$(free_port)
site "$work/sql" "$port" "$proxy" all
wport=$(free_port)
wproxy=$(free_port)
site "$work/wap" "$wport" "$wproxy" none
base=http://127.0.0.1:$port
wbase=http://127.0.0.1:$wport
: >"$out/summary.txt"
: >"$out/commands.txt"

# --- wapiti (in the background) --------------------------------------------

# wapiti's SSRF and XXE modules plant URLs of an "endpoint" in every
# parameter and ask the endpoint whether the target fetched them. A local
# listener stands in for wapiti's public one, so nothing leaves the machine
# and any fetch made by byline would show in its log.
endpoint=$(free_port)
mkdir -p "$work/ep"
(cd "$work/ep" && exec python3 -m http.server "$endpoint" --bind 127.0.0.1) \
    >"$out/endpoint.log" 2>&1 &
pids="$pids $!"
wait_port "$endpoint"

modules=backup,blindsql,buster,cookieflags,crlf,csp,csrf,exec,file,htaccess
modules=$modules,http_headers,methods,permanentxss,redirect,shellshock,sql
modules=$modules,ssrf,xss,xxe
# Its own session and config folders, with an empty Wappalyzer database so
# it does not try to download one. Debian's wapiti asks for brotli but
# cannot decode it: ask for gzip only, or it sees no links.
mkdir -p "$work/wapiti/config"
echo '{}' >"$work/wapiti/config/apps.json"
set -- -u "$wbase/" --scope folder -m "$modules" --flush-session -d 3 \
    --store-session "$work/wapiti" --store-config "$work/wapiti/config" \
    -H "Accept-Encoding: gzip, deflate" \
    --max-links-per-page 30 --max-scan-time "$WAPITI_SCAN_SECONDS" \
    --max-attack-time "$WAPITI_ATTACK_SECONDS" \
    --proxy "http://127.0.0.1:$wproxy" --endpoint "http://127.0.0.1:$endpoint/" \
    -f json -o "$out/wapiti.json" --no-bugreport -v 1
echo "wapiti $*" >>"$out/commands.txt"
# --max-scan-time bounds only the crawl; each module has its own bound.
nmod=$(echo "$modules" | tr ',' '\n' | wc -l)
timeout $((WAPITI_SCAN_SECONDS + nmod * WAPITI_ATTACK_SECONDS + 600)) wapiti "$@" \
    >"$out/wapiti.log" 2>&1 &
wapiti_pid=$!
pids="$pids $wapiti_pid"

# --- sqlmap ----------------------------------------------------------------

article=$(curl -s "$base/" | grep -oE 'href="/[0-9]{4}/[0-9]{2}/[0-9]{2}/[a-z0-9-]+/"' |
    head -n 1 | sed 's/^href="//; s/"$//')
id=$(curl -s "$base$article" | sed -n 's/.*name="article" value="\([0-9]*\)".*/\1/p' | head -n 1)
[ -n "$article" ] && [ -n "$id" ] || { echo "security-scan: no article found" >&2; exit 1; }
tag=$(curl -s "$base$article" | grep -oE 'href="/tag/[^"/]+/"' | head -n 1 | sed 's/^href="//; s,/"$,,')
section=$(curl -s "$base/" | grep -oE 'href="/section/[^"/]+/"' | head -n 1 | sed 's/^href="//; s,/"$,,')
author=$(curl -s "$base/" | grep -oE 'href="/author/[^"/]+/"' | head -n 1 | sed 's/^href="//; s,/"$,,')
month=$(echo "$article" | cut -d/ -f2-3)

form="comment=A+reader+comment&author=Reader&email=reader%40example.com"
form="$form&url=https%3A%2F%2Fexample.com%2F&cookies=yes&captcha=0"
form="$form&article=$id&parent=0&token=x&bl_trap="

# A comment of our own, for the edit and delete endpoints (the solver
# answers the question); its signed cookie proves authorship.
own=$(curl -s -D - -o /dev/null -x "http://127.0.0.1:$proxy" "$base/comments/" --data "$form")
mine=$(echo "$own" | sed -n 's/^Set-Cookie: \(byline_mine=[^;]*\);.*/\1/p' | head -n 1)
cid=$(echo "$own" | sed -n 's/^Location: .*#comment-\([0-9]*\).*/\1/p' | tr -d '\r')
[ -n "$mine" ] && [ -n "$cid" ] || { echo "security-scan: could not post a comment" >&2; exit 1; }
dtoken=$(curl -s -b "$mine" "$base$article" |
    sed -n "s/.*action=\"\/comments\/$cid\/delete\"><input type=\"hidden\" name=\"token\" value=\"\([^\"]*\)\".*/\1/p" | head -n 1)

sqlmap_verdict() {
	if grep -q "sqlmap identified the following injection point" "$1"; then
		echo "INJECTION FOUND"
	elif grep -q "all tested parameters do not appear to be injectable" "$1"; then
		codes=$(sed -n '/HTTP error codes detected during run:/{n;p;}' "$1" | head -n 1)
		echo "not injectable${codes:+; error statuses: $codes}"
	else
		echo "incomplete: tested $(grep -c 'testing for SQL injection on' "$1") parameters, none injectable"
	fi
}

# sqlmap_run NAME ARGS...: one bounded sqlmap run. --answers keeps sqlmap
# testing every DBMS's payloads after a first (false) lead; UNION tests
# stay at sqlmap's default (1-10 columns unless another technique found
# something), which is what keeps a level-5 run within minutes.
sqlmap_run() {
	name=$1
	shift
	echo "sqlmap[$name] $*" >>"$out/commands.txt"
	timeout "$SQLMAP_RUN_SECONDS" sqlmap "$@" --batch --flush-session \
	    --answers "skip=N" --time-sec 2 -v 1 \
	    --output-dir "$out/sqlmap/$name" >"$out/sqlmap-$name.log" 2>&1 &
	run=$!
	wait "$run" || true
	run=""
	printf 'sqlmap %-12s %s\n' "$name" "$(sqlmap_verdict "$out/sqlmap-$name.log")" >>"$out/summary.txt"
}

L5="--level 5 --risk 3"
solver="--proxy http://127.0.0.1:$proxy"

# Two sequences side by side: reader pages, and the comment endpoints.
(
trap 'kill $run 2>/dev/null; exit 130' TERM
# Search: the query, the page number, cookies, User-Agent, Referer and
# Host.
sqlmap_run search -u "$base/search?q=harbour&page=1" $L5 --dbms "$SQLMAP_DBMS" \
    --cookie "comment_author=Reader; $mine"
# The JSON API, the article page's reply parameter, feeds, archives and
# listing pages (path segments marked with *).
sqlmap_run api -u "$base/api/articles/$id*/comments" --level 3 --risk 3 --dbms "$SQLMAP_DBMS"
sqlmap_run article -u "$base$article?replytocom=1" -p replytocom $L5 --dbms "$SQLMAP_DBMS"
sqlmap_run archive -u "$base/$month*/" --level 3 --risk 3 --dbms "$SQLMAP_DBMS"
sqlmap_run tag-feed -u "$base$tag*/feed/" --level 3 --risk 3 --dbms "$SQLMAP_DBMS"
sqlmap_run section -u "$base$section*/" --level 3 --risk 3 --dbms "$SQLMAP_DBMS"
sqlmap_run front-page -u "$base/page/2*/" --level 3 --risk 3 --dbms "$SQLMAP_DBMS"
sqlmap_run author -u "$base$author*/" --level 3 --risk 3 --dbms "$SQLMAP_DBMS"

) &
pages_pid=$!
pids="$pids $pages_pid"
(
trap 'kill $run 2>/dev/null; exit 130' TERM
# POSTs keep only the cookies given here (--drop-set-cookie): a reader's
# own cookie would otherwise ride along on every later request.
# The comment form with a fresh token and the right answer on every post
# (through the solver): every field except the two the solver fills.
# (Headers and cookies go through the same parsing as for search, tested
# there at level 5.)
sqlmap_run comment -u "$base/comments/" --data "$form" $L5 --dbms "$SQLMAP_DBMS" \
    $solver -p comment --ignore-redirects --drop-set-cookie
# The other fields: the solver numbers the comment text, or the unchanged
# text from the same author would stop at duplicate detection.
sqlmap_run comment-fields -u "$base/comments/" --data "$form" $L5 --dbms "$SQLMAP_DBMS" \
    $solver --headers "X-Scan-Unique: comment" \
    -p author,email,url,cookies,article,parent,bl_trap --ignore-redirects --drop-set-cookie
# The form as sent, token and answer included: must be refused.
sqlmap_run comment-raw -u "$base/comments/" --data "$form" $L5 --dbms "$SQLMAP_DBMS" \
    -p token,captcha,article,parent --ignore-redirects --drop-set-cookie
# Editing (with the author's signed cookie, which is attacked too) and
# deleting (the comment id in the path).
sqlmap_run edit -u "$base/comments/$cid/edit" \
    --data "comment=Edited+text&author=Reader&url=&token=x" \
    --cookie "$mine" $L5 --dbms "$SQLMAP_DBMS" $solver -p comment,author,url,byline_mine \
    --ignore-redirects --drop-set-cookie
sqlmap_run delete -u "$base/comments/$cid*/delete" --data "token=$dtoken" \
    --cookie "$mine" --level 3 --risk 3 --dbms "$SQLMAP_DBMS" --ignore-redirects --drop-set-cookie
) &
comments_pid=$!
pids="$pids $comments_pid"
wait "$pages_pid" "$comments_pid" || true

# --- results ---------------------------------------------------------------

wait "$wapiti_pid" || true
python3 - "$out/wapiti.json" >>"$out/summary.txt" <<'EOF'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print('wapiti no report (%s)' % e)
    sys.exit()
for kind in ('vulnerabilities', 'anomalies', 'additionals'):
    for name, items in sorted(r.get(kind, {}).items()):
        for it in items:
            print('wapiti %s: %s: %s %s %s' % (kind, name, it.get('method', ''),
                  it.get('path', ''), it.get('info', '').replace('\n', ' ')[:200]))
infos = r.get('infos', {})
print('wapiti crawled %s URLs' % len(infos.get('crawled_pages', []) or []))
EOF
ssrf=$(grep '"[A-Z]* /' "$out/endpoint.log" | grep -vc 'get_ssrf.php' || true)
echo "endpoint: requests for planted URLs (by the site): $ssrf" >>"$out/summary.txt"
for p in "$port" "$wport"; do
	if curl -s -o /dev/null "http://127.0.0.1:$p/"; then
		echo "server on $p still serving after the scans" >>"$out/summary.txt"
	else
		echo "server on $p NOT ANSWERING after the scans" >>"$out/summary.txt"
	fi
done
grep -ih "error\|assert\|abort" "$out"/server-*.log >"$out/server-errors.txt" || true
echo "server log lines with error/assert/abort: $(wc -l <"$out/server-errors.txt")" >>"$out/summary.txt"

cat "$out/summary.txt"
echo "security-scan: logs and reports in $out"
