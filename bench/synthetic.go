package bench

import (
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/dsx-tui/dsx/kube"
	"github.com/dsx-tui/dsx/testenv"
)

// Synthetic is a cluster made in memory for the pure benchmarks: the
// objects dsx's caches would hold for Nodes nodes and DaemonSets
// DaemonSets, the first of them part way through a rolling update.
type Synthetic struct {
	DaemonSets []*appsv1.DaemonSet
	// Nodes and Pods are as the informers' transform caches them; Pods
	// are every daemon pod of the namespace.
	Nodes     []*kube.Node
	Pods      []*kube.Pod
	Revisions []*appsv1.ControllerRevision
	Created   time.Time
	// byName and onNode index Nodes and Pods (by position) as the
	// watcher's caches do, for the patched views.
	byName map[string]*kube.Node
	onNode map[string][]int
	// view is the last node view of the first DaemonSet, patched by
	// Snapshot after TogglePod; touched names the nodes changed since.
	view    *kube.NodeView
	touched []string
}

// NewSynthetic builds the objects. A tenth of the first DaemonSet's nodes
// still run the old revision and one in a hundred has a pod not yet ready,
// so the node view has every kind of row a rollout shows.
func NewSynthetic(nodes, daemonSets int) *Synthetic {
	s := &Synthetic{Created: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	ctrl := true
	for i := range nodes {
		name := fmt.Sprintf("kwok-node-%d", i)
		n := SyntheticNode(name, s.Created)
		// Three zones and eight pools, for the grouped view.
		n.Labels[kube.ZoneLabel] = fmt.Sprintf("zone-%d", i%3)
		n.Labels["karpenter.sh/nodepool"] = fmt.Sprintf("pool-%d", i%8)
		s.Nodes = append(s.Nodes, kube.CompactNode(n))
	}
	for d := range daemonSets {
		name := fmt.Sprintf("ds-%02d", d)
		ds := &appsv1.DaemonSet{
			ObjectMeta: metav1.ObjectMeta{Namespace: "bench", Name: name, UID: types.UID("uid-" + name), CreationTimestamp: metav1.NewTime(s.Created)},
			Spec: appsv1.DaemonSetSpec{
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: "example.com/agent:1.1"}}},
				},
				UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType},
			},
		}
		s.DaemonSets = append(s.DaemonSets, ds)
		// The controller's hash is read from the revisions, never computed.
		cur, old := "curhash", "oldhash"
		for num, hash := range map[int64]string{1: old, 2: cur} {
			s.Revisions = append(s.Revisions, &appsv1.ControllerRevision{
				ObjectMeta: metav1.ObjectMeta{
					Namespace: ds.Namespace, Name: ds.Name + "-" + hash,
					Labels:          map[string]string{appsv1.DefaultDaemonSetUniqueLabelKey: hash, "app": ds.Name},
					OwnerReferences: []metav1.OwnerReference{{UID: ds.UID, Controller: &ctrl}},
				},
				Revision: num,
			})
		}
		for i, n := range s.Nodes {
			hash, ready := cur, true
			if d == 0 && i%10 == 0 {
				hash = old
			}
			if d == 0 && i%100 == 1 {
				ready = false
			}
			s.Pods = append(s.Pods, kube.CompactPod(daemonPod(ds, fmt.Sprintf("%s-%05d", name, i), n.Name, hash, ready, s.Created)))
		}
	}
	return s
}

