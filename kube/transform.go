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
	if n, ok := obj.(*corev1.Node); ok {
		n.Status.Images = nil
		n.Status.VolumesAttached = nil
		n.Status.VolumesInUse = nil
	}
	return obj, nil
}
