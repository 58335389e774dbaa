package kube

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	udiff "github.com/aymanbagabas/go-udiff"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/kubectl/pkg/polymorphichelpers"
)

var daemonSetKind = schema.GroupKind{Group: "apps", Kind: "DaemonSet"}

// Propagation names kubectl's --cascade choices.
type Propagation string

// The choices, background first: kubectl's default.
const (
	Background Propagation = "background"
	Foreground Propagation = "foreground"
	Orphan     Propagation = "orphan"
)

// Propagations lists the choices in the order the dialog cycles them; a
// function, so no caller can change the list another reads.
func Propagations() []Propagation { return []Propagation{Background, Foreground, Orphan} }

// Explain says what a choice does to a DaemonSet's pods.
func (p Propagation) Explain(pods int32) string {
	switch p {
	case Foreground:
		return fmt.Sprintf("its %d pods are deleted first; the DaemonSet shows as deleting until they are gone", pods)
	case Orphan:
		return fmt.Sprintf("its %d pods keep running, owned by nothing", pods)
	}
	return fmt.Sprintf("it goes at once; the garbage collector then deletes its %d pods", pods)
}

// HistoryEntry is one ControllerRevision of a DaemonSet, as history shows it.
type HistoryEntry struct {
	Number      int64
	Hash        string
	Created     time.Time
	ChangeCause string
	Images      []string
	// Current: the DaemonSet's template is this revision's.
	Current bool
	// Template is the pod template as YAML, for diffs.
	Template string
}

// History lists a DaemonSet's revisions, newest first, with the pod
// template each one restores, from kubectl's history viewer.
func History(ctx context.Context, client kubernetes.Interface, namespace, name string) ([]HistoryEntry, error) {
	ds, err := client.AppsV1().DaemonSets(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	viewer, err := polymorphichelpers.HistoryViewerFor(daemonSetKind, client)
	if err != nil {
		return nil, err
	}
	applied, err := viewer.GetHistory(namespace, name)
	if err != nil {
		return nil, err
	}
	// Only the DaemonSet's own revisions carry its selector's labels;
	// listing by it spares a scan of every revision in the namespace.
	sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		return nil, err
	}
	crs, err := client.AppsV1().ControllerRevisions(namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, err
	}
	// Current is the revision the controller made current, read, never
	// recomputed: a hash differs between Kubernetes versions.
	owned := make([]*appsv1.ControllerRevision, 0, len(crs.Items))
	meta := map[int64]appsv1.ControllerRevision{}
	for i, cr := range crs.Items {
		if metav1.IsControlledBy(&cr, ds) {
			meta[cr.Revision] = cr
			owned = append(owned, &crs.Items[i])
		}
	}
	cur, seen := CurrentRevision(ds, DaemonSetRevisions(ds, owned))
	var out []HistoryEntry
	for n, obj := range applied {
		d, ok := obj.(*appsv1.DaemonSet)
		if !ok {
			continue
		}
		tmpl, err := displayYAML(d.Spec.Template)
		if err != nil {
			return nil, err
		}
		r := HistoryEntry{Number: n, Template: tmpl}
		for _, c := range d.Spec.Template.Spec.Containers {
			r.Images = append(r.Images, c.Image)
		}
		if cr, ok := meta[n]; ok {
			r.Hash = cr.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]
			r.Created = cr.CreationTimestamp.Time
			r.ChangeCause = cr.Annotations["kubernetes.io/change-cause"]
			r.Current = seen && r.Hash == cur.Hash
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number > out[j].Number })
	return out, nil
}

// Diff is a unified diff of two revisions' pod templates.
func Diff(from, to HistoryEntry) string {
	d := udiff.Unified(fmt.Sprintf("revision %d", from.Number), fmt.Sprintf("revision %d", to.Number), from.Template, to.Template)
	if strings.TrimSpace(d) == "" {
		return fmt.Sprintf("revisions %d and %d have the same pod template\n", from.Number, to.Number)
	}
	return d
}
