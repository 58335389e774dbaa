package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dsx-tui/dsx/kube"
)

// nodeSource is a source that also computes the nodes list and a node's
// view; kube.Session and kube.Watcher are. Sources without them (tests'
// fakes) show those views from whatever the snapshots carry.
type nodeSource interface {
	FocusNode(name string)
	ListNodes(on bool)
}

// focusNode tells the source which node's view to compute, off the
// update loop; "" for none.
func (c *common) focusNode(name string) tea.Cmd {
	src, ok := c.src.(nodeSource)
	if !ok {
		return nil
	}
	return func() tea.Msg {
		src.FocusNode(name)
		return nil
	}
}

// listNodes turns the nodes list in the snapshots on or off.
func (c *common) listNodes(on bool) tea.Cmd {
	src, ok := c.src.(nodeSource)
	if !ok {
		return nil
	}
	return func() tea.Msg {
		src.ListNodes(on)
		return nil
	}
}

type nodesSort int

const (
	nodesSortHealth nodesSort = iota
	nodesSortName
	nodesSortAge
	nodesSortPool
	nodesSortCount
)

func (s nodesSort) String() string { return [...]string{"health", "node", "age", "pool"}[s] }

// nodesList is every node with how the DaemonSets that should run there
// stand on it; enter opens the node's view.
type nodesList struct {
	c *common
	// snap is the last snapshot, for the node's view enter opens.
	snap   kube.Snapshot
	items  []kube.NodeItem
	loaded bool
	rows   []kube.NodeItem
	hl     map[string]map[int][]int
	cur    cursor
	sort   nodesSort
	// problemsOnly keeps the nodes where some DaemonSet is not well.
	problemsOnly bool
	filter       input
	best         string
	fidx         *filterIndex
	natural      []int
	nameMax      int
	width        int
	height       int
	// group, when set, keeps one group's nodes (enter in the grouped
	// list); src is then the whole list they were taken from.
	group *groupSel
	src   []kube.NodeItem
}

func newNodesList(c *common, snap kube.Snapshot) nodesList {
	v := nodesList{c: c, filter: newInput()}
	v.setSnapshot(snap)
	return v
}

// nodesFilter matches the node's name, and its pool, zone, taints or
// DaemonSets' health after their prefixes.
func nodesFilter() filterSpec {
	return filterSpec{name: 0, fields: []filterField{{prefix: "p:", title: "pool", col: 2}, {prefix: "z:", title: "zone", col: 3},
		{prefix: "t:", title: "taint", col: 4}, {prefix: "d:", title: "daemonsets", col: 6}}}
}

func nodesColumns() []column {
	return []column{
		{title: "NODE", priority: 20, flex: true, min: 12},
		{title: "STATUS", priority: 19},
		{title: "POOL", priority: 10, flex: true, min: 8},
		{title: "ZONE", priority: 9},
		{title: "TAINTS", priority: 6, flex: true, min: 10, mid: true},
		{title: "AGE", priority: 7, right: true},
		{title: "DAEMONSETS", priority: 18, flex: true, min: 34},
	}
}

// nodeStatus is kubectl's STATUS column for a node.
func nodeStatus(n kube.NodeItem) string {
	s := "Ready"
	if !n.Ready {
		s = "NotReady"
	}
	if n.Unschedulable {
		s += ",cordoned"
	}
	return s
}

// healthText pairs the summary with a symbol, so meaning never rests on
// colour.
func healthText(n kube.NodeItem) string {
	if n.Healthy() {
		return "✓ " + n.Summary()
	}
	return "✗ " + n.Summary()
}

func nodesCells(n kube.NodeItem, now func() string) []string {
	return []string{n.Name, nodeStatus(n), orDash(n.Pool), orDash(n.Zone), orDash(strings.Join(n.Taints, ",")), now(), healthText(n)}
}

func (v *nodesList) cells(n kube.NodeItem) []string {
	return nodesCells(n, func() string { return objectAge(v.c.now(), n.Created) })
}

