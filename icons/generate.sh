#!/usr/bin/env bash
# Renders icons/icon.svg (the only source image) to every size the Tauri bundle uses.
# Needs rsvg-convert (Debian: librsvg2-bin) and ImageMagick 6 `convert` (Debian: imagemagick).
# The outputs are committed; run this again only after editing icon.svg.
set -euo pipefail
cd "$(dirname "$0")"

for tool in rsvg-convert convert; do
  command -v "$tool" >/dev/null || { echo "generate.sh: $tool is missing" >&2; exit 1; }
done

rsvg-convert -w 1024 -h 1024 icon.svg -o icon-1024.png

# -strip drops timestamps so that re-running the script gives byte-identical files.
png() { convert icon-1024.png -filter Lanczos -resize "$1x$1" -strip "PNG32:$2"; }
png 32 32x32.png
png 128 128x128.png
png 256 128x128@2x.png
png 512 icon.png

# Windows icon: several sizes in one file, the shell picks the right one.
convert icon-1024.png -strip -define icon:auto-resize=256,128,64,48,32,16 icon.ico

# macOS icon: ImageMagick cannot write .icns, but the format is simple: "icns", the total length,
# then entries of (type, length, PNG bytes); ic07..ic10 are 128, 256, 512 and 1024 px.
python3 - <<'PY'
import struct
entries = b""
for kind, size in ((b"ic07", 128), (b"ic08", 256), (b"ic09", 512), (b"ic10", 1024)):
    png = {128: "128x128.png", 256: "128x128@2x.png", 512: "icon.png", 1024: "icon-1024.png"}[size]
    data = open(png, "rb").read()
    entries += kind + struct.pack(">I", 8 + len(data)) + data
open("icon.icns", "wb").write(b"icns" + struct.pack(">I", 8 + len(entries)) + entries)
PY

ls -l ./*.png icon.ico icon.icns
