# shellcheck shell=bash disable=SC2034  # sourced: the variables are used by the including scripts
# Pinned versions of the test control plane. Sourced by gen-wrappers.sh and ensure-binaries.sh.
# Bumping a version: edit it here, run ./gen-wrappers.sh, commit the regenerated go.mod/go.sum.
#
# kube v1.35.4: the newest tag for which the module proxy serves *every* staging module at the
# matching v0.35.4 (v1.34.4 lacks sample-cli-plugin and sample-controller, v1.36.3 lacks
# sample-apiserver and sample-cli-plugin, and `go mod tidy` needs them all).
# etcd v3.6.16: newest 3.6 patch served; k8s 1.35 itself is tested against etcd 3.6.
KUBE_VERSION=v1.35.4
ETCD_VERSION=v3.6.16
