package kube

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// namedDS is testDS under another name, with its own UID and labels, so
// several DaemonSets share the pods of one node.
func namedDS(name string, mods ...func(*appsv1.DaemonSet)) *appsv1.DaemonSet {
	ds := testDS()
	ds.Name, ds.UID = name, types.UID(name+"-uid")
	sel := map[string]string{"app": name}
	ds.Spec.Selector = &metav1.LabelSelector{MatchLabels: sel}
	ds.Spec.Template.Labels = sel
	for _, m := range mods {
		m(ds)
	}
	return ds
}

func revFor(ds *appsv1.DaemonSet, num int64, hash string) *appsv1.ControllerRevision {
	r := revision(ds, num, hash)
	r.Labels = map[string]string{appsv1.DefaultDaemonSetUniqueLabelKey: hash}
	for k, v := range ds.Spec.Template.Labels {
		r.Labels[k] = v
	}
	return r
}

func tainted(key string) func(*corev1.Node) {
	return func(n *corev1.Node) {
		n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: key, Value: "x", Effect: corev1.TaintEffectNoSchedule})
	}
}

func labelled(k, v string) func(*corev1.Node) {
	return func(n *corev1.Node) { n.Labels[k] = v }
}

func selecting(k, v string) func(*appsv1.DaemonSet) {
	return func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.NodeSelector = map[string]string{k: v} }
}

func tolerating(key string) func(*appsv1.DaemonSet) {
	return func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.Tolerations = append(ds.Spec.Template.Spec.Tolerations, corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists})
	}
}

func revsOfAll(dss ...*appsv1.DaemonSet) func(string) []*appsv1.ControllerRevision {
	var revs []*appsv1.ControllerRevision
	for _, ds := range dss {
		revs = append(revs, revFor(ds, 4, ds.Name+"-h4"), revFor(ds, 3, ds.Name+"-h3"))
	}
	return func(string) []*appsv1.ControllerRevision { return revs }
}

func TestComputeNodeDaemonSets(t *testing.T) {
	cases := []struct {
		name     string
		node     *corev1.Node
		ds       *appsv1.DaemonSet
		pods     func(ds *appsv1.DaemonSet) []*corev1.Pod
		state    NodeState // "" wants no row at all
		reason   string    // substring
		should   bool
		revision int64
		healthy  bool
	}{
		{name: "current", node: readyNode("n"), ds: namedDS("logs"), pods: func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "logs-1", "n", "logs-h4")}
		}, state: StateCurrent, should: true, revision: 4, healthy: true},
		{name: "missing", node: readyNode("n"), ds: namedDS("cni-agent"), state: StateMissing, reason: "no pod yet", should: true},
		{name: "crash loop", node: readyNode("n"), ds: namedDS("dns"), pods: func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "dns-1", "n", "dns-h4", waiting("CrashLoopBackOff"))}
		}, state: StateProgressing, reason: "CrashLoopBackOff", should: true, revision: 4},
		{name: "outdated", node: readyNode("n"), ds: namedDS("dns"), pods: func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "dns-1", "n", "dns-h3")}
		}, state: StateOutdated, reason: "runs revision 3", should: true, revision: 3},
		{name: "taint not tolerated", node: readyNode("n", tainted("dedicated")), ds: namedDS("cni-agent"),
			state: StateIneligible, reason: "untolerated taint dedicated=x:NoSchedule", healthy: true},
		{name: "selector not matched", node: readyNode("n"), ds: namedDS("gpu", selecting("gpu", "true")),
			state: StateIneligible, reason: "node selector gpu=true not matched", healthy: true},
		{name: "misscheduled", node: readyNode("n"), ds: namedDS("gpu", selecting("gpu", "true")), pods: func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "gpu-1", "n", "gpu-h4")}
		}, state: StateMisscheduled, reason: "should not run here", revision: 4},
		{name: "another node's pod is not this node's", node: readyNode("n"), ds: namedDS("logs"), pods: func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "logs-2", "other", "logs-h4")}
		}, state: StateMissing, should: true},
		{name: "node gone, pod left", ds: namedDS("logs"), pods: func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "logs-1", "n", "logs-h4")}
		}, state: StateOrphaned, reason: "node no longer exists", revision: 4},
		{name: "node gone, no pod", ds: namedDS("logs")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var pods []*corev1.Pod
			if c.pods != nil {
				pods = c.pods(c.ds)
			}
			var node *Node
			if c.node != nil {
				node = CompactNode(c.node)
			}
			v := ComputeNodeDaemonSets("n", node, []*appsv1.DaemonSet{c.ds}, compactPods(pods), revsOfAll(c.ds), AllAccess(), tNow)
			if c.state == "" {
				if len(v.Rows) != 0 || v.Found {
					t.Fatalf("want no row and not found, got %+v", v)
				}
				return
			}
			if len(v.Rows) != 1 {
				t.Fatalf("want one row, got %d", len(v.Rows))
			}
			r := v.Rows[0]
			if r.Name != c.ds.Name || r.Node != "n" || r.State != c.state || r.ShouldRun != c.should || r.Revision != c.revision || !strings.Contains(r.Reason, c.reason) {
				t.Errorf("row %s: state %s should %v rev %d reason %q; want %s %v %d %q", r.Name, r.State, r.ShouldRun, r.Revision, r.Reason, c.state, c.should, c.revision, c.reason)
			}
			if v.Healthy() != c.healthy {
				t.Errorf("healthy %v, want %v", v.Healthy(), c.healthy)
			}
		})
	}
}

