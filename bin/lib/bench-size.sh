#!/usr/bin/env bash
# What one worker of the hello app (examples/hello, threads: 0) costs: its PSS after a short load,
# and its start, spawn to ready (the master's "worker ... ready in N ms"). The host runs with its own
# worker flags plus the JVM options given after --, which go to the app's jvm_options and so come
# last and win: the way to try a flag before it becomes a default.
#
#   bin/bench size [--rounds N] [--workers N] [--load 3s] [--env NAME=VALUE]... [-- JVM_OPTION...]
#
# Each round starts the host from a temporary folder, waits for its workers, loads them with wrk,
# reads each worker's PSS (/proc/PID/smaps_rollup) a second after the load and again 5 s later, at
# rest, and stops the host. Prints every sample and one line for scripts, with medians over all
# workers of all rounds:
#   RESULT size pss_mib=... pss_at_rest_mib=... ready_ms=... zygote_pss_mib=... options="..."
set -eEuo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bin/lib/java.sh"

usage() {
  cat <<'USAGE'
usage: bin/bench size [--rounds N] [--workers N] [--load D] [--env NAME=VALUE]... [-- JVM_OPTION...]
  --rounds N   host starts, each measuring every worker; default 3
  --workers N  workers of the hello app; default 2
  --load D     wrk run (wrk -t2 -c16) before PSS is read, e.g. 3s; default 3s
  --env N=V    an environment variable of the app's processes (its env:), e.g. --env MALLOC_ARENA_MAX=2
  -- ...       extra JVM options of the workers (and zygote), e.g. -- -Xss256k -XX:TieredStopAtLevel=1
USAGE
}

rounds=3 workers=2 load=3s options=() env=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) [ $# -ge 2 ] || { usage >&2; exit 2; }; rounds="$2"; shift ;;
    --workers) [ $# -ge 2 ] || { usage >&2; exit 2; }; workers="$2"; shift ;;
    --load) [ $# -ge 2 ] || { usage >&2; exit 2; }; load="$2"; shift ;;
    --env) [[ $# -ge 2 && "$2" == ?*=* ]] || { usage >&2; exit 2; }; env+=("$2"); shift ;;
    --) shift; options=("$@"); break ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench size: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[[ "$rounds" =~ ^[1-9][0-9]*$ && "$workers" =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }
[[ "$load" =~ ^[1-9][0-9]*[smh]?$ ]] || { echo "bench size: --load wants e.g. 3s, got $load" >&2; exit 2; }
command -v wrk >/dev/null || { echo "bench size: needs wrk (see bin/bench)" >&2; exit 1; }
zh_find_java
zh_build_if_needed "$root"

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-size.XXXXXX")
host_pid=""
stop_host() { # bin/zygote-host stop waits until the whole tree has gone
  [ -n "$host_pid" ] || return 0
  "$root/bin/zygote-host" stop "$work/size.yml" >/dev/null 2>&1 || kill -KILL "$host_pid" 2>/dev/null || true
  wait "$host_pid" 2>/dev/null || true
  host_pid=""
}
trap 'stop_host; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

pss_mib() { awk '$1 == "Pss:" { printf "%.1f", $2 / 1024 }' "/proc/$1/smaps_rollup"; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { printf "%s", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
yaml_list() { local o sep=""; printf '['; for o in "$@"; do printf '%s"%s"' "$sep" "${o//\"/\\\"}"; sep=", "; done; printf ']'; }

echo "bench size: $rounds rounds, $workers hello workers (threads: 0), wrk $load, options: ${options[*]:-(none)}${env[*]:+, env: ${env[*]}}; load average $(cut -d' ' -f1-3 /proc/loadavg)"
all_pss="" all_rest="" all_ready="" all_zygote=""
rest=5 # seconds from the first PSS reading to the second, at rest
for round in $(seq 1 "$rounds"); do
  port=$((20000 + RANDOM % 12000))
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((20000 + RANDOM % 12000)); done
  rm -rf "$work/logs" "$work/run"
  cat >"$work/size.yml" <<YAML
host: { run_dir: run, log_dir: logs }
apps:
  hello:
    path: $root/examples/hello/v1
    class: example.hello.HelloApp
    listen: 127.0.0.1:$port
    workers: $workers
    threads: 0
    jvm_options: $(yaml_list "${options[@]}")
    env: {$(sep=""; for e in "${env[@]}"; do printf '%s %s: "%s"' "$sep" "${e%%=*}" "${e#*=}"; sep=,; done)}
YAML
  ZYGOTE_HOST_NO_BUILD=1 "$root/bin/zygote-host" "$work/size.yml" >"$work/host.out" 2>&1 &
  host_pid=$!
  ready=""
  for _ in $(seq 1 600); do
    ready=$(grep -o 'worker hello@v1 #[0-9]* (pid [0-9]*) ready in [0-9]* ms' "$work/logs/zygote-host.log" 2>/dev/null || true)
    [ "$(echo -n "$ready" | grep -c .)" -ge "$workers" ] && break
    kill -0 "$host_pid" 2>/dev/null || { cat "$work/host.out" >&2; echo "bench size: the host exited" >&2; exit 1; }
    sleep 0.1
  done
  [ "$(echo -n "$ready" | grep -c .)" -ge "$workers" ] || { tail "$work/logs/"*.log >&2; echo "bench size: workers not ready in 60s" >&2; exit 1; }
  wrk -t2 -c16 -d"$load" "http://127.0.0.1:$port/" >"$work/wrk.out" 2>&1
  rps=$(awk '$1 == "Requests/sec:" { printf "%.0f", $2 }' "$work/wrk.out")
  sleep 1
  zygote=$(pgrep -P "$host_pid" -f 'zygote-host: zygote hello@' | head -n 1)
  zygote_pss=$(pss_mib "$zygote")
  all_zygote+=" $zygote_pss"
  line="round $round: wrk $rps req/s; zygote ${zygote_pss} MiB;"
  pids_ms=$(echo "$ready" | sed 's/.*(pid \([0-9]*\)) ready in \([0-9]*\) ms/\1 \2/')
  declare -A after_load=()
  while read -r pid ms; do
    after_load[$pid]=$(pss_mib "$pid")
  done <<<"$pids_ms"
  # A second reading at rest: a second after wrk, C2 is still compiling what the load made hot, and its
  # arenas (up to 9 MB, NMT's "Arena Chunk") are in the first; they are freed and trimmed within seconds.
  sleep "$rest"
  while read -r pid ms; do
    pss=${after_load[$pid]} rested=$(pss_mib "$pid")
    all_pss+=" $pss" all_rest+=" $rested" all_ready+=" $ms"
    line+=" worker pid $pid ready in $ms ms, PSS $pss MiB, at rest $rested MiB;"
  done <<<"$pids_ms"
  unset after_load
  echo "bench size: $line"
  stop_host
done
echo "RESULT size pss_mib=$(echo "$all_pss" | median) pss_at_rest_mib=$(echo "$all_rest" | median) ready_ms=$(echo "$all_ready" | median) zygote_pss_mib=$(echo "$all_zygote" | median) options=\"${env[*]:+${env[*]} }${options[*]:-}\""