func (v *nodesList) setSnapshot(s kube.Snapshot) {
	v.snap = s
	if s.NodeList == nil {
		return
	}
	// The watcher hands back the same list while nothing it is built
	// from changed: rows, widths and filter stand as they are.
	items := s.NodeList
	if v.group != nil {
		if v.loaded && len(s.NodeList) == len(v.src) && (len(v.src) == 0 || &s.NodeList[0] == &v.src[0]) {
			return
		}
		v.src = s.NodeList
		items = make([]kube.NodeItem, 0, len(s.NodeList))
		for _, n := range s.NodeList {
			if kube.InGroup(n.Labels, v.group.label, v.group.value, v.group.unset) {
				items = append(items, n)
			}
		}
	} else if v.loaded && len(s.NodeList) == len(v.items) && (len(v.items) == 0 || &s.NodeList[0] == &v.items[0]) {
		return
	}
	v.items, v.loaded = items, true
	v.fidx = nil
	v.natural = naturalWidths(len(nodesColumns()), len(v.items), func(i int) []string { return v.cells(v.items[i]) })
	v.nameMax = 0
	for _, n := range v.items {
		v.nameMax = max(v.nameMax, ansi.StringWidth(n.Name))
	}
	v.refresh()
}

func (v *nodesList) refresh() {
	v.rows = v.rows[:0]
	v.hl = map[string]map[int][]int{}
	defer v.fitRows()
	pattern := v.filter.value()
	var idx []int
	var hl map[int]map[int][]int
	if pattern == "" {
		idx, hl = filterRows("", len(v.items), nil, filterSpec{})
	} else {
		if v.fidx == nil {
			v.fidx = newFilterIndex(len(v.items), func(i int) []string { return v.cells(v.items[i]) }, nodesFilter())
		}
		idx, hl = v.fidx.filter(pattern)
	}
	v.best = ""
	for _, i := range idx {
		n := v.items[i]
		if v.problemsOnly && n.Healthy() && n.Ready {
			continue
		}
		if v.best == "" && pattern != "" {
			v.best = n.Name
		}
		v.rows = append(v.rows, n)
		if h := hl[i]; h != nil {
			v.hl[n.Name] = h
		}
	}
	if pattern == "" || v.sort != nodesSortHealth {
		slices.SortStableFunc(v.rows, func(a, b kube.NodeItem) int {
			var c int
			switch v.sort {
			case nodesSortHealth:
				c = cmp.Or(cmp.Compare(healthRank(a), healthRank(b)), cmp.Compare(len(b.Problems), len(a.Problems)))
			case nodesSortAge:
				c = b.Created.Compare(a.Created)
			case nodesSortPool:
				c = cmp.Or(strings.Compare(a.Pool, b.Pool), strings.Compare(a.Zone, b.Zone))
			}
			return cmp.Or(c, naturalCompare(a.Name, b.Name))
		})
	}
	keys := v.keys()
	v.cur.sync(keys)
}

// healthRank puts nodes with a DaemonSet in trouble first, then those
// NotReady or cordoned.
func healthRank(n kube.NodeItem) int {
	switch {
	case !n.Healthy():
		return 0
	case !n.Ready:
		return 1
	case n.Unschedulable:
		return 2
	}
	return 3
}

func (v *nodesList) fitRows() { v.cur.setHeight(v.height - len(v.header(v.width)) - 1) }

func (v *nodesList) keys() []string {
	keys := make([]string, len(v.rows))
	for i, r := range v.rows {
		keys[i] = r.Name
	}
	return keys
}

func (v nodesList) selected() (kube.NodeItem, bool) {
	if v.cur.pos < len(v.rows) {
		return v.rows[v.cur.pos], true
	}
	return kube.NodeItem{}, false
}

func (v nodesList) SetSize(width, height int) View {
	v.width, v.height = width, height
	v.fitRows()
	return v
}

func (v nodesList) typing() bool { return v.filter.editing }

func (v nodesList) inputLine(w int) string {
	return filterLine(v.c.st, v.c.keys, v.filter, w, "filter", nodesFilter().scope())
}

func (v nodesList) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case SnapshotMsg:
		v.setSnapshot(msg.Snapshot)
		if s := msg.Snapshot; s.Synced && s.NodeList == nil {
			// The request may have been overtaken by an older one.
			return v, v.c.listNodes(true)
		}
	case tea.KeyPressMsg:
		return v.key(msg)
	}
	return v, nil
}

