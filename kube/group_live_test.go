//go:build live

package kube

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dsx-tui/dsx/testenv"
)

// Three zones, one lagging: zone-c's nodes are too small for the agent's
// CPU request, so its pods stay Pending. Grouped by zone, zone-a and
// zone-b are current and zone-c's three nodes are progressing with the
// scheduler's reason; the zone label is offered with its three values.
func TestGroupedDriftLive(t *testing.T) {
	ctx := context.Background()
	p := plane
	for _, z := range []string{"a", "b", "c"} {
		for i := range 3 {
			spec := testenv.NodeSpec{Labels: map[string]string{"pool": "zoned", ZoneLabel: "zone-" + z, "karpenter.sh/nodepool": "pool-" + z}}
			if z == "c" {
				spec.Allocatable = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110")}
			}
			if _, err := p.AddNode(ctx, fmt.Sprintf("gz-%s-%d", z, i), spec); err != nil {
				t.Fatal(err)
			}
		}
	}
	ds := testenv.DaemonSet("default", "zoned", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "zoned"}
	ds.Spec.Template.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")}
	if _, err := p.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w := NewWatcher(p.Client, WatcherOptions{Namespace: "default"})
	w.Start(ctx)
	defer w.Shutdown()
	w.Focus("default", "zoned")

	byZone := func(v NodeView) map[string]Group {
		out := map[string]Group{}
		for _, g := range GroupNodeRows(v.Rows, ZoneLabel) {
			out[g.Name()] = g
		}
		return out
	}
	v := waitView(t, w, 2*time.Minute, "zone-a and zone-b current, zone-c pending", func(v NodeView) bool {
		g := byZone(v)
		return g["zone-a"].ByState[StateCurrent] == 3 && g["zone-b"].ByState[StateCurrent] == 3 && g["zone-c"].ByState[StateProgressing] == 3
	})
	// Other tests share the plane and add nodes of their own (some with
	// zone or pool labels): only this test's nodes, and every one of them,
	// are judged.
	all, own := v, v
	own.Rows = nil
	for _, r := range v.Rows {
		if strings.HasPrefix(r.Node, "gz-") {
			own.Rows = append(own.Rows, r)
		}
	}
	if len(own.Rows) != 9 {
		t.Fatalf("%d of this test's nodes in the view, want 9", len(own.Rows))
	}
	v = own
	groups := byZone(v)
	if len(groups) != 3 {
		t.Errorf("groups %v, want three zones and the nodes without the label", groups)
	}
	for _, z := range []string{"zone-a", "zone-b", "zone-c"} {
		g := groups[z]
		if g.Nodes() != 3 || g.Eligible() != 3 {
			t.Errorf("%s: %d nodes, %d eligible, want 3 and 3", z, g.Nodes(), g.Eligible())
		}
		for _, i := range g.Rows {
			r := v.Rows[i]
			if !strings.HasPrefix(r.Node, "gz-"+strings.TrimPrefix(z, "zone-")+"-") {
				t.Errorf("%s holds %s", z, r.Node)
			}
			if z == "zone-c" && !strings.Contains(r.Reason, "Insufficient cpu") {
				t.Errorf("%s: reason %q, want the scheduler's", r.Node, r.Reason)
			}
		}
	}
	if g := groups["zone-c"]; g.Problems() != 3 || StateCounts(g.ByState) != "3 progressing" {
		t.Errorf("zone-c: %s", StateCounts(g.ByState))
	}
	// The plane's other nodes carry no pool=zoned label: whatever their
	// zone, none of them is eligible.
	for _, r := range all.Rows {
		if !strings.HasPrefix(r.Node, "gz-") && r.State != StateIneligible {
			t.Errorf("%s, not this test's: %s", r.Node, r.State)
		}
	}
	cands := LabelCandidates(v.Rows, func(r *NodeRow) map[string]string { return r.Labels })
	want := []LabelCandidate{{ZoneLabel, 9, 3}, {"karpenter.sh/nodepool", 9, 3}}
	if fmt.Sprint(cands) != fmt.Sprint(want) {
		t.Errorf("candidates %v, want %v", cands, want)
	}
}

