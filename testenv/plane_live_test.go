//go:build live

package testenv

import (
	"context"
	"os"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

var plane *Plane

func TestMain(m *testing.M) {
	if os.Getenv(leakHelperEnv) != "" {
		leakHelper()
		return
	}
	os.Exit(RunTests(m, func(ctx context.Context, p *Plane) error {
		plane = p
		_, err := p.AddNodes(ctx, "node", 20, NodeSpec{Labels: map[string]string{"pool": "test"}})
		return err
	}))
}

func podsOf(t *testing.T, ns, app string) []corev1.Pod {
	t.Helper()
	l, err := plane.Client.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: labels.Set{"app": app}.String()})
	if err != nil {
		t.Fatal(err)
	}
	return l.Items
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func countStatus(ready int32) func(*appsv1.DaemonSet) bool {
	return func(ds *appsv1.DaemonSet) bool {
		return ds.Status.ObservedGeneration >= ds.Generation && ds.Status.DesiredNumberScheduled == ready && ds.Status.NumberReady == ready && ds.Status.CurrentNumberScheduled == ready
	}
}

// The DaemonSet controller, the scheduler and kwok do the real work: one
// ready pod per node, following nodes as they join and leave.
func TestDaemonSetFollowsNodes(t *testing.T) {
	ctx := context.Background()
	ds := DaemonSet("default", "follow", "busybox:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "test"}
	if _, err := plane.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := plane.WaitDaemonSet(ctx, "default", "follow", 2*time.Minute, countStatus(20)); err != nil {
		t.Fatal(err)
	}
	ready := 0
	for _, p := range podsOf(t, "default", "follow") {
		if podReady(&p) && p.Spec.NodeName != "" {
			ready++
		}
	}
	if ready != 20 {
		t.Fatalf("ready pods bound to nodes = %d, want 20", ready)
	}

	if _, err := plane.AddNode(ctx, "node-extra", NodeSpec{Labels: map[string]string{"pool": "test"}}); err != nil {
		t.Fatal(err)
	}
	if err := plane.WaitDaemonSet(ctx, "default", "follow", 2*time.Minute, countStatus(21)); err != nil {
		t.Fatal(err)
	}
	WaitT(t, time.Minute, "a ready pod on node-extra", func(ctx context.Context) (bool, error) {
		for _, p := range podsOf(t, "default", "follow") {
			if p.Spec.NodeName == "node-extra" && podReady(&p) {
				return true, nil
			}
		}
		return false, nil
	})

	if err := plane.RemoveNode(ctx, "node-extra"); err != nil {
		t.Fatal(err)
	}
	if err := plane.WaitDaemonSet(ctx, "default", "follow", 2*time.Minute, countStatus(20)); err != nil {
		t.Fatal(err)
	}
}

// An image change makes a new ControllerRevision and every pod ends on it.
func TestImageChangeRollsOut(t *testing.T) {
	ctx := context.Background()
	ds := DaemonSet("default", "roll", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "test"}
	ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = nil
	if _, err := plane.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := plane.WaitDaemonSet(ctx, "default", "roll", 2*time.Minute, DaemonSetSettled); err != nil {
		t.Fatal(err)
	}
	revs := func() []appsv1.ControllerRevision {
		l, err := plane.Client.AppsV1().ControllerRevisions("default").List(ctx, metav1.ListOptions{LabelSelector: "app=roll"})
		if err != nil {
			t.Fatal(err)
		}
		return l.Items
	}
	if n := len(revs()); n != 1 {
		t.Fatalf("revisions before update = %d, want 1", n)
	}
	if err := plane.UpdateDaemonSet(ctx, "default", "roll", func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.Containers[0].Image = "agent:2"
	}); err != nil {
		t.Fatal(err)
	}
	var newHash string
	WaitT(t, 30*time.Second, "a second ControllerRevision", func(context.Context) (bool, error) {
		for _, r := range revs() {
			if r.Revision == 2 {
				newHash = r.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]
				return true, nil
			}
		}
		return false, nil
	})
	if newHash == "" {
		t.Fatal("revision 2 has no controller-revision-hash label")
	}
	if err := plane.WaitDaemonSet(ctx, "default", "roll", 3*time.Minute, DaemonSetSettled); err != nil {
		t.Fatal(err)
	}
	WaitT(t, time.Minute, "every pod on the new revision", func(context.Context) (bool, error) {
		pods := podsOf(t, "default", "roll")
		if len(pods) != 20 {
			return false, nil
		}
		for _, p := range pods {
			if p.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] != newHash || p.Spec.Containers[0].Image != "agent:2" || !podReady(&p) {
				return false, nil
			}
		}
		return true, nil
	})
}
