package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/dsx-tui/dsx/kube"
)

// Startup splits dsx's start the way main.go runs it, in process and
// without a terminal, to show where the time before the first complete
// DaemonSet screen goes.
type Startup struct {
	// Resolve reads the kubeconfig and builds the client.
	Resolve time.Duration
	// Connect is the preflight /version request, the access reviews and
	// the informers' start (kube.Connect).
	Connect time.Duration
	// FirstRows is Connect's end to the first snapshot from Next that holds
	// every DaemonSet, when an initial snapshot was taken at once as
	// main.go does for the model.
	FirstRows time.Duration
	// FirstRowsNoInitial is the same without that initial snapshot: the
	// watcher's MinInterval then has nothing to count from.
	FirstRowsNoInitial time.Duration
}

// MeasureStartup runs dsx's start-up sequence against kubeconfig twice and
// waits for daemonSets rows each time.
func MeasureStartup(ctx context.Context, kubeconfig string, daemonSets int) (Startup, error) {
	s, err := startupOnce(ctx, kubeconfig, daemonSets, true)
	if err != nil {
		return s, err
	}
	other, err := startupOnce(ctx, kubeconfig, daemonSets, false)
	s.FirstRowsNoInitial = other.FirstRows
	return s, err
}

func startupOnce(ctx context.Context, kubeconfig string, daemonSets int, initial bool) (Startup, error) {
	var s Startup
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	t0 := time.Now()
	cf := kube.NewConfigFlags()
	*cf.KubeConfig = kubeconfig
	target, err := kube.ResolveWith(cf, true, false)
	if err != nil {
		return s, err
	}
	s.Resolve = time.Since(t0)
	t1 := time.Now()
	w, err := kube.Connect(ctx, target, 10*time.Second)
	if err != nil {
		return s, err
	}
	defer w.Shutdown()
	s.Connect = time.Since(t1)
	t2 := time.Now()
	if initial {
		_ = w.Initial()
	}
	for {
		snap, err := w.Next(ctx)
		if err != nil {
			return s, fmt.Errorf("first rows: %w", err)
		}
		if len(snap.DaemonSets) >= daemonSets {
			s.FirstRows = time.Since(t2)
			return s, nil
		}
	}
}
