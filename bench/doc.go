// Package bench measures dsx at scale (issue #6). The *_test.go benchmarks
// drive the model on synthetic snapshots and need nothing else; Run (used
// by cmd/dsxbench and TestScale) starts a testenv control plane per size,
// runs the dsx binary in a pseudo-terminal and compares it with bare
// client-go, kubectl and k9s (issue #14; built from the bench/k9s module,
// run in the same harness) on the same cluster. The pseudo-terminal and /proc
// readings make the package Linux-only, like the control plane it drives.
// docs/performance.md has the figures and how they are taken.
package bench
