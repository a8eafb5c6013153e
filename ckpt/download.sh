#!/usr/bin/env bash
# Fetches the official model files into ckpt/ and verifies them (SHA-256, or the structure where
# no sum is published); resumes interrupted downloads. The one implementation is the CLI's:
#   ckpt/download.sh                 # remove's defaults: SAM ViT-B, R50-DeAOT-L, E2FGVI
#   ckpt/download.sh all             # every file of the catalogue (bin/inpainterz models lists them)
#   ckpt/download.sh sam_vit_h_4b8939.pth E2FGVI-HQ-CVPR22.pth
set -euo pipefail
exec "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../bin/inpainterz" models download "$@"
