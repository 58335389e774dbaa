//go:build live

package kube

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dsx-tui/dsx/testenv"
)

// waitView waits for the focused DaemonSet's node view to satisfy cond.
func waitView(t *testing.T, w *Watcher, timeout time.Duration, what string, cond func(NodeView) bool) NodeView {
	t.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	var last *NodeView
	for {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		s, err := w.Next(ctx)
		cancel()
		if err == nil && s.Detail != nil {
			last = s.Detail
			if cond(*s.Detail) {
				t.Logf("%s: %s", what, time.Since(start).Round(time.Millisecond))
				return *s.Detail
			}
		}
		if err != nil || time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s; last view:\n%s", timeout, what, dumpView(last))
		}
	}
}

func dumpView(v *NodeView) string {
	if v == nil {
		return "<none>"
	}
	out := fmt.Sprintf("current revision %d\n", v.CurrentRevision)
	for _, r := range v.Rows {
		out += fmt.Sprintf("  %-12s %-12s rev=%d ready=%v %s\n", r.Node, r.State, r.Revision, r.Ready, r.Reason)
	}
	return out
}

func rowOf(v NodeView, node string) NodeRow {
	for _, r := range v.Rows {
		if r.Node == node {
			return *r
		}
	}
	return NodeRow{}
}

