#!/usr/bin/env bash
# Installs the system packages the build and tests need (Debian/Ubuntu). Idempotent.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

packages=(cmake ninja-build g++ pkg-config ccache ffmpeg libavformat-dev libavcodec-dev libswscale-dev libswresample-dev libavutil-dev
          libopencv-imgproc-dev libopencv-video-dev libopencv-photo-dev  # the weight-free engine
          clang libclang-rt-14-dev maven unzip python3
          lomiri-wallpapers-16.04  # 15 MB of photos: the backgrounds of the quality harness's ground-truth clips
          chromium chromium-driver) # the page's browser tests (inpainterz serve): headless Chromium driven by Selenium
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ -x "$JAVA_HOME/bin/java" ] || { log "JDK 25 not found at $JAVA_HOME (set JAVA_HOME_25)"; exit 1; }
