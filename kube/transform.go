package kube

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
)

// keepAnnotation says which annotations some view reads; all others are
// dropped from the cache.
func keepAnnotation(k string) bool {
	switch k {
	case "kubernetes.io/change-cause",
		"deprecated.daemonset.template.generation",
		"kubectl.kubernetes.io/restartedAt",
		"kwok.x-k8s.io/node":
		return true
	}
	return false
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
	case *corev1.Pod:
		// Views show names, images, placement and status; describe and
		// YAML fetch the full object from the server.
		o.Spec.Volumes = nil
		for i := range o.Spec.Containers {
			c := &o.Spec.Containers[i]
			*c = corev1.Container{Name: c.Name, Image: c.Image}
		}
		o.Spec.InitContainers = nil
	}
	return obj, nil
}
