#!/usr/bin/env bash
# Regenerates the two wrapper modules (kube-apiserver/ and etcd/) that ensure-binaries.sh builds
# from. Run it only when bumping a version in versions.sh; its output is committed so that every
# build resolves exactly the same module versions (go.sum pins their hashes).
#
# Why wrappers: neither k8s.io/kubernetes nor go.etcd.io/etcd/server/v3 can be `go install`ed
# (their go.mod files carry replace directives). As a dependency of our own module those replaces
# are ignored, so for kubernetes we re-create them, pointing each staging module at its published
# v0.Y.Z. The list is read from the tag's own go.mod so it never goes stale.
# etcd lives in a separate module so MVS cannot mix its grpc/otel versions with kubernetes' ones.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=versions.sh
. "$here/versions.sh"
command -v go >/dev/null 2>&1 || PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null 2>&1 || { echo "gen-wrappers: no Go toolchain (looked in PATH and /usr/local/go/bin)" >&2; exit 1; }
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

log() { echo "gen-wrappers: $*" >&2; }

# Copies go.mod/go.sum out of a scratch dir, dropping the toolchain line (it only records which
# Go happened to run `go get`, which would make the output depend on the machine).
finish() { # scratch target
  go -C "$1" mod edit -toolchain=none
  mkdir -p "$2"
  cp "$1/go.mod" "$1/go.sum" "$2/"
  log "wrote $2/go.mod and go.sum"
}

# Prints the GoMod file path of module@version, downloading it from the proxy if needed.
gomod_of() {
  go mod download -json "$1" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p'
}

# Starts a wrapper module in $1 with the same language version and GODEBUG defaults as the
# upstream go.mod $2. Dependency godebug lines are ignored by Go, so without this the binary would
# get our toolchain's defaults rather than what upstream ships.
init_like() { # scratch upstream-gomod module-path
  (cd "$1" && go mod init "$3" >/dev/null 2>&1)
  go -C "$1" mod edit "-go=$(sed -n 's/^go //p' "$2")"
  local gd; gd="$(sed -n 's/^godebug //p' "$2")"
  [ -z "$gd" ] || go -C "$1" mod edit "-godebug=$gd"
}

gen_kube() {
  local scratch minor gomod mods
  scratch="$(mktemp -d)"; trap 'rm -rf "$scratch"' RETURN
  minor="v0.${KUBE_VERSION#v1.}"   # v1.35.4 -> v0.35.4
  gomod="$(gomod_of "k8s.io/kubernetes@$KUBE_VERSION")"
  [ -f "$gomod" ] || { log "cannot download k8s.io/kubernetes@$KUBE_VERSION from the module proxy"; return 1; }
  mods="$(sed -n 's#^[[:space:]]*\(k8s.io/[A-Za-z0-9._-]*\) => ./staging/src/k8s.io/.*#\1#p' "$gomod" | sort)"
  log "k8s.io/kubernetes@$KUBE_VERSION: $(echo "$mods" | wc -l) staging modules -> $minor"
  init_like "$scratch" "$gomod" portico.invalid/e2e/apiserver/kube-apiserver
  for m in $mods; do go -C "$scratch" mod edit "-replace=$m=$m@$minor"; done
  log "go get -tool k8s.io/kubernetes/cmd/kube-apiserver@$KUBE_VERSION (downloads a few hundred MB once)"
  go -C "$scratch" get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$KUBE_VERSION"
  go -C "$scratch" mod tidy
  finish "$scratch" "$here/kube-apiserver"
}

gen_etcd() {
  local scratch gomod
  scratch="$(mktemp -d)"; trap 'rm -rf "$scratch"' RETURN
  gomod="$(gomod_of "go.etcd.io/etcd/server/v3@$ETCD_VERSION")"
  [ -f "$gomod" ] || { log "cannot download go.etcd.io/etcd/server/v3@$ETCD_VERSION from the module proxy"; return 1; }
  init_like "$scratch" "$gomod" portico.invalid/e2e/apiserver/etcd
  log "go get -tool go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  go -C "$scratch" get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  go -C "$scratch" mod tidy
  finish "$scratch" "$here/etcd"
}

case "${1:-all}" in
  kube) gen_kube ;;
  etcd) gen_etcd ;;
  all) gen_kube; gen_etcd ;;
  *) echo "usage: $0 [kube|etcd|all]" >&2; exit 2 ;;
esac
