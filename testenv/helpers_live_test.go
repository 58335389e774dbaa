//go:build live

package testenv

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

func nodeHasTaint(n *corev1.Node, key string) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == key {
			return true
		}
	}
	return false
}

// A node made NotReady is reported so, and the node-lifecycle controller
// taints it, as for a real kubelet; it recovers when told.
func TestNodeNotReady(t *testing.T) {
	ctx := context.Background()
	if _, err := plane.AddNode(ctx, "sick", NodeSpec{}); err != nil {
		t.Fatal(err)
	}
	getNode := func() *corev1.Node {
		n, err := plane.Client.CoreV1().Nodes().Get(ctx, "sick", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	WaitT(t, time.Minute, "node sick Ready", func(context.Context) (bool, error) { return NodeReady(getNode()), nil })
	if err := plane.SetNodeNotReady(ctx, "sick", true); err != nil {
		t.Fatal(err)
	}
	WaitT(t, time.Minute, "node sick NotReady and tainted not-ready", func(context.Context) (bool, error) {
		n := getNode()
		return !NodeReady(n) && nodeHasTaint(n, corev1.TaintNodeNotReady), nil
	})
	if err := plane.SetNodeNotReady(ctx, "sick", false); err != nil {
		t.Fatal(err)
	}
	WaitT(t, time.Minute, "node sick Ready and untainted", func(context.Context) (bool, error) {
		n := getNode()
		return NodeReady(n) && !nodeHasTaint(n, corev1.TaintNodeNotReady), nil
	})
	if err := plane.RemoveNode(ctx, "sick"); err != nil {
		t.Fatal(err)
	}
}

// Taints, labels and cordons land on the node.
func TestNodeEdits(t *testing.T) {
	ctx := context.Background()
	if _, err := plane.AddNode(ctx, "edited", NodeSpec{}); err != nil {
		t.Fatal(err)
	}
	defer plane.RemoveNode(ctx, "edited")
	if err := plane.LabelNode(ctx, "edited", "zone", "a"); err != nil {
		t.Fatal(err)
	}
	if err := plane.TaintNode(ctx, "edited", corev1.Taint{Key: "k", Value: "v", Effect: corev1.TaintEffectNoSchedule}); err != nil {
		t.Fatal(err)
	}
	if err := plane.CordonNode(ctx, "edited", true); err != nil {
		t.Fatal(err)
	}
	n, err := plane.Client.CoreV1().Nodes().Get(ctx, "edited", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n.Labels["zone"] != "a" || !nodeHasTaint(n, "k") || !n.Spec.Unschedulable {
		t.Fatalf("node edits missing: labels %v taints %v unschedulable %v", n.Labels, n.Spec.Taints, n.Spec.Unschedulable)
	}
	if err := plane.UntaintNode(ctx, "edited", "k"); err != nil {
		t.Fatal(err)
	}
	if err := plane.LabelNode(ctx, "edited", "zone", ""); err != nil {
		t.Fatal(err)
	}
	n, _ = plane.Client.CoreV1().Nodes().Get(ctx, "edited", metav1.GetOptions{})
	if _, ok := n.Labels["zone"]; ok || nodeHasTaint(n, "k") {
		t.Fatalf("label or taint not removed: %v %v", n.Labels, n.Spec.Taints)
	}
}

// The simulate annotation makes pods fail the way real ones do.
func TestSimulatedFailures(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []string{"crashloop", "not-ready", "pending"} {
		ds := DaemonSet("default", "sim-"+mode, "broken:1")
		ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "test"}
		ds.Spec.Template.Annotations = map[string]string{SimulateAnnotation: mode}
		if _, err := plane.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	check := map[string]func(*corev1.Pod) bool{
		"crashloop": func(p *corev1.Pod) bool {
			cs := p.Status.ContainerStatuses
			return p.Status.Phase == corev1.PodRunning && len(cs) == 1 && cs[0].State.Waiting != nil && cs[0].State.Waiting.Reason == "CrashLoopBackOff" && cs[0].RestartCount > 0
		},
		"not-ready": func(p *corev1.Pod) bool {
			cs := p.Status.ContainerStatuses
			return p.Status.Phase == corev1.PodRunning && !podReady(p) && len(cs) == 1 && cs[0].State.Running != nil && !cs[0].Ready
		},
		"pending": func(p *corev1.Pod) bool {
			return p.Status.Phase == corev1.PodPending && p.Spec.NodeName != "" && !podReady(p)
		},
	}
	for mode, ok := range check {
		WaitT(t, 2*time.Minute, "20 pods in state "+mode, func(context.Context) (bool, error) {
			pods := podsOf(t, "default", "sim-"+mode)
			if len(pods) != 20 {
				return false, nil
			}
			for i := range pods {
				if !ok(&pods[i]) {
					return false, nil
				}
			}
			return true, nil
		})
		ds, err := plane.Client.AppsV1().DaemonSets("default").Get(ctx, "sim-"+mode, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if ds.Status.NumberReady != 0 && ds.Status.ObservedGeneration >= ds.Generation {
			t.Errorf("%s: numberReady = %d, want 0", mode, ds.Status.NumberReady)
		}
	}
	for mode := range check {
		_ = plane.Client.AppsV1().DaemonSets("default").Delete(ctx, "sim-"+mode, metav1.DeleteOptions{})
	}
}

// Clients get through again after the API server restarts.
func TestRestartAPIServer(t *testing.T) {
	ctx := context.Background()
	if err := plane.RestartAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	WaitT(t, 30*time.Second, "node list after restart", func(ctx context.Context) (bool, error) {
		l, err := plane.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		return err == nil && len(l.Items) >= 20, nil
	})
}

// A user with a token and given rights can do that and nothing more.
func TestCreateUser(t *testing.T) {
	ctx := context.Background()
	u, err := plane.CreateUser(ctx, "viewer", "", []rbacv1.PolicyRule{{
		APIGroups: []string{"apps"}, Resources: []string{"daemonsets"}, Verbs: []string{"get", "list", "watch"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := kubernetes.NewForConfig(u.Config)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AppsV1().DaemonSets("").List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("viewer cannot list daemonsets: %v", err)
	}
	err = c.AppsV1().DaemonSets("default").Delete(ctx, "anything", metav1.DeleteOptions{})
	if !apierrors.IsForbidden(err) {
		t.Fatalf("viewer delete: got %v, want Forbidden", err)
	}
	if _, err := c.CoreV1().Nodes().List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "viewer") {
		t.Fatalf("viewer node list: got %v, want Forbidden naming the user", err)
	}
}

// Container logs come from kwok through the API server, as from a kubelet.
func TestPodLogs(t *testing.T) {
	ctx := context.Background()
	ds := DaemonSet("default", "logged", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "test"}
	if _, err := plane.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var pod string
	WaitT(t, time.Minute, "a running pod", func(context.Context) (bool, error) {
		for _, p := range podsOf(t, "default", "logged") {
			if podReady(&p) {
				pod = p.Name
				return true, nil
			}
		}
		return false, nil
	})
	for _, c := range []struct {
		previous bool
		want     string
	}{{false, "shipped 1024 records"}, {true, "panic: out of file descriptors"}} {
		b, err := plane.Client.CoreV1().Pods("default").GetLogs(pod, &corev1.PodLogOptions{Previous: c.previous}).DoRaw(ctx)
		if err != nil {
			t.Fatalf("logs (previous=%v): %v", c.previous, err)
		}
		if !strings.Contains(string(b), c.want) {
			t.Fatalf("logs (previous=%v) = %q, want %q", c.previous, b, c.want)
		}
	}
}
