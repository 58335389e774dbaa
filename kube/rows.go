package kube

import (
	"cmp"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/types"
)

// DaemonSetRow is what the DaemonSet list shows of one DaemonSet. It is a
// value: views keep it without holding informer objects.
type DaemonSetRow struct {
	Namespace, Name string
	Desired         int32
	Current         int32
	Ready           int32
	UpToDate        int32
	Available       int32
	Misscheduled    int32
	Strategy        string
	Images          []string
	Created         time.Time
	UID             types.UID // binds an action to this DaemonSet, not a later one of its name
	// Terminating is set once the DaemonSet has a deletion timestamp.
	Terminating bool
	// Observed is false while the controller has not yet seen the latest
	// spec (generation > observedGeneration): the counts are then stale.
	Observed bool
	// Generation is the spec's generation: with Observed, it says when
	// the DaemonSet's revisions may have changed.
	Generation int64
	// Mark sums the rollout up; see RolloutMark.
	Mark string
	// Blocked says what a rollout in progress waits on: its new pods
	// that are not ready for a reason of their own (unschedulable, image
	// pull, crash loop, probe), surge pods included; "" when nothing.
	Blocked string
}

// Rollout marks.
const (
	MarkComplete     = "complete"
	MarkRolling      = "rolling"
	MarkStalled      = "stalled"
	MarkMisscheduled = "misscheduled"
	MarkDeleting     = "deleting"
	// MarkDrift is an OnDelete DaemonSet with pods of an older revision:
	// they change only when someone deletes them.
	MarkDrift = "drift"
)

// Complete is kubectl rollout status's rule: the controller has seen the
// spec and every desired pod is updated and available.
func (r DaemonSetRow) Complete() bool {
	return r.Observed && r.UpToDate >= r.Desired && r.Available >= r.Desired
}

// RolloutMark says how a DaemonSet's rollout stands; stuck tells whether
// its counts have not moved for a while.
func RolloutMark(r DaemonSetRow, stuck bool) string {
	switch {
	case r.Terminating:
		return MarkDeleting
	case r.Misscheduled > 0:
		return MarkMisscheduled
	case r.Strategy == string(appsv1.OnDeleteDaemonSetStrategyType) && r.UpToDate < r.Current:
		return MarkDrift
	case r.Complete():
		return MarkComplete
	case stuck:
		return MarkStalled
	default:
		return MarkRolling
	}
}

// Key is namespace/name, stable across updates; views select by it.
func (r DaemonSetRow) Key() string { return r.Namespace + "/" + r.Name }

// DaemonSetRows turns cached DaemonSets into rows sorted by namespace and name.
func DaemonSetRows(dss []*appsv1.DaemonSet) []DaemonSetRow {
	rows := make([]DaemonSetRow, 0, len(dss))
	for _, ds := range dss {
		rows = append(rows, daemonSetRow(ds))
	}
	slices.SortFunc(rows, func(a, b DaemonSetRow) int {
		if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return rows
}

func daemonSetRow(ds *appsv1.DaemonSet) DaemonSetRow {
	st := ds.Status
	r := DaemonSetRow{
		Namespace:    ds.Namespace,
		Name:         ds.Name,
		UID:          ds.UID,
		Desired:      st.DesiredNumberScheduled,
		Current:      st.CurrentNumberScheduled,
		Ready:        st.NumberReady,
		UpToDate:     st.UpdatedNumberScheduled,
		Available:    st.NumberAvailable,
		Misscheduled: st.NumberMisscheduled,
		Strategy:     string(ds.Spec.UpdateStrategy.Type),
		Created:      ds.CreationTimestamp.Time,
		Terminating:  ds.DeletionTimestamp != nil,
		Observed:     ds.Status.ObservedGeneration >= ds.Generation,
		Generation:   ds.Generation,
	}
	for _, c := range ds.Spec.Template.Spec.Containers {
		r.Images = append(r.Images, c.Image)
	}
	return r
}

// NaturalCompare orders node-2 before node-10, as people count: the
// node view and dsx status list nodes in this order.
func NaturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
