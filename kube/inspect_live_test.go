//go:build live

package kube

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dsx-tui/dsx/testenv"
)

// A pod no node can take: PodInfo and describe both give the
// scheduler's whole message, and PodInfo its FailedScheduling event.
func TestPodInfoLive(t *testing.T) {
	ctx := context.Background()
	const ns = "e2e-info"
	if err := plane.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if err := plane.WaitDefaultServiceAccount(ctx, ns); err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "nowhere", Namespace: ns},
		Spec: corev1.PodSpec{
			NodeSelector: map[string]string{"pool": "nowhere"},
			Containers:   []corev1.Container{{Name: "c", Image: "registry.example/c:v1"}},
		},
	}
	if _, err := plane.Client.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	in := Inspector{Config: plane.Config, Client: plane.Client}
	var info string
	testenv.WaitT(t, time.Minute, "the scheduler's message and event", func(ctx context.Context) (bool, error) {
		var err error
		info, err = in.PodInfo(ctx, ns, "nowhere")
		return err == nil && strings.Contains(info, "PodScheduled=False") && strings.Contains(info, "FailedScheduling"), nil
	})
	for _, want := range []string{"PodScheduled=False (Unschedulable): 0/", "Warning FailedScheduling"} {
		if !strings.Contains(info, want) {
			t.Errorf("PodInfo lacks %q:\n%s", want, info)
		}
	}
	d, err := in.Describe(ObjectRef{Kind: KindPod, Namespace: ns, Name: "nowhere"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d, "PodScheduled=False (Unschedulable): 0/") || !strings.Contains(d, "didn't match Pod's node affinity/selector") {
		t.Errorf("describe lacks the condition message:\n%s", d)
	}
}
