package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/kube"
)

// listSort is a sort order of the DaemonSet list.
type listSort int

const (
	sortByName listSort = iota
	sortByStatus
	sortByDesired
	sortByProgress
	sortByAge
	listSortCount
)

func (s listSort) String() string {
	return [...]string{"name", "status", "desired", "progress", "age"}[s]
}

// listView is the DaemonSet list, the bottom of the stack.
type listView struct {
	c      *common
	snap   kube.Snapshot
	all    []kube.DaemonSetRow
	rows   []kube.DaemonSetRow // filtered and sorted
	hl     map[string]map[int][]int
	cur    cursor
	sort   listSort
	filter input
	// best is the best match of the filter ("" without one): typing
	// selects it.
	best string
	// natural is the widest cell per column over every DaemonSet.
	natural []int
	height  int
	// problemsOnly names the DaemonSet whose node view was last closed
	// showing problems only: opening it again shows them only again.
	problemsOnly string
}

func newList(c *common, snap kube.Snapshot) listView {
	l := listView{c: c, filter: newInput()}
	l.setSnapshot(snap)
	return l
}

// listFilter matches NAME, and NAMESPACE after "ns:".
func listFilter() filterSpec {
	return filterSpec{name: 1, fields: []filterField{{prefix: "ns:", title: "namespace", col: 0}}}
}

func (l *listView) setSnapshot(s kube.Snapshot) {
	l.snap = s
	l.all = s.DaemonSets
	l.refresh()
}

// refresh reapplies filter and sort; the cursor stays on its DaemonSet.
func (l *listView) refresh() {
	now := l.c.now()
	cellsOf := func(i int) []string { return listCells(l.all[i], now) }
	l.natural = naturalWidths(len(listColumns(true)), len(l.all), cellsOf)
	idx, hl := filterRows(l.filter.value(), len(l.all), cellsOf, listFilter())
	l.rows = l.rows[:0]
	l.hl = map[string]map[int][]int{}
	l.best = ""
	if l.filter.value() != "" && len(idx) > 0 {
		l.best = l.all[idx[0]].Key()
	}
	for _, i := range idx {
		l.rows = append(l.rows, l.all[i])
		if h := hl[i]; h != nil {
			l.hl[l.all[i].Key()] = h
		}
	}
	if l.filter.value() == "" || l.sort != sortByName {
		l.sortRows()
	}
	l.cur.sync(l.keys())
}

func (l *listView) sortRows() {
	progress := func(r kube.DaemonSetRow) float64 {
		if r.Desired == 0 {
			return 1
		}
		return float64(min(r.UpToDate, r.Available)) / float64(r.Desired)
	}
	markRank := map[string]int{kube.MarkStalled: 0, kube.MarkMisscheduled: 1, kube.MarkDrift: 2, kube.MarkRolling: 2, kube.MarkDeleting: 3, kube.MarkComplete: 4}
	slices.SortStableFunc(l.rows, func(a, b kube.DaemonSetRow) int {
		var c int
		switch l.sort {
		case sortByStatus:
			c = cmp.Compare(markRank[a.Mark], markRank[b.Mark])
		case sortByDesired:
			c = cmp.Compare(b.Desired, a.Desired)
		case sortByProgress:
			c = cmp.Compare(progress(a), progress(b))
		case sortByAge:
			c = b.Created.Compare(a.Created)
		}
		if c != 0 {
			return c
		}
		return strings.Compare(a.Key(), b.Key())
	})
}

func (l *listView) keys() []string {
	k := make([]string, len(l.rows))
	for i, r := range l.rows {
		k[i] = r.Key()
	}
	return k
}

func (l listView) selected() (kube.DaemonSetRow, bool) {
	if l.cur.pos < len(l.rows) {
		return l.rows[l.cur.pos], true
	}
	return kube.DaemonSetRow{}, false
}

func (l listView) SetSize(width, height int) View {
	l.height = height
	// One line is the table's header.
	l.cur.setHeight(height - 1)
	return l
}

func (l listView) typing() bool { return l.filter.editing }

func (l listView) inputLine(w int) string {
	return filterLine(l.c.st, l.c.keys, l.filter, w, "filter", listFilter().scope())
}

func (l listView) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case SnapshotMsg:
		l.setSnapshot(msg.Snapshot)
	case closedMsg:
		if n, ok := msg.view.(nodeView); ok {
			l.problemsOnly = ""
			if n.problemsOnly {
				l.problemsOnly = n.ns + "/" + n.name
			}
		}
	case tea.KeyPressMsg:
		return l.key(msg)
	}
	return l, nil
}

