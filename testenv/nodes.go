package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
)

// NodeSpec describes fake nodes to add.
type NodeSpec struct {
	Labels map[string]string
	Taints []corev1.Taint
	// Unschedulable cordons the node from the start.
	Unschedulable bool
	// NotReady registers the node NotReady, as a kubelet in trouble does:
	// kwok reports Ready=False and the node carries the not-ready taint
	// from the start, so no controller races to place pods first.
	NotReady bool
	// Allocatable is the node's capacity and allocatable resources, as a
	// kubelet registers them; kwok keeps them (32 CPUs without).
	Allocatable corev1.ResourceList
}

// AddNodeT is AddNode for a test that shares the plane with others: the
// node is deleted when the test ends, and the test waits until it is
// gone, so that later tests count only the nodes they expect (a DaemonSet
// without a selector runs on every node of the plane).
func (p *Plane) AddNodeT(t testing.TB, name string, spec NodeSpec) *corev1.Node {
	t.Helper()
	n, err := p.AddNode(context.Background(), name, spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		if err := p.Client.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete node %s: %v", name, err)
			return
		}
		WaitT(t, time.Minute, "node "+name+" gone", func(ctx context.Context) (bool, error) {
			_, err := p.Client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
			return apierrors.IsNotFound(err), nil
		})
	})
	return n
}

// AddNode creates one fake node that kwok manages.
func (p *Plane) AddNode(ctx context.Context, name string, spec NodeSpec) (*corev1.Node, error) {
	labels := map[string]string{
		"kubernetes.io/hostname": name,
		"kubernetes.io/os":       "linux",
		"kubernetes.io/arch":     "amd64",
		"type":                   "kwok",
	}
	for k, v := range spec.Labels {
		labels[k] = v
	}
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Labels:      labels,
			Annotations: map[string]string{FakeNodeAnnotation: "fake"},
		},
		Spec: corev1.NodeSpec{Taints: append([]corev1.Taint(nil), spec.Taints...), Unschedulable: spec.Unschedulable},
	}
	if spec.Allocatable != nil {
		n.Status.Capacity, n.Status.Allocatable = spec.Allocatable, spec.Allocatable
	}
	if spec.NotReady {
		n.Annotations[NodeNotReadyAnnotation] = "true"
		n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule})
	}
	return p.Client.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
}

// AddNodes creates count nodes named prefix-0 … prefix-(count-1), a few at
// a time.
func (p *Plane) AddNodes(ctx context.Context, prefix string, count int, spec NodeSpec) ([]string, error) {
	return p.AddNodesWith(ctx, prefix, count, func(int) NodeSpec { return spec })
}

// AddNodesWith is AddNodes with a spec per node index.
func (p *Plane) AddNodesWith(ctx context.Context, prefix string, count int, spec func(i int) NodeSpec) ([]string, error) {
	names := make([]string, count)
	errs := make([]error, count)
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i := range count {
		names[i] = fmt.Sprintf("%s-%d", prefix, i)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, errs[i] = p.AddNode(ctx, names[i], spec(i))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return names, err
		}
	}
	return names, nil
}

// RemoveNode deletes a node, as a scale-down would.
func (p *Plane) RemoveNode(ctx context.Context, name string) error {
	return p.Client.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{})
}

// LabelNode sets (or, with an empty value, removes) one label.
func (p *Plane) LabelNode(ctx context.Context, name, key, value string) error {
	var v any = value
	if value == "" {
		v = nil
	}
	return p.patchNode(ctx, name, map[string]any{"metadata": map[string]any{"labels": map[string]any{key: v}}})
}

// TaintNode adds a taint, replacing one with the same key and effect.
func (p *Plane) TaintNode(ctx context.Context, name string, taint corev1.Taint) error {
	return p.updateTaints(ctx, name, func(taints []corev1.Taint) []corev1.Taint {
		var out []corev1.Taint
		for _, t := range taints {
			if t.Key != taint.Key || t.Effect != taint.Effect {
				out = append(out, t)
			}
		}
		return append(out, taint)
	})
}

// UntaintNode removes every taint with key.
func (p *Plane) UntaintNode(ctx context.Context, name, key string) error {
	return p.updateTaints(ctx, name, func(taints []corev1.Taint) []corev1.Taint {
		var out []corev1.Taint
		for _, t := range taints {
			if t.Key != key {
				out = append(out, t)
			}
		}
		return out
	})
}

// updateTaints rewrites a node's taints, retrying when kwok or the
// node-lifecycle controller updated the node in between.
func (p *Plane) updateTaints(ctx context.Context, name string, change func([]corev1.Taint) []corev1.Taint) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		n, err := p.Client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		n.Spec.Taints = change(n.Spec.Taints)
		_, err = p.Client.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{})
		return err
	})
}

// CordonNode marks a node unschedulable (or schedulable again).
func (p *Plane) CordonNode(ctx context.Context, name string, cordon bool) error {
	return p.patchNode(ctx, name, map[string]any{"spec": map[string]any{"unschedulable": cordon}})
}

// SetNodeNotReady makes kwok report the node's Ready condition False (or
// lets it turn Ready again). The node-lifecycle controller then taints it
// node.kubernetes.io/not-ready, as for a real kubelet in trouble.
func (p *Plane) SetNodeNotReady(ctx context.Context, name string, notReady bool) error {
	var v any
	if notReady {
		v = "true"
	}
	return p.patchNode(ctx, name, map[string]any{"metadata": map[string]any{"annotations": map[string]any{NodeNotReadyAnnotation: v}}})
}

func (p *Plane) patchNode(ctx context.Context, name string, patch map[string]any) error {
	b, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	_, err = p.Client.CoreV1().Nodes().Patch(ctx, name, types.MergePatchType, b, metav1.PatchOptions{})
	return err
}

// NodeReady reports whether a node's Ready condition is True.
func NodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
