package kube

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/dsx-tui/dsx/testenv"
)

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// tNow is when the table's views are computed: a minute after t0.
var tNow = t0.Add(time.Minute)

func withSurge(ds *appsv1.DaemonSet) {
	one := intstr.FromInt32(1)
	zero := intstr.FromInt32(0)
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: &one, MaxUnavailable: &zero}}
}

func deleting(p *corev1.Pod) {
	ts := metav1.NewTime(t0.Add(30 * time.Second))
	p.DeletionTimestamp = &ts
}

func createdAt(d time.Duration) podOpt {
	return func(p *corev1.Pod) { p.CreationTimestamp = metav1.NewTime(t0.Add(d)) }
}

func pendingUnschedulable(p *corev1.Pod) {
	p.Spec.NodeName = ""
	p.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{"n"}}}}},
	}}}
	p.Status = corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
		Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "0/3 nodes are available: 3 Insufficient cpu.",
	}}}
}

func testDS() *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "agent", UID: types.UID("ds-uid"), Generation: 4},
		Status:     appsv1.DaemonSetStatus{ObservedGeneration: 4},
		Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}}, Template: corev1.PodTemplateSpec{
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
			Labels:          map[string]string{appsv1.DefaultDaemonSetUniqueLabelKey: hash, "app": "agent"},
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
		blocked    string // substring of the view's Blocked; "" wants none
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
		}, state: StateProgressing, reason: "agent: CrashLoopBackOff", revision: 4, curRev: true, blocked: "blocked on 1 new pod not ready: p on n: agent: CrashLoopBackOff (4 restarts)", extraCheck: func(t *testing.T, r NodeRow) {
			if r.Restarts != 4 {
				t.Errorf("restarts = %d, want 4", r.Restarts)
			}
		}},
		{name: "progressing image pull", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, waiting("ImagePullBackOff"))}
		}, state: StateProgressing, reason: "ImagePullBackOff", revision: 4, curRev: true, blocked: "p on n: agent: ImagePullBackOff"},
		{name: "progressing container creating", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, func(p *corev1.Pod) {
				p.Status = corev1.PodStatus{Phase: corev1.PodPending}
			})}
		}, state: StateProgressing, reason: "ContainerCreating", curRev: true, revision: 4},
		{name: "progressing not ready", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, notReady)}
		}, state: StateProgressing, reason: "not ready", curRev: true, revision: 4, blocked: "p on n: not ready: ContainersNotReady"},
		{name: "pending unschedulable", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "", h, func(p *corev1.Pod) {
				p.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
					NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{"n"}}}}},
				}}}
				p.Status = corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
					Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "0/1 nodes are available: 1 Insufficient cpu.",
				}}}
			})}
		}, state: StateProgressing, reason: "pending: Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.", curRev: true, revision: 4, blocked: "p on n: pending: Unschedulable: 0/1 nodes"},
		{name: "failed", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, func(p *corev1.Pod) {
				p.Status.Phase = corev1.PodFailed
				p.Status.Conditions = nil
				p.Status.ContainerStatuses[0].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 2}}
			})}
		}, state: StateFailed, reason: "agent: Error (exit 2)", curRev: true, revision: 4, blocked: "p on n: agent: Error (exit 2)"},
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
		}), state: StateMissing, reason: "no pod yet"},
		{name: "cordoned node still eligible", node: readyNode("n", func(n *corev1.Node) {
			n.Spec.Unschedulable = true
			n.Spec.Taints = []corev1.Taint{{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}}
		}), state: StateMissing, reason: "no pod yet", extraCheck: func(t *testing.T, r NodeRow) {
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
		}), state: StateMissing, reason: "no pod yet"},
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
		{name: "surge: old pod decides, new one noted", mutateDS: withSurge, node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			newer := daemonPod(ds, "p-new", "n", h, notReady)
			newer.CreationTimestamp = now
			return []*corev1.Pod{newer, daemonPod(ds, "p-old", "n", "oldhash")}
		}, state: StateOutdated, reason: "surge pod p-new not ready: not ready: ContainersNotReady", revision: 3, blocked: "p-new on n", extraCheck: func(t *testing.T, r NodeRow) {
			if r.Pod != "p-old" || r.ExtraPods != 1 {
				t.Errorf("pod %s extra %d, want p-old 1", r.Pod, r.ExtraPods)
			}
		}},
		{name: "hashed by another Kubernetes version", mutateDS: func(ds *appsv1.DaemonSet) {
			// This template hashes to 646b88d58f with k8s.io/api v0.37.2;
			// the revision was made by a controller that got 85db8c4d4c.
			ds.Spec.Template.Spec.Containers[0].Image = "agent:2"
		}, node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", "85db8c4d4c")}
		}, state: StateCurrent, revision: 4, curRev: true},
		{name: "template-generation match", mutateDS: func(ds *appsv1.DaemonSet) {
			ds.Annotations = map[string]string{appsv1.DeprecatedTemplateGeneration: "7"}
		}, node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", "relabelled", func(p *corev1.Pod) { p.Labels["pod-template-generation"] = "7" })}
		}, state: StateCurrent, curRev: true},
		{name: "template-generation mismatch", mutateDS: func(ds *appsv1.DaemonSet) {
			ds.Annotations = map[string]string{appsv1.DeprecatedTemplateGeneration: "7"}
		}, node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", "oldhash", func(p *corev1.Pod) { p.Labels["pod-template-generation"] = "6" })}
		}, state: StateOutdated, reason: "runs revision 3", revision: 3},
		{name: "ready but not yet available", mutateDS: func(ds *appsv1.DaemonSet) { ds.Spec.MinReadySeconds = 90 }, node: readyNode("n"),
			pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
				return []*corev1.Pod{daemonPod(ds, "p", "n", h)}
			}, state: StateProgressing, reason: "ready, available in 30s (minReadySeconds 90)", revision: 4, curRev: true, extraCheck: func(t *testing.T, r NodeRow) {
				if !r.Ready || r.Available || !r.AvailableAt.Equal(t0.Add(90*time.Second)) {
					t.Errorf("ready %v available %v at %v, want true false %v", r.Ready, r.Available, r.AvailableAt, t0.Add(90*time.Second))
				}
			}},
		{name: "ready for minReadySeconds is available", mutateDS: func(ds *appsv1.DaemonSet) { ds.Spec.MinReadySeconds = 59 }, node: readyNode("n"),
			pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
				return []*corev1.Pod{daemonPod(ds, "p", "n", h)}
			}, state: StateCurrent, revision: 4, curRev: true, extraCheck: func(t *testing.T, r NodeRow) {
				if !r.Available || !r.AvailableAt.IsZero() {
					t.Errorf("available %v at %v, want true and no wait", r.Available, r.AvailableAt)
				}
			}},
		{name: "surge with the old pod terminating", mutateDS: withSurge, node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p-new", "n", h, createdAt(20*time.Second)), daemonPod(ds, "p-old", "n", "oldhash", deleting)}
		}, state: StateTerminating, reason: "runs revision 3; pod is being deleted; surge pod p-new ready", revision: 3, extraCheck: func(t *testing.T, r NodeRow) {
			if r.Pod != "p-old" {
				t.Errorf("pod %s stands for the node, want p-old until it is gone", r.Pod)
			}
		}},
		{name: "surge pod unschedulable says why", mutateDS: withSurge, node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p-old", "n", "oldhash"), daemonPod(ds, "p-new", "n", h, createdAt(20*time.Second), pendingUnschedulable)}
		}, state: StateOutdated, reason: "runs revision 3; surge pod p-new not ready: pending: Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.", revision: 3,
			blocked: "blocked on 1 new pod not ready: p-new on n: pending: Unschedulable: 0/3 nodes are available: 3 Insufficient cpu."},
		{name: "second pod without surge is extra", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p-2", "n", h, createdAt(time.Second)), daemonPod(ds, "p-1", "n", h)}
		}, state: StateCurrent, reason: "extra pod p-2 (the controller keeps the oldest)", revision: 4, curRev: true, extraCheck: func(t *testing.T, r NodeRow) {
			if r.Pod != "p-1" || r.ExtraPods != 1 {
				t.Errorf("pod %s extra %d, want p-1 1", r.Pod, r.ExtraPods)
			}
		}},
		{name: "scheduled pod first, though younger", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p-unscheduled", "", h, pendingUnschedulable), daemonPod(ds, "p-scheduled", "n", h, createdAt(time.Minute))}
		}, state: StateCurrent, reason: "extra pod p-unscheduled", revision: 4, curRev: true, blocked: "p-unscheduled on n: pending: Unschedulable", extraCheck: func(t *testing.T, r NodeRow) {
			if r.Pod != "p-scheduled" {
				t.Errorf("pod %s stands for the node, want p-scheduled", r.Pod)
			}
		}},
		{name: "same-second creation tie broken by name", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p-b", "n", h, notReady), daemonPod(ds, "p-a", "n", "oldhash")}
		}, state: StateOutdated, reason: "extra pod p-b", revision: 3, blocked: "p-b on n", extraCheck: func(t *testing.T, r NodeRow) {
			if r.Pod != "p-a" {
				t.Errorf("pod %s stands for the node, want p-a (same creation second, first by name)", r.Pod)
			}
		}},
		{name: "terminating pod on an ineligible node is misscheduled", mutateDS: func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "a"}
		}, node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, deleting)}
		}, state: StateMisscheduled, reason: "node selector pool=a not matched (pod is being deleted)", kind: "selector", revision: 4, curRev: true},
		{name: "terminal pod already deleted is ignored", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, deleting, func(p *corev1.Pod) { p.Status.Phase = corev1.PodFailed })}
		}, state: StateMissing, reason: "no pod yet"},
		{name: "succeeded pod not yet deleted stands", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, notReady, func(p *corev1.Pod) { p.Status.Phase = corev1.PodSucceeded })}
		}, state: StateFailed, reason: "pod exited (Succeeded)", revision: 4, curRev: true, blocked: "p on n: pod exited (Succeeded)"},
		{name: "a failing pod where none should run blocks no rollout", mutateDS: func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "a"}
		}, node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, waiting("CrashLoopBackOff"))}
		}, state: StateMisscheduled, reason: "node selector pool=a not matched", kind: "selector", revision: 4, curRev: true},
		{name: "relabelled pod released", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, func(p *corev1.Pod) { p.Labels["app"] = "debug" })}
		}, state: StateMissing, reason: "no pod yet"},
		{name: "other owners ignored", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet, h string) []*corev1.Pod {
			p := daemonPod(ds, "p", "n", h)
			p.OwnerReferences[0].UID = "someone-else"
			return []*corev1.Pod{p}
		}, state: StateMissing, reason: "no pod yet"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := testDS()
			if c.mutateDS != nil {
				c.mutateDS(d)
			}
			// The current revision's hash is whatever the cluster's
			// controller made it; dsx never recomputes it.
			h := "85db8c4d4c"
			rs := []*appsv1.ControllerRevision{revision(d, 3, "oldhash"), revision(d, 4, h)}
			var pods []*corev1.Pod
			if c.pods != nil {
				pods = c.pods(d, h)
			}
			v := viewOf(d, []*corev1.Node{c.node}, pods, rs, AllAccess(), tNow)
			if len(v.Rows) != 1 {
				t.Fatalf("rows = %d, want 1:\n%s", len(v.Rows), dumpRows(v))
			}
			r := v.Rows[0]
			if r.State != c.state {
				t.Fatalf("state = %s (%s), want %s", r.State, r.Reason, c.state)
			}
			// A row that names no reason wants none: strings.Contains
			// with "" would pass whatever the reason said.
			if c.reason == "" && r.Reason != "" || !strings.Contains(r.Reason, c.reason) {
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
				c.extraCheck(t, *r)
			}
			if c.blocked != "" && !strings.Contains(v.Blocked, c.blocked) {
				t.Errorf("blocked = %q, want it to contain %q", v.Blocked, c.blocked)
			}
			if c.blocked == "" && v.Blocked != "" {
				t.Errorf("blocked = %q, want nothing", v.Blocked)
			}
		})
	}
}