func (l listView) key(msg tea.KeyPressMsg) (View, tea.Cmd) {
	k := l.c.keys
	if handled, changed := l.filter.filterKey(msg, k); handled {
		if changed {
			l.refresh()
			l.cur.selectKey(l.best, l.keys())
		}
		return l, nil
	}
	keys := l.keys()
	switch {
	case scrollKey(msg, k, max(l.height-1, 1), len(keys), func(d int) { l.cur.moveBy(d, keys) }):
	case key.Matches(msg, k.Sort):
		l.sort = (l.sort + 1) % listSortCount
		l.refresh()
	case key.Matches(msg, k.Enter):
		if r, ok := l.selected(); ok {
			n := newNodes(l.c, l.snap, r.Namespace, r.Name)
			if l.problemsOnly == r.Key() {
				n.problemsOnly = true
				n.refresh()
			}
			return push(l, n), l.c.focus(r.Namespace, r.Name)
		}
	case key.Matches(msg, k.Nodes):
		return push(l, newNodesList(l.c, l.snap)), l.c.listNodes(true)
	case key.Matches(msg, k.Timeline):
		if r, ok := l.selected(); ok {
			var v *kube.NodeView
			if l.snap.Focus == r.Key() {
				v = l.snap.Detail
			}
			return push(l, newTimeline(l.c, r.Namespace, r.Name, v, r, true)), l.c.focus(r.Namespace, r.Name)
		}
	case key.Matches(msg, k.Describe):
		return openPager(l, l.c, l.ref, "describe")
	case key.Matches(msg, k.YAML):
		return openPager(l, l.c, l.ref, "yaml")
	case key.Matches(msg, k.Logs):
		return flash(l, "logs: select a node row with a pod ("+keyName(k.Enter)+" on a DaemonSet first)"), nil
	case key.Matches(msg, k.History):
		r, ok := l.selected()
		return openHistory(l, l.c, r, ok, l.snap.Context, l.snap.Server)
	}
	return l, nil
}

// ref is the object describe and YAML act on: the selected DaemonSet.
func (l listView) ref() (kube.ObjectRef, bool) {
	if r, ok := l.selected(); ok {
		return kube.ObjectRef{Kind: kube.KindDaemonSet, Namespace: r.Namespace, Name: r.Name}, true
	}
	return kube.ObjectRef{}, false
}

// target is what action a acts on from the list: the selected
// DaemonSet; create goes to the list's namespace. A non-empty string
// says why there is none.
func (l listView) target(a kube.Action) (actionTarget, string) {
	t := actionTarget{action: a}
	r, ok := l.selected()
	if a == kube.ActCreate {
		t.namespace = l.snap.Namespace
		if ok && t.namespace == "" {
			t.namespace = r.Namespace
		}
		if t.namespace == "" {
			t.namespace = "default"
		}
		return t, ""
	}
	if isStream(a) {
		return t, string(a) + ": select a node row with a pod (" + keyName(l.c.keys.Enter) + " on a DaemonSet first)"
	}
	if !ok {
		return t, string(a) + ": no DaemonSet selected"
	}
	t.namespace, t.name, t.pods, t.strategy, t.uid = r.Namespace, r.Name, r.Current, r.Strategy, r.UID
	return t, ""
}

func (l listView) Keys() []key.Binding {
	k := l.c.keys
	return []key.Binding{k.Enter, k.Describe, k.YAML, k.Filter, k.Sort, k.Edit, k.Delete, k.History, k.Timeline}
}

func listColumns(allNamespaces bool) []column {
	cols := []column{
		{title: "NAMESPACE", priority: 20, flex: true, min: 11, mid: true},
		{title: "NAME", priority: 20, flex: true, min: 14, mid: true},
		{title: "DESIRED", short: "DES", priority: 19, right: true},
		{title: "CURRENT", short: "CUR", priority: 8, right: true},
		{title: "READY", short: "RDY", priority: 18, right: true},
		{title: "UP-TO-DATE", short: "UPD", priority: 17, right: true},
		{title: "AVAILABLE", short: "AVL", priority: 9, right: true},
		{title: "MISSCHEDULED", short: "MIS", priority: 10, right: true},
		{title: "ROLLOUT", priority: 16},
		{title: "STATUS", priority: 15},
		{title: "STRATEGY", short: "STRAT", priority: 4},
		{title: "AGE", priority: 6, right: true},
		{title: "IMAGES", priority: 3, flex: true, min: 12},
	}
	// With -A the namespace tells same-named DaemonSets apart: it is
	// kept as long as the name; in one namespace it says nothing.
	cols[0].hidden = !allNamespaces
	return cols
}

