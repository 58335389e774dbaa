package kube

import (
	"sort"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Revision is one ControllerRevision of a DaemonSet, identified by hash;
// its number changes on rollback.
type Revision struct {
	Number int64
	Hash   string
	Name   string
	// Created is the ControllerRevision's creation time.
	Created time.Time
}

// DaemonSetRevisions returns the revisions ds claims, by number.
func DaemonSetRevisions(ds *appsv1.DaemonSet, revs []*appsv1.ControllerRevision) []Revision {
	return daemonSetRevisions(ds, daemonSelector(ds), revs)
}

func daemonSetRevisions(ds *appsv1.DaemonSet, sel labels.Selector, revs []*appsv1.ControllerRevision) []Revision {
	var out []Revision
	for _, r := range revs {
		if r.Namespace != ds.Namespace || !metav1.IsControlledBy(r, ds) || !sel.Matches(labels.Set(r.Labels)) {
			continue
		}
		// The controller labels every revision with its hash (its name,
		// for revisions that predate the label).
		hash := r.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]
		if hash == "" {
			continue
		}
		out = append(out, Revision{Number: r.Revision, Hash: hash, Name: r.Name, Created: r.CreationTimestamp.Time})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// CurrentRevision is the revision the DaemonSet controller made current,
// read from the cluster and never recomputed: a revision's hash depends on
// the k8s.io/api version of the controller that made it, and a revision
// keeps it for life (a rollback or an upgrade only renumbers it). Once the
// controller has seen the latest spec (observedGeneration >= generation),
// the current one is the highest-numbered (it renumbers the current one to
// max+1). seen is false before that; cur is then zero.
func CurrentRevision(ds *appsv1.DaemonSet, revs []Revision) (cur Revision, seen bool) {
	if ds.Status.ObservedGeneration < ds.Generation {
		return Revision{}, false
	}
	for _, r := range revs {
		if r.Number >= cur.Number {
			cur = r
		}
	}
	return cur, true
}

// daemonSelector is the DaemonSet's selector; an invalid one selects
// nothing, as the controller then claims nothing.
func daemonSelector(ds *appsv1.DaemonSet) labels.Selector {
	sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		return labels.Nothing()
	}
	return sel
}