// Pods on a node that no longer exists, or naming no node, are orphans:
// shown, but counted nowhere, as the controller's status does; the counts
// add up as the controller's.
func TestNodeViewSummary(t *testing.T) {
	ds := testDS()
	h := "cur"
	revs := []*appsv1.ControllerRevision{revision(ds, 1, "old"), revision(ds, 2, h)}
	nodes := []*corev1.Node{readyNode("a"), readyNode("b"), readyNode("c"), readyNode("d", func(n *corev1.Node) {
		n.Spec.Taints = []corev1.Taint{{Key: "x", Effect: corev1.TaintEffectNoSchedule}}
	})}
	orphans := []*corev1.Pod{daemonPod(ds, "pz", "zombie", h), daemonPod(ds, "pu", "", h), daemonPod(ds, "pn", "", h, pendingUnschedulable)}
	pods := append([]*corev1.Pod{daemonPod(ds, "pa", "a", h), daemonPod(ds, "pb", "b", "old", notReady), daemonPod(ds, "pd", "d", h)}, orphans...)
	v := viewOf(ds, nodes, pods, revs, AllAccess(), tNow)
	s := v.Summary
	if s.Nodes != 4 || s.ByState[StateCurrent] != 1 || s.ByState[StateOutdated] != 1 || s.ByState[StateMissing] != 1 || s.ByState[StateMisscheduled] != 1 || s.ByState[StateOrphaned] != 3 {
		t.Fatalf("summary = %+v", s)
	}
	if s.OutdatedRevisions[1] != 1 || s.Eligible != 3 {
		t.Fatalf("summary details = %+v", s)
	}
	want := Counts{Desired: 3, Current: 2, Ready: 1, Available: 1, Updated: 1, Misscheduled: 1}
	if c := v.Counts(); c != want {
		t.Fatalf("counts = %+v, want %+v", c, want)
	}
	if v.Healthy() {
		t.Fatal("view with outdated and missing nodes reported healthy")
	}
	reasons := map[string]string{}
	for _, r := range v.Rows {
		if r.State == StateOrphaned {
			if !r.NodeGone {
				t.Errorf("orphan %s not marked gone", r.Node)
			}
			reasons[r.Node] = r.Reason
		}
	}
	if !strings.Contains(reasons["zombie"], "node no longer exists; awaiting garbage collection") || !strings.Contains(reasons["<unassigned>"], "names no node") {
		t.Fatalf("orphan reasons = %v", reasons)
	}
	// A finished rollout with pods left on removed nodes has converged.
	done := viewOf(ds, nodes[:1], append([]*corev1.Pod{daemonPod(ds, "pa", "a", h)}, orphans...), revs, AllAccess(), tNow)
	if !done.Healthy() || done.Counts() != (Counts{Desired: 1, Current: 1, Ready: 1, Available: 1, Updated: 1}) || done.Blocked != "" {
		t.Fatalf("orphans block convergence: healthy %v counts %+v blocked %q", done.Healthy(), done.Counts(), done.Blocked)
	}
}

