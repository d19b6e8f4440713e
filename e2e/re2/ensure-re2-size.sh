#!/usr/bin/env bash
# Makes sure the re2-size tool exists (e2e/re2/re2-size.cc built against Debian's libre2), for the
# tests that check regex program sizes against real C++ RE2, the library Envoy uses. Installs
# libre2-dev and g++ from Debian's packages when missing (root, as on CI). Idempotent: once built
# for the installed libre2 version, it returns at once.
#
# stdout (machine-readable): one line  RE2_SIZE=<path>
# Everything else goes to stderr. Source: $PORTICO_RE2_SIZE, else the cache
# ${PORTICO_CACHE:-$HOME/.cache/portico}/re2-size/<libre2 version>/re2-size, else a build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
log() { echo "ensure-re2-size: $*" >&2; }
fail() {
  log "ERROR: $*"
  log "The RE2 size tests need libre2-dev and g++ (Debian packages; this script installs them as root),"
  log "or PORTICO_RE2_SIZE set to a built re2-size."
  exit 1
}

if [ -n "${PORTICO_RE2_SIZE:-}" ]; then
  [ -x "$PORTICO_RE2_SIZE" ] || fail "PORTICO_RE2_SIZE=$PORTICO_RE2_SIZE is not an executable"
  echo "RE2_SIZE=$PORTICO_RE2_SIZE"
  exit 0
fi

if ! dpkg -s libre2-dev >/dev/null 2>&1 || ! command -v g++ >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "libre2-dev or g++ is missing and this is not root"
  log "installing libre2-dev and g++ from Debian's packages"
  apt-get update -qq >&2 || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libre2-dev g++ >&2 || fail "apt-get install libre2-dev g++ failed"
fi

version="$(dpkg-query -W -f '${Version}' libre2-dev)"
cache="${PORTICO_CACHE:-$HOME/.cache/portico}/re2-size/${version//[^A-Za-z0-9.+-]/_}"
out="$cache/re2-size"
if [ ! -x "$out" ] || [ "$here/re2-size.cc" -nt "$out" ]; then
  mkdir -p "$cache"
  g++ -O1 -o "$out.tmp" "$here/re2-size.cc" -lre2 >&2 || fail "building re2-size failed"
  mv "$out.tmp" "$out"
  log "built $out (libre2 $version)"
fi
echo "RE2_SIZE=$out"
