#!/usr/bin/env bash
# The overhead benchmark: the same chat call to the same loopback fake workers, sent
#   (a) straight to a worker with plain OkHttp,
#   (b) through a FlexRoute router in process,
#   (c) through an nginx reverse proxy on loopback,
# in one run. Prints the tables, writes them into docs/benchmarks.md (between the
# overhead-results markers) and docs/images/overhead/results.md, and draws SVG charts next to them.
#
# Usage: router-benchmarks/overhead/run.sh [--name=value ...]
#   Options go to io.flexroute.benchmarks.overhead.OverheadBenchmark, for example
#   --concurrency=1,8,32 --modes=plain,stream --requests=20000 --rounds=5 --max-tokens=32.
# Environment: WORKERS (fake workers, default 2), SKIP_BUILD=1 (reuse the built jar),
#   OUT (charts and results.md, default docs/images/overhead), DOC (document to update, default
#   docs/benchmarks.md; empty to update none), MVN_ARGS (extra Maven arguments, e.g. -o).
#
# Needs Linux (/proc), Java 17, and nginx; if nginx is missing the script installs Debian's
# package with apt-get (as root, or through sudo).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
workers=${WORKERS:-2}
out=${OUT:-docs/images/overhead}
doc=${DOC-docs/benchmarks.md}
jar=router-benchmarks/target/benchmarks.jar

log() { echo "[overhead] $*" >&2; }

find_nginx() {
  command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true
}

nginx_bin=$(find_nginx)
if [ -z "$nginx_bin" ]; then
  log "nginx not found; installing Debian's nginx package"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y nginx >&2 || { $sudo apt-get update >&2 && $sudo apt-get install -y nginx >&2; }
  nginx_bin=$(find_nginx)
  [ -n "$nginx_bin" ] || { log "nginx is still missing"; exit 1; }
fi
nginx_version=$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //')

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$jar" ]; then
  log "building $jar"
  # shellcheck disable=SC2086
  ./mvnw -B -q ${MVN_ARGS:-} -pl router-benchmarks -am package -DskipTests >&2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flexroute-overhead.XXXXXX")
fleet_pid=""
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  if [ -n "$fleet_pid" ]; then kill "$fleet_pid" 2>/dev/null || true; wait "$fleet_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# The fake workers, in a JVM of their own so that the client's CPU time is the client's alone.
log "starting $workers fake workers"
java -Xms512m -Xmx512m -cp "$jar" io.flexroute.benchmarks.overhead.WorkerFleet "$workers" \
  >"$tmp/fleet.out" 2>"$tmp/fleet.err" &
fleet_pid=$!
for _ in $(seq 300); do
  grep -q '^ports ' "$tmp/fleet.out" 2>/dev/null && break
  kill -0 "$fleet_pid" 2>/dev/null || { cat "$tmp/fleet.err" >&2; log "the workers did not start"; exit 1; }
  sleep 0.1
done
read -r -a ports <<<"$(sed -n 's/^ports //p' "$tmp/fleet.out")"
[ "${#ports[@]}" -eq "$workers" ] || { log "the workers did not report their ports"; exit 1; }
worker_urls=""
upstreams=""
for p in "${ports[@]}"; do
  worker_urls="${worker_urls:+$worker_urls,}http://127.0.0.1:$p"
  upstreams="$upstreams    server 127.0.0.1:$p;"$'\n'
done

# nginx, configured as a lean reverse proxy: one worker process per core, no access log, HTTP/1.1
# keep-alive connections to the upstreams, no buffering (so SSE events pass at once).
write_nginx_conf() {
  cat >"$tmp/nginx.conf" <<CONF
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/error.log warn;
events {
  worker_connections 4096;
}
http {
  access_log off;
  client_body_temp_path $tmp/client_body;
  proxy_temp_path $tmp/proxy;
  fastcgi_temp_path $tmp/fastcgi;
  uwsgi_temp_path $tmp/uwsgi;
  scgi_temp_path $tmp/scgi;
  keepalive_timeout 75s;
  keepalive_requests 1000000;
  upstream workers {
$upstreams    keepalive 256;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
  }
  server {
    listen 127.0.0.1:$1 backlog=4096;
    location / {
      proxy_pass http://workers;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 300s;
    }
  }
}
CONF
}

for attempt in $(seq 20); do
  port=$((20000 + RANDOM % 30000))
  write_nginx_conf "$port"
  "$nginx_bin" -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx.conf" -g 'daemon off;' &
  nginx_pid=$!
  for _ in $(seq 100); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null; then break 2; fi
    kill -0 "$nginx_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -QUIT "$nginx_pid" 2>/dev/null || true
  wait "$nginx_pid" 2>/dev/null || true
  nginx_pid=""
  log "nginx did not come up on port $port (attempt $attempt)"
done
[ -n "$nginx_pid" ] || { cat "$tmp/error.log" >&2 || true; log "could not start nginx"; exit 1; }
log "$nginx_version on port $port (pid $nginx_pid) in front of ports ${ports[*]}"

cores=$(nproc)
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
note="Machine: $cores cores ($cpu_model), $(uname -sr); $nginx_version with worker_processes auto;"
note="$note client, workers and nginx share the machine."

java -Xms1g -Xmx1g -cp "$jar" io.flexroute.benchmarks.overhead.OverheadBenchmark \
  --workers="$worker_urls" \
  --proxy="http://127.0.0.1:$port" --proxy-label=nginx --proxy-pid="$nginx_pid" \
  --worker-pid="$fleet_pid" --clk-tck="$(getconf CLK_TCK)" \
  --out="$out" ${doc:+--doc="$doc"} --note="$note" \
  "$@"
log "tables and charts written to $out${doc:+ and $doc}"