// The current revision is read from the cluster: the highest-numbered
// revision the DaemonSet claims, once the controller has seen the spec.
func TestCurrentRevision(t *testing.T) {
	ds := testDS()
	other := testDS()
	other.UID = "other-uid"
	relabelled := revision(ds, 9, "relabelled")
	relabelled.Labels["app"] = "other"
	cases := []struct {
		name     string
		observed int64
		revs     []*appsv1.ControllerRevision
		collide  bool
		want     int64
		wantHash string
		seen     bool
	}{
		{name: "highest number", observed: 4, revs: []*appsv1.ControllerRevision{revision(ds, 1, "aaa"), revision(ds, 2, "bbb")}, want: 2, wantHash: "bbb", seen: true},
		{name: "controller has not seen the spec", observed: 3, revs: []*appsv1.ControllerRevision{revision(ds, 1, "aaa"), revision(ds, 2, "bbb")}},
		{name: "rollback renumbers the old revision", observed: 4, revs: []*appsv1.ControllerRevision{revision(ds, 3, "aaa"), revision(ds, 2, "bbb")}, want: 3, wantHash: "aaa", seen: true},
		// Revision 3 was made after a hash collision bumped
		// collisionCount; rolling back to revision 1 renumbered it to 4.
		// A hash recomputed with the collision count would name neither.
		{name: "rollback after a collision bump", observed: 4, collide: true,
			revs: []*appsv1.ControllerRevision{revision(ds, 4, "aaa"), revision(ds, 2, "bbb"), revision(ds, 3, "ccc")}, want: 4, wantHash: "aaa", seen: true},
		{name: "other owners and released revisions ignored", observed: 4,
			revs: []*appsv1.ControllerRevision{revision(ds, 1, "aaa"), revision(other, 7, "ooo"), relabelled}, want: 1, wantHash: "aaa", seen: true},
		{name: "no revision yet", observed: 4, seen: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := testDS()
			d.Status.ObservedGeneration = c.observed
			if c.collide {
				one := int32(1)
				d.Status.CollisionCount = &one
			}
			cur, seen := CurrentRevision(d, DaemonSetRevisions(d, c.revs))
			if cur.Number != c.want || cur.Hash != c.wantHash || seen != c.seen {
				t.Fatalf("current = %+v seen %v, want %d %q %v", cur, seen, c.want, c.wantHash, c.seen)
			}
		})
	}
}

