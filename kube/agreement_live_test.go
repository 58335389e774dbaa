//go:build live

package kube

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/kubectl/pkg/polymorphichelpers"
	"k8s.io/utils/dump"

	"github.com/dsx-tui/dsx/testenv"
)

// dsx agrees with kubectl on every plane version: scenarios in the spirit
// of Kubernetes' own DaemonSet e2e suite (test/e2e/apps/daemon_set.go),
// and at every checkpoint dsx's verdict (NodeView.Healthy, what `dsx
// status` exits with) equals kubectl's DaemonSet status viewer's, in
// process, and the counts dsx computes node by node equal the
// controller's own status.
func TestAgreesWithKubectlLive(t *testing.T) {
	for _, version := range testenv.Versions() {
		t.Run(version, func(t *testing.T) {
			p := plane
			if version != testenv.DefaultVersion {
				p = startPlane(t, version)
			}
			walkScenarios(t, p)
		})
	}
}

// startPlane starts a plane of another version for one test.
func startPlane(t *testing.T, version string) *testenv.Plane {
	t.Helper()
	start := time.Now()
	p, err := testenv.Start(context.Background(), testenv.Options{Version: version, Progress: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Stop() })
	t.Logf("%s plane up in %s", p.KubeVersion(), time.Since(start).Round(time.Millisecond))
	return p
}

// agreement follows one namespace with a watcher, as dsx status does.
type agreement struct {
	t    *testing.T
	p    *testenv.Plane
	ns   string
	w    *Watcher
	last Snapshot
}

func newAgreement(t *testing.T, p *testenv.Plane, ns string) *agreement {
	ctx := context.Background()
	if err := p.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitDefaultServiceAccount(ctx, ns); err != nil {
		t.Fatal(err)
	}
	w := NewWatcher(p.Client, WatcherOptions{Namespace: ns})
	w.Start(ctx)
	t.Cleanup(w.Shutdown)
	return &agreement{t: t, p: p, ns: ns, w: w}
}

// kubectlSays is `kubectl rollout status` on the object as the API server
// has it now: kubectl's own viewer, in process.
func kubectlSays(ds *appsv1.DaemonSet) (string, bool, error) {
	viewer, err := polymorphichelpers.StatusViewerFor(daemonSetKind)
	if err != nil {
		return "", false, err
	}
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(ds)
	if err != nil {
		return "", false, err
	}
	return viewer.Status(&unstructured.Unstructured{Object: obj}, 0)
}

func statusCounts(ds *appsv1.DaemonSet) Counts {
	s := ds.Status
	return Counts{Desired: s.DesiredNumberScheduled, Current: s.CurrentNumberScheduled, Ready: s.NumberReady,
		Available: s.NumberAvailable, Updated: s.UpdatedNumberScheduled, Misscheduled: s.NumberMisscheduled}
}

// checkpoint waits until settled holds, then until dsx's verdict and
// counts equal kubectl's and the controller's, and returns the view.
// Each side reads its own copy of the cluster (dsx its informer cache,
// kubectl a fresh GET), so a moment of lag is allowed, never a lasting
// difference.
func (a *agreement) checkpoint(name, what string, settled func(*appsv1.DaemonSet, NodeView) bool) NodeView {
	a.t.Helper()
	a.w.Focus(a.ns, name)
	deadline := time.Now().Add(2 * time.Minute)
	var diff string
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if s, err := a.w.Next(ctx); err == nil {
			a.last = s
		}
		cancel()
		ds, err := a.p.Client.AppsV1().DaemonSets(a.ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			a.t.Fatal(err)
		}
		msg, done, kerr := kubectlSays(ds)
		if kerr != nil {
			// OnDelete: kubectl has no verdict; its rule, spelled out.
			s := ds.Status
			done = ds.Generation <= s.ObservedGeneration && s.UpdatedNumberScheduled >= s.DesiredNumberScheduled && s.NumberAvailable >= s.DesiredNumberScheduled
			msg = kerr.Error()
		}
		v := a.last.Detail
		switch {
		case v == nil || v.Name != name:
			diff = "no node view yet"
		case !settled(ds, *v):
			diff = "not yet " + what
		case v.Healthy() != done:
			diff = fmt.Sprintf("dsx healthy %v, kubectl done %v (%q)", v.Healthy(), done, strings.TrimSpace(msg))
		case v.Counts() != statusCounts(ds):
			diff = fmt.Sprintf("dsx counts %+v, controller's status %+v", v.Counts(), statusCounts(ds))
		default:
			a.t.Logf("%s/%s %s: dsx healthy %v = kubectl %q; counts %+v", a.ns, name, what, done, strings.TrimSpace(msg), v.Counts())
			return *v
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("%s/%s %s: %s; last view:\n%s", a.ns, name, what, diff, dumpView(v))
		}
	}
}

