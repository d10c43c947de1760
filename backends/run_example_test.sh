#!/usr/bin/env bash
# Runs the custom-backend example; it exits non-zero if its round trip fails.
set -euo pipefail
out="$("$1")"
echo "$out"
grep -q "^kv:tgsession:bot-1: Session{home_dc=2" <<<"$out"
