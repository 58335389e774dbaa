package kube

import (
	"maps"
	"slices"
	"time"
	"unique"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
)

// Pod is a daemon pod as dsx caches it: only what the node view, the
// rollout's blocked mark and the logs picker read. A typed corev1.Pod is
// ~1.4 KB before any field is set; at 50,000 pods that was most of dsx's
// heap. Describe and YAML fetch the full object from the server.
type Pod struct {
	// ObjectMeta keeps name, namespace, UID, labels (the claim and the
	// revision hash), creation and deletion times and the resource
	// version, which the informer needs to tell updates from resyncs.
	metav1.ObjectMeta
	// Owner is the UID of the pod's controller, "" without one.
	Owner types.UID
	// NodeName is spec.nodeName; TargetNode the node an unscheduled
	// daemon pod is pinned to by its matchFields affinity.
	NodeName, TargetNode string
	Phase                corev1.PodPhase
	Reason, Message      string
	// Ready is the Ready condition with its transition time (availability
	// is Ready for minReadySeconds); Scheduled the PodScheduled condition.
	Ready, Scheduled Condition
	Containers       []Container
	// InitStatuses and Statuses are the init and app container statuses.
	InitStatuses, Statuses []ContainerStatus
}

// Condition is one pod condition; Status "" when the pod has none.
type Condition struct {
	Status          corev1.ConditionStatus
	Reason, Message string
	Since           time.Time
}

// Container is a container of the pod's spec.
type Container struct{ Name, Image string }

// ContainerState is which of its states a container status is in.
type ContainerState uint8

// The container states; StateNone when the kubelet reported none.
const (
	ContainerNone ContainerState = iota
	ContainerWaiting
	ContainerRunning
	ContainerTerminated
)

// ContainerStatus is a container's status: its state with the waiting or
// termination reason and the exit code, readiness and restarts.
type ContainerStatus struct {
	Name     string
	State    ContainerState
	Reason   string
	ExitCode int32
	Ready    bool
	Restarts int32
}

// Node is a node as dsx caches it: what eligibility (labels, taints,
// name) and the node view (schedulability, readiness) read. Heartbeats
// change none of it.
type Node struct {
	// ObjectMeta keeps name, UID, labels, creation time and the resource
	// version.
	metav1.ObjectMeta
	Taints        []corev1.Taint
	Unschedulable bool
	// Ready is the Ready condition's status, "" without one, and its reason.
	Ready       corev1.ConditionStatus
	ReadyReason string
}

// in interns a string: images, hashes, label keys and values, node names
// and reasons repeat across thousands of objects, and each decoded object
// carries its own copy. unique's map is weak, so strings no object holds
// any more are not kept.
func in(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}

func internMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[in(k)] = in(v)
	}
	return out
}

// cacheMeta is the part of an object's metadata dsx keeps.
func cacheMeta(m *metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: m.Name, Namespace: in(m.Namespace), UID: m.UID, ResourceVersion: m.ResourceVersion,
		Labels: internMap(m.Labels), CreationTimestamp: m.CreationTimestamp, DeletionTimestamp: m.DeletionTimestamp}
}

// CompactPod is the transform of a pod into its cached form.
func CompactPod(p *corev1.Pod) *Pod {
	c := &Pod{ObjectMeta: cacheMeta(&p.ObjectMeta), NodeName: in(p.Spec.NodeName), Phase: corev1.PodPhase(in(string(p.Status.Phase))),
		Reason: in(p.Status.Reason), Message: p.Status.Message}
	if ref := metav1.GetControllerOfNoCopy(p); ref != nil {
		c.Owner = types.UID(in(string(ref.UID)))
	}
	if p.Spec.NodeName == "" {
		c.TargetNode = in(affinityNode(p.Spec.Affinity))
	}
	seenReady, seenScheduled := false, false
	for _, cond := range p.Status.Conditions {
		switch {
		case cond.Type == corev1.PodReady && !seenReady:
			seenReady = true
			c.Ready = Condition{Status: corev1.ConditionStatus(in(string(cond.Status))), Reason: in(cond.Reason), Message: cond.Message, Since: cond.LastTransitionTime.Time}
		case cond.Type == corev1.PodScheduled && !seenScheduled:
			seenScheduled = true
			c.Scheduled = Condition{Status: corev1.ConditionStatus(in(string(cond.Status))), Reason: in(cond.Reason), Message: cond.Message}
		}
	}
	if len(p.Spec.Containers) > 0 {
		c.Containers = make([]Container, len(p.Spec.Containers))
		for i, k := range p.Spec.Containers {
			c.Containers[i] = Container{Name: in(k.Name), Image: in(k.Image)}
		}
	}
	c.InitStatuses = compactStatuses(p.Status.InitContainerStatuses)
	c.Statuses = compactStatuses(p.Status.ContainerStatuses)
	return c
}

func compactStatuses(in_ []corev1.ContainerStatus) []ContainerStatus {
	if len(in_) == 0 {
		return nil
	}
	out := make([]ContainerStatus, len(in_))
	for i, s := range in_ {
		cs := ContainerStatus{Name: in(s.Name), Ready: s.Ready, Restarts: s.RestartCount}
		switch {
		case s.State.Waiting != nil:
			cs.State, cs.Reason = ContainerWaiting, in(s.State.Waiting.Reason)
		case s.State.Running != nil:
			cs.State = ContainerRunning
		case s.State.Terminated != nil:
			cs.State, cs.Reason, cs.ExitCode = ContainerTerminated, in(s.State.Terminated.Reason), s.State.Terminated.ExitCode
		}
		out[i] = cs
	}
	return out
}

