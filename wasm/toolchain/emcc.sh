#!/bin/bash
# C/C++ compiler and linker driver for Bazel's wasm toolchain: runs Debian's
# emcc (/usr/bin/emcc). emcc links as C++ by default (DEFAULT_TO_CXX=1) and
# picks clang or clang++ per source file, so one driver serves every action.
#
# * Debian's emcc needs node-acorn, which lives in /usr/share/nodejs.
# * `-pthread` is dropped (GoogleTest and Abseil add it): in emscripten it turns
#   on a threads build that needs SharedArrayBuffer and a worker setup. It is
#   dropped inside Bazel's @param files as well.
set -euo pipefail

export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:${NODE_PATH}}"

args=()
tmp_params=()
cleanup() {
  if ((${#tmp_params[@]})); then rm -f -- "${tmp_params[@]}"; fi
}
trap cleanup EXIT

for arg in "$@"; do
  case "${arg}" in
    -pthread) ;;
    @*)
      params="${arg#@}"
      if [[ -f "${params}" ]] && grep -q -x -e "-pthread" -e "'-pthread'" -- "${params}"; then
        # Keep a plain suffix: emscripten guesses a response file's encoding
        # from its last dot-suffix (".utf-8", ".cp1252", ...).
        filtered="$(mktemp --suffix=.params "${TMPDIR:-/tmp}/emcc-XXXXXX")"
        tmp_params+=("${filtered}")
        grep -v -x -e "-pthread" -e "'-pthread'" -- "${params}" >"${filtered}" || true
        args+=("@${filtered}")
      else
        args+=("${arg}")
      fi
      ;;
    *) args+=("${arg}") ;;
  esac
done

/usr/bin/emcc "${args[@]}"
