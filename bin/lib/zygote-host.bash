#!/usr/bin/env bash
# bin/zygote-host, past its front (bin/zygote-host itself, in POSIX sh): runs the host
# (bin/zygote-host conf/apps.yml), starts it in the background (--daemon), or runs one of its commands
# (check, status, reload, stop, exec). Builds the project first when it is not built yet.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bin/lib/java.sh"
zh_find_java
zh_build_if_needed "$root"
if [ "${1:-}" = exec ]; then
  [ -x "$root/target/zygote-exec" ] || { echo "zygote-host exec: its client, target/zygote-exec, was not built: it needs a C compiler (apt-get install gcc), then mvn package" >&2; exit 1; }
  shift
  exec "$root/target/zygote-exec" "$@"
fi

# The master stays small: it supervises, it serves nothing.
flags=(-XX:+UseSerialGC -Xmx64m -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xss512k
       --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
classpath="$root/target/zygote-host.jar:$root/target/lib/*"
case "${1:-}" in
  exec-server)
    # Started by the exec client, which reads its output from DIR/KEY.log: see src/main/c/zygote-exec.c.
    exec -a "zygote-host: exec server" "$JAVA" "${flags[@]}" -cp "$classpath" io.zygotehost.exec.ExecServer "${@:2}" ;;
  check|status|reload|stop|--daemon|-h|--help|"") title="zygote-host ${1:-}" ;;
  run) title="zygote-host: master ${2:-}" ;;
  *) title="zygote-host: master $1" ;;
esac
exec -a "$title" "$JAVA" "${flags[@]}" -cp "$classpath" io.zygotehost.cli.Main "$@"
