package kube

import (
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
)

// incLayout is what node views patched from one another share: the
// DaemonSet they judge and which row stands for which node. Rows never
// move between them: a node that comes or goes makes a new layout.
type incLayout struct {
	ds     *appsv1.DaemonSet
	serial atomic.Uint64
	once   sync.Once
	// index finds a row by its key: the node's name, or for orphans the
	// node their pods name ("" for none). Built on the first patch.
	index map[string]int
}

// rowAux is what patching needs of a row beyond the row itself.
type rowAux struct {
	// clock: the row changes with time alone (a Ready pod not yet
	// available for minReadySeconds), so every patch redoes it.
	clock bool
	// blocking counts the row's pods of the current revision that hold
	// the rollout up (rolloutBlock), on a desired node.
	blocking int32
	// budget: the row uses the rolling update's allowance (budgetUse).
	budget bool
}

// marked: the row is one a patch reads again though it did not change.
func (a rowAux) marked() bool { return a.clock || a.blocking > 0 || a.budget }

// markedRow is the rowAux of the row at index i.
type markedRow struct {
	i   int
	aux rowAux
}

// auxOf is a row's rowAux, from the pods judged for it; should: the
// node should run a pod (desired), for what blocks.
func (j *judge) auxOf(ps []*Pod, should bool) rowAux {
	var a rowAux
	for _, p := range ps {
		if j.minReady > 0 && podReady(p) && !p.Ready.Since.IsZero() && !podAvailable(p, j.minReady, j.now) {
			a.clock = true
		}
		if should && j.updated(p) && blockingWhy(p) != "" {
			a.blocking++
		}
	}
	return a
}

// NodeSource is where UpdateNodeView reads the cache: every node and
// the DaemonSet's pods for a full computation, one node and the daemon
// pods that target it (any DaemonSet's) for a patch.
type NodeSource struct {
	Nodes  func() []*Node
	Pods   func() []*Pod
	Node   func(name string) *Node
	PodsOn func(node string) []*Pod
	// Revisions are the namespace's ControllerRevisions.
	Revisions []*appsv1.ControllerRevision
}

// UpdateNodeView is ComputeNodeViewWith(ds, src.Nodes(), src.Pods(),
// src.Revisions, access, now), made from prev by redoing only the rows of
// the nodes named in changed (those whose Node, or some daemon pod
// targeting them, changed since prev was made) and the rows that change
// with the clock. It computes the whole view when prev is nil, was made
// for another DaemonSet (a different object, or one whose spec or
// observed generation differs), other access or other revisions, or when
// a node came or went. The rows taken from prev are prev's as they are
// (already sanitized, if prev was): only the changed rows (ChangedSince)
// and Blocked are new.
func UpdateNodeView(prev *NodeView, ds *appsv1.DaemonSet, src NodeSource, changed []string, access Access, now time.Time) NodeView {
	full := func() NodeView { return ComputeNodeViewWith(ds, src.Nodes(), src.Pods(), src.Revisions, access, now) }
	if prev == nil || prev.inc == nil || !access.Nodes || prev.Access != access || !sameJudged(prev.inc.ds, ds) || len(changed) > len(prev.Rows)/4+16 {
		return full()
	}
	j := newJudge(ds, src.Revisions, now)
	if !slices.EqualFunc(j.revisions, prev.Revisions, func(a, b Revision) bool {
		return a.Number == b.Number && a.Hash == b.Hash && a.Name == b.Name && a.Created.Equal(b.Created)
	}) || j.current.Hash != prev.CurrentHash || j.observed != prev.Observed {
		return full()
	}
	lay := prev.inc
	lay.once.Do(func() {
		lay.index = make(map[string]int, len(prev.Rows))
		for i, r := range prev.Rows {
			lay.index[rowKey(r)] = i
		}
	})
	redo := map[int]string{}
	for _, k := range changed {
		i, ok := lay.index[k]
		if !ok {
			if src.Node(k) != nil || len(j.podsByNode(src.PodsOn(k))[k]) > 0 {
				return full() // a new row
			}
			continue
		}
		redo[i] = k
	}
	for _, m := range prev.marked {
		if _, ok := redo[m.i]; m.aux.clock && !ok {
			redo[m.i] = rowKey(prev.Rows[m.i])
		}
	}
	elig := newEligibility(ds)
	sel := selectorText(ds.Spec.Template.Spec.NodeSelector)
	type patch struct {
		i   int
		row *NodeRow
		aux rowAux
	}
	patches := make([]patch, 0, len(redo))
	for i, k := range redo {
		node := src.Node(k)
		ps := j.podsByNode(src.PodsOn(k))[k]
		gone := prev.Rows[i].NodeGone
		switch {
		case gone && (node != nil || len(ps) == 0), !gone && node == nil:
			return full() // a row comes or goes
		case node != nil:
			row, should := j.nodeRow(elig, sel, node, ps, access)
			patches = append(patches, patch{i, &row, j.auxOf(ps, should)})
		default:
			row := j.orphanRow(k, ps)
			patches = append(patches, patch{i, &row, j.auxOf(ps, false)})
		}
	}
	slices.SortFunc(patches, func(a, b patch) int { return a.i - b.i })

	v := *prev
	// prev's rows stay as they are (prev may be on screen): only the
	// pointers are copied, and redone rows are new values.
	v.Rows = slices.Clone(prev.Rows)
	v.Summary = NodeSummary{Nodes: prev.Summary.Nodes, Eligible: prev.Summary.Eligible, ByState: maps.Clone(prev.Summary.ByState),
		OutdatedRevisions: maps.Clone(prev.Summary.OutdatedRevisions), IneligibleKinds: maps.Clone(prev.Summary.IneligibleKinds)}
	v.changed = make([]int, len(patches))
	for n, p := range patches {
		count(&v.Summary, v.Rows[p.i], -1)
		v.Rows[p.i] = p.row
		count(&v.Summary, p.row, 1)
		u, s := budgetUse(p.row)
		patches[n].aux.budget = u || s
		v.changed[n] = p.i
	}
	// prev's marked rows but the redone ones, merged with those of the
	// redone rows that are marked now, in index order.
	v.marked = make([]markedRow, 0, len(prev.marked)+len(patches))
	k := 0
	for _, m := range prev.marked {
		for ; k < len(patches) && patches[k].i < m.i; k++ {
			if patches[k].aux.marked() {
				v.marked = append(v.marked, markedRow{patches[k].i, patches[k].aux})
			}
		}
		if k < len(patches) && patches[k].i == m.i {
			continue
		}
		v.marked = append(v.marked, m)
	}
	for ; k < len(patches); k++ {
		if patches[k].aux.marked() {
			v.marked = append(v.marked, markedRow{patches[k].i, patches[k].aux})
		}
	}
	v.from, v.serial = prev.serial, lay.serial.Add(1)
	v.Generation, v.MinReadySeconds, v.RolloutStart = ds.Generation, ds.Spec.MinReadySeconds, j.current.Created
	v.Blocked = v.blockedPatched(j, src)
	v.Budget, v.BudgetBrief = rolloutBudget(ds, v.Summary, func(yield func(*NodeRow) bool) {
		for _, m := range v.marked {
			if m.aux.budget && !yield(v.Rows[m.i]) {
				return
			}
		}
	})
	v.next, v.nextKnown = time.Time{}, true
	for _, m := range v.marked {
		if at := v.Rows[m.i].AvailableAt; m.aux.clock && !at.IsZero() && (v.next.IsZero() || at.Before(v.next)) {
			v.next = at
		}
	}
	return v
}