func (v nodesList) key(msg tea.KeyPressMsg) (View, tea.Cmd) {
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
	case key.Matches(msg, k.Back) && v.group != nil:
		// The whole list beneath still needs the nodes computed.
		return pop(), nil
	case key.Matches(msg, k.Back):
		return pop(), v.c.listNodes(false)
	case key.Matches(msg, k.Group) && v.group == nil:
		return push(v, newNodeGroups(v.c, v.snap, "")), nil
	case key.Matches(msg, k.Sort):
		v.sort = (v.sort + 1) % nodesSortCount
		v.refresh()
	case key.Matches(msg, k.Problems):
		v.problemsOnly = !v.problemsOnly
		v.refresh()
	case key.Matches(msg, k.OpenNode):
		if n, ok := v.selected(); ok {
			return push(v, newNodeDS(v.c, v.snap, n.Name)), v.c.focusNode(n.Name)
		}
	case key.Matches(msg, k.Describe):
		return openPager(v, v.c, v.ref, "describe")
	case key.Matches(msg, k.YAML):
		return openPager(v, v.c, v.ref, "yaml")
	}
	return v, nil
}

func (v nodesList) ref() (kube.ObjectRef, bool) {
	if n, ok := v.selected(); ok {
		return kube.ObjectRef{Kind: kube.KindNode, Name: n.Name}, true
	}
	return kube.ObjectRef{}, false
}

// target: the nodes list has no DaemonSet of its own to act on.
func (v nodesList) target(a kube.Action) (actionTarget, string) {
	return actionTarget{action: a}, string(a) + ": select a DaemonSet (" + keyName(v.c.keys.OpenNode) + " on a node, or " + keyName(v.c.keys.Back) + " to the list)"
}

func (v nodesList) Keys() []key.Binding {
	k := v.c.keys
	if v.group != nil {
		return []key.Binding{k.Back, k.OpenNode, k.Problems, k.Filter, k.Sort, k.Describe, k.YAML}
	}
	return []key.Binding{k.Back, k.OpenNode, k.Problems, k.Filter, k.Sort, k.Group, k.Describe, k.YAML}
}

func (v nodesList) header(width int) []string {
	if !v.loaded {
		return []string{" loading nodes…"}
	}
	healthy, ready, cordoned := 0, 0, 0
	for _, n := range v.items {
		if n.Healthy() {
			healthy++
		}
		if n.Ready {
			ready++
		}
		if n.Unschedulable {
			cordoned++
		}
	}
	parts := []string{fmt.Sprintf("%d nodes", len(v.items)), fmt.Sprintf("%d with every DaemonSet ok", healthy)}
	if p := len(v.items) - healthy; p > 0 {
		parts = append(parts, fmt.Sprintf("%d with problems", p))
	}
	if nr := len(v.items) - ready; nr > 0 {
		parts = append(parts, fmt.Sprintf("%d NotReady", nr))
	}
	if cordoned > 0 {
		parts = append(parts, fmt.Sprintf("%d cordoned", cordoned))
	}
	label := " " + strings.Join(parts, " · ")
	bw := min(30, max(width-ansi.StringWidth(label)-2, 0))
	if bw < 5 {
		return []string{label}
	}
	return []string{" " + bar(healthy, len(v.items), bw) + label}
}

