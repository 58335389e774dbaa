package ui

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/kube"
)

type nodeSort int

const (
	nodeSortState nodeSort = iota
	nodeSortNode
	nodeSortAge
	nodeSortCount
)

func (s nodeSort) String() string { return [...]string{"state", "node", "age"}[s] }

// nodeView is the per-node view of one DaemonSet.
type nodeView struct {
	c        *common
	ns, name string
	// cluster and server are where the rows came from: actions bind to them.
	cluster, server string
	view            *kube.NodeView
	// src is the snapshot's view that view was made from (view is a
	// subset of it inside a group).
	src *kube.NodeView
	// ds is the DaemonSet's row in the list, for what actions show.
	ds kube.DaemonSetRow
	// order is the shown rows, sorted and filtered, by index in base.
	order []int
	// matched are the filter's highlights by base row, in column hlCol;
	// baseAt finds a node's base row. Kept as the filter index returns
	// them: building a map per matching row cost more than the match.
	matched      map[int][]int
	hlCol        int
	baseAt       map[string]int
	cur          cursor
	sort         nodeSort
	problemsOnly bool
	filter       input
	// best is the best match of the filter ("" without one): typing
	// selects it.
	best string
	// fidx is the filter's text for base, kept while the snapshot and the
	// problems-only switch stay the same: typing only re-matches.
	fidx      *filterIndex
	fidxFor   *kube.NodeView
	fidxProbs bool
	// base is the rows the filter and sort work on: the view's own,
	// or with problems only those in trouble (own, at ownAt in the view).
	base  []*kube.NodeRow
	own   []*kube.NodeRow
	ownAt []int
	// natural and nameMax are measured over every row (measure).
	natural []int
	nameMax int
	// atMax counts the rows as wide as natural, per column, and last
	// as nameMax.
	atMax []int
	// inPlace is set while the DaemonSet's rollout moves: the state sort
	// then keeps rows where they are (see rank).
	inPlace bool
	// held, once the view has shown a rollout, is per column (the node
	// name's last) the widest it has drawn: during a rollout cells come
	// and go every frame, and a column narrowing would shift every row.
	held   []int
	width  int
	height int
	// group, when set, keeps only one group's nodes (opened from the
	// grouped view, which stays below it).
	group *groupSel
}

// newNodes is the node view of ns/name, filled from snap when the
// source already computes it.
func newNodes(c *common, snap kube.Snapshot, ns, name string) nodeView {
	v := nodeView{c: c, ns: ns, name: name, filter: newInput()}
	v.ds = kube.DaemonSetRow{Namespace: ns, Name: name}
	v.setSnapshot(snap)
	return v
}

// nodeFilter matches NODE, and REASON, STATE or REVISION after their
// prefixes.
func nodeFilter() filterSpec {
	return filterSpec{name: 0, fields: []filterField{{prefix: "r:", title: "reason", col: 7}, {prefix: "s:", title: "state", col: 1}, {prefix: "v:", title: "revision", col: 3}}}
}

func (v *nodeView) setSnapshot(s kube.Snapshot) {
	v.cluster, v.server = s.Context, s.Server
	for _, r := range s.DaemonSets {
		if r.Namespace == v.ns && r.Name == v.name {
			v.ds = r
		}
	}
	// The watcher hands back the same view while nothing it is built from
	// changed: rows, filter and sort then stand as they are.
	if s.Focus != "" && s.Focus == v.ns+"/"+v.name && (s.Detail != v.src || s.Detail == nil) {
		if changed, ok := s.Detail.ChangedSince(v.src); ok && v.inPlace == rolloutMoves(v.ds, s.Detail) && v.patch(s.Detail, changed) {
			return
		}
		v.view, v.src = s.Detail, s.Detail
		if v.group != nil && v.view != nil {
			v.view = v.view.Subset(v.group.keep)
		}
		v.refresh()
		return
	}
	// A rollout stalls (or moves again) with no change to its rows: the
	// same rows, in the other order.
	if v.inPlace != rolloutMoves(v.ds, v.view) {
		v.refresh()
	}
	v.hold()
}

// rolloutMoves tells whether ds's rollout is under way and nothing
// blocks it: then its node view keeps rows in place. A stalled or blocked
// one sorts worst first, as at rest, to show what holds it up.
func rolloutMoves(ds kube.DaemonSetRow, view *kube.NodeView) bool {
	return ds.Mark == kube.MarkRolling && view != nil && view.Blocked == ""
}