// A node missing two agents for different reasons, beside one that runs
// well and one that is not meant for it: the view's rows, its summary
// and the nodes list agree.
func TestNodeListAndView(t *testing.T) {
	logs, dns, cni, gpu := namedDS("logs", tolerating("dedicated")), namedDS("dns", tolerating("dedicated")), namedDS("cni-agent"), namedDS("gpu", selecting("gpu", "true"))
	dss := []*appsv1.DaemonSet{logs, dns, cni, gpu}
	nodes := []*corev1.Node{
		readyNode("n10", labelled("node.kubernetes.io/instance-type", "m5.large")),
		readyNode("n2", labelled("cloud.google.com/gke-nodepool", "pool-a"), labelled("node.kubernetes.io/instance-type", "e2"),
			labelled(corev1.LabelTopologyZone, "zone-b"), tainted("dedicated"), func(n *corev1.Node) { n.Spec.Unschedulable = true }),
	}
	pods := []*corev1.Pod{
		daemonPod(logs, "logs-a", "n10", "logs-h4"), daemonPod(logs, "logs-b", "n2", "logs-h4"),
		daemonPod(dns, "dns-a", "n10", "dns-h4", waiting("CrashLoopBackOff")), daemonPod(dns, "dns-b", "n2", "dns-h4"),
		daemonPod(cni, "cni-a", "n10", "cni-agent-h4"),
	}
	podsOf := func(ds *appsv1.DaemonSet) []*Pod {
		var out []*corev1.Pod
		for _, p := range pods {
			if p.OwnerReferences[0].UID == ds.UID {
				out = append(out, p)
			}
		}
		return compactPods(out)
	}
	revs := revsOfAll(dss...)
	list := ComputeNodeList(dss, compactNodes(nodes), podsOf, revs, AllAccess(), tNow)
	if len(list) != 2 || list[0].Name != "n2" || list[1].Name != "n10" {
		t.Fatalf("list order: %+v", list)
	}
	n2, n10 := list[0], list[1]
	wantItem := []struct {
		it                  NodeItem
		pool, zone, summary string
		taints              string
		cordoned, healthy   bool
	}{
		// cni-agent does not tolerate n2's taint and gpu selects other
		// nodes: neither should run there.
		{n2, "pool-a", "zone-b", "2/2 ok", "dedicated=x:NoSchedule", true, true},
		{n10, "m5.large", "", "2/3 ok · dns progressing", "", false, false},
	}
	for _, w := range wantItem {
		if w.it.Pool != w.pool || w.it.Zone != w.zone || w.it.Summary() != w.summary || strings.Join(w.it.Taints, ",") != w.taints ||
			w.it.Unschedulable != w.cordoned || w.it.Healthy() != w.healthy || !w.it.Ready {
			t.Errorf("%s: pool %q zone %q summary %q taints %v cordoned %v healthy %v; want %q %q %q %q %v %v",
				w.it.Name, w.it.Pool, w.it.Zone, w.it.Summary(), w.it.Taints, w.it.Unschedulable, w.it.Healthy(), w.pool, w.zone, w.summary, w.taints, w.cordoned, w.healthy)
		}
	}
	// n2 loses its pool's pod of cni-agent once the taint goes: missing.
	nodes[1].Spec.Taints = nil
	list = ComputeNodeList(dss, compactNodes(nodes), podsOf, revs, AllAccess(), tNow)
	if got := list[0].Summary(); got != "2/3 ok · cni-agent missing" {
		t.Errorf("n2 untainted: %q", got)
	}
	var onN10 []*corev1.Pod
	for _, p := range pods {
		if p.Spec.NodeName == "n10" {
			onN10 = append(onN10, p)
		}
	}
	v := ComputeNodeDaemonSets("n10", CompactNode(nodes[0]), dss, compactPods(onN10), revs, AllAccess(), tNow)
	got := []string{}
	for _, r := range v.Rows {
		got = append(got, r.Name+" "+string(r.State))
	}
	if strings.Join(got, ", ") != "cni-agent current, dns progressing, gpu ineligible, logs current" {
		t.Errorf("rows: %v", got)
	}
	if v.Node.Summary() != n10.Summary() || v.Healthy() {
		t.Errorf("view summary %q (list %q), healthy %v", v.Node.Summary(), n10.Summary(), v.Healthy())
	}
}

