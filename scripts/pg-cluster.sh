#!/bin/sh
# A throwaway PostgreSQL cluster for tests and benchmarks, on 127.0.0.1 only.
#   scripts/pg-cluster.sh start DIR [PORT]   prints the server URL
#                                            (postgresql://byline@127.0.0.1:PORT/)
#   scripts/pg-cluster.sh stop DIR           stops it (fast shutdown)
#   scripts/pg-cluster.sh restart DIR        starts it again after a stop
#   scripts/pg-cluster.sh url DIR            prints the URL again
# DIR is created and owned by the cluster; remove it after `stop`. The
# cluster trusts local connections as the superuser "byline": it is for
# tests on loopback, never for a real site. fsync is off (tests only ever
# stop it cleanly), which makes CREATE DATABASE fast.
# As root the server runs as the "postgres" user (initdb refuses root);
# DIR's parent is then made searchable by others if it is not.
set -eu

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
	echo "pg-cluster: PostgreSQL server programs not found (run 'make deps')" >&2
	exit 1
fi

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|restart|url DIR [PORT]" >&2; exit 2; }

case $cmd in
start)
	port=${3:-$(free_port)}
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres "$dir"
		# The server user must be able to reach DIR: a private temporary
		# parent (mktemp -d) gets search permission for others.
		runuser -u postgres -- test -x "$dir" || chmod o+x "$(dirname "$dir")"
	fi
	as_owner "$bindir/initdb" -D "$dir/data" -U byline -A trust -E UTF8 \
	    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
	    { cat "$dir/initdb.log" >&2; exit 1; }
	cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
full_page_writes = off
max_connections = 200
shared_buffers = 128MB
log_min_messages = warning
CONF
	echo "$port" >"$dir/port"
	as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start >/dev/null ||
	    { cat "$dir/server.log" >&2; exit 1; }
	echo "postgresql://byline@127.0.0.1:$port/"
	;;
restart)
	as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start >/dev/null ||
	    { cat "$dir/server.log" >&2; exit 1; }
	echo "postgresql://byline@127.0.0.1:$(cat "$dir/port")/"
	;;
stop)
	[ -d "$dir/data" ] || exit 0
	as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
	;;
url)
	echo "postgresql://byline@127.0.0.1:$(cat "$dir/port")/"
	;;
*)
	echo "usage: $0 start|stop|restart|url DIR [PORT]" >&2
	exit 2
	;;
esac