func (v nodesList) View(width, height int) string {
	st := v.c.st
	out := []string{}
	for _, h := range v.header(width) {
		out = append(out, st.title.Render(fit(h, width, false)))
	}
	cols := nodesColumns()
	cols[0].min = max(cols[0].min, min(v.nameMax, 40))
	if len(v.rows) == 0 {
		msg := " No nodes"
		switch {
		case !v.loaded:
			msg = " …"
		case len(v.items) == 0 && !v.snap.Access.Nodes:
			msg = " No nodes: no permission to list nodes (:nodes NAME opens one node's DaemonSets by its pods)"
		case v.filter.value() != "":
			msg += " match “" + v.filter.value() + "”"
		case v.problemsOnly:
			msg = " No problems: every node runs each DaemonSet it should, current and ready"
		}
		return strings.Join(append(out, emptyTable(st, cols, width, msg)...), "\n")
	}
	start, end := v.cur.window()
	keep, widths, titles := layoutFor(cols, v.natural, width)
	out = append(out, st.header.Render(fit(headerRow(cols, keep, widths, titles), width, false)))
	for i, n := range v.rows[start:end] {
		line := fit(renderRow(cols, keep, widths, v.cells(n), v.hl[n.Name]), width, false)
		switch {
		case start+i == v.cur.pos:
			line = st.selected.Render(line)
		case !n.Healthy() || !n.Ready:
			line = st.bad.Render(line)
		case n.Unschedulable:
			line = st.warn.Render(line)
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func (v nodesList) Title() string {
	s := "nodes"
	if v.group != nil {
		s += " · " + v.group.name()
	}
	if v.problemsOnly {
		s += " · problems only"
	}
	return s + " · sort: " + v.sort.String()
}

// nodeDSView is one node's view: every DaemonSet in scope, judged on
// this node with the node view's states and reasons.
type nodeDSView struct {
	c    *common
	node string
	// cluster and server are where the rows came from: actions bind to them.
	cluster, server string
	allNS           bool
	view            *kube.NodeDaemonSets
	// ds are the list's rows by key, for what actions show.
	ds           map[string]kube.DaemonSetRow
	rows         []kube.NodeDSRow
	hl           map[string]map[int][]int
	cur          cursor
	sort         nodeSort
	problemsOnly bool
	filter       input
	best         string
	natural      []int
	nameMax      int
	width        int
	height       int
}

// newNodeDS is node's view, filled from snap when the source already
// computes it.
func newNodeDS(c *common, snap kube.Snapshot, node string) nodeDSView {
	v := nodeDSView{c: c, node: node, filter: newInput()}
	v.setSnapshot(snap)
	return v
}

// nodeDSFilter matches the DaemonSet, and its reason, state, revision or
// namespace after their prefixes.
func nodeDSFilter() filterSpec {
	return filterSpec{name: 1, fields: []filterField{{prefix: "r:", title: "reason", col: 8}, {prefix: "s:", title: "state", col: 2}, {prefix: "v:", title: "revision", col: 4}, {prefix: "n:", title: "namespace", col: 0}}}
}

// nodeDSColumns are the node view's columns with the DaemonSet, and in
// every namespace its namespace, in place of the node.
func (v nodeDSView) columns() []column {
	cols := append([]column{{title: "NAMESPACE", short: "NS", priority: 4, hidden: !v.allNS}}, nodeColumns()...)
	cols[1].title = "DAEMONSET"
	cols[1].min = max(cols[1].min, min(v.nameMax, 20))
	return cols
}

func (v nodeDSView) cells(r kube.NodeDSRow) []string {
	return append([]string{r.Namespace, r.Name}, nodeCells(&r.NodeRow, v.c.now())[1:]...)
}

func (v *nodeDSView) setSnapshot(s kube.Snapshot) {
	v.cluster, v.server, v.allNS = s.Context, s.Server, s.Namespace == ""
	v.ds = make(map[string]kube.DaemonSetRow, len(s.DaemonSets))
	for _, r := range s.DaemonSets {
		v.ds[r.Key()] = r
	}
	if s.NodeFocus == v.node && s.NodeDetail != nil {
		v.view = s.NodeDetail
		v.natural = naturalWidths(len(v.columns()), len(v.view.Rows), func(i int) []string { return v.cells(v.view.Rows[i]) })
		v.nameMax = 0
		for _, r := range v.view.Rows {
			v.nameMax = max(v.nameMax, ansi.StringWidth(r.Name))
		}
		v.refresh()
	}
}

func (v *nodeDSView) refresh() {
	v.rows = v.rows[:0]
	v.hl = map[string]map[int][]int{}
	defer v.fitRows()
	if v.view == nil {
		v.cur.sync(nil)
		return
	}
	var base []kube.NodeDSRow
	for _, r := range v.view.Rows {
		if v.problemsOnly && !r.State.Problem() {
			continue
		}
		base = append(base, r)
	}
	pattern := v.filter.value()
	idx, hl := filterRows(pattern, len(base), func(i int) []string { return v.cells(base[i]) }, nodeDSFilter())
	v.best = ""
	if pattern != "" && len(idx) > 0 {
		v.best = base[idx[0]].Key()
	}
	for _, i := range idx {
		v.rows = append(v.rows, base[i])
		if h := hl[i]; h != nil {
			v.hl[base[i].Key()] = h
		}
	}
	if pattern == "" || v.sort != nodeSortState {
		slices.SortStableFunc(v.rows, func(a, b kube.NodeDSRow) int {
			var c int
			switch v.sort {
			case nodeSortState:
				c = cmp.Compare(a.State.Rank(), b.State.Rank())
			case nodeSortAge:
				c = b.Created.Compare(a.Created)
			}
			return cmp.Or(c, strings.Compare(a.Name, b.Name), strings.Compare(a.Namespace, b.Namespace))
		})
	}
	v.cur.sync(v.keys())
}

func (v *nodeDSView) fitRows() { v.cur.setHeight(v.height - len(v.header(v.width)) - 1) }

func (v *nodeDSView) keys() []string {
	keys := make([]string, len(v.rows))
	for i, r := range v.rows {
		keys[i] = r.Key()
	}
	return keys
}

func (v nodeDSView) selected() (kube.NodeDSRow, bool) {
	if v.cur.pos < len(v.rows) {
		return v.rows[v.cur.pos], true
	}
	return kube.NodeDSRow{}, false
}

// asNodeView is the selected row as a one-row node view of its
// DaemonSet: info, logs and the actions take the node view's paths.
func (v nodeDSView) asNodeView() (nodeView, bool) {
	r, ok := v.selected()
	if !ok {
		return nodeView{}, false
	}
	ds, found := v.ds[r.Key()]
	if !found {
		ds = kube.DaemonSetRow{Namespace: r.Namespace, Name: r.Name}
	}
	return nodeView{c: v.c, ns: r.Namespace, name: r.Name, cluster: v.cluster, server: v.server, ds: ds,
		base: []*kube.NodeRow{&r.NodeRow}, order: []int{0}, width: v.width, height: v.height}, true
}

// via runs one of the node view's openers on the selected row and keeps
// this view under what it opens.
func (v nodeDSView) via(open func(nodeView) (View, tea.Cmd)) (View, tea.Cmd) {
	nv, ok := v.asNodeView()
	if !ok {
		return flash(v, "nothing selected"), nil
	}
	out, cmd := open(nv)
	if r, ok := out.(reply); ok {
		r.view = v
		return r, cmd
	}
	return v, cmd
}

func (v nodeDSView) SetSize(width, height int) View {
	v.width, v.height = width, height
	v.fitRows()
	return v
}

func (v nodeDSView) typing() bool { return v.filter.editing }

func (v nodeDSView) inputLine(w int) string {
	return filterLine(v.c.st, v.c.keys, v.filter, w, "filter", nodeDSFilter().scope())
}

func (v nodeDSView) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case SnapshotMsg:
		v.setSnapshot(msg.Snapshot)
		if s := msg.Snapshot; s.Synced && s.NodeFocus != v.node {
			// The request may have been overtaken by an older one.
			return v, v.c.focusNode(v.node)
		}
	case tea.KeyPressMsg:
		return v.key(msg)
	}
	return v, nil
}

func (v nodeDSView) key(msg tea.KeyPressMsg) (View, tea.Cmd) {
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
		return pop(), v.c.focusNode("")
	case key.Matches(msg, k.Sort):
		v.sort = (v.sort + 1) % nodeSortCount
		v.refresh()
	case key.Matches(msg, k.Problems):
		v.problemsOnly = !v.problemsOnly
		v.refresh()
	case key.Matches(msg, k.Describe):
		return openPager(v, v.c, v.ref, "describe")
	case key.Matches(msg, k.YAML):
		return openPager(v, v.c, v.ref, "yaml")
	case key.Matches(msg, k.Logs):
		return v.via(nodeView.openLogs)
	case key.Matches(msg, k.Info):
		return v.via(nodeView.openInfo)
	case key.Matches(msg, k.History):
		nv, ok := v.asNodeView()
		return openHistory(v, v.c, nv.ds, ok, v.cluster, v.server)
	}
	return v, nil
}

