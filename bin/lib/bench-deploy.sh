#!/usr/bin/env bash
# Measures what a deploy costs the clients: the hello app (examples/hello) under wrk, side by side in
# one run, three ways, each for the same fixed duration and with the same wrk settings:
#
#   steady             bin/zygote-host (2 workers, threads: 0), no deploy
#   host deploys       the same host while N deploys run back to back: the `current` link moves
#                      v1 -> v2 -> v1 ... (ln -s to a temporary name, mv -T), then
#                      `bin/zygote-host reload CONFIG`, whose wall time is the deploy's duration
#   naive restart      io.zygotehost.bench.PlainNettyServer (one JVM, 2 event loops), N times
#                      SIGTERM and a new JVM on the same port with the other release's jar, timed
#                      from the SIGTERM until the new one answers: a deploy without a host
#
#   bin/lib/bench-deploy.sh [--deploys N] [--connections C]
#
# Everything runs on 127.0.0.1, on free ports, from a temporary folder, and is stopped on exit,
# failure or Ctrl-C. Prints a table and one line for scripts:
#   RESULT deploy deploys=N host_failed=... naive_failed=... host_deploy_s=... naive_restart_s=...
#          p99_steady_ms=... p99_deploys_ms=...
# Needs wrk; installs it with apt-get when run as root, otherwise says what to install.
set -eEuo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bin/lib/java.sh"

usage() {
  cat <<'USAGE'
usage: bin/lib/bench-deploy.sh [--deploys N] [--connections C]
  --deploys N      deploys of the host, and restarts of the plain server, under load; default 5
  --connections C  open wrk connections during the runs; default 16
Each of the three wrk runs lasts N x 20s; the deploys and restarts start 2s into theirs.
USAGE
}

deploys=5 connections=16
while [ $# -gt 0 ]; do
  case "$1" in
    --deploys) [ $# -ge 2 ] || { usage >&2; exit 2; }; deploys="$2"; shift ;;
    --deploys=*) deploys="${1#*=}" ;;
    --connections) [ $# -ge 2 ] || { usage >&2; exit 2; }; connections="$2"; shift ;;
    --connections=*) connections="${1#*=}" ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench-deploy: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[[ "$deploys" =~ ^[1-9][0-9]*$ ]] || { echo "bench-deploy: --deploys wants a positive number, got $deploys" >&2; exit 2; }
[[ "$connections" =~ ^[1-9][0-9]*$ ]] || { echo "bench-deploy: --connections wants a positive number, got $connections" >&2; exit 2; }

# The same for all three runs. wrk wants at least as many connections as threads.
wrk_threads=2
[ "$connections" -lt "$wrk_threads" ] && wrk_threads="$connections"
wrk_timeout=10s
seconds_per_deploy=20          # a deploy under this load takes 12-15s here (reload included), 4-5s without load
duration_s=$((deploys * seconds_per_deploy))
lead_s=2                       # wrk runs this long before the first deploy or restart
warmup_chunk=5s                # warm-up, as bin/bench: wrk runs of this length until the rate stops rising,
warmup_min=2 warmup_max=6      # at least 2 and at most 6 of them
event_loops=2                  # the plain server's; a host worker has cores / workers (1 here)
host_workers=2
ready_timeout=60               # seconds for a server (the host's workers, a plain JVM) to answer
reload_timeout=300             # seconds a `bin/zygote-host reload` may take before it counts as hung
stop_timeout=40                # seconds the host gets to stop after SIGTERM before SIGKILL (its shutdown_timeout is 30s)

# A host worker's JVM flags (src/main/java/io/zygotehost/master/ChildCommands.java, with the default heap: 64m).
plain_flags=(-Xmx64m -XX:+UseSerialGC -XX:-UsePerfData -Xms8m -XX:TrimNativeHeapInterval=1000
             -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 --enable-native-access=ALL-UNNAMED
             --sun-misc-unsafe-memory-access=allow -XX:+ExitOnOutOfMemoryError)
