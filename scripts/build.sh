#!/usr/bin/env bash
# Builds everything the CLI needs: system packages, libtorch, the native library and the jars.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build-native.sh"
log "maven: packaging the library, CLI and benchmarks"
(cd "$ROOT" && mvn -B -q -DskipTests package)
