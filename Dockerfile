# Inpainterz CLI image: Debian 12 with the packages of scripts/install-deps.sh and JDK 25
# (Temurin), built by scripts/build.sh (libtorch from pip's torch wheel, the native library, the
# jars). Models are not in the image: mount them at /opt/inpainterz/ckpt or run
# `inpainterz models download` into that folder.
# Not built yet: the machine this was written on has no Docker and no registry.
FROM debian:bookworm

ARG DEBIAN_FRONTEND=noninteractive
# The list of scripts/install-deps.sh (build.sh checks it again and finds nothing missing), plus
# what fetching libtorch and the JDK needs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      cmake ninja-build g++ pkg-config ccache ffmpeg libavformat-dev libavcodec-dev libswscale-dev \
      libswresample-dev libavutil-dev clang libclang-rt-14-dev maven unzip python3 \
      python3-pip curl ca-certificates gnupg \
 && curl -fsSL https://packages.adoptium.net/artifactory/api/gpg/key/public \
      | gpg --dearmor -o /usr/share/keyrings/adoptium.gpg \
 && echo "deb [signed-by=/usr/share/keyrings/adoptium.gpg] https://packages.adoptium.net/artifactory/deb bookworm main" \
      > /etc/apt/sources.list.d/adoptium.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends temurin-25-jdk \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/inpainterz
COPY . .
# scripts/lib.sh expects the JDK at /usr/lib/jvm/temurin-25-jdk-amd64, where the package puts it.
RUN scripts/build.sh \
 && rm -rf build/native/CMakeFiles /root/.m2 /root/.cache /root/.ccache

ENV PATH=/opt/inpainterz/bin:$PATH
ENTRYPOINT ["inpainterz"]
CMD ["--help"]
