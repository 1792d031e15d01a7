#!/usr/bin/env bash
# What bin/zygote-host exec saves: the wall time of a run through exec against `java -cp CP MAIN`, side by
# side, for a hello world on a folder class path (as `java -cp . Hello`) and for a program on a large library
# (JsonRoundTrip: jackson-databind writes and reads 200 records), before and after `exec --train` made the
# class path's AOT cache. Runs are interleaved (java, exec, java, exec...) with a pause between them, so
# that the load of the machine, which other work changes, falls on both alike; and a burst of runs back to
# back shows what a spare costs when the next run comes before a new one has started.
#
#   bin/bench exec [--samples N] [--pause S] [--burst N]
#
# Prints every sample, medians, the load average, and one line for scripts:
#   RESULT exec hello_java_ms=... hello_exec_ms=... hello_speedup=... json_java_ms=... json_exec_ms=... json_trained_ms=... ...
set -eEuo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bin/lib/java.sh"

usage() {
  cat <<'USAGE'
usage: bin/bench exec [--samples N] [--pause S] [--burst N]
  --samples N  runs of each kind, interleaved; default 20
  --pause S    seconds between two runs (a spare is replaced meanwhile); default 1
  --burst N    runs back to back, after the samples, for java and for exec; default 10
USAGE
}