// Before the controller has seen a new spec, pods are judged by the
// template generation alone and the view is not healthy.
func TestNodeViewUnobserved(t *testing.T) {
	ds := testDS()
	ds.Generation = 5
	ds.Annotations = map[string]string{appsv1.DeprecatedTemplateGeneration: "5"}
	revs := []*appsv1.ControllerRevision{revision(ds, 1, "old")}
	gen := func(g string) podOpt { return func(p *corev1.Pod) { p.Labels["pod-template-generation"] = g } }
	pods := []*corev1.Pod{daemonPod(ds, "pa", "a", "old", gen("4")), daemonPod(ds, "pb", "b", "new", gen("5"))}
	v := viewOf(ds, []*corev1.Node{readyNode("a"), readyNode("b")}, pods, revs, AllAccess(), tNow)
	if v.Observed || v.CurrentRevision != 0 || v.Healthy() {
		t.Fatalf("observed %v revision %d healthy %v, want false 0 false", v.Observed, v.CurrentRevision, v.Healthy())
	}
	if v.Rows[0].State != StateOutdated || v.Rows[1].State != StateCurrent {
		t.Fatalf("rows = %s %s, want outdated current", v.Rows[0].State, v.Rows[1].State)
	}
}

// Without rights on nodes, rows come from pods; without rights on pods,
// eligible nodes are unknown, not missing.
func TestNodeViewLimitedAccess(t *testing.T) {
	ds := testDS()
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "a"}
	h := "cur"
	revs := []*appsv1.ControllerRevision{revision(ds, 1, h)}
	nodes := []*corev1.Node{readyNode("a1", func(n *corev1.Node) { n.Labels["pool"] = "a" }), readyNode("b1")}
	pods := []*corev1.Pod{daemonPod(ds, "p", "a1", h)}

	noNodes := viewOf(ds, nil, pods, revs, Access{DaemonSets: true, Pods: true, Revisions: true}, tNow)
	if len(noNodes.Rows) != 1 || noNodes.Rows[0].Node != "a1" || noNodes.Rows[0].State != StateCurrent || !noNodes.Healthy() {
		t.Fatalf("without nodes:\n%s", dumpRows(noNodes))
	}
	noPods := viewOf(ds, nodes, nil, revs, Access{DaemonSets: true, Nodes: true, Revisions: true}, tNow)
	if noPods.Rows[0].State != StateUnknown || noPods.Rows[1].State != StateIneligible || noPods.Healthy() {
		t.Fatalf("without pods:\n%s", dumpRows(noPods))
	}
	if h := (Access{DaemonSets: true}).Hidden("team"); len(h) != 3 || !strings.Contains(h[0], "nodes") {
		t.Fatalf("hidden = %v", h)
	}
}

