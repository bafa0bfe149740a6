#!/usr/bin/env bash
# The hicolor sizes the app's .deb installs that icons/ does not have (16, 24, 48, 64, 256 px),
# rendered from icons/icon-1024.png (itself made from icons/icon.svg by icons/generate.sh).
# Tauri's bundler files each PNG under /usr/share/icons/hicolor/<width>x<height>/apps/; a name
# ending in @2x would land in "<width>x<height>@2", which no icon theme reads, so the 256 px
# icon is a plain file here. Needs ImageMagick 6 `convert`. The outputs are committed; run this
# again only after icons/icon.svg changed.
set -euo pipefail
cd "$(dirname "$0")"
command -v convert >/dev/null || { echo "generate.sh: convert (imagemagick) is missing" >&2; exit 1; }
for size in 16 24 48 64 256; do
  # -strip drops timestamps: running it again gives byte-identical files.
  convert ../../../icons/icon-1024.png -filter Lanczos -resize "${size}x${size}" -strip "PNG32:${size}x${size}.png"
done
ls -l ./*.png
