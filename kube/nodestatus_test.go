package kube

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/dsx-tui/dsx/testenv"
)

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func testDS() *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "agent", UID: types.UID("ds-uid")},
		Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "agent"}},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "agent", Image: "agent:2"}}},
		}},
	}
}

func readyNode(name string, mods ...func(*corev1.Node)) *corev1.Node {
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/hostname": name}},
		Status:     corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}},
	}
	for _, m := range mods {
		m(n)
	}
	return n
}

func revision(ds *appsv1.DaemonSet, num int64, hash string) *appsv1.ControllerRevision {
	ctrl := true
	return &appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: ds.Namespace, Name: ds.Name + "-" + hash,
			Labels:          map[string]string{appsv1.DefaultDaemonSetUniqueLabelKey: hash},
			OwnerReferences: []metav1.OwnerReference{{UID: ds.UID, Controller: &ctrl}},
		},
		Revision: num,
	}
}

type podOpt func(*corev1.Pod)

func daemonPod(ds *appsv1.DaemonSet, name, node, hash string, opts ...podOpt) *corev1.Pod {
	p := testenv.DaemonPod(ds, name, node, hash, t0)
	for _, o := range opts {
		o(p)
	}
	return p
}

func notReady(p *corev1.Pod) { testenv.PodNotReady(p) }

func waiting(reason string) podOpt {
	return func(p *corev1.Pod) {
		notReady(p)
		p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}
		p.Status.ContainerStatuses[0].RestartCount = 4
	}
}

