#!/usr/bin/env bash
# Builds everything the CLI needs: system packages, libtorch, the native library and the jars.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build-native.sh"
log "maven: packaging the library, CLI and benchmarks"
(cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests package)
touch "$NATIVE_LIB" "$JAR" # up to date now, even when nothing needed relinking
