# Sourced by ./spur and ./mvnw: points JAVA_HOME at a JDK 25 or fails with a clear message.
spur_is_jdk25() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && "$1/bin/java" -version 2>&1 | head -n 1 | grep -Eq 'version "25([."]|$)'
}
if [ -n "${JAVA_HOME:-}" ] && spur_is_jdk25 "$JAVA_HOME"; then
  :
else
  spur_found=""
  for spur_candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-arm64 /usr/lib/jvm/temurin-25* /usr/lib/jvm/java-25* /usr/lib/jvm/jdk-25* /opt/java/openjdk; do
    if spur_is_jdk25 "$spur_candidate"; then spur_found="$spur_candidate"; break; fi
  done
  if [ -z "$spur_found" ]; then
    echo "spur: no JDK 25 found. Set JAVA_HOME to a JDK 25 (expected at /usr/lib/jvm/temurin-25-jdk-amd64)." >&2
    exit 2
  fi
  JAVA_HOME="$spur_found"
fi
export JAVA_HOME
