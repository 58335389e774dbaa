package kube

import (
	"reflect"
	"testing"
	"time"
	"unsafe"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

var (
	tCreated  = metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	tDeleted  = metav1.NewTime(time.Date(2026, 1, 2, 3, 9, 0, 0, time.UTC))
	tReady    = metav1.NewTime(time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC))
	tBeat     = metav1.NewTime(time.Date(2026, 1, 2, 3, 8, 0, 0, time.UTC))
	ctrlTrue  = true
	ctrlFalse = false
)

// fullPod has every field dsx keeps set, and many it drops.
func fullPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: "agent-x1", Namespace: "ns", UID: "pod-uid", ResourceVersion: "42", Generation: 3,
			Labels:            map[string]string{"app": "agent", appsv1.DefaultDaemonSetUniqueLabelKey: "h1", "pod-template-generation": "4"},
			Annotations:       map[string]string{"a": "b"},
			CreationTimestamp: tCreated, DeletionTimestamp: &tDeleted,
			OwnerReferences: []metav1.OwnerReference{
				{Kind: "Other", Name: "o", UID: "other-uid", Controller: &ctrlFalse},
				{Kind: "DaemonSet", Name: "agent", UID: "ds-uid", Controller: &ctrlTrue},
			},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubelet"}},
			Finalizers:    []string{"f"},
		},
		Spec: corev1.PodSpec{
			NodeName: "n1",
			Containers: []corev1.Container{
				{Name: "agent", Image: "agent:2", Args: []string{"-v"}, Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")}}},
				{Name: "side", Image: "side:1"},
			},
			InitContainers: []corev1.Container{{Name: "init", Image: "init:1"}},
			Tolerations:    []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
			Volumes:        []corev1.Volume{{Name: "v"}},
		},
		Status: corev1.PodStatus{
			Phase: corev1.PodRunning, Reason: "Evicted", Message: "low on memory", HostIP: "10.0.0.1", PodIP: "10.1.0.1",
			Conditions: []corev1.PodCondition{
				{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, Reason: "Sched", Message: "bound", LastTransitionTime: tCreated},
				{Type: corev1.ContainersReady, Status: corev1.ConditionFalse},
				{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "ContainersNotReady", Message: "containers with unready status: [agent]", LastTransitionTime: tReady, LastProbeTime: tBeat},
			},
			InitContainerStatuses: []corev1.ContainerStatus{{Name: "init", Ready: true, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed", ExitCode: 0, Message: "done"}}, Image: "init:1", ImageID: "sha"}},
			ContainerStatuses: []corev1.ContainerStatus{
				{Name: "agent", RestartCount: 4, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off"}},
					LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 1}}, ContainerID: "c1"},
				{Name: "side", Ready: true, RestartCount: 1, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: tReady}}},
			},
		},
	}
}

// Every field the views read survives the transform, and nothing else:
// the expected value is the whole compact pod.
func TestCompactPod(t *testing.T) {
	want := &Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "agent-x1", Namespace: "ns", UID: "pod-uid", ResourceVersion: "42",
			Labels:            map[string]string{"app": "agent", appsv1.DefaultDaemonSetUniqueLabelKey: "h1", "pod-template-generation": "4"},
			CreationTimestamp: tCreated, DeletionTimestamp: &tDeleted},
		Owner: "ds-uid", NodeName: "n1", Phase: corev1.PodRunning, Reason: "Evicted", Message: "low on memory",
		Ready:        Condition{Status: corev1.ConditionFalse, Reason: "ContainersNotReady", Message: "containers with unready status: [agent]", Since: tReady.Time},
		Scheduled:    Condition{Status: corev1.ConditionTrue, Reason: "Sched", Message: "bound"},
		Containers:   []Container{{Name: "agent", Image: "agent:2"}, {Name: "side", Image: "side:1"}},
		InitStatuses: []ContainerStatus{{Name: "init", State: ContainerTerminated, Reason: "Completed", Ready: true}},
		Statuses: []ContainerStatus{
			{Name: "agent", State: ContainerWaiting, Reason: "CrashLoopBackOff", Restarts: 4},
			{Name: "side", State: ContainerRunning, Ready: true, Restarts: 1},
		},
	}
	got := CompactPod(fullPod())
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("compact pod:\n got %+v\nwant %+v", got, want)
	}

	// An unscheduled daemon pod keeps the node its affinity pins it to.
	p := fullPod()
	p.Spec.NodeName = ""
	p.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{"n7"}}}}},
	}}}
	p.OwnerReferences = p.OwnerReferences[:1]
	c := CompactPod(p)
	if c.TargetNode != "n7" || c.NodeName != "" || podTargetNode(c) != "n7" {
		t.Fatalf("target node %q (nodeName %q), want n7", c.TargetNode, c.NodeName)
	}
	if c.Owner != "" {
		t.Fatalf("owner %q of a pod without a controller, want none", c.Owner)
	}
}