// A rollout that ran before dsx started is drawn from its beginning: the
// curve starts at the new ControllerRevision's creation, each node counts
// as updated from its new pod's creation and as available from its Ready
// transition plus minReadySeconds, exactly the times the API server has.
func TestRolloutCurveReconstructedLive(t *testing.T) {
	ctx := context.Background()
	p := plane
	for i := range 4 {
		if _, err := p.AddNode(ctx, fmt.Sprintf("rc-%d", i), testenv.NodeSpec{Labels: map[string]string{"pool": "curve"}}); err != nil {
			t.Fatal(err)
		}
	}
	const minReady = 1
	ds := testenv.DaemonSet("default", "curved", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "curve"}
	ds.Spec.MinReadySeconds = minReady
	if _, err := p.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	settled := func(ds *appsv1.DaemonSet) bool {
		return testenv.DaemonSetSettled(ds) && ds.Status.DesiredNumberScheduled == 4
	}
	if err := p.WaitDaemonSet(ctx, "default", "curved", 2*time.Minute, settled); err != nil {
		t.Fatal(err)
	}
	if err := p.UpdateDaemonSet(ctx, "default", "curved", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers[0].Image = "agent:2" }); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitDaemonSet(ctx, "default", "curved", 3*time.Minute, func(ds *appsv1.DaemonSet) bool {
		return settled(ds) && ds.Status.UpdatedNumberScheduled == 4 && ds.Status.ObservedGeneration == 2
	}); err != nil {
		t.Fatal(err)
	}

	// dsx starts only now.
	w := NewWatcher(p.Client, WatcherOptions{Namespace: "default"})
	w.Start(ctx)
	defer w.Shutdown()
	w.Focus("default", "curved")
	v := waitView(t, w, time.Minute, "revision 2 everywhere", func(v NodeView) bool {
		return v.CurrentRevision == 2 && v.Summary.ByState[StateCurrent] == 4
	})

	// What the API server says: the revision's and the pods' times.
	revs, err := p.Client.AppsV1().ControllerRevisions("default").List(ctx, metav1.ListOptions{LabelSelector: "app=curved"})
	if err != nil {
		t.Fatal(err)
	}
	var revStart time.Time
	for _, r := range revs.Items {
		if r.Revision == 2 {
			revStart = r.CreationTimestamp.Time
		}
	}
	if revStart.IsZero() || !v.RolloutStart.Equal(revStart) {
		t.Fatalf("rollout start %v, revision 2 created %v", v.RolloutStart, revStart)
	}
	pods, err := p.Client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=curved"})
	if err != nil {
		t.Fatal(err)
	}
	var created, available []time.Time
	for _, pod := range pods.Items {
		if pod.DeletionTimestamp != nil || pod.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] != v.CurrentHash {
			continue
		}
		created = append(created, pod.CreationTimestamp.Time)
		for _, c := range pod.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				available = append(available, c.LastTransitionTime.Add(minReady*time.Second))
			}
		}
	}
	if len(created) != 4 || len(available) != 4 {
		t.Fatalf("%d new pods, %d ready: %v", len(created), len(available), pods.Items)
	}
	now := time.Now()
	c := ReconstructCurve(v.Rows, v.RolloutStart, time.Duration(v.MinReadySeconds)*time.Second, now)
	if !c.Start.Equal(revStart) || c.Desired != 4 || !c.Done() {
		t.Fatalf("curve start %v desired %d done %v: %v", c.Start, c.Desired, c.Done(), c.Points)
	}
	// Each count at each pod's time is the number of pods at or before it:
	// the rollout (maxUnavailable 1) replaced them one after the other.
	countAt := func(ts []time.Time, at time.Time) int {
		n := 0
		for _, x := range ts {
			if !x.After(at) {
				n++
			}
		}
		return n
	}
	sort.Slice(created, func(i, j int) bool { return created[i].Before(created[j]) })
	for _, at := range append(append([]time.Time(nil), created...), available...) {
		got := c.At(at)
		if got.Updated != countAt(created, at) || got.Available != countAt(available, at) {
			t.Errorf("at %v: curve %d updated %d available, pods say %d and %d", at.Format(time.RFC3339Nano), got.Updated, got.Available, countAt(created, at), countAt(available, at))
		}
	}
	if created[0].Before(revStart) || created[3].Equal(created[0]) {
		t.Errorf("pods created %v, rollout from %v: not one after the other", created, revStart)
	}
	if before := c.At(created[0].Add(-time.Nanosecond)); before.Updated != 0 {
		t.Errorf("curve before the first new pod: %+v", before)
	}
	if r := c.Rate(now, 5*time.Minute); r <= 0 {
		t.Errorf("rate %v after a rollout of 4 nodes in the last minutes", r)
	}
}
