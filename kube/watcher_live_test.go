//go:build live

package kube

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dsx-tui/dsx/testenv"
)

var plane *testenv.Plane

func TestMain(m *testing.M) {
	os.Exit(testenv.RunTests(m, func(ctx context.Context, p *testenv.Plane) error {
		plane = p
		_, err := p.AddNodes(ctx, "node", 20, testenv.NodeSpec{Labels: map[string]string{"pool": "base"}})
		return err
	}))
}

// next waits for the next snapshot with a deadline.
func next(t *testing.T, w *Watcher) Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := w.Next(ctx)
	if err != nil {
		t.Fatalf("no snapshot within a minute: %v", err)
	}
	return s
}

func find(s Snapshot, ns, name string) (DaemonSetRow, bool) {
	for _, r := range s.DaemonSets {
		if r.Namespace == ns && r.Name == name {
			return r, true
		}
	}
	return DaemonSetRow{}, false
}

// Snapshots follow the cluster: a DaemonSet appears, its counts reach the
// node count, and it disappears when deleted. Managed fields are gone
// from the cache.
func TestWatcherFollowsCluster(t *testing.T) {
	ctx := context.Background()
	w := NewWatcher(plane.Client, WatcherOptions{Context: "test", Namespace: "default"})
	w.Start(ctx)
	defer w.Shutdown()
	for s := next(t, w); !s.Synced; s = next(t, w) {
	}
	ds := testenv.DaemonSet("default", "watched", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "base"}
	if _, err := plane.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		s := next(t, w)
		if r, ok := find(s, "default", "watched"); ok && r.Ready == 20 && r.Desired == 20 && r.Observed {
			if len(r.Images) != 1 || r.Images[0] != "agent:1" || r.Strategy != "RollingUpdate" {
				t.Fatalf("row = %+v", r)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("DaemonSet never reached 20 ready in snapshots; last %+v", s.DaemonSets)
		}
	}
	cached, err := w.ds.DaemonSets("default").Get("watched")
	if err != nil {
		t.Fatal(err)
	}
	if len(cached.ManagedFields) != 0 {
		t.Fatalf("cache keeps managedFields: %d entries", len(cached.ManagedFields))
	}
	if err := plane.Client.AppsV1().DaemonSets("default").Delete(ctx, "watched", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	for {
		s := next(t, w)
		if _, ok := find(s, "default", "watched"); !ok {
			break
		}
		if time.Now().After(deadline.Add(time.Minute)) {
			t.Fatal("deleted DaemonSet still in snapshots")
		}
	}
}

// A burst of events makes few snapshots, not one per event.
func TestWatcherCoalesces(t *testing.T) {
	ctx := context.Background()
	if _, err := plane.Client.CoreV1().Namespaces().Create(ctx, nsObj("burst"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w := NewWatcher(plane.Client, WatcherOptions{Namespace: "burst", MinInterval: 200 * time.Millisecond})
	w.Start(ctx)
	defer w.Shutdown()
	for s := next(t, w); !s.Synced; s = next(t, w) {
	}
	const n = 40
	for i := range n {
		ds := testenv.DaemonSet("burst", fmt.Sprintf("b%02d", i), "agent:1")
		ds.Spec.Template.Spec.NodeSelector = map[string]string{"none": "none"}
		if _, err := plane.Client.AppsV1().DaemonSets("burst").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	snaps := 0
	for {
		s := next(t, w)
		snaps++
		if len(s.DaemonSets) == n {
			break
		}
	}
	// Each create is at least one event (status updates add more); one
	// snapshot per 200 ms window must absorb most of them.
	if snaps >= n {
		t.Fatalf("%d snapshots for %d creates: bursts are not coalesced", snaps, n)
	}
	t.Logf("%d creates, %d snapshots", n, snaps)
}

func nsObj(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
}
