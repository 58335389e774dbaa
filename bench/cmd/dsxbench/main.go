// Command dsxbench runs dsx's cluster-backed benchmarks: for each size it
// starts a control plane, creates the scale scenario, measures dsx in a
// real pseudo-terminal against the bare-client floor, stops the plane and
// prints one Markdown table for all sizes.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dsx-tui/dsx/bench"
)

func main() {
	nodes := flag.String("nodes", "100,1000,5000", "comma-separated node counts, one cluster each")
	dss := flag.Int("daemonsets", 10, "DaemonSets per cluster, each with a pod on every node")
	limit := flag.Duration("rollout-limit", 3*time.Minute, "longest rolling-update measurement")
	kubectl := flag.Bool("kubectl", true, "build kubectl from k8s.io/kubectl and time it as the baseline")
	k9s := flag.Bool("k9s", true, "build k9s "+bench.K9sVersion+" from bench/k9s (cached) and measure it beside dsx")
	idle := flag.Duration("idle", time.Minute, "how long idle CPU is summed in each view")
	screens := flag.String("screens", "", "write the screen text at each measured moment into this directory")
	out := flag.String("out", "", "also write the tables to this file")
	heap := flag.String("heapprofile", "", "write heap profiles of the synced watcher to this prefix (PREFIX-NODES.pprof)")
	flag.Parse()
	if err := run(*nodes, *dss, *limit, *idle, *kubectl, *k9s, *out, *heap, *screens); err != nil {
		fmt.Fprintln(os.Stderr, "dsxbench:", err)
		os.Exit(1)
	}
}

func run(nodeList string, dss int, limit, idle time.Duration, kubectl, k9s bool, out, heap, screens string) error {
	var sizes []int
	for _, f := range strings.Split(nodeList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return fmt.Errorf("bad node count %q", f)
		}
		sizes = append(sizes, n)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	dir, err := os.MkdirTemp("", "dsxbench-bin-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintln(os.Stderr, "dsxbench: building dsx"+map[bool]string{true: " and kubectl", false: ""}[kubectl])
	dsx, kctl, err := bench.BuildBinaries(".", dir, kubectl)
	if err != nil {
		return err
	}
	var k9sBin string
	if k9s {
		if k9sBin, err = bench.EnsureK9s(filepath.Join("bench", "k9s"), os.Stderr); err != nil {
			return err
		}
	}
	var results []bench.Result
	for _, n := range sizes {
		t0 := time.Now()
		cfg := bench.Config{Nodes: n, DaemonSets: dss, DSX: dsx, Kubectl: kctl, K9s: k9sBin, RolloutLimit: limit, Idle: idle, ScreenDir: screens, Progress: os.Stderr}
		if heap != "" {
			cfg.HeapProfile = fmt.Sprintf("%s-%d.pprof", heap, n)
		}
		r, err := bench.Run(ctx, cfg)
		if err != nil {
			// Keep what earlier sizes measured: a 5,000-node run that
			// fails must not lose the 1,000-node figures.
			fmt.Fprintf(os.Stderr, "dsxbench: %d nodes failed after %s: %v\n", n, time.Since(t0).Round(time.Second), err)
			if len(results) == 0 {
				return err
			}
			break
		}
		fmt.Fprintf(os.Stderr, "dsxbench: %d nodes done in %s\n", n, time.Since(t0).Round(time.Second))
		results = append(results, r)
	}
	bench.WriteTable(os.Stdout, results)
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		bench.WriteTable(f, results)
	}
	return nil
}
