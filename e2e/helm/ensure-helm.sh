#!/usr/bin/env bash
# Makes sure a helm binary exists for the chart tests (e2e/install.test.ts), building it from the
# Go module proxy at the pinned version if needed: Helm is a Go module, and neither Debian nor npm
# ships it. Idempotent: once cached, it returns at once. `go install module@version` verifies
# every module against the checksum database, so the build is exactly the pinned release's code.
#
# stdout (machine-readable): one line  HELM=<path>
# Everything else (progress, errors) goes to stderr.
#
# Sources, in order: $PORTICO_HELM (a helm binary you already have); the cache
# ${PORTICO_CACHE:-$HOME/.cache/portico}/helm/<version>/helm; a build.
set -euo pipefail
HELM_VERSION=v3.19.0

log() { echo "ensure-helm: $*" >&2; }
fail() {
  log "ERROR: $*"
  log "The chart tests need helm $HELM_VERSION: let this script build it (needs Go on PATH or in"
  log "/usr/local/go/bin and the Go module proxy), or set PORTICO_HELM to a helm 3 binary."
  exit 1
}

if [ -n "${PORTICO_HELM:-}" ]; then
  [ -x "$PORTICO_HELM" ] || fail "PORTICO_HELM=$PORTICO_HELM is not an executable"
  echo "HELM=$PORTICO_HELM"
  exit 0
fi

[ -n "${PORTICO_CACHE:-}" ] || [ -n "${HOME:-}" ] || fail "neither PORTICO_CACHE nor HOME is set: nowhere to cache helm"
cache="${PORTICO_CACHE:-$HOME/.cache/portico}"
mkdir -p "$cache" && cache="$(cd "$cache" && pwd)"
out="$cache/helm/$HELM_VERSION/helm"
if [ -x "$out" ]; then
  log "cached: $out"
  echo "HELM=$out"
  exit 0
fi

command -v go >/dev/null 2>&1 || PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null 2>&1 || fail "no Go toolchain found (looked in PATH and /usr/local/go/bin)"

exec 9>"$cache/.helm-build.lock"
if ! flock -n 9; then log "another build holds $cache/.helm-build.lock; waiting"; flock 9; fi
if [ -x "$out" ]; then echo "HELM=$out"; exit 0; fi

mkdir -p "$(dirname "$out")"
gobin="$(mktemp -d)"
trap 'rm -rf "$gobin"' EXIT
start=$(date +%s)
log "building helm $HELM_VERSION: go install helm.sh/helm/v3/cmd/helm@$HELM_VERSION (a minute or two with a cold cache)"
if ! GOBIN="$gobin" CGO_ENABLED=0 GOTOOLCHAIN=local nice -n 10 go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2; then
  fail "go install of helm $HELM_VERSION failed; see the go output above"
fi
mv -f "$gobin/helm" "$out"
log "built helm in $(( $(date +%s) - start ))s: $("$out" version --short 2>&1)"
echo "HELM=$out"