// Every state and reason, produced by the real controller, scheduler and
// kwok, and computed by dsx from its cache.
func TestNodeViewStatesLive(t *testing.T) {
	ctx := context.Background()
	p := plane
	pool := map[string]string{"pool": "states"}
	add := func(name string, spec testenv.NodeSpec) {
		t.Helper()
		if spec.Labels == nil {
			spec.Labels = pool
		}
		if _, err := p.AddNode(ctx, name, spec); err != nil {
			t.Fatal(err)
		}
	}
	add("s-ok-0", testenv.NodeSpec{})
	add("s-ok-1", testenv.NodeSpec{})
	add("s-ok-2", testenv.NodeSpec{})
	add("s-taint", testenv.NodeSpec{Taints: []corev1.Taint{{Key: "dedicated", Value: "infra", Effect: corev1.TaintEffectNoSchedule}}})
	add("s-other", testenv.NodeSpec{Labels: map[string]string{"pool": "other"}})
	add("s-zone", testenv.NodeSpec{Labels: map[string]string{"pool": "states", "zone": "blocked"}})
	add("s-cordon", testenv.NodeSpec{Unschedulable: true})
	add("s-sick", testenv.NodeSpec{NotReady: true})
	testenv.WaitT(t, time.Minute, "s-sick NotReady", func(ctx context.Context) (bool, error) {
		n, err := p.Client.CoreV1().Nodes().Get(ctx, "s-sick", metav1.GetOptions{})
		return err == nil && !testenv.NodeReady(n) && len(n.Status.Conditions) > 0, err
	})

	ds := testenv.DaemonSet("default", "states", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = pool
	ds.Spec.Template.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: corev1.NodeSelectorOpNotIn, Values: []string{"blocked"}}}}},
	}}}
	if _, err := p.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w := NewWatcher(p.Client, WatcherOptions{Namespace: "default"})
	w.Start(ctx)
	defer w.Shutdown()
	w.Focus("default", "states")

	v := waitView(t, w, 2*time.Minute, "4 nodes current", func(v NodeView) bool {
		return v.Summary.ByState[StateCurrent] == 4 && v.CurrentRevision == 1
	})
	for _, n := range []string{"s-ok-0", "s-ok-1", "s-ok-2", "s-cordon"} {
		if r := rowOf(v, n); r.State != StateCurrent || !r.CurrentRevision || r.Revision != 1 || !r.Ready {
			t.Errorf("%s: %+v, want current on revision 1", n, r)
		}
	}
	if r := rowOf(v, "s-cordon"); !r.Unschedulable {
		t.Errorf("s-cordon not reported cordoned")
	}
	expect := map[string][2]string{
		"s-taint": {"taint", "untolerated taint dedicated=infra:NoSchedule"},
		"s-other": {"selector", "node selector pool=states not matched"},
		"s-zone":  {"affinity", "required node affinity not matched"},
		"node-0":  {"selector", "node selector pool=states not matched"},
		"node-19": {"selector", "node selector pool=states not matched"},
	}
	for n, want := range expect {
		r := rowOf(v, n)
		if r.State != StateIneligible || r.IneligibleKind != want[0] || r.Reason != want[1] {
			t.Errorf("%s: state %s kind %q reason %q, want ineligible %q %q", n, r.State, r.IneligibleKind, r.Reason, want[0], want[1])
		}
	}
	// Registered NotReady with the not-ready taint, as a kubelet does. The
	// node-lifecycle controller rewrites that taint once it sees the node,
	// and the DaemonSet controller may place a pod in that window; the pod
	// then stays (NoSchedule): misscheduled. Either way the taint is named.
	if r := rowOf(v, "s-sick"); (r.State != StateIneligible && r.State != StateMisscheduled) || r.IneligibleKind != "taint" ||
		!strings.Contains(r.Reason, "untolerated taint node.kubernetes.io/not-ready:NoSchedule") || !strings.Contains(r.Reason, "node NotReady") {
		t.Errorf("s-sick: %+v", r)
	}
	// s-sick has done its part; a pod the controller may have put there
	// would hold the rollout below at maxUnavailable.
	if err := p.RemoveNode(ctx, "s-sick"); err != nil {
		t.Fatal(err)
	}
	// The status the controller wrote agrees with dsx's count. Compared
	// after the removal: the controller does not resync a DaemonSet when a
	// node's taint comes back (s-sick's may have flickered), but a node
	// deletion makes it sync every DaemonSet.
	waitView(t, w, time.Minute, "controller's desired equals dsx's eligible", func(v NodeView) bool {
		got, err := p.Client.AppsV1().DaemonSets("default").Get(ctx, "states", metav1.GetOptions{})
		return err == nil && rowOf(v, "s-sick").Node == "" && int(got.Status.DesiredNumberScheduled) == v.Summary.Eligible && v.Counts().Desired == got.Status.DesiredNumberScheduled
	})

	// A node joins: missing or progressing at first, then current; it leaves: its row goes.
	add("s-new", testenv.NodeSpec{})
	waitView(t, w, time.Minute, "s-new current", func(v NodeView) bool { return rowOf(v, "s-new").State == StateCurrent })
	if err := p.RemoveNode(ctx, "s-new"); err != nil {
		t.Fatal(err)
	}
	v = waitView(t, w, time.Minute, "s-new gone or its pod an orphan", func(v NodeView) bool {
		r := rowOf(v, "s-new")
		return r.Node == "" || (r.NodeGone && r.State == StateOrphaned && strings.Contains(r.Reason, "node no longer exists"))
	})
	// An orphan is counted nowhere, as in the controller's status.
	if c := v.Counts(); c.Misscheduled != 0 {
		t.Errorf("orphan counted misscheduled: %+v", c)
	}

	// A NoSchedule taint after the pod started: the pod may stay, misscheduled.
	if err := p.TaintNode(ctx, "s-ok-2", corev1.Taint{Key: "maintenance", Effect: corev1.TaintEffectNoSchedule}); err != nil {
		t.Fatal(err)
	}
	v = waitView(t, w, time.Minute, "s-ok-2 misscheduled", func(v NodeView) bool { return rowOf(v, "s-ok-2").State == StateMisscheduled })
	if r := rowOf(v, "s-ok-2"); r.IneligibleKind != "taint" || r.Pod == "" {
		t.Errorf("misscheduled row: %+v", r)
	}
	// A label change: the controller deletes the pod, the node becomes ineligible.
	if err := p.LabelNode(ctx, "s-ok-1", "pool", "other"); err != nil {
		t.Fatal(err)
	}
	waitView(t, w, time.Minute, "s-ok-1 ineligible by selector", func(v NodeView) bool {
		r := rowOf(v, "s-ok-1")
		return r.State == StateIneligible && r.IneligibleKind == "selector"
	})

	// A rollout that gets stuck: the new revision's pods never turn ready.
	if err := p.UpdateDaemonSet(ctx, "default", "states", func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.Containers[0].Image = "agent:2"
		ds.Spec.Template.Annotations = map[string]string{testenv.SimulateAnnotation: "not-ready"}
	}); err != nil {
		t.Fatal(err)
	}
	v = waitView(t, w, 2*time.Minute, "one node progressing on revision 2, the rest outdated on 1", func(v NodeView) bool {
		s := v.Summary
		return v.CurrentRevision == 2 && s.ByState[StateProgressing] == 1 && s.ByState[StateOutdated] == 1 && s.OutdatedRevisions[1] == 1
	})
	for _, r := range v.Rows {
		if r.State == StateProgressing && (r.Revision != 2 || !r.CurrentRevision || r.Reason == "") {
			t.Errorf("progressing row: %+v", r)
		}
	}
	if v.Healthy() {
		t.Error("stuck rollout reported healthy")
	}
	// Once the new pod runs and fails its probe, the rollout is blocked on
	// it (maybe already: nothing changes after that, so no new snapshot).
	blocked := func(v NodeView) bool {
		return strings.Contains(v.Blocked, "blocked on 1 new pod not ready") && strings.Contains(v.Blocked, "readiness probe failed")
	}
	if !blocked(v) {
		waitView(t, w, time.Minute, "rollout blocked on the new pod's probe", blocked)
	}
}

