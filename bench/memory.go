package bench

import (
	"fmt"
	"runtime"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"

	"github.com/dsx-tui/dsx/kube"
	"github.com/dsx-tui/dsx/testenv"
)

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// apiPod is a daemon pod with what the server sends for one: UID,
// resource version, the controller's node affinity, every condition.
func apiPod(ds *appsv1.DaemonSet, i int, node string, created time.Time) *corev1.Pod {
	p := testenv.DaemonPod(ds, fmt.Sprintf("%s-%05d", ds.Name, i), node, "5d4f8c7b9", created)
	p.UID = types.UID(fmt.Sprintf("3f2a%04x-9c1e-4b7d-8a6f-%012x", i%65536, i))
	p.ResourceVersion = fmt.Sprint(1000000 + i)
	p.Labels["pod-template-generation"] = "2"
	p.Spec.Containers = ds.Spec.Template.Spec.Containers
	p.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{node}}}}},
	}}}
	t := metav1.NewTime(created)
	p.Status.Conditions = append(p.Status.Conditions,
		corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: t},
		corev1.PodCondition{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: t},
		corev1.PodCondition{Type: corev1.ContainersReady, Status: corev1.ConditionTrue, LastTransitionTime: t})
	p.Status.HostIP, p.Status.PodIP = "10.0.0.1", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
	p.Status.ContainerStatuses[0].Image, p.Status.ContainerStatuses[0].ImageID = "example.com/agent:1.1", "sha256:0123456789abcdef"
	p.Status.ContainerStatuses[0].ContainerID = fmt.Sprintf("containerd://%064x", i)
	return p
}

// cacheMemory fills a node store and a pod store of nodes nodes and one
// DaemonSet's pod on each through kube's transform and returns the live
// heap they take per node and per pod.
func cacheMemory(nodes int) (perNode, perPod float64) {
	created := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	ds := testenv.DaemonSet("bench", "agent", "example.com/agent:1.1")
	ds.UID = "uid-agent"
	base := liveHeap()
	nodeStore := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	for i := range nodes {
		_ = nodeStore.Add(kube.CompactNode(SyntheticNode(fmt.Sprintf("kwok-node-%d", i), created)))
	}
	withNodes := liveHeap()
	podStore := cache.NewIndexer(cache.MetaNamespaceKeyFunc, kube.PodIndexers())
	for i := range nodes {
		_ = podStore.Add(kube.CompactPod(apiPod(ds, i, fmt.Sprintf("kwok-node-%d", i), created)))
	}
	withPods := liveHeap()
	runtime.KeepAlive(nodeStore)
	runtime.KeepAlive(podStore)
	return float64(withNodes-base) / float64(nodes), float64(withPods-withNodes) / float64(nodes)
}