// hold takes the measured widths into held once the view shows a
// rollout; from then on the columns only widen (reopening the view
// starts afresh).
func (v *nodeView) hold() {
	if v.natural == nil {
		return
	}
	if v.held == nil {
		if v.ds.Mark != kube.MarkRolling && v.ds.Mark != kube.MarkStalled {
			return
		}
		v.held = make([]int, len(v.natural)+1)
		// Room at once for the states a rollout passes through: widening
		// STATE when the first pod terminates, then again when one is
		// progressing, moved every column after it twice in the first
		// second, and rewrote every row on screen each time.
		v.held[nodeStateCol] = rolloutStateWidth()
		// And for the new revision's "N current", which the first frame
		// may not show yet: every pod is then "M old".
		if v.view != nil {
			rev := v.view.CurrentRevision
			if rev == 0 {
				for _, r := range v.view.Rows {
					rev = max(rev, r.Revision)
				}
				rev++
			}
			v.held[nodeRevisionCol] = cellWidth(strconv.FormatInt(rev, 10) + " current")
		}
	}
	for c, w := range v.natural {
		v.held[c] = max(v.held[c], w)
	}
	v.held[len(v.natural)] = max(v.held[len(v.natural)], v.nameMax)
}

// STATE's and REVISION's indexes in nodeColumns.
const (
	nodeStateCol    = 1
	nodeRevisionCol = 3
)

// rolloutStateWidth is the widest state a rollout moves nodes through.
func rolloutStateWidth() int {
	w := 0
	for _, st := range []kube.NodeState{kube.StateCurrent, kube.StateOutdated, kube.StateTerminating, kube.StateMissing, kube.StateProgressing} {
		w = max(w, cellWidth(stateText(st)))
	}
	return w
}

// widths are the column widths to draw with and the node name's: held
// during and after a rollout, else as measured, with STATE as wide as a
// rollout's states at rest too: a rollout that starts then moves no
// column under the reader's eyes.
func (v nodeView) widths() ([]int, int) {
	if len(v.held) != len(v.natural)+1 {
		if len(v.natural) <= nodeStateCol || v.natural[nodeStateCol] >= rolloutStateWidth() {
			return v.natural, v.nameMax
		}
		w := slices.Clone(v.natural)
		w[nodeStateCol] = rolloutStateWidth()
		return w, v.nameMax
	}
	return v.held[:len(v.natural)], v.held[len(v.natural)]
}

func (v *nodeView) refresh() {
	v.order = v.order[:0]
	v.matched = nil
	v.inPlace = rolloutMoves(v.ds, v.view)
	defer v.fitRows()
	defer v.hold()
	if v.view == nil {
		v.cur.sync(nil)
		return
	}
	if v.fidxFor != v.view || v.fidxProbs != v.problemsOnly || v.base == nil {
		v.rebase()
		v.measure()
	}
	base := v.base
	var idx []int
	pattern := v.filter.value()
	if pattern == "" {
		idx, _ = filterRows("", len(base), nil, filterSpec{})
	} else {
		if v.fidx == nil {
			v.fidx = newFilterIndex(len(base), func(i int) []string { return nodeFilterCells(base[i]) }, nodeFilter())
			v.baseAt = make(map[string]int, len(base))
			for i, r := range base {
				v.baseAt[r.Node] = i
			}
		}
		idx, v.hlCol, v.matched = v.fidx.match(pattern)
	}
	v.best = ""
	if pattern != "" && len(idx) > 0 {
		v.best = base[idx[0]].Node
	}
	v.order = append(v.order, idx...)
	if pattern == "" || v.sort != nodeSortState {
		slices.SortStableFunc(v.order, func(a, b int) int { return v.compare(base[a], base[b]) })
	}
	v.cur.sync(v.keys())
}

// rebase takes the rows the filter and sort work on from the view.
func (v *nodeView) rebase() {
	if v.problemsOnly {
		v.own, v.ownAt = v.own[:0], v.ownAt[:0]
		for i, r := range v.view.Rows {
			if r.State.Problem() {
				v.own, v.ownAt = append(v.own, r), append(v.ownAt, i)
			}
		}
		v.base = v.own
	} else {
		// The view's rows are never changed: no copy.
		v.base = v.view.Rows
	}
	v.fidx, v.fidxFor, v.fidxProbs = nil, v.view, v.problemsOnly
}

