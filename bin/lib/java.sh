# Sourced by the bin/ scripts: finds a JDK >= 25 and exports JAVA_HOME and JAVA.
zh_java_major() {
  local home="${1%/bin/java}" major=""
  # A JDK's release file names its version without starting a JVM: 150 ms saved per JDK tried, on every command.
  if [ -f "$home/release" ]; then
    major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release" | head -n 1)
  fi
  if [ -z "$major" ]; then
    major=$("$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "$major"
}

zh_find_java() {
  local candidate major
  for candidate in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*; do
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(zh_java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      export JAVA_HOME="$candidate" JAVA="$candidate/bin/java"
      return 0
    fi
  done
  cat >&2 <<MSG
zygote-host needs a JDK 25 or newer, and found none${JAVA_HOME:+ (JAVA_HOME=$JAVA_HOME is older)} under /usr/lib/jvm.
Install one, for example Temurin 25 (package temurin-25-jdk from Adoptium's apt repository),
then run again, or point JAVA_HOME at it.
MSG
  return 1
}

# Builds the host and the example apps when target/ is missing or older than the sources.
zh_build_if_needed() {
  local root="$1" jar="$1/target/zygote-host.jar"
  # Tests set this: the build ran before them, and a source edited meanwhile must not stop the run.
  if [ -n "${ZYGOTE_HOST_NO_BUILD:-}" ] && [ -f "$jar" ]; then
    return 0
  fi
  if [ -f "$jar" ] && [ -z "$(find "$root/pom.xml" "$root/src/main" "$root/examples" -newer "$jar" -name '*.java' -o -newer "$jar" -name 'pom.xml' -o -newer "$jar" -name '*.properties' -o -newer "$jar" -name '*.c' | head -n 1)" ]; then
    return 0
  fi
  [ -n "${ZYGOTE_HOST_NO_BUILD:-}" ] && { echo "zygote-host: $jar is missing and ZYGOTE_HOST_NO_BUILD is set: build first (mvn package)" >&2; return 1; }
  command -v mvn >/dev/null || { echo "zygote-host: building needs Apache Maven (apt-get install maven)" >&2; return 1; }
  echo "zygote-host: building (mvn package)..." >&2
  (cd "$root" && MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}" mvn -B -q -DskipTests package >&2)
}
