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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dsx-tui/dsx/testenv"
)

func dumpNode(v *NodeDaemonSets) string {
	if v == nil {
		return "<none>"
	}
	out := fmt.Sprintf("node %s found=%v %s\n", v.Node.Name, v.Found, v.Node.Summary())
	for _, r := range v.Rows {
		out += fmt.Sprintf("  %-10s %-12s should=%v pod=%s %s\n", r.Name, r.State, r.ShouldRun, r.Pod, r.Reason)
	}
	return out
}

// A node missing two agents for different reasons, judged by the
// watcher from its cache: kb-sick's view has one row per DaemonSet of
// the namespace with the node view's states and reasons, the nodes list
// sums it up, and both follow the cluster when the taint goes.
func TestNodeDaemonSetsLive(t *testing.T) {
	ctx := context.Background()
	p := plane
	const ns = "bynode"
	p.Namespace(t, ns)
	pool := map[string]string{"pool": ns}
	sick := map[string]string{"pool": ns, "dns": "yes", "eks.amazonaws.com/nodegroup": "edge", corev1.LabelTopologyZone: "zone-a"}
	if _, err := p.AddNode(ctx, "kb-sick", testenv.NodeSpec{Labels: sick, Taints: []corev1.Taint{{Key: "dedicated", Value: "edge", Effect: corev1.TaintEffectNoSchedule}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.AddNode(ctx, "kb-fine", testenv.NodeSpec{Labels: pool}); err != nil {
		t.Fatal(err)
	}
	tolerate := []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpExists}}
	logs := testenv.DaemonSet(ns, "logs", "logs:1")
	logs.Spec.Template.Spec.NodeSelector, logs.Spec.Template.Spec.Tolerations = pool, tolerate
	dns := testenv.DaemonSet(ns, "dns", "dns:1")
	dns.Spec.Template.Spec.NodeSelector, dns.Spec.Template.Spec.Tolerations = map[string]string{"pool": ns, "dns": "yes"}, tolerate
	dns.Spec.Template.Annotations = map[string]string{testenv.SimulateAnnotation: "crashloop"}
	cni := testenv.DaemonSet(ns, "cni-agent", "cni:1")
	cni.Spec.Template.Spec.NodeSelector = pool
	for _, ds := range []*appsv1.DaemonSet{logs, dns, cni} {
		if _, err := p.Client.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	w := NewWatcher(p.Client, WatcherOptions{Namespace: ns})
	w.Start(ctx)
	defer w.Shutdown()
	w.FocusNode("kb-sick")
	w.ListNodes(true)

	wait := func(what string, cond func(Snapshot) bool) Snapshot {
		t.Helper()
		start := time.Now()
		deadline := start.Add(2 * time.Minute)
		var last Snapshot
		for {
			c, cancel := context.WithDeadline(ctx, deadline)
			s, err := w.Next(c)
			cancel()
			if err == nil {
				last = s
				if s.NodeDetail != nil && cond(s) {
					t.Logf("%s: %s", what, time.Since(start).Round(time.Millisecond))
					return s
				}
			}
			if err != nil || time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; last:\n%s", what, dumpNode(last.NodeDetail))
			}
		}
	}
	rowsByName := func(v *NodeDaemonSets) map[string]NodeDSRow {
		m := map[string]NodeDSRow{}
		for _, r := range v.Rows {
			m[r.Name] = r
		}
		return m
	}
	item := func(s Snapshot, name string) NodeItem {
		for _, n := range s.NodeList {
			if n.Name == name {
				return n
			}
		}
		return NodeItem{}
	}
	s := wait("logs current and dns crash-looping on kb-sick", func(s Snapshot) bool {
		r := rowsByName(s.NodeDetail)
		return r["logs"].State == StateCurrent && strings.Contains(r["dns"].Reason, "CrashLoopBackOff") && item(s, "kb-fine").OK == 2
	})
	v := s.NodeDetail
	r := rowsByName(v)
	if len(v.Rows) != 3 || !v.Found || v.Healthy() || s.NodeFocus != "kb-sick" {
		t.Errorf("kb-sick's view:\n%s", dumpNode(v))
	}
	if c := r["cni-agent"]; c.State != StateIneligible || c.ShouldRun || c.IneligibleKind != "taint" || c.Reason != "untolerated taint dedicated=edge:NoSchedule" {
		t.Errorf("cni-agent on kb-sick: %+v", c)
	}
	if d := r["dns"]; d.State != StateProgressing || !d.ShouldRun || d.Ready || d.Revision != 1 || !d.CurrentRevision || d.Pod == "" || d.PodUID == "" {
		t.Errorf("dns on kb-sick: %+v", d)
	}
	if l := r["logs"]; !l.ShouldRun || !l.Ready || l.Revision != 1 || l.Node != "kb-sick" || len(l.Containers) != 1 {
		t.Errorf("logs on kb-sick: %+v", l)
	}
	n := item(s, "kb-sick")
	if n.Pool != "edge" || n.Zone != "zone-a" || n.Summary() != "1/2 ok · dns progressing" || n.Healthy() || v.Node.Summary() != n.Summary() {
		t.Errorf("kb-sick in the list: %+v (%q); in its view %q", n, n.Summary(), v.Node.Summary())
	}
	if f := item(s, "kb-fine"); f.Summary() != "2/2 ok" || !f.Healthy() {
		t.Errorf("kb-fine in the list: %q", f.Summary())
	}

	// Untainted, kb-sick must run cni-agent too: it is placed and runs.
	if err := p.UntaintNode(ctx, "kb-sick", "dedicated"); err != nil {
		t.Fatal(err)
	}
	s = wait("cni-agent current on kb-sick", func(s Snapshot) bool { return rowsByName(s.NodeDetail)["cni-agent"].State == StateCurrent })
	if n := item(s, "kb-sick"); n.Summary() != "2/3 ok · dns progressing" || len(n.Taints) != 0 {
		t.Errorf("kb-sick untainted: %q %v", n.Summary(), n.Taints)
	}

	// Without focus and list, snapshots carry neither.
	w.FocusNode("")
	w.ListNodes(false)
	start := time.Now()
	for {
		c, cancel := context.WithTimeout(ctx, time.Minute)
		s, err := w.Next(c)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if s.NodeDetail == nil && s.NodeList == nil && s.NodeFocus == "" {
			break
		}
		if time.Since(start) > time.Minute {
			t.Fatal("snapshots still carry the node's view or the list")
		}
	}
}