// reown is rebase for problems only after the rows changed (and only
// they) changed in the view: a merge of the problems with them instead of
// a pass over every row. It returns where each row of the old problems
// went (-1 for those that left).
func (v *nodeView) reown(changed []int) []int {
	ch := slices.Sorted(slices.Values(changed))
	own, ownAt := make([]*kube.NodeRow, 0, len(v.own)+len(ch)), make([]int, 0, len(v.own)+len(ch))
	remap := make([]int, len(v.own))
	add := func(i int) {
		if r := v.view.Rows[i]; r.State.Problem() {
			own, ownAt = append(own, r), append(ownAt, i)
		}
	}
	p, q := 0, 0
	for p < len(v.ownAt) || q < len(ch) {
		switch {
		case q == len(ch) || p < len(v.ownAt) && v.ownAt[p] < ch[q]:
			remap[p] = len(own)
			own, ownAt = append(own, v.view.Rows[v.ownAt[p]]), append(ownAt, v.ownAt[p])
			p++
		case p == len(v.ownAt) || ch[q] < v.ownAt[p]:
			add(ch[q])
			q++
		default:
			remap[p] = -1
			add(ch[q])
			p, q = p+1, q+1
		}
	}
	v.own, v.ownAt, v.base = own, ownAt, own
	return remap
}

// compare is the sort's order of two rows; stable, so equal rows keep
// the view's order.
func (v *nodeView) compare(a, b *kube.NodeRow) int {
	var c int
	switch v.sort {
	case nodeSortState:
		c = cmp.Compare(v.rank(a.State), v.rank(b.State))
	case nodeSortAge:
		c = b.Created.Compare(a.Created)
	}
	if c != 0 {
		return c
	}
	return naturalCompare(a.Node, b.Node)
}

// rank is the state sort's key. While a rollout moves, every node goes
// from outdated through terminating, missing and progressing to current,
// a few of them each second: ranked apart, rows would jump on every frame
// and each jump repaints every line between. Ranked alike they stand in
// name order; failed and misscheduled rows still come first.
func (v *nodeView) rank(s kube.NodeState) int {
	if v.inPlace {
		switch s {
		case kube.StateOutdated, kube.StateTerminating, kube.StateMissing, kube.StateProgressing:
			s = kube.StateCurrent
		}
	}
	return s.Rank()
}