samples=20 pause=1 burst=10
while [ $# -gt 0 ]; do
  case "$1" in
    --samples) [ $# -ge 2 ] || { usage >&2; exit 2; }; samples="$2"; shift ;;
    --pause) [ $# -ge 2 ] || { usage >&2; exit 2; }; pause="$2"; shift ;;
    --burst) [ $# -ge 2 ] || { usage >&2; exit 2; }; burst="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench exec: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[[ "$samples" =~ ^[1-9][0-9]*$ && "$burst" =~ ^[0-9]+$ && "$pause" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { usage >&2; exit 2; }
zh_find_java
zh_build_if_needed "$root"
[ -x "$root/target/zygote-exec" ] || { echo "bench exec: target/zygote-exec was not built: it needs a C compiler (apt-get install gcc)" >&2; exit 1; }

# A private folder of exec servers for this run (the client puts it under TMPDIR), removed at the end.
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-exec.XXXXXX")
export TMPDIR="$work"
unset XDG_RUNTIME_DIR
servers_dir="$work/zygote-host-exec-$(id -u)"

stop_servers() { # SIGTERM to each server (its spares die with it), SIGKILL after 30 s
  local lock pid
  for lock in "$servers_dir"/*.lock; do
    [ -f "$lock" ] || continue
    pid=$(cat "$lock" 2>/dev/null || true)
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
trap 'stop_servers; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

java_bin="$JAVA"
hello_cp="$root/target/test-classes"
json_cp="$root/target/exec-samples.jar$(for jar in "$root"/target/lib/jackson-*.jar; do printf ':%s' "$jar"; done)"
hello=(-cp "$hello_cp" io.zygotehost.exec.samples.Hello)
json=(-cp "$json_cp" io.zygotehost.exec.samples.JsonRoundTrip 200)
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# One run, its wall time in ms into $ms; fails the bench when its output is not what java prints.
run() {
  local expected="$1"; shift
  local t0 t1 out
  t0=$(now_us)
  out=$("$@" 2>&1)
  t1=$(now_us)
  [ "$out" = "$expected" ] || { echo "bench exec: $* printed \"$out\", not \"$expected\"" >&2; exit 1; }
  ms=$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", d / 1000 }')
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
minimum() { tr ' ' '\n' | grep . | sort -n | head -n 1; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
pss_mib() { awk '$1 == "Pss:" { printf "%.0f", $2 / 1024 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo "?"; }

expected_hello=$("$java_bin" "${hello[@]}")
expected_json=$("$java_bin" "${json[@]}")
echo "bench exec: $(nproc) cores, $("$java_bin" -version 2>&1 | head -n 1), load average $(loadavg) at the start"
echo "bench exec: hello: ${hello[*]}"
echo "bench exec: json:  -cp target/exec-samples.jar:target/lib/jackson-*.jar io.zygotehost.exec.samples.JsonRoundTrip 200"

# Each class path's server starts with its first run; its spares (and the base AOT cache, once per machine) take
# a while on a loaded machine: warm-up runs until a run is no slower than the one before it (at most 10).
warm() {
  local expected="$1"; shift
  local last=999999 i
  for i in $(seq 1 10); do
    run "$expected" "$@"
    sleep 3
    [ "$i" -ge 3 ] && awk -v a="$ms" -v b="$last" 'BEGIN { exit !(a <= b * 1.2) }' && break
    last=$ms
  done
}
echo "bench exec: warming up the exec servers (their first runs start them and their spares)"
warm "$expected_hello" "$root/bin/zygote-host" exec "${hello[@]}"
warm "$expected_json" "$root/bin/zygote-host" exec "${json[@]}"

declare -A times
measure() { # measure NAME EXPECTED COMMAND...: appends one sample to times[NAME]
  local name="$1" expected="$2"; shift 2
  run "$expected" "$@"
  times[$name]+="$ms "
  sleep "$pause"
}
echo "bench exec: $samples samples of each, interleaved, ${pause}s apart"
for i in $(seq 1 "$samples"); do
  measure hello_java "$expected_hello" "$java_bin" "${hello[@]}"
  measure hello_exec "$expected_hello" "$root/bin/zygote-host" exec "${hello[@]}"
  measure hello_client "$expected_hello" "$root/target/zygote-exec" "${hello[@]}"
  measure json_java "$expected_json" "$java_bin" "${json[@]}"
  measure json_exec "$expected_json" "$root/bin/zygote-host" exec "${json[@]}"
done
load_during=$(loadavg)

echo "bench exec: training the json class path's AOT cache (exec --train), then $samples more samples"
train_out=$("$root/bin/zygote-host" exec --train "${json[@]}" 2>&1) || { echo "$train_out" >&2; exit 1; }
echo "$train_out" | sed 's/^/  /'
sleep 5 # the idle spares are replaced by spares started from the new cache
warm "$expected_json" "$root/bin/zygote-host" exec "${json[@]}"
for i in $(seq 1 "$samples"); do
  measure json_java2 "$expected_json" "$java_bin" "${json[@]}"
  measure json_trained "$expected_json" "$root/bin/zygote-host" exec "${json[@]}"
done

# Back to back: each exec run takes a spare and the next may come before its replacement is up.
burst_time() { # burst_time COMMAND...: wall ms of $burst runs in a row
  local t0 t1 i
  t0=$(now_us)
  for i in $(seq 1 "$burst"); do "$@" >/dev/null 2>&1; done
  t1=$(now_us)
  awk -v d=$((t1 - t0)) -v n="$burst" 'BEGIN { printf "%.0f", d / 1000 / n }'
}
if [ "$burst" -gt 0 ]; then
  sleep 3
  burst_java=$(burst_time "$java_bin" "${hello[@]}")
  sleep 3
  burst_exec=$(burst_time "$root/bin/zygote-host" exec "${hello[@]}")
fi

server_pss="" spares_pss=""
for lock in "$servers_dir"/*.lock; do
  pid=$(cat "$lock")
  server_pss+="$(pss_mib "$pid") "
  for child in $(pgrep -P "$pid" || true); do spares_pss+="$(pss_mib "$child") "; done
done

speedup() { awk -v j="$1" -v e="$2" 'BEGIN { printf "%.1f", j / e }'; }
echo
echo "Wall time of one run, ms (median and fastest of $samples; load average $load_during during the first samples, $(loadavg) at the end):"
printf '  %-44s %8s %8s   %s\n' run median fastest "all samples"
row() { printf '  %-44s %8s %8s   %s\n' "$1" "$(echo "${times[$2]}" | median)" "$(echo "${times[$2]}" | minimum)" "${times[$2]}"; }
row "hello: java -cp DIR Hello" hello_java
row "hello: bin/zygote-host exec -cp DIR Hello" hello_exec
row "hello: target/zygote-exec -cp DIR Hello" hello_client
row "json: java -cp JARS JsonRoundTrip" json_java
row "json: bin/zygote-host exec (no AOT cache yet)" json_exec
row "json: java, second series" json_java2
row "json: bin/zygote-host exec, after --train" json_trained
hello_java=$(echo "${times[hello_java]}" | median) hello_exec=$(echo "${times[hello_exec]}" | median)
hello_client=$(echo "${times[hello_client]}" | median)
json_java=$(echo "${times[json_java]}" | median) json_exec=$(echo "${times[json_exec]}" | median)
json_java2=$(echo "${times[json_java2]}" | median) json_trained=$(echo "${times[json_trained]}" | median)
echo "  hello: exec is $(speedup "$hello_java" "$hello_exec")x faster than java (the C client alone: $(speedup "$hello_java" "$hello_client")x)"
echo "  json:  exec is $(speedup "$json_java" "$json_exec")x faster; after --train $(speedup "$json_java2" "$json_trained")x"
if [ "$burst" -gt 0 ]; then
  echo "  $burst hello runs back to back: java ${burst_java} ms a run, exec ${burst_exec} ms a run"
fi
echo "  memory (PSS, MiB): servers ${server_pss}; their idle spares ${spares_pss}"
echo "RESULT exec hello_java_ms=$hello_java hello_exec_ms=$hello_exec hello_speedup=$(speedup "$hello_java" "$hello_exec")" \
  "hello_client_ms=$hello_client json_java_ms=$json_java json_exec_ms=$json_exec json_speedup=$(speedup "$json_java" "$json_exec")" \
  "json_trained_ms=$json_trained json_trained_speedup=$(speedup "$json_java2" "$json_trained") burst_java_ms=${burst_java:-} burst_exec_ms=${burst_exec:-}" \
  "load=\"$load_during\""