// markText pairs each mark with a symbol so meaning never rests on colour.
func markText(mark string) string {
	switch mark {
	case kube.MarkComplete:
		return "✓ complete"
	case kube.MarkRolling:
		return "↻ rolling"
	case kube.MarkStalled:
		return "✗ stalled"
	case kube.MarkMisscheduled:
		return "⚠ misscheduled"
	case kube.MarkDeleting:
		return "⌫ deleting"
	}
	return mark
}

// rowMarkText is the row's mark, "blocked" when its rollout waits on new
// pods that are not ready for a reason of their own (the node view says
// which and why).
func rowMarkText(r kube.DaemonSetRow) string {
	if r.Blocked != "" && (r.Mark == kube.MarkRolling || r.Mark == kube.MarkStalled) {
		return "✗ blocked"
	}
	if r.Mark == kube.MarkDrift {
		// It never moves on its own: the count says how many pods wait
		// for someone to delete them, whatever columns are shown.
		return fmt.Sprintf("⚠ drift %d (OnDelete)", r.Current-r.UpToDate)
	}
	return markText(r.Mark)
}

func strategyText(s string) string {
	if s == "RollingUpdate" {
		return "Rolling"
	}
	return s
}

func listCells(r kube.DaemonSetRow, now time.Time) []string {
	n := func(v int32) string { return strconv.Itoa(int(v)) }
	return []string{
		r.Namespace, r.Name, n(r.Desired), n(r.Current), n(r.Ready), n(r.UpToDate), n(r.Available), n(r.Misscheduled),
		bar(int(min(r.UpToDate, r.Available)), int(r.Desired), 10),
		rowMarkText(r), strategyText(r.Strategy), objectAge(now, r.Created), strings.Join(r.Images, ","),
	}
}

// View draws the header and the visible rows.
func (l listView) View(width, height int) string {
	return strings.Join(l.render(width, height), "\n")
}

func (l listView) render(width, height int) []string {
	st, now, snap := l.c.st, l.c.now(), l.snap
	cols := listColumns(snap.Namespace == "")
	if len(l.rows) == 0 {
		msg := " No DaemonSets"
		switch {
		case len(snap.Hidden) > 0 && !snap.Access.DaemonSets:
			msg = " Cannot show DaemonSets: " + snap.Hidden[0]
		case !snap.Synced:
			msg = fmt.Sprintf(" Syncing context %s: %d nodes, %d daemon pods so far…", snap.Context, snap.Nodes, snap.Pods)
		case l.filter.value() != "":
			msg += " match “" + l.filter.value() + "”"
		case snap.Namespace != "":
			msg += " in namespace " + snap.Namespace + " (:ns picks another, -A shows every namespace)"
		}
		return emptyTable(st, cols, width, msg)
	}
	start, end := l.cur.window()
	cells := make([][]string, 0, end-start)
	for _, r := range l.rows[start:end] {
		cells = append(cells, listCells(r, now))
	}
	// Widths come from every row (refresh measured them), so the columns
	// hold still while the page scrolls.
	keep, widths, titles := layoutFor(cols, l.natural, width)
	out := []string{st.header.Render(fit(headerRow(cols, keep, widths, titles), width, false))}
	for i, c := range cells {
		r := l.rows[start+i]
		line := fit(renderRow(cols, keep, widths, c, l.hl[r.Key()]), width, false)
		switch {
		case start+i == l.cur.pos:
			line = st.selected.Render(line)
		case r.Terminating:
			line = st.dim.Render(line)
		case r.Mark == kube.MarkStalled || r.Mark == kube.MarkMisscheduled || r.Blocked != "":
			line = st.bad.Render(line)
		case r.Mark == kube.MarkRolling || r.Mark == kube.MarkDrift:
			line = st.warn.Render(line)
		}
		out = append(out, line)
	}
	return out
}

// Title is the list's part of the title bar.
func (l listView) Title() string {
	s := fmt.Sprintf("%d %s", len(l.all), daemonSets(len(l.all)))
	if l.filter.value() != "" {
		s = fmt.Sprintf("%d of %d %s", len(l.rows), len(l.all), daemonSets(len(l.all)))
	}
	return s + " · sort: " + l.sort.String()
}

// daemonSets is the noun for n of them.
func daemonSets(n int) string {
	if n == 1 {
		return "DaemonSet"
	}
	return "DaemonSets"
}
