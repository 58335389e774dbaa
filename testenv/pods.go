package testenv

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DaemonPod builds a running, ready pod of ds on node as the DaemonSet
// controller makes it: owned by ds, with the template's labels and the
// revision hash, one container named after the template's first. For
// pure tests and synthetic snapshots, which need no cluster.
func DaemonPod(ds *appsv1.DaemonSet, name, node, hash string, created time.Time) *corev1.Pod {
	ctrl := true
	container := ds.Name
	if cs := ds.Spec.Template.Spec.Containers; len(cs) > 0 {
		container = cs[0].Name
	}
	labels := map[string]string{appsv1.DefaultDaemonSetUniqueLabelKey: hash}
	for k, v := range ds.Spec.Template.Labels {
		labels[k] = v
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: ds.Namespace, Name: name, CreationTimestamp: metav1.NewTime(created),
			Labels:          labels,
			OwnerReferences: []metav1.OwnerReference{{UID: ds.UID, Controller: &ctrl}},
		},
		Spec: corev1.PodSpec{NodeName: node},
		Status: corev1.PodStatus{
			Phase:             corev1.PodRunning,
			Conditions:        []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(created)}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: container, Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}},
		},
	}
}

// PodNotReady marks a DaemonPod's pod and its first container not ready,
// as the kubelet reports a container that fails its readiness probe.
func PodNotReady(p *corev1.Pod) {
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "ContainersNotReady", LastTransitionTime: p.CreationTimestamp}}
	p.Status.ContainerStatuses[0].Ready = false
}

// Namespace creates namespace name if needed and waits for its default
// ServiceAccount, without which no pod is admitted: every live test that
// makes its own namespace needs both.
func (p *Plane) Namespace(t testing.TB, name string) {
	t.Helper()
	ctx := context.Background()
	if err := p.EnsureNamespace(ctx, name); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitDefaultServiceAccount(ctx, name); err != nil {
		t.Fatal(err)
	}
}