// affinityNode is the node a daemon pod's matchFields affinity pins it to,
// as the controller writes it before the scheduler binds the pod.
func affinityNode(a *corev1.Affinity) string {
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	for _, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, f := range term.MatchFields {
			if f.Key == "metadata.name" && f.Operator == corev1.NodeSelectorOpIn && len(f.Values) == 1 {
				return f.Values[0]
			}
		}
	}
	return ""
}

// CompactNode is the transform of a node into its cached form.
func CompactNode(n *corev1.Node) *Node {
	c := &Node{ObjectMeta: cacheMeta(&n.ObjectMeta), Unschedulable: n.Spec.Unschedulable}
	c.Name = in(n.Name)
	if len(n.Spec.Taints) > 0 {
		c.Taints = make([]corev1.Taint, len(n.Spec.Taints))
		for i, t := range n.Spec.Taints {
			// TimeAdded is for NoExecute eviction timing, which
			// eligibility does not read.
			c.Taints[i] = corev1.Taint{Key: in(t.Key), Value: in(t.Value), Effect: corev1.TaintEffect(in(string(t.Effect)))}
		}
	}
	for _, cond := range n.Status.Conditions {
		if cond.Type == corev1.NodeReady {
			c.Ready, c.ReadyReason = corev1.ConditionStatus(in(string(cond.Status))), in(cond.Reason)
			break
		}
	}
	return c
}

// keepAnnotation says which annotations dsx reads from the cache; all
// others are dropped. The template generation decides, with the revision
// hash, whether a pod is up to date (the controller's IsPodUpdated).
func keepAnnotation(k string) bool {
	return k == appsv1.DeprecatedTemplateGeneration
}

// toCache is the informers' transform: pods and nodes become Pod and
// Node, the rest loses what no view shows, so that the cache grows with
// the cluster as little as it can. managedFields alone is often half an
// object. It is idempotent and handles tombstones, as client-go asks.
func toCache(obj any) (any, error) {
	switch o := obj.(type) {
	case *corev1.Pod:
		return CompactPod(o), nil
	case *corev1.Node:
		return CompactNode(o), nil
	case *Pod, *Node:
		return o, nil
	case cache.DeletedFinalStateUnknown:
		o.Obj, _ = toCache(o.Obj)
		return o, nil
	}
	if a, err := meta.Accessor(obj); err == nil {
		a.SetManagedFields(nil)
		if ann := a.GetAnnotations(); len(ann) > 0 {
			kept := map[string]string{}
			for k, v := range ann {
				if keepAnnotation(k) {
					kept[k] = v
				}
			}
			if len(kept) == 0 {
				kept = nil
			}
			a.SetAnnotations(kept)
		}
	}
	return obj, nil
}

// sameMeta compares what dsx keeps of metadata, resource version aside.
func sameMeta(a, b *metav1.ObjectMeta) bool {
	return a.Name == b.Name && a.Namespace == b.Namespace && a.UID == b.UID && maps.Equal(a.Labels, b.Labels) &&
		a.CreationTimestamp.Equal(&b.CreationTimestamp) && a.DeletionTimestamp.Equal(b.DeletionTimestamp)
}

// SameNode tells whether an update changed nothing dsx keeps of a node: a
// heartbeat or a status timestamp is then a no-op.
func SameNode(a, b *Node) bool {
	return sameMeta(&a.ObjectMeta, &b.ObjectMeta) && a.Unschedulable == b.Unschedulable && a.Ready == b.Ready &&
		a.ReadyReason == b.ReadyReason && slices.EqualFunc(a.Taints, b.Taints, func(x, y corev1.Taint) bool {
		return x.Key == y.Key && x.Value == y.Value && x.Effect == y.Effect
	})
}

// SamePod tells whether an update changed nothing dsx keeps of a pod.
func SamePod(a, b *Pod) bool {
	return sameMeta(&a.ObjectMeta, &b.ObjectMeta) && a.Owner == b.Owner && a.NodeName == b.NodeName && a.TargetNode == b.TargetNode &&
		a.Phase == b.Phase && a.Reason == b.Reason && a.Message == b.Message && sameCondition(a.Ready, b.Ready) &&
		sameCondition(a.Scheduled, b.Scheduled) && slices.Equal(a.Containers, b.Containers) &&
		slices.Equal(a.InitStatuses, b.InitStatuses) && slices.Equal(a.Statuses, b.Statuses)
}

func sameCondition(a, b Condition) bool {
	return a.Status == b.Status && a.Reason == b.Reason && a.Message == b.Message && a.Since.Equal(b.Since)
}

// unchanged is the update handlers' test: true when old and new are the
// same compact pod or node, so the update needs no snapshot.
func unchanged(old, cur any) bool {
	switch o := old.(type) {
	case *Node:
		c, ok := cur.(*Node)
		return ok && SameNode(o, c)
	case *Pod:
		c, ok := cur.(*Pod)
		return ok && SamePod(o, c)
	}
	return false
}