// patch takes a view the watcher patched from the shown one (changed
// are the rows it redid, at the same indices): those rows move to their
// place in the order and the column widths follow, instead of every row
// being re-sorted and re-measured. With problems only, rows joining or
// leaving them are merged in. A filter on node names keeps its matches
// (a row keeps its node); one on another column, or with problems only
// a row joining or leaving them, matches again, with the changed rows'
// text only redone. It reports false, changing nothing, when the view
// is shown in a way patching does not keep (a group) or much of it
// changed: refresh then does it all.
func (v *nodeView) patch(view *kube.NodeView, changed []int) bool {
	if v.group != nil || v.view == nil || v.view != v.src || v.base == nil || v.fidxFor != v.view || v.fidxProbs != v.problemsOnly ||
		v.natural == nil || len(v.atMax) != len(v.natural)+1 || len(v.view.Rows) != len(view.Rows) || len(changed) > len(view.Rows)/8+8 {
		return false
	}
	old := v.view.Rows
	now := v.c.now()
	recount := false
	// Widths: counts of the cells at each column's widest, so only the
	// last widest cell shrinking costs a measure of every row.
	for _, i := range changed {
		was, is := nodeCells(old[i], now), nodeCells(view.Rows[i], now)
		for c := range is {
			if !v.narrow(c, cellWidth(was[c])) {
				recount = true
			}
			v.widen(c, cellWidth(is[c]))
		}
		if !v.narrow(len(is), cellWidth(old[i].Node)) {
			recount = true
		}
		v.widen(len(is), cellWidth(view.Rows[i].Node))
	}
	// at are the changed rows' places in base, -1 for rows not in it.
	at := make([]int, len(changed))
	// joined: with problems only, a row joins or leaves them.
	joined := false
	for n, i := range changed {
		at[n] = i
		if v.problemsOnly {
			j, was := slices.BinarySearch(v.ownAt, i)
			if was != view.Rows[i].State.Problem() {
				joined = true
			}
			if !was {
				j = -1
			}
			at[n] = j
		}
	}
	col, _ := nodeFilter().parse(v.filter.value())
	rematch := v.filter.value() != "" && (col != nodeFilter().name || joined)
	v.view, v.src = view, view
	if recount {
		v.measure()
	}
	// Out with the changed rows, found where their old values sort (ties
	// by index, as refresh's stable sort leaves them), in at their new
	// place: a search each instead of a pass over every row. Ranked by a
	// filter on names, they stay where they are.
	sorted := v.filter.value() == "" || v.sort != nodeSortState
	shown := make([]bool, len(changed))
	base := v.base
	for n, j := range at {
		if rematch || !sorted || j < 0 {
			continue
		}
		k, ok := slices.BinarySearchFunc(v.order, j, func(a, b int) int { return cmp.Or(v.compare(base[a], base[b]), cmp.Compare(a, b)) })
		if ok {
			v.order = slices.Delete(v.order, k, k+1)
			shown[n] = true
		}
	}
	switch {
	case joined:
		// The rows left in the order move to their places in the new
		// problems, the changed ones that are problems go in.
		remap := v.reown(changed)
		for k, j := range v.order {
			v.order[k] = remap[j]
		}
		v.order = slices.DeleteFunc(v.order, func(j int) bool { return j < 0 })
		for n, i := range changed {
			j, is := slices.BinarySearch(v.ownAt, i)
			at[n], shown[n] = j, is
		}
		v.fidx = nil
	case v.problemsOnly:
		v.own = slices.Clone(v.own)
		for n, i := range changed {
			if at[n] >= 0 {
				v.own[at[n]] = view.Rows[i]
			}
		}
		v.base = v.own
	default:
		v.base = view.Rows
	}
	v.fidxFor = view
	base = v.base
	if v.fidx != nil {
		rows := make([]int, 0, len(at))
		for _, j := range at {
			if j >= 0 {
				rows = append(rows, j)
			}
		}
		v.fidx.update(rows, func(i int) []string { return nodeFilterCells(base[i]) }, v.filter.value())
	}
	if rematch {
		v.refresh()
		return true
	}
	for n, j := range at {
		if shown[n] {
			k, _ := slices.BinarySearchFunc(v.order, j, func(a, b int) int { return cmp.Or(v.compare(base[a], base[b]), cmp.Compare(a, b)) })
			v.order = slices.Insert(v.order, k, j)
		}
	}
	v.hold()
	v.cur.setLen(len(v.order))
	if k := v.cur.selKey; k != "" {
		if at := v.indexOf(k); at >= 0 {
			v.cur.setPos(at)
		}
	}
	if v.cur.pos < len(v.order) {
		v.cur.selKey = base[v.order[v.cur.pos]].Node
	}
	v.fitRows()
	return true
}

// indexOf is the place in the sorted order of the row of node k, -1
// without one. The view's rows are in natural order of node names.
func (v *nodeView) indexOf(k string) int {
	base := v.base
	i, ok := slices.BinarySearchFunc(base, k, func(r *kube.NodeRow, k string) int { return naturalCompare(r.Node, k) })
	if !ok || base[i].Node != k {
		i = slices.IndexFunc(base, func(r *kube.NodeRow) bool { return r.Node == k })
	}
	if i < 0 {
		return -1
	}
	return slices.Index(v.order, i)
}

// measure takes the widest cell per column, and the longest node name,
// over every row of the view, so the columns hold still while the page
// scrolls, the filter narrows or problems-only hides rows.
func (v *nodeView) measure() {
	now := v.c.now()
	rows := v.view.Rows
	v.natural = make([]int, len(nodeColumns()))
	v.atMax = make([]int, len(v.natural)+1)
	v.nameMax = 0
	for i := range rows {
		for c, cell := range nodeCells(rows[i], now) {
			v.widen(c, cellWidth(cell))
		}
		v.widen(len(v.natural), cellWidth(rows[i].Node))
	}
}

// widen counts a cell of width w into column c's widest (c past the
// columns is the node name's, nameMax).
func (v *nodeView) widen(c, w int) {
	m := &v.nameMax
	if c < len(v.natural) {
		m = &v.natural[c]
	}
	switch {
	case w > *m:
		*m, v.atMax[c] = w, 1
	case w == *m:
		v.atMax[c]++
	}
}

// narrow takes a cell of width w out of column c's count; false when it
// was the last of the widest, and the column must be measured again.
func (v *nodeView) narrow(c, w int) bool {
	m := v.nameMax
	if c < len(v.natural) {
		m = v.natural[c]
	}
	if w == m {
		v.atMax[c]--
		return v.atMax[c] > 0
	}
	return true
}

