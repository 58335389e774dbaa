//go:build live

package kube

import (
	"context"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/dsx-tui/dsx/testenv"
)

// An outage is in the snapshot within 2 s through the informers' watch
// error handlers (the /readyz probe is held off here), and gone once the
// relist succeeds.
func TestOutageSeenAtOnceLive(t *testing.T) {
	ctx := context.Background()
	flags := genericclioptions.NewConfigFlags(true)
	flags.KubeConfig = &plane.Kubeconfig
	target, err := Resolve(flags, false)
	if err != nil {
		t.Fatal(err)
	}
	// As Connect does, with the probe held off.
	w := NewWatcher(target.Client, WatcherOptions{Context: "test", Namespace: "default", ProbeEvery: time.Hour})
	target.health.follow(w.connection)
	w.Start(ctx)
	defer w.Shutdown()
	testenv.WaitT(t, time.Minute, "synced", func(context.Context) (bool, error) { return w.snapshot().Synced, nil })
	if err := w.snapshot().Conn.Err; err != nil {
		t.Fatalf("an outage before the API server stopped: %v", err)
	}
	if err := plane.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	restarted := false
	defer func() {
		if !restarted {
			_ = plane.StartAPIServer(ctx)
		}
	}()
	testenv.WaitT(t, 2*time.Second, "the outage in the snapshot", func(context.Context) (bool, error) {
		return w.snapshot().Conn.Err != nil, nil
	})
	seen := time.Since(stopped)
	if err := plane.StartAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	restarted = true
	back := time.Now()
	testenv.WaitT(t, 30*time.Second, "the outage cleared", func(context.Context) (bool, error) {
		return w.snapshot().Conn.Err == nil, nil
	})
	t.Logf("outage seen after %v; cleared %v after the API server was healthy again", seen.Round(time.Millisecond), time.Since(back).Round(time.Millisecond))
}