app_class=example.hello.HelloApp

ensure_wrk() {
  command -v wrk >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench-deploy: wrk is missing; installing it (apt-get install -y wrk)" >&2
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >&2; then
      DEBIAN_FRONTEND=noninteractive apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >&2 || true
    fi
    command -v wrk >/dev/null && return 0
  fi
  cat >&2 <<'MSG'
The deploy benchmark needs the HTTP load generator wrk (https://github.com/wg/wrk), which is not installed.
Install it, then run again:
  Debian/Ubuntu:  sudo apt-get install wrk
  Fedora:         sudo dnf install wrk
  from source:    git clone https://github.com/wg/wrk && make -C wrk && sudo cp wrk/wrk /usr/local/bin/
MSG
  exit 1
}

zh_find_java
zh_build_if_needed "$root"
ensure_wrk
for release in v1 v2; do
  [ -f "$root/examples/hello/$release/hello.jar" ] || { echo "bench-deploy: $root/examples/hello/$release/hello.jar is missing: build first (mvn package)" >&2; exit 1; }
done

# ---- processes and their cleanup ------------------------------------------------------------------

work="" host_pid="" host_tree="" host_port="" plain_pid="" plain_port="" wrk_pid="" reload_pid="" deploys_done=0 plain_starts=0
all_pids="" # every pid this run started or saw in the host's tree: checked after the cleanup

alive() { # a pid that runs (a zombie does not)
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ "$state" != Z* ]]
}

ours() { # a live process of this benchmark's kinds: guards against signalling a reused pid
  alive "$1" || return 1
  [[ "$(ps -o args= -p "$1" 2>/dev/null)" =~ ^(zygote-host|timeout\ |wrk\ |.*PlainNettyServer) ]]
}

descendants() { # the pids below $1, depth first
  local child
  for child in $(pgrep -P "$1" 2>/dev/null || true); do
    echo "$child"
    descendants "$child"
  done
}

port_listening() { # true while something listens on port $1 (any address)
  local hex
  hex=$(printf '%04X' "$1")
  awk -v port=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == port { found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

free_port() { # a port nothing uses now, below Linux's ephemeral range (32768+) so no client socket takes it meanwhile
  local port hex tries
  for tries in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))
    hex=$(printf '%04X' "$port")
    if ! awk -v port=":$hex" 'substr($2, length($2) - 4) == port { found = 1 } END { exit !found }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "bench-deploy: found no free port" >&2
  return 1
}

# SIGTERM, then SIGKILL after $2 seconds; reaps it.
stop_pid() {
  local pid="$1" grace="$2" i
  [ -n "$pid" ] || return 0
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 $((grace * 10))); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

stop_wrk() { stop_pid "$wrk_pid" 5; wrk_pid=""; }
stop_reload() { stop_pid "$reload_pid" 10; reload_pid=""; } # timeout(1) passes the SIGTERM on to the reload
stop_plain() { stop_pid "$plain_pid" 5; plain_pid=""; }

# SIGTERM to the master (it drains and stops its zygotes and workers), SIGKILL to whatever of its tree
# is left after stop_timeout.
stop_host() {
  [ -n "$host_pid" ] || return 0
  local tree pid deadline left
  tree="$host_tree $(descendants "$host_pid")"
  all_pids+=" $tree"
  alive "$host_pid" && kill -TERM "$host_pid" 2>/dev/null || true
  deadline=$((SECONDS + stop_timeout))
  while [ $SECONDS -lt $deadline ]; do
    left=""
    for pid in $host_pid $tree; do ours "$pid" && left=1; done
    [ -z "$left" ] && break
    sleep 0.2
  done
  for pid in $host_pid $tree; do
    if ours "$pid"; then
      echo "bench-deploy: pid $pid of the host did not stop within ${stop_timeout}s of SIGTERM: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  wait "$host_pid" 2>/dev/null || true
  host_pid="" host_tree=""
}