// "surge pod" only where the controller surges: RollingUpdate with a
// maxSurge other than 0 (a percentage rounds up to at least one pod).
func TestSurgeAllowed(t *testing.T) {
	pct := func(s string) *intstr.IntOrString { v := intstr.FromString(s); return &v }
	num := func(n int32) *intstr.IntOrString { v := intstr.FromInt32(n); return &v }
	cases := []struct {
		name     string
		strategy appsv1.DaemonSetUpdateStrategy
		want     bool
	}{
		{"rolling, maxSurge 1", appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: num(1)}}, true},
		{"rolling, maxSurge 25%", appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: pct("25%")}}, true},
		{"rolling, maxSurge 0", appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: num(0)}}, false},
		{"rolling, maxSurge 0%", appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: pct("0%")}}, false},
		{"rolling, no maxSurge", appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType}, false},
		{"OnDelete", appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType, RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: num(1)}}, false},
	}
	for _, c := range cases {
		ds := testDS()
		ds.Spec.UpdateStrategy = c.strategy
		if got := surgeAllowed(ds); got != c.want {
			t.Errorf("%s: surge %v, want %v", c.name, got, c.want)
		}
	}
}

// viewOf is ComputeNodeViewWith on API objects put through the informers'
// transform, as the watcher's cache holds them.
func viewOf(ds *appsv1.DaemonSet, nodes []*corev1.Node, pods []*corev1.Pod, revs []*appsv1.ControllerRevision, access Access, now time.Time) NodeView {
	var cn []*Node
	for _, n := range nodes {
		cn = append(cn, CompactNode(n))
	}
	var cp []*Pod
	for _, p := range pods {
		cp = append(cp, CompactPod(p))
	}
	return ComputeNodeViewWith(ds, cn, cp, revs, access, now)
}

