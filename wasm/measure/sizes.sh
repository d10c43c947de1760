#!/bin/bash
# Builds the release module (--config=wasm_release: -Oz, LTO) and the
# measurement variants of wasm/BUILD.bazel, and prints raw and gzip -9 sizes.
#   bash wasm/measure/sizes.sh                 (BAZEL="bazel --output_base=..." to override)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BAZEL="${BAZEL:-bazel}"
variants=(tgsession tgsession_sqlite size_web_only size_no_interop size_api_no_journal size_codec_only size_with_json
          size_asyncify_probe_baseline size_asyncify_probe status_module)
$BAZEL build --config=wasm_release --jobs=2 "${variants[@]/#///wasm:}" //wasm:npm_package >&2
bin="$($BAZEL info --config=wasm_release bazel-bin 2>/dev/null)/wasm"
gz() { gzip -9 -c "$1" | wc -c; }
printf '%-30s %20s %20s %20s\n' "module" ".wasm raw / gz" ".mjs raw / gz" ".single.mjs raw / gz"
for v in "${variants[@]}"; do
  single="-"
  if [[ -f "${bin}/${v}.single.mjs" ]]; then
    single="$(wc -c <"${bin}/${v}.single.mjs") / $(gz "${bin}/${v}.single.mjs")"
  fi
  printf '%-30s %20s %20s %20s\n' "$v" \
    "$(wc -c <"${bin}/${v}.wasm") / $(gz "${bin}/${v}.wasm")" \
    "$(wc -c <"${bin}/${v}.mjs") / $(gz "${bin}/${v}.mjs")" "$single"
done
# What the package ships (tgsession's glue with the API and a loader; the
# variants above carry the API as --extern-post-js instead, without a loader).
for f in tgsession.mjs tgsession.node.mjs tgsession.node.cjs tgsession.single.mjs tgsession.wasm \
    tgsession_sqlite.mjs tgsession_sqlite.single.mjs tgsession_sqlite.wasm; do
  printf '%-30s %20s\n' "npm: $f" "$(wc -c <"${bin}/npm/tgsession/$f") / $(gz "${bin}/npm/tgsession/$f")"
done
api="${bin}/js/tgsession_api.js"
printf '%-30s %20s\n' "JS API (extern-post-js)" "$(wc -c <"$api") / $(gz "$api")"
printf '%-30s %20s\n' "tgsession.d.ts" "$(wc -c <wasm/js/tgsession.d.ts) / $(gz wasm/js/tgsession.d.ts)"