show_logs() {
  local f
  for f in "$work/host.out" "$work/reload.$deploys_done.out" "$work/plain.$plain_starts.out" "$work"/logs/*.log; do
    [ -s "$f" ] || continue
    echo "--- last lines of ${f#"$work"/}" >&2
    tail -n 15 "$f" >&2
  done
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM ERR
  set +e # clean up all there is, whatever fails
  stop_wrk
  stop_reload
  stop_plain
  stop_host
  local port pid
  for port in $plain_port $host_port; do
    for _ in $(seq 1 20); do port_listening "$port" || break; sleep 0.1; done
    port_listening "$port" && { echo "bench-deploy: port $port is still bound after the cleanup" >&2; status=1; }
  done
  for pid in $all_pids; do
    ours "$pid" && { echo "bench-deploy: pid $pid is still running after the cleanup: $(ps -o args= -p "$pid" | cut -c1-80)" >&2; status=1; }
  done
  if [ -n "$work" ]; then
    # After a failure, what the servers said; not after Ctrl-C (130) or SIGTERM (143).
    case "$status" in 0|130|143) ;; *) show_logs ;; esac
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'echo "bench-deploy: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM
trap 'echo "bench-deploy: failed: line $LINENO: $BASH_COMMAND" >&2' ERR

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-deploy.XXXXXX")

# GET / with bash alone: prints "STATUS BODY" (the body's first line), or nothing.
probe() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$1" >&3
    IFS= read -r -t 2 line <&3 || exit 1
    status=${line#HTTP/1.? }
    status=${status%% *}
    while IFS= read -r -t 2 line <&3; do [ "$line" = $'\r' ] && break; done
    body=""
    IFS= read -r -t 2 body <&3 || true
    echo "$status $body"
  ) 2>/dev/null
}

now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# Two releases of hello and a `current` link, in the temporary folder, so deploys can move the link.
releases="$work/hello"
for release in v1 v2; do
  mkdir -p "$releases/$release"
  cp "$root/examples/hello/$release/hello.jar" "$releases/$release/hello.jar"
done
ln -s v1 "$releases/current"

point_current_at() { # the deploy: atomic, as Capistrano does
  rm -f "$releases/current.new"
  ln -s "$1" "$releases/current.new"
  mv -T "$releases/current.new" "$releases/current"
}

start_host() {
  host_port=$(free_port)
  cat >"$work/deploy.yml" <<YAML
# Written by bin/lib/bench-deploy.sh: the hello app on a free loopback port, deployed by moving current.
host:
  run_dir: run
  log_dir: logs
apps:
  hello:
    path: $releases/current
    class: $app_class
    listen: 127.0.0.1:$host_port
    workers: $host_workers
    threads: 0
YAML
  "$root/bin/zygote-host" "$work/deploy.yml" >"$work/host.out" 2>&1 &
  host_pid=$!
  all_pids+=" $host_pid"
  # Ready once two answers in a row come from different workers: both are serving.
  local deadline=$((SECONDS + ready_timeout)) answer last="" seen=""
  while [ $SECONDS -lt $deadline ]; do
    alive "$host_pid" || { echo "bench-deploy: the host exited while starting" >&2; exit 1; }
    answer=$(probe "$host_port" || true)
    if [[ "$answer" == 200* ]]; then
      seen=1
      [ -n "$last" ] && [ "$answer" != "$last" ] && break
      last="$answer"
    else
      last=""
      sleep 0.2
    fi
  done
  [ -n "$seen" ] || { echo "bench-deploy: the host did not answer 200 within ${ready_timeout}s" >&2; exit 1; }
  [ $SECONDS -lt $deadline ] || echo "bench-deploy: only one host worker answered within ${ready_timeout}s; measuring anyway" >&2
  host_tree=$(descendants "$host_pid" | tr '\n' ' ')
  all_pids+=" $host_tree"
}

# A plain server with release $1's jar on plain_port; returns once it answers 200 from that release.
start_plain() {
  local release="$1" out deadline answer
  plain_starts=$((plain_starts + 1))
  out="$work/plain.$plain_starts.out"
  "$JAVA" "${plain_flags[@]}" \
    -cp "$root/target/zygote-host.jar:$root/target/lib/*:$releases/$release/hello.jar" \
    io.zygotehost.bench.PlainNettyServer "$app_class" "$plain_port" "$event_loops" >"$out" 2>&1 &
  plain_pid=$!
  all_pids+=" $plain_pid"
  deadline=$((SECONDS + ready_timeout))
  while [ $SECONDS -lt $deadline ]; do
    answer=$(probe "$plain_port" || true)
    [[ "$answer" == "200 hello from $release "* ]] && return 0
    alive "$plain_pid" || { echo "bench-deploy: the plain server ($release, port $plain_port) exited before it answered" >&2; tail -n 5 "$out" >&2; exit 1; }
    sleep 0.05
  done
  echo "bench-deploy: the plain server ($release, port $plain_port) did not answer within ${ready_timeout}s" >&2
  exit 1
}

# ---- measuring ------------------------------------------------------------------------------------

# wrk's latencies come as 812.00us, 1.23ms, 2.01s: all in ms.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}

wrk_args=(-t"$wrk_threads" -c"$connections" --latency --timeout "$wrk_timeout")

start_wrk() { # $1 port, $2 length, $3 name: in the background, its output in $work/wrk.NAME.out
  wrk "${wrk_args[@]}" -d"$2" "http://127.0.0.1:$1/" >"$work/wrk.$3.out" 2>&1 &
  wrk_pid=$!
  all_pids+=" $wrk_pid"
  wrk_started=$(now)
}

# Waits for wrk; sets requests, rps, p50, p99 (ms), failed and the failures' kinds.
finish_wrk() {
  local out="$work/wrk.$1.out" rc=0
  wait "$wrk_pid" || rc=$?
  wrk_pid=""
  [ "$rc" = 0 ] || { cat "$out" >&2; echo "bench-deploy: wrk failed (exit $rc)" >&2; exit 1; }
  requests=$(awk '$2 == "requests" && $3 == "in" { print $1 }' "$out")
  rps=$(awk '$1 == "Requests/sec:" { print $2 }' "$out")
  [ -n "$requests" ] && [ -n "$rps" ] || { cat "$out" >&2; echo "bench-deploy: cannot read wrk's output" >&2; exit 1; }
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  # "Socket errors: connect 0, read 3, write 0, timeout 0" and "Non-2xx or 3xx responses: 7", when not 0.
  read -r e_connect e_read e_write e_timeout < <(awk '/Socket errors:/ { gsub(/,/, ""); print $4, $6, $8, $10; found = 1 }
    END { if (!found) print 0, 0, 0, 0 }' "$out")
  e_non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF; found = 1 } END { if (!found) print 0 }' "$out")
  failed=$((e_connect + e_read + e_write + e_timeout + e_non2xx))
  kinds=""
  local kind
  for kind in connect read write timeout non2xx; do
    local var="e_$kind"
    [ "${!var}" != 0 ] && kinds+="${kinds:+, }$kind ${!var}"
  done
  [ -n "$kinds" ] || kinds="-"
}

warm_up() { # $1 name, $2 port: until the JIT is done, as bin/bench: no more than 5% faster than the run before
  local chunk=0 last=0 rates=""
  while [ $chunk -lt $warmup_max ]; do
    chunk=$((chunk + 1))
    start_wrk "$2" "$warmup_chunk" "warmup-$1-$chunk"
    finish_wrk "warmup-$1-$chunk"
    rates+="${rates:+ }$(printf '%.0f' "$rps")"
    if [ $chunk -ge $warmup_min ] && awk -v a="$rps" -v b="$last" 'BEGIN { exit !(a <= b * 1.05) }'; then
      break
    fi
    last=$rps
  done
  echo "bench-deploy: warm-up $1: $chunk x $warmup_chunk, requests/s: $rates"
}

declare -A r_requests r_rps r_p50 r_p99 r_failed r_kinds r_mean r_all
record() { # $1 run: keeps what finish_wrk read
  r_requests[$1]=$requests r_rps[$1]=$rps r_p50[$1]=$p50 r_p99[$1]=$p99 r_failed[$1]=$failed r_kinds[$1]=$kinds
  echo "bench-deploy: $1: $requests requests, $(printf '%.0f' "$rps")/s, p50 ${p50}ms, p99 ${p99}ms, failed $failed ($kinds); load average $(load_average)"
}

mean() { echo "$@" | awk '{ for (i = 1; i <= NF; i++) s += $i; printf "%.2f", s / NF }'; }

# Where a series of deploys or restarts ended against the wrk run: a warning when they outlasted it.
check_window() { # $1 run
  local end
  end=$(since "$wrk_started")
  if awk -v e="$end" -v d="$duration_s" 'BEGIN { exit !(e > d) }'; then
    echo "bench-deploy: warning: $1: the last one ended at +${end}s, after the ${duration_s}s wrk run: it was not all under load" >&2
    warnings+="${warnings:+; }$1 outlasted the ${duration_s}s wrk run (ended at +${end}s)"
  fi
}

java_version=$("$JAVA" -version 2>&1 | head -n 1)
echo "bench-deploy: $deploys deploys, wrk ${wrk_args[*]} -d${duration_s}s on 127.0.0.1 for each of the 3 runs; deploys/restarts start at +${lead_s}s"
echo "bench-deploy: $(nproc) cores shared by wrk and the servers; $java_version; $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2 || true); load average $(load_average)"
warnings=""

# 1. steady ----------------------------------------------------------------------------------------
start_host
echo "bench-deploy: host: bin/zygote-host, $host_workers workers (threads: 0), master pid $host_pid, port $host_port, serving v1"
warm_up host "$host_port"
echo "bench-deploy: steady: ${duration_s}s, no deploy"
start_wrk "$host_port" "${duration_s}s" steady
finish_wrk steady
record steady

# 2. host deploys ----------------------------------------------------------------------------------
echo "bench-deploy: host deploys: ${duration_s}s, $deploys deploys back to back from +${lead_s}s"
start_wrk "$host_port" "${duration_s}s" deploys
sleep "$lead_s"
version=v1 durations=""
for i in $(seq 1 "$deploys"); do
  next=v2; [ "$version" = v2 ] && next=v1
  at=$(since "$wrk_started")
  point_current_at "$next"
  deploys_done=$i
  started=$(now)
  timeout --kill-after=10 "$reload_timeout" "$root/bin/zygote-host" reload "$work/deploy.yml" >"$work/reload.$i.out" 2>&1 &
  reload_pid=$!
  all_pids+=" $reload_pid"
  rc=0
  wait "$reload_pid" || rc=$?
  took=$(since "$started")
  reload_pid=""
  if [ "$rc" != 0 ] || ! grep -q "hello: $version -> $next" "$work/reload.$i.out"; then
    cat "$work/reload.$i.out" >&2
    echo "bench-deploy: deploy $i ($version -> $next) failed: reload exit $rc" >&2
    exit 1
  fi
  host_says=$(sed -n "s/^hello: $version -> $next in \(.*\)$/\1/p" "$work/reload.$i.out")
  answer=$(probe "$host_port" || true)
  [[ "$answer" == "200 hello from $next "* ]] || echo "bench-deploy: warning: after deploy $i the host answered: ${answer:-nothing}" >&2
  echo "bench-deploy: deploy $i/$deploys: $version -> $next: reload took ${took}s (the host says ${host_says:-?}), from +${at}s of the wrk run"
  durations+=" $took"
  new_tree=$(descendants "$host_pid" | tr '\n' ' ')
  host_tree+=" $new_tree" all_pids+=" $new_tree"
  version=$next
done
check_window "host deploys"
finish_wrk deploys
record deploys
r_mean[deploys]=$(mean $durations) r_all[deploys]=${durations# }
stop_host

# 3. naive JVM restarts ----------------------------------------------------------------------------
plain_port=$(free_port)
start_plain v1
echo "bench-deploy: plain: PlainNettyServer, $event_loops event loops, one JVM, pid $plain_pid, port $plain_port, serving v1"
warm_up plain "$plain_port"
echo "bench-deploy: naive restart: ${duration_s}s, $deploys restarts back to back from +${lead_s}s"
start_wrk "$plain_port" "${duration_s}s" naive
sleep "$lead_s"
version=v1 durations=""
for i in $(seq 1 "$deploys"); do
  next=v2; [ "$version" = v2 ] && next=v1
  at=$(since "$wrk_started")
  started=$(now)
  stop_plain
  start_plain "$next"
  took=$(since "$started")
  echo "bench-deploy: restart $i/$deploys: $version -> $next: ${took}s from SIGTERM to the new JVM's first answer, from +${at}s of the wrk run"
  durations+=" $took"
  version=$next
done
check_window "naive restart"
finish_wrk naive
record naive
r_mean[naive]=$(mean $durations) r_all[naive]=${durations# }
stop_plain

# ---- report ---------------------------------------------------------------------------------------
echo
echo "Deploys under load: wrk ${wrk_args[*]} -d${duration_s}s per run, $deploys deploys or restarts from +${lead_s}s:"
printf '  %-22s %10s %10s %8s %9s %9s %10s   %s\n' run requests "req/s" failed "p50 ms" "p99 ms" "mean s" "failures; each deploy/restart s"
label() { case "$1" in steady) echo "steady (host)" ;; deploys) echo "host deploys" ;; naive) echo "naive JVM restart" ;; esac; }
for run in steady deploys naive; do
  printf '  %-22s %10s %10.0f %8s %9s %9s %10s   %s\n' "$(label "$run")" "${r_requests[$run]}" "${r_rps[$run]}" "${r_failed[$run]}" \
    "${r_p50[$run]}" "${r_p99[$run]}" "${r_mean[$run]:--}" "${r_kinds[$run]}${r_all[$run]:+; ${r_all[$run]}}"
done
echo "  failed = wrk's socket errors (connect + read + write + timeout) + non-2xx/3xx answers; wrk reconnects"
echo "  at once after an error, so while nothing listens it counts attempts (a refused connect is a write error)."
echo "  host deploy s = wall time of bin/zygote-host reload; naive restart s = SIGTERM to the new JVM's first answer."
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }'; }
echo "  p99 during host deploys:  ${r_p99[deploys]} ms vs ${r_p99[steady]} ms steady ($(ratio "${r_p99[deploys]}" "${r_p99[steady]}")), failed ${r_failed[deploys]} vs ${r_failed[steady]}"
echo "  p99 during naive restart: ${r_p99[naive]} ms vs ${r_p99[steady]} ms steady ($(ratio "${r_p99[naive]}" "${r_p99[steady]}")), failed ${r_failed[naive]} vs ${r_failed[steady]}"
[ -z "$warnings" ] || echo "  warning: $warnings"
echo "RESULT deploy deploys=$deploys host_failed=${r_failed[deploys]} naive_failed=${r_failed[naive]} host_deploy_s=${r_mean[deploys]} naive_restart_s=${r_mean[naive]} p99_steady_ms=${r_p99[steady]} p99_deploys_ms=${r_p99[deploys]}"
