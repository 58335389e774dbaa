//go:build tools

// Package tools pins the commands testenv builds for the v1.34 plane; the
// build tag keeps it out of every build while `go mod tidy` still sees the
// imports.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