func TestComputeNodeView(t *testing.T) {
	now := metav1.NewTime(t0.Add(time.Minute))
	cases := []struct {
		name       string
		mutateDS   func(*appsv1.DaemonSet)
		node       *corev1.Node
		pods       func(ds *appsv1.DaemonSet, hash string) []*corev1.Pod
		state      NodeState
		reason     string // substring
		kind       string
		revision   int64
		curRev     bool
		extraCheck func(t *testing.T, r NodeRow)
	}{
		{name: "current", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h)}
		}, state: StateCurrent, revision: 4, curRev: true},
		{name: "outdated ready", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", "oldhash")}
		}, state: StateOutdated, reason: "runs revision 3", revision: 3},
		{name: "outdated unknown revision", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", "gonehash")}
		}, state: StateOutdated, reason: "old revision"},
		{name: "progressing crashloop", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, waiting("CrashLoopBackOff"))}
		}, state: StateProgressing, reason: "agent: CrashLoopBackOff", revision: 4, curRev: true, extraCheck: func(t *testing.T, r NodeRow) {
			if r.Restarts != 4 {
				t.Errorf("restarts = %d, want 4", r.Restarts)
			}
		}},
		{name: "progressing image pull", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, waiting("ImagePullBackOff"))}
		}, state: StateProgressing, reason: "ImagePullBackOff", revision: 4, curRev: true},
		{name: "progressing container creating", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, func(p *corev1.Pod) {
				p.Status = corev1.PodStatus{Phase: corev1.PodPending}
			})}
		}, state: StateProgressing, reason: "ContainerCreating", curRev: true, revision: 4},
		{name: "progressing not ready", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, notReady)}
		}, state: StateProgressing, reason: "not ready", curRev: true, revision: 4},
		{name: "pending unschedulable", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "", h, func(p *corev1.Pod) {
				p.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
					NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{"n"}}}}},
				}}}
				p.Status = corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
					Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "0/1 nodes are available: 1 Insufficient cpu.",
				}}}
			})}
		}, state: StateProgressing, reason: "pending: Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.", curRev: true, revision: 4},
		{name: "failed", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, func(p *corev1.Pod) {
				p.Status.Phase = corev1.PodFailed
				p.Status.Conditions = nil
				p.Status.ContainerStatuses[0].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 2}}
			})}
		}, state: StateFailed, reason: "agent: Error (exit 2)", curRev: true, revision: 4},
		{name: "missing", node: readyNode("n"), state: StateMissing, reason: "no pod yet"},
		{name: "missing on NotReady node", node: readyNode("n", func(n *corev1.Node) {
			n.Status.Conditions[0] = corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionUnknown, Reason: "NodeStatusUnknown"}
		}), state: StateMissing, reason: "node NotReady (NodeStatusUnknown)"},
		{name: "ineligible node selector", mutateDS: func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.NodeSelector = map[string]string{"accelerator": "nvidia"}
		}, node: readyNode("n"), state: StateIneligible, reason: "node selector accelerator=nvidia not matched", kind: "selector"},
		{name: "ineligible affinity", mutateDS: func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: corev1.NodeSelectorOpIn, Values: []string{"a"}}}}},
			}}}
		}, node: readyNode("n"), state: StateIneligible, reason: "required node affinity", kind: "affinity"},
		{name: "ineligible taint", node: readyNode("n", func(n *corev1.Node) {
			n.Spec.Taints = []corev1.Taint{{Key: "dedicated", Value: "infra", Effect: corev1.TaintEffectNoSchedule}}
		}), state: StateIneligible, reason: "untolerated taint dedicated=infra:NoSchedule", kind: "taint"},
		{name: "tolerated taint", mutateDS: func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "infra"}}
		}, node: readyNode("n", func(n *corev1.Node) {
			n.Spec.Taints = []corev1.Taint{{Key: "dedicated", Value: "infra", Effect: corev1.TaintEffectNoSchedule}}
		}), state: StateMissing},
		{name: "cordoned node still eligible", node: readyNode("n", func(n *corev1.Node) {
			n.Spec.Unschedulable = true
			n.Spec.Taints = []corev1.Taint{{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}}
		}), state: StateMissing, extraCheck: func(t *testing.T, r NodeRow) {
			if !r.Unschedulable {
				t.Error("cordon not reported")
			}
		}},
		{name: "not-ready NoExecute tolerated by default", node: readyNode("n", func(n *corev1.Node) {
			n.Status.Conditions[0].Status = corev1.ConditionFalse
			n.Spec.Taints = []corev1.Taint{{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute}}
		}), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h)}
		}, state: StateCurrent, reason: "node NotReady", curRev: true, revision: 4},
		{name: "not-ready NoSchedule blocks new pods", node: readyNode("n", func(n *corev1.Node) {
			n.Status.Conditions[0].Status = corev1.ConditionFalse
			n.Spec.Taints = []corev1.Taint{{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule}}
		}), state: StateIneligible, reason: "untolerated taint node.kubernetes.io/not-ready:NoSchedule", kind: "taint"},
		{name: "network-unavailable tolerated only with hostNetwork", mutateDS: func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.HostNetwork = true
		}, node: readyNode("n", func(n *corev1.Node) {
			n.Spec.Taints = []corev1.Taint{{Key: corev1.TaintNodeNetworkUnavailable, Effect: corev1.TaintEffectNoSchedule}}
		}), state: StateMissing},
		{name: "network-unavailable blocks without hostNetwork", node: readyNode("n", func(n *corev1.Node) {
			n.Spec.Taints = []corev1.Taint{{Key: corev1.TaintNodeNetworkUnavailable, Effect: corev1.TaintEffectNoSchedule}}
		}), state: StateIneligible, kind: "taint", reason: "network-unavailable"},
		{name: "misscheduled after NoSchedule taint", node: readyNode("n", func(n *corev1.Node) {
			n.Spec.Taints = []corev1.Taint{{Key: "maint", Effect: corev1.TaintEffectNoSchedule}}
		}), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h)}
		}, state: StateMisscheduled, reason: "may keep running", kind: "taint", curRev: true, revision: 4},
		{name: "misscheduled after label change", mutateDS: func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "a"}
		}, node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h)}
		}, state: StateMisscheduled, reason: "node selector pool=a not matched", kind: "selector", curRev: true, revision: 4},
		{name: "terminating", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, func(p *corev1.Pod) { p.DeletionTimestamp = &now })}
		}, state: StateTerminating, reason: "being deleted", curRev: true, revision: 4},
		{name: "surge: old pod decides, new one noted", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			newer := daemonPod(ds, "p-new", "n", h, notReady)
			newer.CreationTimestamp = now
			return []*corev1.Pod{newer, daemonPod(ds, "p-old", "n", "oldhash")}
		}, state: StateOutdated, reason: "surge pod p-new not ready", revision: 3, extraCheck: func(t *testing.T, r NodeRow) {
			if r.Pod != "p-old" || r.ExtraPods != 1 {
				t.Errorf("pod %s extra %d, want p-old 1", r.Pod, r.ExtraPods)
			}
		}},
		{name: "other owners ignored", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			p := daemonPod(ds, "p", "n", h)
			p.OwnerReferences[0].UID = "someone-else"
			return []*corev1.Pod{p}
		}, state: StateMissing},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := testDS()
			if c.mutateDS != nil {
				c.mutateDS(d)
			}
			h := TemplateHash(d)
			rs := []*appsv1.ControllerRevision{revision(d, 3, "oldhash"), revision(d, 4, h)}
			var pods []*corev1.Pod
			if c.pods != nil {
				pods = c.pods(d, h)
			}
			v := ComputeNodeView(d, []*corev1.Node{c.node}, pods, rs)
			if len(v.Rows) != 1 {
				t.Fatalf("rows = %d, want 1: %+v", len(v.Rows), v.Rows)
			}
			r := v.Rows[0]
			if r.State != c.state {
				t.Fatalf("state = %s (%s), want %s", r.State, r.Reason, c.state)
			}
			if !strings.Contains(r.Reason, c.reason) {
				t.Errorf("reason = %q, want it to contain %q", r.Reason, c.reason)
			}
			if r.IneligibleKind != c.kind {
				t.Errorf("kind = %q, want %q", r.IneligibleKind, c.kind)
			}
			if r.Revision != c.revision || r.CurrentRevision != c.curRev {
				t.Errorf("revision %d current %v, want %d %v", r.Revision, r.CurrentRevision, c.revision, c.curRev)
			}
			if v.CurrentRevision != 4 {
				t.Errorf("view current revision = %d, want 4", v.CurrentRevision)
			}
			if c.extraCheck != nil {
				c.extraCheck(t, r)
			}
		})
	}
}