// columns are nodeColumns for this view: NODE never shrinks below the
// longest node name, the part that tells rows apart.
func (v nodeView) columns() []column {
	cols := nodeColumns()
	_, nameMax := v.widths()
	cols[0].min = max(cols[0].min, min(nameMax, 40))
	return cols
}

// fitRows gives the cursor the rows left under the summary, whose
// length depends on the width and the counts.
func (v *nodeView) fitRows() {
	v.cur.setHeight(v.height - len(v.header(v.width)) - 1)
}

// highlight is a row's matched positions per column, nil without.
func (v nodeView) highlight(node string) map[int][]int {
	if v.matched == nil {
		return nil
	}
	i, ok := v.baseAt[node]
	if m := v.matched[i]; ok && len(m) > 0 {
		return map[int][]int{v.hlCol: m}
	}
	return nil
}

func (v *nodeView) keys() []string {
	keys := make([]string, len(v.order))
	for i, r := range v.order {
		keys[i] = v.base[r].Node
	}
	return keys
}

func (v nodeView) selectedRow() (kube.NodeRow, bool) {
	if v.cur.pos < len(v.order) {
		return *v.base[v.order[v.cur.pos]], true
	}
	return kube.NodeRow{}, false
}

func (v nodeView) SetSize(width, height int) View {
	v.width, v.height = width, height
	v.fitRows()
	return v
}

func (v nodeView) typing() bool { return v.filter.editing }

func (v nodeView) inputLine(w int) string {
	return filterLine(v.c.st, v.c.keys, v.filter, w, "filter", nodeFilter().scope())
}

func (v nodeView) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case SnapshotMsg:
		v.setSnapshot(msg.Snapshot)
	case tea.KeyPressMsg:
		return v.key(msg)
	}
	return v, nil
}

func (v nodeView) key(msg tea.KeyPressMsg) (View, tea.Cmd) {
	k := v.c.keys
	if handled, changed := v.filter.filterKey(msg, k); handled {
		if changed {
			v.refresh()
			v.cur.selectKey(v.best, v.keys())
		}
		return v, nil
	}
	keys := v.keys()
	switch {
	case scrollKey(msg, k, max(v.height-1, 1), len(keys), func(d int) { v.cur.moveBy(d, keys) }):
	case key.Matches(msg, k.Back):
		if v.group != nil {
			// The grouped view below still shows this DaemonSet.
			return pop(), nil
		}
		return pop(), v.c.focus("", "")
	case key.Matches(msg, k.Group):
		if v.group != nil {
			return flash(v, "these are the nodes of "+v.group.name()+": "+keyName(k.Back)+" goes back to the groups"), nil
		}
		return push(v, newGroups(v.c, v.ns, v.name, v.view, "")), nil
	case key.Matches(msg, k.Timeline):
		return push(v, newTimeline(v.c, v.ns, v.name, v.view, v.ds, false)), nil
	case key.Matches(msg, k.Sort):
		v.sort = (v.sort + 1) % nodeSortCount
		v.refresh()
	case key.Matches(msg, k.Problems):
		v.problemsOnly = !v.problemsOnly
		v.refresh()
	case key.Matches(msg, k.OpenNode):
		if r, ok := v.selectedRow(); ok && !r.NodeGone && r.Node != "<unassigned>" {
			return push(v, newNodeDS(v.c, kube.Snapshot{}, r.Node)), v.c.focusNode(r.Node)
		}
	case key.Matches(msg, k.Describe):
		return openPager(v, v.c, v.ref, "describe")
	case key.Matches(msg, k.YAML):
		return openPager(v, v.c, v.ref, "yaml")
	case key.Matches(msg, k.Logs):
		return v.openLogs()
	case key.Matches(msg, k.Info):
		return v.openInfo()
	case key.Matches(msg, k.History):
		return openHistory(v, v.c, v.ds, v.name != "", v.cluster, v.server)
	}
	return v, nil
}

// ref is the object describe and YAML act on: the row's pod, or its node
// when it has none.
func (v nodeView) ref() (kube.ObjectRef, bool) {
	if r, ok := v.selectedRow(); ok {
		if r.Pod != "" {
			return kube.ObjectRef{Kind: kube.KindPod, Namespace: v.ns, Name: r.Pod}, true
		}
		if !r.NodeGone {
			return kube.ObjectRef{Kind: kube.KindNode, Name: r.Node}, true
		}
	}
	return kube.ObjectRef{}, false
}