func fullNode() *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "n1", UID: "node-uid", ResourceVersion: "7", CreationTimestamp: tCreated,
			Labels:        map[string]string{"pool": "a", "kubernetes.io/hostname": "n1"},
			Annotations:   map[string]string{"kwok.x-k8s.io/node": "fake"},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubelet"}}},
		Spec: corev1.NodeSpec{Unschedulable: true, PodCIDR: "10.0.0.0/24", ProviderID: "kwok://n1",
			Taints: []corev1.Taint{{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule, TimeAdded: &tBeat}}},
		Status: corev1.NodeStatus{
			Conditions: []corev1.NodeCondition{
				{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, LastHeartbeatTime: tBeat},
				{Type: corev1.NodeReady, Status: corev1.ConditionFalse, Reason: "KubeletNotReady", Message: "PLEG", LastHeartbeatTime: tBeat, LastTransitionTime: tReady},
			},
			Images:    []corev1.ContainerImage{{Names: []string{"i"}, SizeBytes: 1}},
			Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.0.0.1"}},
			Capacity:  corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4")},
			NodeInfo:  corev1.NodeSystemInfo{KubeletVersion: "v1.37.0"},
		},
	}
}

func TestCompactNode(t *testing.T) {
	want := &Node{
		ObjectMeta: metav1.ObjectMeta{Name: "n1", UID: "node-uid", ResourceVersion: "7", CreationTimestamp: tCreated,
			Labels: map[string]string{"pool": "a", "kubernetes.io/hostname": "n1"}},
		Taints:        []corev1.Taint{{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}},
		Unschedulable: true, Ready: corev1.ConditionFalse, ReadyReason: "KubeletNotReady",
	}
	if got := CompactNode(fullNode()); !reflect.DeepEqual(got, want) {
		t.Fatalf("compact node:\n got %+v\nwant %+v", got, want)
	}
	n := fullNode()
	n.Status.Conditions = n.Status.Conditions[:1]
	if ready, why := nodeReady(CompactNode(n)); ready || why != "no Ready condition yet" {
		t.Fatalf("node without Ready: %v %q", ready, why)
	}
}

// The transform is what the informers run: idempotent, tombstones
// included; other kinds only lose managed fields and annotations.
func TestToCache(t *testing.T) {
	out, err := toCache(fullPod())
	if err != nil {
		t.Fatal(err)
	}
	p, ok := out.(*Pod)
	if !ok {
		t.Fatalf("pod became %T", out)
	}
	if again, _ := toCache(p); again != any(p) {
		t.Fatal("transforming a cached pod again made a new object")
	}
	tomb, _ := toCache(cache.DeletedFinalStateUnknown{Key: "n1", Obj: fullNode()})
	if _, ok := tomb.(cache.DeletedFinalStateUnknown).Obj.(*Node); !ok {
		t.Fatalf("tombstone holds %T, want *Node", tomb.(cache.DeletedFinalStateUnknown).Obj)
	}
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "d", ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "m"}}, Annotations: map[string]string{
		appsv1.DeprecatedTemplateGeneration: "3", "kubernetes.io/change-cause": "x", "kubectl.kubernetes.io/restartedAt": "y"}}}
	out, _ = toCache(ds)
	got := out.(*appsv1.DaemonSet)
	if a := got.Annotations; len(a) != 1 || a[appsv1.DeprecatedTemplateGeneration] != "3" {
		t.Fatalf("DaemonSet annotations = %v, want only the template generation", a)
	}
	if got.ManagedFields != nil {
		t.Fatal("DaemonSet keeps managedFields")
	}
	// Interned: two pods' equal strings share their bytes.
	a, b := CompactPod(fullPod()), CompactPod(fullPod())
	if unsafeData(a.Containers[0].Image) != unsafeData(b.Containers[0].Image) || unsafeData(a.Labels["app"]) != unsafeData(b.Labels["app"]) {
		t.Fatal("images and label values are not interned")
	}
}

