package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dsx-tui/dsx/kube"
)

// QuietFor is how long the cluster goes without a change a DaemonSet view
// shows before the floor, a first screen or an idle window is measured.
// A 5,000-node cluster that has just settled still changes for a minute
// or more (dsx's status bar read a last event 36 s into one idle window),
// and a figure taken then measures the cluster's tail, not the program.
const QuietFor = 15 * time.Second

// Quiet is one wait for a quiet cluster before a measurement.
type Quiet struct {
	What   string
	Waited time.Duration
	// Quiet is false when the wait reached its limit first: the figure
	// was measured on a cluster still changing.
	Quiet bool
}

// waitQuiet waits, up to limit, until QuietFor has passed since the last
// change dsx's own watcher would show (node heartbeats and leases are not
// changes to it). The watcher runs only while it waits.
func waitQuiet(ctx context.Context, kubeconfig, what string, limit time.Duration) (Quiet, error) {
	q := Quiet{What: what}
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cf := kube.NewConfigFlags()
	*cf.KubeConfig = kubeconfig
	target, err := kube.ResolveWith(cf, true, false)
	if err != nil {
		return q, err
	}
	w, err := kube.Connect(ctx, target, 10*time.Second)
	if err != nil {
		return q, err
	}
	defer w.Shutdown()
	snap := w.Initial()
	var syncedAt time.Time
	for {
		last := snap.LastEvent
		if snap.Synced && syncedAt.IsZero() {
			syncedAt = time.Now()
		}
		if last.Before(syncedAt) {
			// The sync itself is not a change in the cluster.
			last = syncedAt
		}
		if snap.Synced && time.Since(last) >= QuietFor {
			q.Waited, q.Quiet = time.Since(t0), true
			return q, nil
		}
		wait := QuietFor
		if snap.Synced {
			wait = QuietFor - time.Since(last)
		}
		nctx, ncancel := context.WithTimeout(ctx, wait)
		next, err := w.Next(nctx)
		ncancel()
		switch {
		case err == nil:
			snap = next
		case ctx.Err() != nil:
			q.Waited = time.Since(t0)
			return q, nil
		case errors.Is(err, context.DeadlineExceeded):
			// No snapshot: nothing changed; look again.
		default:
			return q, fmt.Errorf("waiting for a quiet cluster: %w", err)
		}
	}
}