// openInfo shows the selected row's reason whole, wrapped, and for a
// row with a pod its conditions, container states and last events,
// fetched fresh by kube/.
func (v nodeView) openInfo() (View, tea.Cmd) {
	r, ok := v.selectedRow()
	if !ok {
		return flash(v, "nothing selected"), nil
	}
	head := "Node " + nodeLabel(&r) + ": " + stateText(r.State) + "\nReason: " + r.Reason + "\n"
	if r.Reason == "" {
		head = "Node " + nodeLabel(&r) + ": " + stateText(r.State) + "\n"
	}
	ref := kube.ObjectRef{Kind: kube.KindNode, Name: r.Node}
	if r.Pod != "" {
		ref = kube.ObjectRef{Kind: kube.KindPod, Namespace: v.ns, Name: r.Pod}
	}
	p := newPager(v.c, ref, "info")
	p.wrap, p.width = true, v.width
	if r.Pod == "" || v.c.insp == nil {
		p.setText(head)
		return push(v, p), nil
	}
	p.loading = true
	insp, ctx := v.c.insp, v.c.ctx
	return push(v, p), func() tea.Msg {
		text, err := insp.PodInfo(ctx, ref.Namespace, ref.Name)
		return textMsg{ref: ref, what: "info", text: head + "\n" + text, err: err}
	}
}

// openLogs shows the selected row's pod logs; with several containers
// it asks which one first.
func (v nodeView) openLogs() (View, tea.Cmd) {
	if v.c.insp == nil {
		return flash(v, "logs: select a node row with a pod ("+keyName(v.c.keys.Enter)+" on a DaemonSet first)"), nil
	}
	r, ok := v.selectedRow()
	if !ok || r.Pod == "" {
		return flash(v, "logs: this node has no pod"), nil
	}
	lv, cmd := newLogs(v.c, v.ns, r.Pod, r.Node, r.Containers)
	return push(v, lv), cmd
}

// target is what action a acts on from the node view: the DaemonSet,
// or for delete the row's pod.
func (v nodeView) target(a kube.Action) (actionTarget, string) {
	t := actionTarget{action: a}
	switch a {
	case kube.ActCreate:
		t.namespace = v.ns
	case kube.ActDelete:
		r, ok := v.selectedRow()
		if !ok || r.Pod == "" {
			return t, "delete: this node has no pod (" + keyName(v.c.keys.Back) + ", then " + keyName(v.c.keys.Delete) + " deletes the DaemonSet)"
		}
		t = actionTarget{action: kube.ActDeletePod, namespace: v.ns, name: r.Pod, uid: r.PodUID, node: r.Node, strategy: v.ds.Strategy}
	case kube.ActShell, kube.ActForward:
		r, ok := v.selectedRow()
		return podTarget(a, v.ns, r, ok)
	default:
		t.namespace, t.name, t.pods, t.strategy, t.uid = v.ns, v.name, v.ds.Current, v.ds.Strategy, v.ds.UID
	}
	return t, ""
}

func (v nodeView) Keys() []key.Binding {
	k := v.c.keys
	return []key.Binding{k.Back, k.Problems, k.Describe, k.YAML, k.Info, k.Logs, k.Group, k.Timeline, k.Filter, k.Sort, k.Shell, k.PortForward, k.OpenNode}
}

func nodeColumns() []column {
	return []column{
		{title: "NODE", priority: 20, flex: true, min: 12},
		{title: "STATE", priority: 19},
		{title: "POD", priority: 5, flex: true, min: 10, mid: true},
		{title: "REVISION", short: "REV", priority: 15},
		{title: "READY", short: "RDY", priority: 12},
		{title: "RESTARTS", short: "RST", priority: 8, right: true},
		{title: "AGE", priority: 7, right: true},
		{title: "REASON", priority: 18, flex: true, min: 30},
	}
}

// stateText pairs each state with a symbol so meaning never rests on colour.
// It runs for every row on every keystroke in the filter: a switch, not
// a map built per call.
func stateText(s kube.NodeState) string {
	var sym string
	switch s {
	case kube.StateCurrent:
		sym = "✓"
	case kube.StateOutdated:
		sym = "↻"
	case kube.StateProgressing:
		sym = "…"
	case kube.StateFailed:
		sym = "✗"
	case kube.StateMissing:
		sym = "!"
	case kube.StateIneligible:
		sym = "-"
	case kube.StateMisscheduled:
		sym = "⚠"
	case kube.StateTerminating:
		sym = "⌫"
	case kube.StateUnknown:
		sym = "?"
	case kube.StateOrphaned:
		sym = "∅"
	}
	return sym + " " + string(s)
}

