package testenv

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// RunTests starts one plane for a package's tests, runs setup on it, runs
// the tests and stops the plane. A SIGINT or SIGTERM stops the plane before
// the process exits; a panic or kill leaves it to Pdeathsig. Use it from
// TestMain: os.Exit(testenv.RunTests(m, func(p *Plane) error { plane = p; ... })).
func RunTests(m *testing.M, setup func(ctx context.Context, p *Plane) error) int {
	ctx := context.Background()
	p, err := Start(ctx, Options{Progress: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		fmt.Fprintf(os.Stderr, "testenv: %v: stopping the control plane\n", s)
		p.Stop()
		os.Exit(130)
	}()
	defer p.Stop()
	if setup != nil {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		err := setup(sctx, p)
		cancel()
		if err != nil {
			fmt.Fprintln(os.Stderr, "testenv: setup:", err)
			return 1
		}
	}
	return m.Run()
}

// WaitT is Wait for tests: it fails the test on timeout.
func WaitT(t testing.TB, timeout time.Duration, what string, cond func(context.Context) (bool, error)) {
	t.Helper()
	if err := Wait(context.Background(), timeout, what, cond); err != nil {
		t.Fatal(err)
	}
}