// The REASON column (Note) leaves out what STATE and REVISION say; the
// whole reason keeps it for the info view and the timeline.
func TestNote(t *testing.T) {
	h := "85db8c4d4c"
	cases := []struct {
		name         string
		mutateDS     func(*appsv1.DaemonSet)
		node         *corev1.Node
		pods         func(ds *appsv1.DaemonSet) []*corev1.Pod
		reason, note string
	}{
		{name: "outdated", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", "oldhash")}
		}, reason: "runs revision 3", note: ""},
		{name: "outdated of an unknown revision", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", "gonehash")}
		}, reason: "runs an old revision", note: ""},
		{name: "outdated and not ready", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", "oldhash", waiting("CrashLoopBackOff"))}
		}, reason: "runs revision 3; agent: CrashLoopBackOff", note: "agent: CrashLoopBackOff"},
		{name: "outdated, terminating", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", "oldhash", deleting)}
		}, reason: "runs revision 3; pod is being deleted", note: ""},
		{name: "current, terminating", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, deleting)}
		}, reason: "pod is being deleted", note: ""},
		{name: "terminating during a surge", mutateDS: withSurge, node: readyNode("n"), pods: func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p-new", "n", h, createdAt(20*time.Second)), daemonPod(ds, "p-old", "n", "oldhash", deleting)}
		}, reason: "runs revision 3; pod is being deleted; surge pod p-new ready", note: "surge pod p-new ready"},
		{name: "outdated on a NotReady node", node: readyNode("n", func(n *corev1.Node) { n.Status.Conditions[0].Status = corev1.ConditionFalse }),
			pods: func(ds *appsv1.DaemonSet) []*corev1.Pod {
				return []*corev1.Pod{daemonPod(ds, "p", "n", "oldhash")}
			}, reason: "runs revision 3; node NotReady", note: "node NotReady"},
		{name: "misscheduled while terminating keeps its words", mutateDS: func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "a"}
		}, node: readyNode("n"), pods: func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", "oldhash", deleting)}
		}, reason: "should not run here: node selector pool=a not matched (pod is being deleted)", note: "should not run here: node selector pool=a not matched (pod is being deleted)"},
		{name: "progressing keeps its reason", node: readyNode("n"), pods: func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "p", "n", h, waiting("ContainerCreating"))}
		}, reason: "agent: ContainerCreating", note: "agent: ContainerCreating"},
		{name: "missing keeps its reason", node: readyNode("n"), reason: "no pod yet: the controller has not created one", note: "no pod yet: the controller has not created one"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := testDS()
			if c.mutateDS != nil {
				c.mutateDS(d)
			}
			var pods []*corev1.Pod
			if c.pods != nil {
				pods = c.pods(d)
			}
			v := viewOf(d, []*corev1.Node{c.node}, pods, []*appsv1.ControllerRevision{revision(d, 3, "oldhash"), revision(d, 4, h)}, AllAccess(), tNow)
			if len(v.Rows) != 1 {
				t.Fatalf("rows = %d, want 1:\n%s", len(v.Rows), dumpRows(v))
			}
			r := v.Rows[0]
			if r.Reason != c.reason {
				t.Errorf("reason = %q, want %q", r.Reason, c.reason)
			}
			if got := r.Note(); got != c.note {
				t.Errorf("note = %q, want %q (reason %q)", got, c.note, r.Reason)
			}
		})
	}
}
