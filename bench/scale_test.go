package bench

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsx-tui/dsx/kube"
)

// TestScale is the cluster-backed part through go test, for one who has no
// make: DSX_BENCH_NODES=100,1000 go test -run TestScale -timeout 60m -v ./bench
// Without the variable it skips, so `go test ./...` stays quick.
func TestScale(t *testing.T) {
	env := os.Getenv("DSX_BENCH_NODES")
	if env == "" {
		t.Skip("set DSX_BENCH_NODES (e.g. 100,1000,5000) to run the cluster-backed benchmarks")
	}
	dir := t.TempDir()
	dsx, kctl, err := BuildBinaries("..", dir, true)
	if err != nil {
		t.Fatal(err)
	}
	// DSX_BENCH_K9S=1 measures k9s too (built once into the cache).
	var k9s string
	if os.Getenv("DSX_BENCH_K9S") != "" {
		if k9s, err = EnsureK9s("k9s", os.Stderr); err != nil {
			t.Fatal(err)
		}
	}
	var results []Result
	for _, f := range strings.Split(env, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			t.Fatalf("DSX_BENCH_NODES: %v", err)
		}
		r, err := Run(context.Background(), Config{Nodes: n, DaemonSets: 10, DSX: dsx, Kubectl: kctl, K9s: k9s, RolloutLimit: 3 * time.Minute, Progress: os.Stderr})
		if err != nil {
			t.Fatalf("%d nodes: %v", n, err)
		}
		results = append(results, r)
	}
	WriteTable(os.Stdout, results)
}

// TestFleetScale is issue 16's fleet scenario: DSX_BENCH_FLEET=50 go test
// -run TestFleetScale -v ./bench (DSX_BENCH_FLEET_PLANES, default 2).
// Without the variable it skips.
func TestFleetScale(t *testing.T) {
	env := os.Getenv("DSX_BENCH_FLEET")
	if env == "" {
		t.Skip("set DSX_BENCH_FLEET (e.g. 50) to run the fleet benchmark")
	}
	n, err := strconv.Atoi(env)
	if err != nil || n < 2 {
		t.Fatalf("DSX_BENCH_FLEET=%q: want a number of contexts, at least 2", env)
	}
	planes := 2
	if p := os.Getenv("DSX_BENCH_FLEET_PLANES"); p != "" {
		if planes, err = strconv.Atoi(p); err != nil || planes < 1 {
			t.Fatalf("DSX_BENCH_FLEET_PLANES=%q", p)
		}
	}
	r, err := RunFleet(context.Background(), FleetConfig{Contexts: n, Planes: planes, DaemonSets: 10, NodesPerPlane: 3, Progress: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	WriteFleetTable(os.Stdout, r)
	if r.Unreachable != kube.ClusterUnreachable {
		t.Errorf("the unreachable context's column says %q", r.Unreachable)
	}
}