// ref is what describe and YAML show: the row's pod, or its DaemonSet
// when it has none here.
func (v nodeDSView) ref() (kube.ObjectRef, bool) {
	r, ok := v.selected()
	switch {
	case !ok:
		return kube.ObjectRef{}, false
	case r.Pod != "":
		return kube.ObjectRef{Kind: kube.KindPod, Namespace: r.Namespace, Name: r.Pod}, true
	}
	return kube.ObjectRef{Kind: kube.KindDaemonSet, Namespace: r.Namespace, Name: r.Name}, true
}

// target is the node view's: the row's DaemonSet, or for delete its pod
// on this node.
func (v nodeDSView) target(a kube.Action) (actionTarget, string) {
	nv, ok := v.asNodeView()
	if !ok {
		if a == kube.ActCreate {
			return actionTarget{action: a, namespace: "default"}, ""
		}
		return actionTarget{action: a}, string(a) + ": no DaemonSet selected"
	}
	return nv.target(a)
}

func (v nodeDSView) Keys() []key.Binding {
	k := v.c.keys
	return []key.Binding{k.Back, k.Problems, k.Describe, k.YAML, k.Info, k.Logs, k.Filter, k.Sort, k.Delete, k.Shell}
}

func (v nodeDSView) header(width int) []string {
	if v.view == nil {
		return []string{" node " + v.node + ": loading…"}
	}
	n := v.view.Node
	facts := []string{"node " + n.Name}
	switch {
	case !v.view.Found && !v.view.Access.Nodes:
		facts = append(facts, "no permission to list nodes: DaemonSets with a pod here only")
	case !v.view.Found:
		facts = append(facts, "not found (deleted?)")
	case n.Ready:
		facts = append(facts, "Ready")
	default:
		facts = append(facts, "NotReady ("+n.NotReadyWhy+")")
	}
	if n.Unschedulable {
		facts = append(facts, "cordoned")
	}
	if n.Pool != "" {
		facts = append(facts, "pool "+n.Pool)
	}
	if n.Zone != "" {
		facts = append(facts, "zone "+n.Zone)
	}
	if v.view.Found {
		facts = append(facts, "age "+age(v.c.now(), n.Created))
	}
	lines := []string{" " + strings.Join(facts, " · ")}
	if len(n.Taints) > 0 {
		lines = append(lines, " taints: "+strings.Join(n.Taints, ", "))
	}
	label := " " + healthText(n)
	bw := min(30, max(width-ansi.StringWidth(label)-2, 0))
	if bw >= 5 && n.Should > 0 {
		label = " " + bar(n.OK, n.Should, bw) + label
	}
	return append(lines, label)
}