// sameJudged: a and b judge nodes alike. An update that leaves the
// generations alone changed no spec and no observation (status counts
// the node view does not read); objects without a generation are
// compared by identity.
func sameJudged(a, b *appsv1.DaemonSet) bool {
	if a == b {
		return true
	}
	return a.UID == b.UID && a.Generation != 0 && a.Generation == b.Generation && a.Status.ObservedGeneration == b.Status.ObservedGeneration &&
		a.Annotations[appsv1.DeprecatedTemplateGeneration] == b.Annotations[appsv1.DeprecatedTemplateGeneration] && a.Namespace == b.Namespace && a.Name == b.Name
}

// rowKey is the key of a row of a view with nodes (the layout's index):
// orphans' rows are the only ones whose node is gone.
func rowKey(r *NodeRow) string {
	if r.NodeGone && r.Node == "<unassigned>" {
		return ""
	}
	return r.Node
}

// blockedPatched is rolloutBlock from the rows' counts: only the first
// blocking row's pods are read again.
func (v *NodeView) blockedPatched(j *judge, src NodeSource) string {
	first, n := -1, 0
	for _, m := range v.marked {
		if m.aux.blocking == 0 {
			continue
		}
		n += int(m.aux.blocking)
		if first < 0 || rowKey(v.Rows[m.i]) < rowKey(v.Rows[first]) {
			first = m.i
		}
	}
	if n == 0 {
		return ""
	}
	k := rowKey(v.Rows[first])
	ps := j.podsByNode(src.PodsOn(k))[k]
	var pod *Pod
	why := ""
	for _, p := range ps {
		if w := blockingWhy(p); w != "" && j.updated(p) && (pod == nil || p.Name < pod.Name) {
			pod, why = p, w
		}
	}
	return blockText(n, pod, why)
}

// count adds (d 1) or takes (d -1) a row to or from the summary, as
// summarize counts it; a count that falls to zero leaves its map.
func count(s *NodeSummary, r *NodeRow, d int) {
	add := func(m map[NodeState]int, k NodeState) {
		if m[k] += d; m[k] == 0 {
			delete(m, k)
		}
	}
	if !r.NodeGone {
		s.Nodes += d
	}
	add(s.ByState, r.State)
	switch r.State {
	case StateIneligible:
		if s.IneligibleKinds[r.IneligibleKind] += d; s.IneligibleKinds[r.IneligibleKind] == 0 {
			delete(s.IneligibleKinds, r.IneligibleKind)
		}
	case StateMisscheduled, StateOrphaned:
	default:
		s.Eligible += d
	}
	if r.State == StateOutdated {
		if s.OutdatedRevisions[r.Revision] += d; s.OutdatedRevisions[r.Revision] == 0 {
			delete(s.OutdatedRevisions, r.Revision)
		}
	}
}

// ChangedSince says which rows of v differ from prev's, by index, when v
// was patched from prev (UpdateNodeView): rows stand at the same indices
// in both. ok is false when v is not prev's successor.
func (v *NodeView) ChangedSince(prev *NodeView) (rows []int, ok bool) {
	if v == nil || prev == nil || v.inc == nil || v.inc != prev.inc || v.from != prev.serial || v.from == 0 {
		return nil, false
	}
	return v.changed, true
}