func nodeLabel(r *kube.NodeRow) string {
	switch {
	case r.NodeGone:
		return r.Node + " (gone)"
	case !r.NodeReady:
		return r.Node + " (NotReady)"
	case r.Unschedulable:
		return r.Node + " (cordoned)"
	}
	return r.Node
}

// nodeFilterCells are nodeCells with only the filtered columns filled:
// the filter builds them for every row. The node is its bare name, so
// that general-5 (NotReady) is an exact match of general-5; the label
// starts with it, so the highlighted positions hold.
func nodeFilterCells(r *kube.NodeRow) []string {
	c := make([]string, 8)
	c[0], c[1], c[3], c[7] = r.Node, stateText(r.State), revText(r), r.Note()
	return c
}

// revText is the REVISION cell: "3 current", "2 old", "-" without a pod.
func revText(r *kube.NodeRow) string {
	switch {
	case r.Pod == "":
		return "-"
	case r.CurrentRevision:
		return strconv.FormatInt(r.Revision, 10) + " current"
	case r.Revision != 0:
		return strconv.FormatInt(r.Revision, 10) + " old"
	}
	return "? old"
}

func nodeCells(r *kube.NodeRow, now time.Time) []string {
	node := nodeLabel(r)
	rev, ready, restarts, ageS, pod := revText(r), "-", "-", "-", "-"
	if r.Pod != "" {
		pod = r.Pod
		ready = "no"
		if r.Ready {
			ready = "yes"
		}
		restarts = strconv.Itoa(int(r.Restarts))
		ageS = objectAge(now, r.Created)
	}
	return []string{node, stateText(r.State), pod, rev, ready, restarts, ageS, r.Note()}
}

// header sums the view up: counts by state (outdated by revision,
// ineligible by kind) and a progress bar of up-to-date eligible nodes.
func (v nodeView) header(width int) []string {
	if v.view == nil {
		return []string{fmt.Sprintf(" %s/%s: not found (deleted?)", v.ns, v.name)}
	}
	s := v.view.Summary
	parts := []string{fmt.Sprintf("%d nodes", s.Nodes)}
	add := func(st kube.NodeState, extra string) {
		n := s.ByState[st]
		if n == 0 && st != kube.StateMisscheduled && st != kube.StateCurrent {
			return
		}
		p := fmt.Sprintf("%d %s", n, st)
		if extra != "" {
			p += " (" + extra + ")"
		}
		parts = append(parts, p)
	}
	add(kube.StateCurrent, "")
	var revs []string
	var nums []int64
	for r := range s.OutdatedRevisions {
		nums = append(nums, r)
	}
	sort.Slice(nums, func(i, j int) bool { return nums[i] > nums[j] })
	for _, r := range nums {
		if r == 0 {
			revs = append(revs, fmt.Sprintf("%d unknown", s.OutdatedRevisions[r]))
		} else if len(nums) == 1 {
			revs = append(revs, fmt.Sprintf("rev %d", r))
		} else {
			revs = append(revs, fmt.Sprintf("%d on rev %d", s.OutdatedRevisions[r], r))
		}
	}
	add(kube.StateOutdated, strings.Join(revs, ", "))
	add(kube.StateProgressing, "")
	add(kube.StateFailed, "")
	add(kube.StateMissing, "")
	var kinds []string
	for _, k := range []string{"taint", "selector", "affinity", "nodeName"} {
		if n := s.IneligibleKinds[k]; n > 0 {
			if len(s.IneligibleKinds) == 1 {
				kinds = append(kinds, k)
			} else {
				kinds = append(kinds, fmt.Sprintf("%d %s", n, k))
			}
		}
	}
	add(kube.StateIneligible, strings.Join(kinds, ", "))
	add(kube.StateTerminating, "")
	add(kube.StateMisscheduled, "")
	add(kube.StateOrphaned, "")
	// The summary wraps onto a second line rather than lose counts.
	var lines []string
	line := ""
	for _, p := range parts {
		next := line + " · " + p
		if line == "" {
			next = " " + p
		}
		if len([]rune(next)) > width && line != "" {
			lines = append(lines, line)
			next = " " + p
		}
		line = next
	}
	lines = append(lines, line)
	rev := "revision pending"
	switch {
	case v.view.CurrentRevision != 0:
		rev = fmt.Sprintf("current revision %d", v.view.CurrentRevision)
	case !v.view.Observed:
		rev = "revision pending: the controller has not yet seen the change"
	}
	label := fmt.Sprintf(" %d/%d up to date and ready · %s", s.ByState[kube.StateCurrent], s.Eligible, rev)
	if !v.view.Access.Nodes {
		label += " · only nodes with a pod (no permission to list nodes)"
	}
	bw := min(30, max(width-len([]rune(label))-3, 0))
	line2 := " " + bar(s.ByState[kube.StateCurrent], s.Eligible, bw) + label
	lines = append(lines, line2)
	switch {
	case v.view.Blocked != "":
		lines = append(lines, " rollout "+v.view.Blocked)
	case v.ds.Mark == kube.MarkStalled:
		lines = append(lines, " rollout stalled: no progress for "+shortDuration(v.c.stallAfter))
	case v.ds.Mark == kube.MarkDrift:
		lines = append(lines, " "+rowMarkText(v.ds)[len("⚠ "):]+": old pods change only when deleted")
	}
	// The unavailable nodes are named when the rollout waits on them;
	// while it moves they change at every frame, as the rows show.
	budget := v.view.Budget
	if v.view.BudgetBrief != "" && v.view.Blocked == "" && v.ds.Mark != kube.MarkStalled {
		budget = v.view.BudgetBrief
	}
	if budget != "" {
		lines = append(lines, " "+budget)
	}
	return lines
}