func daemon(ns, name string, mutate ...func(*appsv1.DaemonSet)) *appsv1.DaemonSet {
	ds := testenv.DaemonSet(ns, name, "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"agree": "yes"}
	for _, m := range mutate {
		m(ds)
	}
	return ds
}

func (a *agreement) create(ds *appsv1.DaemonSet) {
	a.t.Helper()
	if _, err := a.p.Client.AppsV1().DaemonSets(a.ns).Create(context.Background(), ds, metav1.CreateOptions{}); err != nil {
		a.t.Fatal(err)
	}
}

func (a *agreement) update(name string, change func(*appsv1.DaemonSet)) {
	a.t.Helper()
	if err := a.p.UpdateDaemonSet(context.Background(), a.ns, name, change); err != nil {
		a.t.Fatal(err)
	}
}

func (a *agreement) pods(name string) map[string]string {
	a.t.Helper()
	l, err := a.p.Client.CoreV1().Pods(a.ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app=" + name})
	if err != nil {
		a.t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range l.Items {
		if p.DeletionTimestamp == nil {
			out[p.Spec.NodeName] = p.Name
		}
	}
	return out
}

func done(ds *appsv1.DaemonSet, v NodeView) bool {
	return testenv.DaemonSetSettled(ds) && v.Healthy()
}

// hashWithLocalAPI is what dsx used to do: hash the template as the
// controller does, with this module's k8s.io/api. Kept here only to show
// that on another version's cluster the answer is wrong.
func hashWithLocalAPI(ds *appsv1.DaemonSet) string {
	h := fnv.New32a()
	fmt.Fprintf(h, "%v", dump.ForHash(ds.Spec.Template))
	if ds.Status.CollisionCount != nil {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint32(b, uint32(*ds.Status.CollisionCount))
		h.Write(b)
	}
	return rand.SafeEncodeString(fmt.Sprint(h.Sum32()))
}

func walkScenarios(t *testing.T, p *testenv.Plane) {
	ctx := context.Background()
	for i := range 4 {
		spec := testenv.NodeSpec{Labels: map[string]string{"agree": "yes"}}
		if i == 3 {
			spec.Labels["color"] = "blue"
		}
		if _, err := p.AddNode(ctx, fmt.Sprintf("ag-%d", i), spec); err != nil {
			t.Fatal(err)
		}
	}
	a := newAgreement(t, p, "agree")

	// Simple daemon: runs on every matching node, then an update rolls
	// over all of them.
	a.create(daemon(a.ns, "simple"))
	v := a.checkpoint("simple", "created and rolled out", done)
	if v.Counts().Desired != 4 || v.CurrentRevision != 1 {
		t.Fatalf("simple: desired %d revision %d, want 4 1", v.Counts().Desired, v.CurrentRevision)
	}
	ds, _ := p.Client.AppsV1().DaemonSets(a.ns).Get(ctx, "simple", metav1.GetOptions{})
	if local := hashWithLocalAPI(ds); local != v.CurrentHash {
		t.Logf("%s: the controller hashed revision 1 %s, this module's k8s.io/api gives %s: dsx reads it, never recomputes", p.KubeVersion(), v.CurrentHash, local)
	} else if !strings.HasPrefix(p.KubeVersion(), "v1.37.") {
		t.Errorf("%s: the template hashes alike under k8s.io/api v0.37 and the cluster's; the test proves nothing", p.KubeVersion())
	}
	// minReadySeconds: Ready is not yet available, for kubectl as for dsx.
	a.create(daemon(a.ns, "minready", func(ds *appsv1.DaemonSet) { ds.Spec.MinReadySeconds = 10 }))
	v = a.checkpoint("minready", "ready, not yet available", func(ds *appsv1.DaemonSet, v NodeView) bool {
		c := v.Counts()
		return c.Ready == 4 && c.Available == 0 && !v.NextChange().IsZero()
	})
	if r := rowOf(v, "ag-0"); r.State != StateProgressing || !strings.Contains(r.Reason, "available in") {
		t.Errorf("ready, not available row: %s %q", r.State, r.Reason)
	}
	a.checkpoint("minready", "available", done)

	a.update("simple", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers[0].Image = "agent:2" })
	v = a.checkpoint("simple", "updated to revision 2", func(ds *appsv1.DaemonSet, v NodeView) bool {
		return done(ds, v) && v.CurrentRevision == 2
	})
	hash2 := v.CurrentHash

	// Rollback without unnecessary restarts: an update whose pods never
	// become ready stops after the first node (maxUnavailable 1) and
	// dsx says on what; undo restores it, and the nodes never updated keep
	// their pods.
	before := a.pods("simple")
	a.update("simple", func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.Containers[0].Image = "agent:broken"
		ds.Spec.Template.Annotations = map[string]string{testenv.SimulateAnnotation: "not-ready"}
	})
	v = a.checkpoint("simple", "blocked on a pod that never becomes ready", func(ds *appsv1.DaemonSet, v NodeView) bool {
		return ds.Status.ObservedGeneration >= ds.Generation && ds.Status.UpdatedNumberScheduled == 1 && v.Blocked != ""
	})
	if !strings.Contains(v.Blocked, "blocked on 1 new pod not ready") || !strings.Contains(v.Blocked, "readiness probe failed") {
		t.Errorf("blocked = %q, want the new pod's own reason", v.Blocked)
	}
	if _, err := Undo(ctx, p.Client, dsRef(a.ns, "simple"), 0); err != nil {
		t.Fatal(err)
	}
	v = a.checkpoint("simple", "rolled back", func(ds *appsv1.DaemonSet, v NodeView) bool {
		return done(ds, v) && v.CurrentRevision == 4
	})
	// The controller renumbered revision 2, hash and all, to 4.
	if v.CurrentHash != hash2 || v.Blocked != "" {
		t.Errorf("after undo: current %s (want revision 2's %s), revisions %+v, blocked %q", v.CurrentHash, hash2, v.Revisions, v.Blocked)
	}
	// History marks the same revision current, on any version's cluster.
	h, err := History(ctx, p.Client, a.ns, "simple")
	if err != nil {
		t.Fatal(err)
	}
	current := 0
	for _, e := range h {
		if e.Current {
			current++
			if e.Number != 4 || e.Hash != hash2 {
				t.Errorf("history calls revision %d (%s) current, want 4 (%s)", e.Number, e.Hash, hash2)
			}
		}
	}
	if current != 1 {
		t.Errorf("history has %d current revisions, want 1: %+v", current, h)
	}
	after := a.pods("simple")
	kept := 0
	for node, pod := range before {
		if after[node] == pod {
			kept++
		}
	}
	if kept != 3 {
		t.Errorf("rollback restarted pods it need not: %d of 4 kept (before %v, after %v)", kept, before, after)
	}

	// Retry of failed pods: a pod that fails is deleted and replaced.
	victimNode := "ag-1"
	victim := after[victimNode]
	pod, err := p.Client.CoreV1().Pods(a.ns).Get(ctx, victim, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod.Status.Phase = corev1.PodFailed
	if _, err := p.Client.CoreV1().Pods(a.ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	a.checkpoint("simple", "failed pod replaced", func(ds *appsv1.DaemonSet, v NodeView) bool {
		r := rowOf(v, victimNode)
		return done(ds, v) && r.Pod != "" && r.Pod != victim
	})

	// Complex daemon: node affinity picks nodes; labelling a node adds
	// it, unlabelling one removes its pod.
	a.create(daemon(a.ns, "complex", func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.NodeSelector = nil
		ds.Spec.Template.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
			NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "color", Operator: corev1.NodeSelectorOpIn, Values: []string{"blue"}}}}},
		}}}
	}))
	a.checkpoint("complex", "on the one blue node", func(ds *appsv1.DaemonSet, v NodeView) bool {
		return done(ds, v) && v.Counts().Desired == 1
	})
	if err := p.LabelNode(ctx, "ag-0", "color", "blue"); err != nil {
		t.Fatal(err)
	}
	a.checkpoint("complex", "on two blue nodes", func(ds *appsv1.DaemonSet, v NodeView) bool {
		return done(ds, v) && v.Counts().Desired == 2
	})
	if err := p.LabelNode(ctx, "ag-3", "color", "green"); err != nil {
		t.Fatal(err)
	}
	a.checkpoint("complex", "off the relabelled node", func(ds *appsv1.DaemonSet, v NodeView) bool {
		return done(ds, v) && v.Counts().Desired == 1 && rowOf(v, "ag-3").State == StateIneligible
	})

	// OnDelete: an update changes no pod until one is deleted.
	a.create(daemon(a.ns, "ondelete", func(ds *appsv1.DaemonSet) {
		ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
	}))
	a.checkpoint("ondelete", "created", done)
	a.update("ondelete", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers[0].Image = "agent:2" })
	v = a.checkpoint("ondelete", "updated, no pod replaced", func(ds *appsv1.DaemonSet, v NodeView) bool {
		return ds.Status.ObservedGeneration >= ds.Generation && v.CurrentRevision == 2 && v.Summary.OutdatedRevisions[1] == 4
	})
	if err := p.Client.CoreV1().Pods(a.ns).Delete(ctx, rowOf(v, "ag-2").Pod, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	a.checkpoint("ondelete", "one node drifted to revision 2", func(ds *appsv1.DaemonSet, v NodeView) bool {
		r := rowOf(v, "ag-2")
		return r.State == StateCurrent && r.Revision == 2 && v.Summary.OutdatedRevisions[1] == 3 && ds.Status.UpdatedNumberScheduled == 1
	})

	// Surge: new pods come up beside the old ones; an update whose pods
	// cannot become ready leaves every node on the old revision and says
	// why, in the surge pod's own words.
	a.create(daemon(a.ns, "surge", func(ds *appsv1.DaemonSet) {
		ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxSurge: ptr(intstr.FromInt32(1)), MaxUnavailable: ptr(intstr.FromInt32(0))}
	}))
	a.checkpoint("surge", "created", done)
	a.update("surge", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers[0].Image = "agent:2" })
	a.checkpoint("surge", "surged to revision 2", func(ds *appsv1.DaemonSet, v NodeView) bool {
		return done(ds, v) && v.CurrentRevision == 2
	})
	// As a new user tried it: pods that no node can fit.
	a.update("surge", func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.Containers[0].Image = "agent:3"
		ds.Spec.Template.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500")}
	})
	v = a.checkpoint("surge", "blocked on an unschedulable surge pod", func(ds *appsv1.DaemonSet, v NodeView) bool {
		return ds.Status.ObservedGeneration >= ds.Generation && v.CurrentRevision == 3 && v.Blocked != ""
	})
	surging := 0
	for _, r := range v.Rows {
		if strings.Contains(r.Reason, "surge pod") {
			surging++
			if r.State != StateOutdated || !strings.Contains(r.Reason, "not ready: ") {
				t.Errorf("surging node %s: %s %q, want outdated with the surge pod's reason", r.Node, r.State, r.Reason)
			}
		}
	}
	if surging == 0 || !strings.Contains(v.Blocked, "pending: Unschedulable") || !strings.Contains(v.Blocked, "Insufficient cpu") {
		t.Errorf("surge blocked %q, %d surging rows; want the scheduler's reason", v.Blocked, surging)
	}
	if row := rowFor(a.last.DaemonSets, a.ns, "surge"); row.Blocked != v.Blocked {
		t.Errorf("list row blocked %q, node view %q: they must agree", row.Blocked, v.Blocked)
	}

	// A node removed under a finished rollout: its pod is an orphan until
	// the pod garbage collector deletes it, counted nowhere; the rollout
	// stays complete, as kubectl says.
	if err := p.RemoveNode(ctx, "ag-0"); err != nil {
		t.Fatal(err)
	}
	v = a.checkpoint("simple", "complete without the removed node", func(ds *appsv1.DaemonSet, v NodeView) bool {
		return done(ds, v) && v.Counts().Desired == 3
	})
	if r := rowOf(v, "ag-0"); r.Pod != "" && r.State != StateOrphaned {
		t.Errorf("pod on the removed node: %s %q, want orphaned", r.State, r.Reason)
	}
	// The removed node's pods may be gone before dsx looks; a pod bound to
	// a node that does not exist stays until the pod garbage collector's
	// 40 s quarantine ends.
	simple, err := p.Client.AppsV1().DaemonSets(a.ns).Get(ctx, "simple", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ghost := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: a.ns, Name: "simple-ghost", Labels: map[string]string{"app": "simple", appsv1.DefaultDaemonSetUniqueLabelKey: v.CurrentHash},
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(simple, appsv1.SchemeGroupVersion.WithKind("DaemonSet"))}},
		Spec: corev1.PodSpec{NodeName: "ag-gone", Containers: []corev1.Container{{Name: "simple", Image: "agent:2"}}},
	}
	if _, err := p.Client.CoreV1().Pods(a.ns).Create(ctx, ghost, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	a.checkpoint("simple", "complete beside an orphan", func(ds *appsv1.DaemonSet, v NodeView) bool {
		return done(ds, v) && rowOf(v, "ag-gone").State == StateOrphaned
	})
}

func rowFor(rows []DaemonSetRow, ns, name string) DaemonSetRow {
	for _, r := range rows {
		if r.Namespace == ns && r.Name == name {
			return r
		}
	}
	return DaemonSetRow{}
}

func ptr[T any](v T) *T { return &v }
