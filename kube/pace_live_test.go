//go:build live

package kube

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/dsx-tui/dsx/testenv"
)

// During a real rollout consecutive snapshots are at least
// RolloutInterval apart, and a new focus gets its snapshot at once.
func TestRolloutPacedLive(t *testing.T) {
	ctx := context.Background()
	const ns = "paced"
	plane.Namespace(t, ns)
	// Two nodes at a time over the 20 base nodes, each new pod available
	// a second after it is ready: a rollout of ten seconds or more, with
	// pod events all along (kwok alone rolls them in about two).
	roll := testenv.DaemonSet(ns, "roll", "agent:1")
	roll.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "base"}
	roll.Spec.MinReadySeconds = 1
	two := intstr.FromInt32(2)
	roll.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = &two
	// other runs nowhere: only something else to focus on.
	other := testenv.DaemonSet(ns, "other", "agent:1")
	other.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "none"}
	for _, ds := range []*appsv1.DaemonSet{roll, other} {
		if _, err := plane.Client.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := plane.WaitDaemonSet(ctx, ns, ds.Name, 2*time.Minute, testenv.DaemonSetSettled); err != nil {
			t.Fatal(err)
		}
	}
	w := NewWatcher(plane.Client, WatcherOptions{Namespace: ns})
	w.Start(ctx)
	defer w.Shutdown()
	w.Focus(ns, "roll")
	waitView(t, w, time.Minute, "roll current on 20 nodes", func(v NodeView) bool {
		return v.Name == "roll" && v.Summary.ByState[StateCurrent] == 20
	})

	// Snapshots are taken as the UI takes them, one Next after another,
	// each with the time the watcher built it.
	type timed struct {
		s  Snapshot
		at time.Time
		// waits is paceWaits once the snapshot was made.
		waits int64
	}
	snaps := make(chan timed, 4096)
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		defer close(snaps)
		for {
			s, err := w.Next(rctx)
			if err != nil {
				return
			}
			w.mu.Lock()
			at := w.lastSnap
			w.mu.Unlock()
			snaps <- timed{s, at, w.paceWaits.Load()}
		}
	}()

	if err := plane.UpdateDaemonSet(ctx, ns, "roll", func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.Containers[0].Image = "agent:2"
	}); err != nil {
		t.Fatal(err)
	}
	mark := func(s Snapshot) string {
		r, _ := find(s, ns, "roll")
		return r.Mark
	}
	deadline := time.NewTimer(3 * time.Minute)
	defer deadline.Stop()
	var (
		prev              timed
		paced             int
		refocusAt         time.Time
		refocused, rolled bool
	)
	for !rolled || mark(prev.s) != MarkComplete {
		var cur timed
		select {
		case c, ok := <-snaps:
			if !ok {
				t.Fatal("the watcher stopped")
			}
			cur = c
		case <-deadline.C:
			t.Fatalf("the rollout did not complete in 3 minutes (%d paced snapshots, refocused %v); last mark %q", paced, refocused, mark(prev.s))
		}
		rolled = rolled || mark(cur.s) == MarkRolling
		first := !refocusAt.IsZero() && !refocused && cur.s.Focus == ns+"/other"
		switch {
		case first:
			// The new focus's first snapshot, not held to the rollout's pace.
			refocused = true
			if cur.s.Detail == nil || cur.s.Detail.Name != "other" {
				t.Errorf("the new focus's snapshot has no view of other: %+v", cur.s.Detail)
			}
			if d := cur.at.Sub(refocusAt); d >= RolloutInterval/2 {
				t.Errorf("the new focus waited %s for its snapshot (pace %s)", d, RolloutInterval)
			} else {
				t.Logf("new focus: snapshot after %s", d.Round(10*time.Microsecond))
			}
		case mark(prev.s) == MarkRolling:
			// The watcher paces from the previous snapshot's marks.
			gap := cur.at.Sub(prev.at)
			if gap < RolloutInterval {
				t.Errorf("snapshots %s apart during the rollout, want at least %s", gap.Round(time.Millisecond), RolloutInterval)
			}
			paced++
		}
		prev = cur
		if paced >= 2 && refocusAt.IsZero() && mark(cur.s) == MarkRolling && pacing(w, cur.waits) && time.Since(cur.at) < RolloutInterval/2 {
			// Next holds the snapshot after cur back for the rest of a
			// second: the new focus must cut that short.
			refocusAt = time.Now()
			w.Focus(ns, "other")
		}
	}
	if !refocused {
		t.Errorf("the rollout ended before a new focus could be tried (%d paced snapshots)", paced)
	}
	if paced < 3 {
		t.Errorf("only %d snapshots during the rollout: too short to judge the pace", paced)
	}
	t.Logf("%d snapshots paced during the rollout", paced)
}

// pacing waits, for at most RolloutInterval/2, until Next holds back a
// snapshot after the one made when paceWaits was n.
func pacing(w *Watcher, n int64) bool {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(RolloutInterval / 2)
	for w.paceWaits.Load() <= n {
		select {
		case <-tick.C:
		case <-deadline:
			return false
		}
	}
	return true
}
