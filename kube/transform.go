package kube

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
)

// keepAnnotation says which annotations dsx reads from the cache; all
// others are dropped. The template generation decides, with the revision
// hash, whether a pod is up to date (the controller's IsPodUpdated).
func keepAnnotation(k string) bool {
	return k == appsv1.DeprecatedTemplateGeneration
}

// stripForCache is the informers' transform: it drops what no view shows so
// that the cache grows with the cluster as little as it can. managedFields
// alone is often half an object; node images can be kilobytes per node.
func stripForCache(obj any) (any, error) {
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
	switch o := obj.(type) {
	case *corev1.Node:
		o.Status.Images = nil
		o.Status.VolumesAttached = nil
		o.Status.VolumesInUse = nil
		o.Status.NodeInfo = corev1.NodeSystemInfo{}
		o.Status.Addresses = nil
		o.Status.Capacity, o.Status.Allocatable = nil, nil
		o.Status.Conditions = keepNodeConditions(o.Status.Conditions)
	case *corev1.Pod:
		stripPod(o)
	}
	return obj, nil
}

// stripPod keeps what the views read: names, images, placement and
// status. Measured at 5,000 nodes, pods were two thirds of dsx's heap;
// describe and YAML fetch the full object from the server anyway.
func stripPod(o *corev1.Pod) {
	spec := corev1.PodSpec{NodeName: o.Spec.NodeName}
	// The target node of an unscheduled daemon pod is in its affinity.
	if o.Spec.NodeName == "" {
		spec.Affinity = o.Spec.Affinity
	}
	for _, c := range o.Spec.Containers {
		spec.Containers = append(spec.Containers, corev1.Container{Name: c.Name, Image: c.Image})
	}
	o.Spec = spec
	st := corev1.PodStatus{Phase: o.Status.Phase, Reason: o.Status.Reason, Message: o.Status.Message}
	for _, c := range o.Status.Conditions {
		if c.Type == corev1.PodReady || c.Type == corev1.PodScheduled {
			// Ready's transition time says when a pod becomes available
			// (Ready for minReadySeconds).
			cond := corev1.PodCondition{Type: c.Type, Status: c.Status, Reason: c.Reason, Message: c.Message}
			if c.Type == corev1.PodReady {
				cond.LastTransitionTime = c.LastTransitionTime
			}
			st.Conditions = append(st.Conditions, cond)
		}
	}
	slim := func(in []corev1.ContainerStatus) []corev1.ContainerStatus {
		var out []corev1.ContainerStatus
		for _, c := range in {
			out = append(out, corev1.ContainerStatus{Name: c.Name, Ready: c.Ready, RestartCount: c.RestartCount, State: c.State})
		}
		return out
	}
	st.InitContainerStatuses = slim(o.Status.InitContainerStatuses)
	st.ContainerStatuses = slim(o.Status.ContainerStatuses)
	o.Status = st
}

func keepNodeConditions(in []corev1.NodeCondition) []corev1.NodeCondition {
	for _, c := range in {
		if c.Type == corev1.NodeReady {
			return []corev1.NodeCondition{{Type: c.Type, Status: c.Status, Reason: c.Reason, Message: c.Message}}
		}
	}
	return nil
}
