package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/kube"
)

// groupSel names one group: the rows whose node has label = value, or
// lacks the label (unset).
type groupSel struct {
	label, value string
	unset        bool
}

func (g groupSel) name() string {
	if g.unset {
		return "no " + g.label
	}
	return g.label + "=" + g.value
}

func (g groupSel) keep(r *kube.NodeRow) bool {
	return kube.InGroup(r.Labels, g.label, g.value, g.unset)
}

// groupView is a DaemonSet's nodes grouped by a node label: one line per
// value with its counts per state and a stacked bar. Without a label it
// first offers the labels found on the nodes (zone, pools, instance
// type) and a field to type any other.
type groupView struct {
	c        *common
	ns, name string
	view     *kube.NodeView
	grouping
	width  int
	height int
}

// newGroups groups view's nodes (the node view's, nil until it comes) by
// label; "" offers a choice first.
func newGroups(c *common, ns, name string, view *kube.NodeView, label string) groupView {
	g := groupView{c: c, ns: ns, name: name, grouping: grouping{label: label, typed: newInput()}, view: view}
	g.refresh()
	return g
}

func (g *groupView) setSnapshot(s kube.Snapshot) {
	if s.Focus == "" || s.Focus != g.ns+"/"+g.name {
		return
	}
	g.view = s.Detail
	g.refresh()
}

func (g *groupView) refresh() {
	if g.view == nil {
		g.regroup(nil, nil)
		return
	}
	rows := g.view.Rows
	g.regroup(kube.LabelCandidates(rows, func(r *kube.NodeRow) map[string]string { return r.Labels }),
		func(label string) []kube.Group { return kube.GroupNodeRows(rows, label) })
}

func (g groupView) SetSize(width, height int) View {
	g.width, g.height = width, height
	g.setHeight(height)
	return g
}

func (g groupView) inputLine(w int) string { return g.labelLine(g.c.keys, w) }

func (g groupView) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case SnapshotMsg:
		g.setSnapshot(msg.Snapshot)
	case tea.KeyPressMsg:
		return g.key(msg)
	}
	return g, nil
}

func (g groupView) key(msg tea.KeyPressMsg) (View, tea.Cmd) {
	step, err := g.grouping.key(msg, g.c.keys)
	switch {
	case err != nil:
		return flash(g, "group: "+err.Error()), nil
	case step == stepBack:
		return pop(), nil
	case step == stepRegroup:
		g.refresh()
	case step == stepOpen:
		return push(g, newGroupNodes(g.c, g.ns, g.name, g.view, g.selected())), nil
	}
	return g, nil
}

func (g groupView) Title() string {
	s := fmt.Sprintf("%s/%s · nodes by ", g.ns, g.name)
	if g.label == "" {
		return s + "label"
	}
	s += g.label
	if g.problemsOnly {
		s += " · problems only"
	}
	return s
}

func (g groupView) Keys() []key.Binding { return g.grouping.keys(g.c.keys) }

func (g groupView) View(width, height int) string {
	st, k := g.c.st, g.c.keys
	if g.view == nil {
		return st.dim.Render(fit(fmt.Sprintf(" %s/%s: waiting for its nodes", g.ns, g.name), width, false))
	}
	if g.label == "" {
		out := g.chooser(st, k, fmt.Sprintf(" Group the %d nodes of %s/%s by a label", len(g.view.Rows), g.ns, g.name), width)
		switch {
		case !g.view.Access.Nodes:
			out = append(out, st.warn.Render(fit(" (no permission to list nodes: their labels are unknown)", width, false)))
		case len(g.candidates) == 0:
			out = append(out, st.dim.Render(fit(" (no zone or node-pool label on these nodes)", width, false)))
		}
		return strings.Join(out, "\n")
	}
	// Columns: GROUP, NODES, CURRENT (current/eligible), the bar, the counts.
	return g.table(st, len(g.view.Rows), "CURRENT", "STATES", width)
}

// groupLine is one group: its name, nodes, current/eligible, the stacked
// bar (barW 0 for none) and the counts per state; coloured by its worst
// state unless selected. Any list of groups draws its lines with it.
func groupLine(st styles, gr kube.Group, nameW, barW, width int, selected bool) string {
	cur := strconv.Itoa(gr.ByState[kube.StateCurrent]) + "/" + strconv.Itoa(gr.Eligible())
	line := fmt.Sprintf(" %s %5d %9s", fit(gr.Name(), nameW, false), gr.Nodes(), cur)
	if barW > 0 {
		line += " " + stackedBar(gr.ByState, barW)
	}
	line = fit(line+" "+kube.StateCounts(gr.ByState), width, false)
	switch {
	case selected:
		return st.selected.Render(line)
	case gr.ByState[kube.StateFailed]+gr.ByState[kube.StateMissing]+gr.ByState[kube.StateMisscheduled] > 0:
		return st.bad.Render(line)
	case gr.Problems() > 0:
		return st.warn.Render(line)
	}
	return line
}

// stackedBar draws a group's states as one bar of width cells, each class
// with its own glyph so that colour is never the only sign: current █,
// on the way (outdated, progressing, terminating) ▓, broken (failed,
// missing, misscheduled) ▒, the rest (ineligible, orphaned, unknown) ░.
// Every class with a node gets at least one cell.
func stackedBar(byState map[kube.NodeState]int, width int) string {
	classes := []struct {
		glyph  string
		states []kube.NodeState
	}{
		{"█", []kube.NodeState{kube.StateCurrent}},
		{"▓", []kube.NodeState{kube.StateOutdated, kube.StateProgressing, kube.StateTerminating}},
		{"▒", []kube.NodeState{kube.StateFailed, kube.StateMissing, kube.StateMisscheduled}},
		{"░", []kube.NodeState{kube.StateIneligible, kube.StateOrphaned, kube.StateUnknown}},
	}
	counts := make([]int, len(classes))
	total := 0
	for i, c := range classes {
		for _, s := range c.states {
			counts[i] += byState[s]
		}
		total += counts[i]
	}
	if total == 0 || width <= 0 {
		return strings.Repeat(" ", max(width, 0))
	}
	cells := make([]int, len(classes))
	used := 0
	for i, n := range counts {
		if n > 0 {
			cells[i] = max(n*width/total, 1)
			used += cells[i]
		}
	}
	// Rounding: the largest class takes up the difference.
	big := 0
	for i := range counts {
		if counts[i] > counts[big] {
			big = i
		}
	}
	cells[big] = max(cells[big]+width-used, 1)
	var b strings.Builder
	for i, c := range classes {
		b.WriteString(strings.Repeat(c.glyph, cells[i]))
	}
	return fit(b.String(), width, false)
}

// newGroupNodes is the node view of one group's nodes: the DaemonSet's
// node view with only them, problems-only and the filter as ever.
func newGroupNodes(c *common, ns, name string, view *kube.NodeView, sel groupSel) nodeView {
	v := nodeView{c: c, ns: ns, name: name, filter: newInput(), group: &sel}
	v.ds = kube.DaemonSetRow{Namespace: ns, Name: name}
	if view != nil {
		v.view = view.Subset(sel.keep)
	}
	v.refresh()
	return v
}
