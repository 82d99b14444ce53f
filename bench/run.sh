#!/bin/sh
# Builds scanbench in release mode and runs it: prints the framing-scanner table (Markdown).
# Writes nothing but the build folder bench/.build.
set -eu
cd "$(dirname "$0")"
swift build -c release --scratch-path .build --product scanbench >&2
exec .build/release/scanbench "$@"