// OnDelete: a new template changes nothing until a pod is deleted; then
// only that node runs the new revision.
func TestNodeViewOnDeleteDriftLive(t *testing.T) {
	ctx := context.Background()
	p := plane
	for i := range 3 {
		if _, err := p.AddNode(ctx, fmt.Sprintf("od-%d", i), testenv.NodeSpec{Labels: map[string]string{"pool": "ondelete"}}); err != nil {
			t.Fatal(err)
		}
	}
	ds := testenv.DaemonSet("default", "ondelete", "disk:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "ondelete"}
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
	if _, err := p.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w := NewWatcher(p.Client, WatcherOptions{Namespace: "default"})
	w.Start(ctx)
	defer w.Shutdown()
	w.Focus("default", "ondelete")
	waitView(t, w, time.Minute, "3 current", func(v NodeView) bool { return v.Summary.ByState[StateCurrent] == 3 })
	if err := p.UpdateDaemonSet(ctx, "default", "ondelete", func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.Containers[0].Image = "disk:2"
	}); err != nil {
		t.Fatal(err)
	}
	v := waitView(t, w, time.Minute, "3 outdated on revision 1", func(v NodeView) bool {
		return v.CurrentRevision == 2 && v.Summary.OutdatedRevisions[1] == 3
	})
	pod := rowOf(v, "od-1").Pod
	if err := p.Client.CoreV1().Pods("default").Delete(ctx, pod, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	v = waitView(t, w, time.Minute, "od-1 current on revision 2, others outdated", func(v NodeView) bool {
		r := rowOf(v, "od-1")
		return r.State == StateCurrent && r.Revision == 2 && v.Summary.OutdatedRevisions[1] == 2
	})
	if r := rowOf(v, "od-0"); r.State != StateOutdated || r.Reason != "runs revision 1" {
		t.Errorf("od-0: %+v", r)
	}
}

// A pod the scheduler cannot place stays Pending; its row says why, in
// the scheduler's words, and the rollout is blocked on it.
func TestPendingAndStalledLive(t *testing.T) {
	ctx := context.Background()
	p := plane
	if _, err := p.AddNode(ctx, "small-0", testenv.NodeSpec{Labels: map[string]string{"pool": "small"}}); err != nil {
		t.Fatal(err)
	}
	ds := testenv.DaemonSet("default", "greedy", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "small"}
	ds.Spec.Template.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500")}
	if _, err := p.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w := NewWatcher(p.Client, WatcherOptions{Namespace: "default", StallAfter: 2 * time.Second})
	w.Start(ctx)
	defer w.Shutdown()
	w.Focus("default", "greedy")
	v := waitView(t, w, time.Minute, "small-0 pending with the scheduler's reason", func(v NodeView) bool {
		r := rowOf(v, "small-0")
		return r.State == StateProgressing && strings.Contains(r.Reason, "pending: Unschedulable") && strings.Contains(r.Reason, "Insufficient cpu")
	})
	if r := rowOf(v, "small-0"); r.Pod == "" || r.Phase != corev1.PodPending {
		t.Fatalf("pending row: %+v", r)
	}
	// The list row says what blocks the rollout, as the node view does;
	// without progress for StallAfter the watcher's periodic snapshots mark
	// it stalled (the rule itself: TestStallTracker).
	testenv.WaitT(t, time.Minute, "greedy stalled and blocked", func(ctx context.Context) (bool, error) {
		s, err := w.Next(ctx)
		if err != nil {
			return false, nil
		}
		for _, r := range s.DaemonSets {
			if r.Key() == "default/greedy" {
				return r.Mark == MarkStalled && strings.Contains(r.Blocked, "pending: Unschedulable") && s.Detail != nil && s.Detail.Blocked == r.Blocked, nil
			}
		}
		return false, nil
	})
}