// View draws the summary, the table header and the visible rows.
func (v nodeView) View(width, height int) string {
	st, now := v.c.st, v.c.now()
	out := []string{}
	for _, h := range v.header(width) {
		out = append(out, st.title.Render(fit(h, width, false)))
	}
	cols := v.columns()
	height -= len(out)
	if len(v.order) == 0 {
		msg := " No nodes"
		switch {
		case v.filter.value() != "":
			msg += " match “" + v.filter.value() + "”"
		case v.problemsOnly:
			msg = " No problems: every eligible node runs a ready pod of the current revision"
		}
		return strings.Join(append(out, emptyTable(st, cols, width, msg)...), "\n")
	}
	start, end := v.cur.window()
	cells := make([][]string, 0, end-start)
	for _, i := range v.order[start:end] {
		cells = append(cells, nodeCells(v.base[i], now))
	}
	natural, _ := v.widths()
	keep, widths, titles := layoutFor(cols, natural, width)
	out = append(out, st.header.Render(fit(headerRow(cols, keep, widths, titles), width, false)))
	// A rollout's own steps (outdated, terminating, progressing, and a
	// node between its old pod and its new one) colour their STATE cell;
	// problems and the selection colour the row. A row's colour changing
	// at each step would rewrite the whole row on the terminal, four
	// times per node in a rollout.
	moving := v.ds.Mark == kube.MarkRolling
	warn := func(s string) string { return st.warn.Render(s) }
	bad := func(s string) string { return st.bad.Render(s) }
	for i, c := range cells {
		r := v.base[v.order[start+i]]
		var paint func(string) string
		switch {
		case start+i == v.cur.pos:
		case r.State == kube.StateProgressing || r.State == kube.StateOutdated || r.State == kube.StateTerminating:
			paint = warn
		case r.State == kube.StateMissing && moving:
			paint = bad
		}
		line := fit(renderRowPainted(cols, keep, widths, c, v.highlight(r.Node), nodeStateCol, paint), width, false)
		switch {
		case start+i == v.cur.pos:
			line = st.selected.Render(line)
		case paint != nil:
		case r.State == kube.StateFailed || r.State == kube.StateMissing || r.State == kube.StateMisscheduled:
			line = st.bad.Render(line)
		case r.State == kube.StateIneligible || r.State == kube.StateOrphaned:
			line = st.dim.Render(line)
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func (v nodeView) Title() string {
	s := fmt.Sprintf("%s/%s", v.ns, v.name)
	if v.group != nil {
		s += " · " + v.group.name()
	}
	if v.problemsOnly {
		s += " · problems only"
	}
	return s + " · sort: " + v.sort.String()
}

// naturalCompare orders node-2 before node-10, as people count (and as
// dsx status does).
func naturalCompare(a, b string) int { return kube.NaturalCompare(a, b) }
