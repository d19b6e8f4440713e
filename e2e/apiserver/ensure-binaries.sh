#!/usr/bin/env bash
# Makes sure a kube-apiserver and an etcd binary exist for the e2e tests, building them from the
# Go module proxy at the versions pinned in versions.sh if needed. Idempotent: once cached, it
# returns in well under a second.
#
# stdout (machine-readable, read by e2e/harness): two lines
#   KUBE_APISERVER=<path>
#   ETCD=<path>
# Everything else (progress, errors) goes to stderr.
#
# Sources, in order:
#   1. $KUBEBUILDER_ASSETS, if it holds both kube-apiserver and etcd (envtest users build nothing);
#   2. the cache ${PORTICO_CACHE:-$HOME/.cache/portico}/{kube/<ver>/kube-apiserver,etcd/<ver>/etcd},
#      outside the repo so binaries (~100 MB) are never committed and survive fresh clones;
#   3. a build from the committed wrapper modules kube-apiserver/ and etcd/ (see gen-wrappers.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=versions.sh
. "$here/versions.sh"

log() { echo "ensure-binaries: $*" >&2; }
emit() { echo "KUBE_APISERVER=$1"; echo "ETCD=$2"; }
fail() {
  log "ERROR: $*"
  log "The e2e tests need kube-apiserver $KUBE_VERSION and etcd $ETCD_VERSION. Either let this"
  log "script build them (needs Go >= 1.26 on PATH or in /usr/local/go/bin and access to the Go"
  log "module proxy, GOPROXY=$(go env GOPROXY 2>/dev/null || echo '?')), or point KUBEBUILDER_ASSETS"
  log "at a directory holding ready kube-apiserver and etcd binaries."
  exit 1
}

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  if [ -x "$KUBEBUILDER_ASSETS/kube-apiserver" ] && [ -x "$KUBEBUILDER_ASSETS/etcd" ]; then
    log "using binaries from KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS (building nothing)"
    emit "$KUBEBUILDER_ASSETS/kube-apiserver" "$KUBEBUILDER_ASSETS/etcd"
    exit 0
  fi
  log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks kube-apiserver or etcd; using the pinned build"
fi

[ -n "${PORTICO_CACHE:-}" ] || [ -n "${HOME:-}" ] || fail "neither PORTICO_CACHE nor HOME is set: nowhere to cache binaries"
cache="${PORTICO_CACHE:-$HOME/.cache/portico}"
mkdir -p "$cache" && cache="$(cd "$cache" && pwd)"   # absolute: go build runs with -C
kube_bin="$cache/kube/$KUBE_VERSION/kube-apiserver"
etcd_bin="$cache/etcd/$ETCD_VERSION/etcd"

if [ -x "$kube_bin" ] && [ -x "$etcd_bin" ]; then
  log "cached: $kube_bin, $etcd_bin"
  emit "$kube_bin" "$etcd_bin"
  exit 0
fi

command -v go >/dev/null 2>&1 || PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null 2>&1 || fail "no Go toolchain found (looked in PATH and /usr/local/go/bin)"

# The committed wrapper must describe the pinned version, or we would cache a binary under the
# wrong key.
grep -Eq "^[[:space:]]*k8s.io/kubernetes $KUBE_VERSION( |$)" "$here/kube-apiserver/go.mod" \
  || fail "kube-apiserver/go.mod does not require k8s.io/kubernetes $KUBE_VERSION; run e2e/apiserver/gen-wrappers.sh"
grep -Eq "^[[:space:]]*go.etcd.io/etcd/server/v3 $ETCD_VERSION( |$)" "$here/etcd/go.mod" \
  || fail "etcd/go.mod does not require go.etcd.io/etcd/server/v3 $ETCD_VERSION; run e2e/apiserver/gen-wrappers.sh"

# Two test runs (or two work trees) may race to build: serialise, then re-check the cache.
exec 9>"$cache/.build.lock"
if ! flock -n 9; then log "another build holds $cache/.build.lock; waiting"; flock 9; fi

build() { # name wrapper-dir package output ldflags
  local name="$1" dir="$2" pkg="$3" out="$4" ldflags="$5" tmp start secs
  if [ -x "$out" ]; then log "cached: $out"; return 0; fi
  mkdir -p "$(dirname "$out")"
  tmp="$out.partial.$$"
  start=$(date +%s)
  log "building $name: go build $pkg in $dir -> $out (minutes with a cold GOCACHE, seconds with a warm one)"
  # nice: the build is CPU-heavy and the machine is shared. -mod=readonly: build exactly what the
  # committed go.sum pins; module downloads are still allowed. Static (CGO_ENABLED=0) like upstream.
  if ! CGO_ENABLED=0 nice -n 10 go -C "$dir" build -mod=readonly -buildvcs=false -trimpath \
      -ldflags "$ldflags" -o "$tmp" "$pkg" >&2; then
    rm -f "$tmp"
    fail "go build of $name ($pkg) failed; see the go output above for the missing module or error"
  fi
  mv -f "$tmp" "$out"   # atomic: a crashed build never leaves a half-written cached binary
  secs=$(( $(date +%s) - start ))
  log "built $name in ${secs}s, $(du -m "$out" | cut -f1) MB: $("$out" --version 2>&1 | head -1)"
}

kminor="${KUBE_VERSION#v1.}"; kminor="${kminor%%.*}"
kver=""
# Without these, /version reports v0.0.0-master+$Format:%H$, which breaks version-skew checks.
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kver+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$kminor -X $p.gitTreeState=clean"
done
build kube-apiserver "$here/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver "$kube_bin" "-s -w$kver"
build etcd "$here/etcd" go.etcd.io/etcd/server/v3 "$etcd_bin" "-s -w"

emit "$kube_bin" "$etcd_bin"