// A pod whose node is gone is misscheduled; summary counts add up.
func TestNodeViewSummary(t *testing.T) {
	ds := testDS()
	h := TemplateHash(ds)
	revs := []*appsv1.ControllerRevision{revision(ds, 1, "old"), revision(ds, 2, h)}
	nodes := []*corev1.Node{readyNode("a"), readyNode("b"), readyNode("c"), readyNode("d", func(n *corev1.Node) {
		n.Spec.Taints = []corev1.Taint{{Key: "x", Effect: corev1.TaintEffectNoSchedule}}
	})}
	pods := []*corev1.Pod{daemonPod(ds, "pa", "a", h), daemonPod(ds, "pb", "b", "old"), daemonPod(ds, "pz", "zombie", h)}
	v := ComputeNodeView(ds, nodes, pods, revs)
	s := v.Summary
	if s.Nodes != 4 || s.ByState[StateCurrent] != 1 || s.ByState[StateOutdated] != 1 || s.ByState[StateMissing] != 1 || s.ByState[StateIneligible] != 1 || s.ByState[StateMisscheduled] != 1 {
		t.Fatalf("summary = %+v", s)
	}
	if s.OutdatedRevisions[1] != 1 || s.IneligibleKinds["taint"] != 1 || s.Eligible != 3 || s.UpToDate != 1 {
		t.Fatalf("summary details = %+v", s)
	}
	if v.Healthy() {
		t.Fatal("view with outdated and missing nodes reported healthy")
	}
	var gone NodeRow
	for _, r := range v.Rows {
		if r.Node == "zombie" {
			gone = r
		}
	}
	if !gone.NodeGone || gone.State != StateMisscheduled {
		t.Fatalf("pod on vanished node: %+v", gone)
	}
}

// Without rights on nodes, rows come from pods; without rights on pods,
// eligible nodes are unknown, not missing.
func TestNodeViewLimitedAccess(t *testing.T) {
	ds := testDS()
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "a"}
	h := TemplateHash(ds)
	revs := []*appsv1.ControllerRevision{revision(ds, 1, h)}
	nodes := []*corev1.Node{readyNode("a1", func(n *corev1.Node) { n.Labels["pool"] = "a" }), readyNode("b1")}
	pods := []*corev1.Pod{daemonPod(ds, "p", "a1", h)}

	noNodes := ComputeNodeViewWith(ds, nil, pods, revs, Access{DaemonSets: true, Pods: true, Revisions: true})
	if len(noNodes.Rows) != 1 || noNodes.Rows[0].Node != "a1" || noNodes.Rows[0].State != StateCurrent || !noNodes.Healthy() {
		t.Fatalf("without nodes: %+v", noNodes.Rows)
	}
	noPods := ComputeNodeViewWith(ds, nodes, nil, revs, Access{DaemonSets: true, Nodes: true, Revisions: true})
	if noPods.Rows[0].State != StateUnknown || noPods.Rows[1].State != StateIneligible || noPods.Healthy() {
		t.Fatalf("without pods: %+v", noPods.Rows)
	}
	if h := (Access{DaemonSets: true}).Hidden("team"); len(h) != 3 || !strings.Contains(h[0], "nodes") {
		t.Fatalf("hidden = %v", h)
	}
}