// SyntheticNode is a node as kwok's make it, with the labels, status
// and images a real node carries, for the cache's memory per node.
func SyntheticNode(name string, created time.Time) *corev1.Node {
	beat := metav1.NewTime(created)
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-" + name), ResourceVersion: "12345", CreationTimestamp: metav1.NewTime(created),
			Labels: map[string]string{"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
				"beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64", "type": "kwok", "node.kubernetes.io/instance-type": "e2-standard-4",
				"topology.kubernetes.io/zone": "zone-" + name[len(name)-1:], "topology.kubernetes.io/region": "region-1"},
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"}},
		Spec: corev1.NodeSpec{ProviderID: "kwok://" + name, PodCIDR: "10.0.0.0/24"},
		Status: corev1.NodeStatus{
			Conditions: []corev1.NodeCondition{
				{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status", LastHeartbeatTime: beat, LastTransitionTime: beat},
				{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory", LastHeartbeatTime: beat, LastTransitionTime: beat},
				{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasNoDiskPressure", LastHeartbeatTime: beat, LastTransitionTime: beat},
				{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientPID", LastHeartbeatTime: beat, LastTransitionTime: beat},
			},
			Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.0.0.1"}, {Type: corev1.NodeHostName, Address: name}},
			NodeInfo:  corev1.NodeSystemInfo{KubeletVersion: "v1.37.0", OSImage: "linux", Architecture: "amd64"},
		},
	}
}

func daemonPod(ds *appsv1.DaemonSet, name, node, hash string, ready bool, created time.Time) *corev1.Pod {
	p := testenv.DaemonPod(ds, name, node, hash, created)
	if !ready {
		testenv.PodNotReady(p)
	}
	return p
}

// Source reads s as the watcher reads its caches.
func (s *Synthetic) Source(ds *appsv1.DaemonSet) kube.NodeSource {
	if s.byName == nil {
		s.byName, s.onNode = map[string]*kube.Node{}, map[string][]int{}
		for _, n := range s.Nodes {
			s.byName[n.Name] = n
		}
		for i, p := range s.Pods {
			s.onNode[p.NodeName] = append(s.onNode[p.NodeName], i)
		}
	}
	return kube.NodeSource{
		Nodes: func() []*kube.Node { return s.Nodes },
		Pods: func() []*kube.Pod {
			var out []*kube.Pod
			for _, p := range s.Pods {
				if p.Owner == ds.UID {
					out = append(out, p)
				}
			}
			return out
		},
		Node: func(name string) *kube.Node { return s.byName[name] },
		PodsOn: func(node string) []*kube.Pod {
			out := make([]*kube.Pod, 0, len(s.onNode[node]))
			for _, i := range s.onNode[node] {
				out = append(out, s.Pods[i])
			}
			return out
		},
		Revisions: s.Revisions,
	}
}

// PatchedNodeView is the first DaemonSet's node view as the watcher makes
// it: patched from the last one for the nodes TogglePod changed.
func (s *Synthetic) PatchedNodeView() *kube.NodeView {
	v := kube.UpdateNodeView(s.view, s.DaemonSets[0], s.Source(s.DaemonSets[0]), s.touched, kube.AllAccess(), time.Now())
	s.view, s.touched = &v, nil
	return s.view
}

// NodeView is what the watcher computes for a focused DaemonSet on every
// snapshot: the node view of DaemonSet i over every node and every pod of
// its namespace.
func (s *Synthetic) NodeView(i int) kube.NodeView {
	return kube.ComputeNodeView(s.DaemonSets[i], s.Nodes, s.Pods, s.Revisions)
}

// Snapshot is a synced snapshot focused on the first DaemonSet, as the
// watcher sends while its node view is open.
func (s *Synthetic) Snapshot() kube.Snapshot {
	v := s.NodeView(0)
	s.view, s.touched = &v, nil
	return s.snapshot(&v)
}

// PatchedSnapshot is Snapshot with the node view patched from the last
// one, as the watcher makes it after a few changes.
func (s *Synthetic) PatchedSnapshot() kube.Snapshot { return s.snapshot(s.PatchedNodeView()) }

func (s *Synthetic) snapshot(v *kube.NodeView) kube.Snapshot {
	rows := kube.DaemonSetRows(s.withStatus())
	return kube.Snapshot{
		Context: "bench", Synced: true, DaemonSets: rows,
		LastEvent: s.Created, Nodes: len(s.Nodes), Pods: len(s.Pods),
		Detail: v, Focus: s.DaemonSets[0].Namespace + "/" + s.DaemonSets[0].Name,
		Access: kube.AllAccess(),
	}
}

func (s *Synthetic) withStatus() []*appsv1.DaemonSet {
	n := int32(len(s.Nodes))
	out := make([]*appsv1.DaemonSet, len(s.DaemonSets))
	for i, ds := range s.DaemonSets {
		c := ds.DeepCopy()
		c.Status = appsv1.DaemonSetStatus{DesiredNumberScheduled: n, CurrentNumberScheduled: n, NumberReady: n, UpdatedNumberScheduled: n, NumberAvailable: n}
		if i == 0 {
			c.Status.UpdatedNumberScheduled = n - n/10
			c.Status.NumberReady = n - n/100
		}
		out[i] = c
	}
	return out
}

// ListSnapshot is a synced snapshot with rows DaemonSets and no focus: the
// DaemonSet list at that many rows.
func ListSnapshot(rows int, created time.Time) kube.Snapshot {
	dss := make([]*appsv1.DaemonSet, rows)
	for i := range rows {
		dss[i] = &appsv1.DaemonSet{
			ObjectMeta: metav1.ObjectMeta{Namespace: fmt.Sprintf("team-%03d", i%100), Name: fmt.Sprintf("agent-%05d", i), CreationTimestamp: metav1.NewTime(created)},
			Spec: appsv1.DaemonSetSpec{
				Template:       corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "agent", Image: "example.com/agent:1.1"}}}},
				UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType},
			},
			Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: 100, CurrentNumberScheduled: 100, NumberReady: 100, UpdatedNumberScheduled: int32(i % 101), NumberAvailable: 100},
		}
	}
	return kube.Snapshot{Context: "bench", Synced: true, DaemonSets: kube.DaemonSetRows(dss), LastEvent: created, Access: kube.AllAccess()}
}

// TogglePod flips the readiness of the first DaemonSet's pod on node i,
// as one kubelet status update does.
func (s *Synthetic) TogglePod(i int) {
	p := *s.Pods[i]
	p.Statuses = append([]kube.ContainerStatus(nil), p.Statuses...)
	if p.Ready.Status == corev1.ConditionTrue {
		p.Ready.Status, p.Statuses[0].Ready = corev1.ConditionFalse, false
	} else {
		p.Ready.Status, p.Statuses[0].Ready = corev1.ConditionTrue, true
	}
	s.Pods[i] = &p
	s.touched = append(s.touched, p.NodeName)
}
