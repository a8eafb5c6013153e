# Shared settings for the scripts in this folder (sourced, not run).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
BUILD_DIR="${INPAINTERZ_BUILD_DIR:-$ROOT/build/native}"
NATIVE_LIB="$BUILD_DIR/libinpainterz.so"
JAR="$ROOT/java/target/inpainterz.jar"
TORCH_VERSION_PIN="2.13.0"
log() { printf '[inpainterz] %s\n' "$*" >&2; }
