// Command demo starts a local control plane, seeds the demo cluster and runs
// dsx on it; when dsx exits the plane is torn down. `make demo` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/dsx-tui/dsx/testenv"
)

func main() {
	dsx := flag.String("dsx", "bin/dsx", "path of the dsx binary to run")
	churn := flag.Duration("churn", 8*time.Second, "add or remove a node this often (0: never)")
	keep := flag.Bool("keep", false, "run the cluster without dsx, until Ctrl-C (point any client at the printed kubeconfig)")
	buildOnly := flag.Bool("build-only", false, "build (or find cached) the control-plane binaries of every version and exit")
	flag.Parse()
	if *buildOnly {
		// Every version the tests run on: `make plane` leaves nothing to
		// build for `make test`.
		for _, v := range testenv.Versions() {
			if _, err := testenv.EnsureBinariesFor(v, os.Stderr); err != nil {
				fmt.Fprintln(os.Stderr, "demo:", err)
				os.Exit(1)
			}
		}
		return
	}
	if err := run(*dsx, *churn, *keep, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(dsx string, churn time.Duration, keep bool, dsxArgs []string) error {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer cancel()
	start := time.Now()
	plane, err := testenv.Start(ctx, testenv.Options{Progress: os.Stderr, ContextName: "dsx-demo"})
	if err != nil {
		return err
	}
	defer func() {
		fmt.Fprintln(os.Stderr, "demo: stopping the control plane")
		plane.Stop()
	}()
	if err := plane.Seed(ctx, os.Stderr); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "demo: cluster ready in %s; kubeconfig %s\n", time.Since(start).Round(100*time.Millisecond), plane.Kubeconfig)
	if churn > 0 {
		go churnNodes(ctx, plane, churn)
	}
	if keep {
		fmt.Fprintf(os.Stderr, "demo: export KUBECONFIG=%s ; Ctrl-C stops the cluster\n", plane.Kubeconfig)
		<-ctx.Done()
		return nil
	}
	cmd := exec.CommandContext(ctx, dsx, append([]string{"--kubeconfig", plane.Kubeconfig, "-A"}, dsxArgs...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = os.Environ()
	err = cmd.Run()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// churnNodes makes the seed's core behaviour visible: a node joins, the
// DaemonSets put pods on it; it leaves, the pods go.
func churnNodes(ctx context.Context, p *testenv.Plane, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	n := 0
	var up []string
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if len(up) < 3 {
			name := fmt.Sprintf("spot-%d", n)
			n++
			if _, err := p.AddNode(ctx, name, testenv.NodeSpec{Labels: map[string]string{testenv.PoolLabel: "spot", testenv.ZoneLabel: testenv.Zones[n%len(testenv.Zones)]}}); err == nil {
				up = append(up, name)
			}
			continue
		}
		if err := p.RemoveNode(ctx, up[0]); err == nil {
			up = up[1:]
		}
	}
}
