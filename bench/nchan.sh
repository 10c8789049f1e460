#!/bin/sh
# Starts (start) or stops (stop) nginx + nchan with bench/nchan.conf on 127.0.0.1:18890.
# Needs: apt-get install -y nginx libnginx-mod-nchan
set -e
cd "$(dirname "$0")"
PREFIX="${NCHAN_PREFIX:-/tmp/lhttp-bench-nchan}"
case "$1" in
  start) mkdir -p "$PREFIX/tmp"; nginx -p "$PREFIX" -c "$PWD/nchan.conf" ;;
  stop)  kill -QUIT "$(cat "$PREFIX/nginx.pid")" ;;
  pids)  echo "$(cat "$PREFIX/nginx.pid"),$(pgrep -P "$(cat "$PREFIX/nginx.pid")" | paste -sd,)" ;;
  *) echo "usage: $0 start|stop|pids" >&2; exit 2 ;;
esac
