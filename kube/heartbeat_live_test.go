//go:build live

package kube

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"

	"github.com/dsx-tui/dsx/testenv"
)

// Node heartbeats (status timestamps, annotations as lease-like renewals)
// reach the watcher's informer yet make no snapshot; a label change that
// makes the node eligible makes one, and the node view shows it.
func TestHeartbeatsMakeNoSnapshotLive(t *testing.T) {
	ctx := context.Background()
	const ns, node = "beats", "node-3"
	plane.Namespace(t, ns)
	ds := testenv.DaemonSet(ns, "picky", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"dsx-beats": "yes"}
	if _, err := plane.Client.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = plane.Client.AppsV1().DaemonSets(ns).Delete(ctx, "picky", metav1.DeleteOptions{})
		patch := []byte(`{"metadata":{"labels":{"dsx-beats":null}}}`)
		_, _ = plane.Client.CoreV1().Nodes().Patch(ctx, node, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
	}()
	w := NewWatcher(plane.Client, WatcherOptions{Namespace: ns})
	w.Focus(ns, "picky")
	w.Start(ctx)
	defer w.Shutdown()
	waitView(t, w, 2*time.Minute, "the node ineligible in a synced view", func(v NodeView) bool {
		return v.Observed && rowOf(v, node).State == StateIneligible
	})
	// Let the DaemonSet's own status updates settle: wait for a quiet
	// second, no snapshot within it.
	testenv.WaitT(t, time.Minute, "a second without snapshots", func(context.Context) (bool, error) {
		qctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		_, err := w.Next(qctx)
		return errors.Is(err, context.DeadlineExceeded), nil
	})

	before := w.nodeUpdates.Load()
	const beats = 5
	for i := range beats {
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			n, err := plane.Client.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
			if err != nil {
				return err
			}
			beat := metav1.NewTime(time.Now().Add(time.Duration(i) * time.Second))
			for j := range n.Status.Conditions {
				n.Status.Conditions[j].LastHeartbeatTime = beat
			}
			_, err = plane.Client.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		patch := fmt.Appendf(nil, `{"metadata":{"annotations":{"dsx.dev/renewed":"%d"}}}`, i)
		if _, err := plane.Client.CoreV1().Nodes().Patch(ctx, node, types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// The informer has delivered every update once the watcher has
	// handled them (kwok's own heartbeats may add more).
	testenv.WaitT(t, time.Minute, "the heartbeats reach the watcher", func(context.Context) (bool, error) {
		return w.nodeUpdates.Load()-before >= 2*beats, nil
	})
	qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	s, err := w.Next(qctx)
	cancel()
	if err == nil {
		t.Fatalf("%d heartbeats made a snapshot (%d nodes, detail %v)", w.nodeUpdates.Load()-before, s.Nodes, s.Detail != nil)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal(err)
	}

	patch := []byte(`{"metadata":{"labels":{"dsx-beats":"yes"}}}`)
	if _, err := plane.Client.CoreV1().Nodes().Patch(ctx, node, types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	waitView(t, w, time.Minute, "the labelled node eligible", func(v NodeView) bool {
		st := rowOf(v, node).State
		return st != StateIneligible && st != ""
	})
}
