package kube

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/dump"
)

// TemplateHash is the controller-revision-hash the DaemonSet controller
// gives the revision of ds's current template (pkg/controller ComputeHash:
// FNV-32a over the dumped template, plus the collision count).
func TemplateHash(ds *appsv1.DaemonSet) string {
	h := fnv.New32a()
	fmt.Fprintf(h, "%v", dump.ForHash(ds.Spec.Template))
	if ds.Status.CollisionCount != nil {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint32(b, uint32(*ds.Status.CollisionCount))
		h.Write(b)
	}
	return rand.SafeEncodeString(fmt.Sprint(h.Sum32()))
}

// Revision is one ControllerRevision of a DaemonSet, identified by hash;
// its number changes on rollback.
type Revision struct {
	Number int64
	Hash   string
	Name   string
}

// DaemonSetRevisions returns the revisions owned by ds, by number.
func DaemonSetRevisions(ds *appsv1.DaemonSet, revs []*appsv1.ControllerRevision) []Revision {
	var out []Revision
	for _, r := range revs {
		if r.Namespace != ds.Namespace || !ownedBy(r.OwnerReferences, ds) {
			continue
		}
		hash := r.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]
		if hash == "" {
			continue
		}
		out = append(out, Revision{Number: r.Revision, Hash: hash, Name: r.Name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

func ownedBy(refs []metav1.OwnerReference, ds *appsv1.DaemonSet) bool {
	for _, o := range refs {
		if o.UID == ds.UID {
			return true
		}
	}
	return false
}

// isDaemonPod reports whether pod belongs to ds (its controller owner).
func isDaemonPod(pod *corev1.Pod, ds *appsv1.DaemonSet) bool {
	for _, o := range pod.OwnerReferences {
		if o.UID == ds.UID && o.Controller != nil && *o.Controller {
			return true
		}
	}
	return false
}