// The update handlers' test: an update that changes nothing dsx keeps is
// no event; one that changes an input of the node view is.
func TestUnchanged(t *testing.T) {
	nodeCases := []struct {
		name string
		mod  func(*corev1.Node)
		same bool
	}{
		{"heartbeat", func(n *corev1.Node) {
			n.ResourceVersion = "8"
			for i := range n.Status.Conditions {
				n.Status.Conditions[i].LastHeartbeatTime = metav1.NewTime(tBeat.Add(time.Minute))
			}
		}, true},
		{"annotation and images", func(n *corev1.Node) {
			n.ResourceVersion = "8"
			n.Annotations["lease"] = "renewed"
			n.Status.Images = append(n.Status.Images, corev1.ContainerImage{Names: []string{"j"}})
		}, true},
		{"label", func(n *corev1.Node) { n.Labels["pool"] = "b" }, false},
		{"label added", func(n *corev1.Node) { n.Labels["zone"] = "z" }, false},
		{"taint", func(n *corev1.Node) { n.Spec.Taints[0].Effect = corev1.TaintEffectNoExecute }, false},
		{"taint removed", func(n *corev1.Node) { n.Spec.Taints = nil }, false},
		{"unschedulable", func(n *corev1.Node) { n.Spec.Unschedulable = false }, false},
		{"ready", func(n *corev1.Node) { n.Status.Conditions[1].Status = corev1.ConditionTrue }, false},
		{"ready reason", func(n *corev1.Node) { n.Status.Conditions[1].Reason = "NodeStatusUnknown" }, false},
	}
	for _, c := range nodeCases {
		n := fullNode()
		c.mod(n)
		if got := unchanged(CompactNode(fullNode()), CompactNode(n)); got != c.same {
			t.Errorf("node %s: unchanged %v, want %v", c.name, got, c.same)
		}
	}
	podCases := []struct {
		name string
		mod  func(*corev1.Pod)
		same bool
	}{
		{"probe time and IPs", func(p *corev1.Pod) {
			p.ResourceVersion = "43"
			p.Status.Conditions[2].LastProbeTime = metav1.NewTime(tBeat.Add(time.Minute))
			p.Status.PodIP = "10.1.0.2"
		}, true},
		{"ready", func(p *corev1.Pod) { p.Status.Conditions[2].Status = corev1.ConditionTrue }, false},
		{"ready since", func(p *corev1.Pod) { p.Status.Conditions[2].LastTransitionTime = tBeat }, false},
		{"restart", func(p *corev1.Pod) { p.Status.ContainerStatuses[0].RestartCount++ }, false},
		{"state", func(p *corev1.Pod) {
			p.Status.ContainerStatuses[0].State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
		}, false},
		{"hash label", func(p *corev1.Pod) { p.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] = "h2" }, false},
		{"bound", func(p *corev1.Pod) { p.Spec.NodeName = "n2" }, false},
		{"deleted", func(p *corev1.Pod) { p.DeletionTimestamp = nil }, false},
		{"phase", func(p *corev1.Pod) { p.Status.Phase = corev1.PodFailed }, false},
		{"released", func(p *corev1.Pod) { p.OwnerReferences = nil }, false},
	}
	for _, c := range podCases {
		p := fullPod()
		c.mod(p)
		if got := unchanged(CompactPod(fullPod()), CompactPod(p)); got != c.same {
			t.Errorf("pod %s: unchanged %v, want %v", c.name, got, c.same)
		}
	}
	if unchanged(&appsv1.DaemonSet{}, &appsv1.DaemonSet{}) {
		t.Error("a DaemonSet update is always an event (its status is the list)")
	}
	if unchanged(CompactPod(fullPod()), CompactNode(fullNode())) {
		t.Error("a pod and a node compared equal")
	}
}

func unsafeData(s string) *byte { return unsafe.StringData(s) }
