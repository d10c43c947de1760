#!/usr/bin/env bash
# Runs the bot example twice on one file: the second run finds the session
# the first one closed (and caches the same peers again, changing nothing).
set -euo pipefail
bot="$1"
file="${TEST_TMPDIR:-$(mktemp -d)}/bot.session"
rm -f "$file" "$file.journal" "$file.lock"
out="$("$bot" "$file")"
echo "run 1: $out"
[[ "$out" == "home DC 2, 10000 peers" ]]
# Close() folded the journal: the session is one plain ferogram file.
[[ -s "$file" && ! -e "$file.journal" ]]
out="$("$bot" "$file")"
echo "run 2: $out"
[[ "$out" == "home DC 2, 10000 peers" ]]
# Caching the same peers again changed nothing: still one plain file.
[[ -s "$file" && ! -e "$file.journal" ]]