func TestNodeSummary(t *testing.T) {
	p := func(name string, s NodeState) NodeProblem {
		return NodeProblem{Namespace: "kube-system", Name: name, State: s}
	}
	cases := []struct {
		it      NodeItem
		want    string
		healthy bool
	}{
		{NodeItem{Should: 12, OK: 12}, "12/12 ok", true},
		{NodeItem{Should: 12, OK: 11, Problems: []NodeProblem{p("cni-agent", StateMissing)}}, "11/12 ok · cni-agent missing", false},
		{NodeItem{Should: 3, OK: 0, Problems: []NodeProblem{p("a", StateFailed), p("b", StateMissing), p("c", StateOutdated)}}, "0/3 ok · a failed, b missing, 1 more", false},
		{NodeItem{Should: 1, OK: 1, Problems: []NodeProblem{p("gpu", StateMisscheduled)}}, "1/1 ok · gpu misscheduled", false},
		{NodeItem{}, "no DaemonSet to run", true},
		{NodeItem{Should: 2, Unknown: 2}, "0/2 ok · 2 unknown (no permission to list pods)", false},
	}
	for _, c := range cases {
		if got := c.it.Summary(); got != c.want || c.it.Healthy() != c.healthy {
			t.Errorf("%+v: %q healthy %v, want %q %v", c.it, got, c.it.Healthy(), c.want, c.healthy)
		}
	}
}

// Problems are listed worst state first, whatever the DaemonSets' order.
func TestNodeProblemsOrder(t *testing.T) {
	var n NodeItem
	n.add("ns", "zeta", NodeRow{State: StateFailed}, true)
	n.add("ns", "alpha", NodeRow{State: StateOutdated}, true)
	n.add("ns", "beta", NodeRow{State: StateCurrent}, true)
	n.add("ns", "mid", NodeRow{State: StateMissing}, true)
	n.sortProblems()
	if got := n.Summary(); got != "1/4 ok · zeta failed, mid missing, 1 more" {
		t.Errorf("got %q", got)
	}
}

// compactPods and compactNodes put API objects through the informers'
// transform, as the watcher's cache holds them.
func compactPods(in []*corev1.Pod) []*Pod {
	var out []*Pod
	for _, p := range in {
		out = append(out, CompactPod(p))
	}
	return out
}

func compactNodes(in []*corev1.Node) []*Node {
	var out []*Node
	for _, n := range in {
		out = append(out, CompactNode(n))
	}
	return out
}