func (v nodeDSView) View(width, height int) string {
	st := v.c.st
	out := []string{}
	for _, h := range v.header(width) {
		out = append(out, st.title.Render(fit(h, width, false)))
	}
	cols := v.columns()
	if len(v.rows) == 0 {
		msg := " No DaemonSets"
		switch {
		case v.view == nil:
			msg = " …"
		case v.filter.value() != "":
			msg += " match “" + v.filter.value() + "”"
		case v.problemsOnly:
			msg = " No problems: every DaemonSet that should run here is current and ready"
		}
		return strings.Join(append(out, emptyTable(st, cols, width, msg)...), "\n")
	}
	start, end := v.cur.window()
	keep, widths, titles := layoutFor(cols, v.natural, width)
	out = append(out, st.header.Render(fit(headerRow(cols, keep, widths, titles), width, false)))
	for i, r := range v.rows[start:end] {
		line := fit(renderRow(cols, keep, widths, v.cells(r), v.hl[r.Key()]), width, false)
		switch {
		case start+i == v.cur.pos:
			line = st.selected.Render(line)
		case r.State == kube.StateFailed || r.State == kube.StateMissing || r.State == kube.StateMisscheduled:
			line = st.bad.Render(line)
		case r.State == kube.StateProgressing || r.State == kube.StateOutdated || r.State == kube.StateTerminating:
			line = st.warn.Render(line)
		case r.State == kube.StateIneligible || r.State == kube.StateOrphaned:
			line = st.dim.Render(line)
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func (v nodeDSView) Title() string {
	s := "node " + v.node
	if v.problemsOnly {
		s += " · problems only"
	}
	sort := v.sort.String()
	if v.sort == nodeSortNode {
		sort = "daemonset"
	}
	return s + " · sort: " + sort
}
