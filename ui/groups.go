package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

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

func (g groupSel) keep(r kube.NodeRow) bool { return kube.InGroup(r.Labels, g.label, g.value, g.unset) }

// groupView is a DaemonSet's nodes grouped by a node label: one line per
// value with its counts per state and a stacked bar. Without a label it
// first offers the labels found on the nodes (zone, pools, instance
// type) and a field to type any other.
type groupView struct {
	c        *common
	ns, name string
	view     *kube.NodeView
	// label is what the nodes are grouped by; "" while choosing.
	label      string
	candidates []kube.LabelCandidate
	choose     scroller
	typed      input
	groups     []kube.Group
	shown      []int
	cur        scroller
	// problemsOnly hides groups where every node is fine.
	problemsOnly bool
	width        int
	height       int
}

// newGroups groups view's nodes (the node view's, nil until it comes) by
// label; "" offers a choice first.
func newGroups(c *common, ns, name string, view *kube.NodeView, label string) groupView {
	g := groupView{c: c, ns: ns, name: name, label: label, typed: newInput(), view: view}
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
	g.candidates, g.groups, g.shown = nil, nil, g.shown[:0]
	if g.view == nil {
		g.choose.setLen(1)
		g.cur.setLen(0)
		return
	}
	rows := g.view.Rows
	g.candidates = kube.LabelCandidates(rows, func(r kube.NodeRow) map[string]string { return r.Labels })
	// The last choice is "another label", typed.
	g.choose.setLen(len(g.candidates) + 1)
	if g.label == "" {
		return
	}
	g.groups = kube.GroupNodeRows(rows, g.label)
	for i, gr := range g.groups {
		if !g.problemsOnly || gr.Problems() > 0 {
			g.shown = append(g.shown, i)
		}
	}
	g.cur.setLen(len(g.shown))
}

// headerLines is how many lines come before the rows.
const groupHeaderLines = 2

func (g groupView) SetSize(width, height int) View {
	g.width, g.height = width, height
	g.cur.setHeight(height - groupHeaderLines)
	g.choose.setHeight(height - groupHeaderLines)
	return g
}

func (g groupView) typing() bool { return g.typed.editing }

func (g groupView) inputLine(w int) string {
	if !g.typed.editing {
		return ""
	}
	k := g.c.keys
	return fit(" label: "+g.typed.text()+"  ("+keyName(k.Enter)+": group · "+keyName(k.Back)+": cancel)", w, false)
}

func (g groupView) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case SnapshotMsg:
		g.setSnapshot(msg.Snapshot)
	case tea.KeyPressMsg:
		return g.key(msg)
	}
	return g, nil
}

// setLabel groups by label, or says why it cannot.
func (g groupView) setLabel(label string) (View, tea.Cmd) {
	label = strings.TrimSpace(label)
	if err := kube.ValidateLabelKey(label); err != nil {
		return flash(g, "group: "+err.Error()), nil
	}
	g.label = label
	g.cur = scroller{height: g.cur.height}
	g.refresh()
	return g, nil
}

func (g groupView) key(msg tea.KeyPressMsg) (View, tea.Cmd) {
	k := g.c.keys
	if g.typed.editing {
		switch g.typed.update(msg, k) {
		case inputDone:
			label := g.typed.value()
			g.typed.clear()
			return g.setLabel(label)
		}
		return g, nil
	}
	if g.label == "" {
		n := len(g.candidates) + 1
		switch {
		case key.Matches(msg, k.Back):
			return pop(), nil
		case key.Matches(msg, k.Filter):
			g.typed.start()
		case scrollKey(msg, k, g.choose.height, n, g.choose.move):
		case key.Matches(msg, k.Enter):
			if g.choose.pos < len(g.candidates) {
				return g.setLabel(g.candidates[g.choose.pos].Label)
			}
			g.typed.start()
		}
		return g, nil
	}
	switch {
	case key.Matches(msg, k.Back):
		return pop(), nil
	case key.Matches(msg, k.Group):
		// Back to the choice of label.
		g.label = ""
		g.refresh()
	case key.Matches(msg, k.Problems):
		g.problemsOnly = !g.problemsOnly
		g.refresh()
	case scrollKey(msg, k, g.cur.height, len(g.shown), g.cur.move):
	case key.Matches(msg, k.Enter):
		if g.cur.pos >= len(g.shown) {
			return g, nil
		}
		gr := g.groups[g.shown[g.cur.pos]]
		sel := groupSel{label: g.label, value: gr.Value, unset: gr.Unset}
		n := newGroupNodes(g.c, g.ns, g.name, g.view, sel)
		return push(g, n), nil
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

func (g groupView) Keys() []key.Binding {
	k := g.c.keys
	if g.label == "" {
		return []key.Binding{k.Enter, k.Filter, k.Back}
	}
	return []key.Binding{k.Enter, k.Back, k.Problems, k.Group}
}

func (g groupView) View(width, height int) string {
	st, k := g.c.st, g.c.keys
	if g.view == nil {
		return st.dim.Render(fit(fmt.Sprintf(" %s/%s: waiting for its nodes", g.ns, g.name), width, false))
	}
	if g.label == "" {
		out := []string{
			st.title.Render(fit(fmt.Sprintf(" Group the %d nodes of %s/%s by a label", len(g.view.Rows), g.ns, g.name), width, false)),
			st.dim.Render(fit(fmt.Sprintf(" %s groups · %s types any label · %s goes back", keyName(k.Enter), keyName(k.Filter), keyName(k.Back)), width, false)),
		}
		start, end := g.choose.window()
		for i := start; i < end; i++ {
			line := " another label… (type it)"
			if i < len(g.candidates) {
				c := g.candidates[i]
				line = fmt.Sprintf(" %s  (%d nodes, %d values)", c.Label, c.Nodes, c.Values)
			}
			line = fit(line, width, false)
			if i == g.choose.pos {
				line = st.selected.Render(line)
			}
			out = append(out, line)
		}
		switch {
		case !g.view.Access.Nodes:
			out = append(out, st.warn.Render(fit(" (no permission to list nodes: their labels are unknown)", width, false)))
		case len(g.candidates) == 0:
			out = append(out, st.dim.Render(fit(" (no zone or node-pool label on these nodes)", width, false)))
		}
		return strings.Join(out, "\n")
	}
	problems := 0
	for _, gr := range g.groups {
		if gr.Problems() > 0 {
			problems++
		}
	}
	groupsWord := "groups"
	if len(g.groups) == 1 {
		groupsWord = "group"
	}
	out := []string{st.title.Render(fit(fmt.Sprintf(" %d nodes in %d %s by %s · %d with problems", len(g.view.Rows), len(g.groups), groupsWord, g.label, problems), width, false))}
	if len(g.shown) == 0 {
		msg := " No groups"
		if g.problemsOnly {
			msg = " No group has a problem"
		}
		return strings.Join(append(out, "", st.dim.Render(fit(msg, width, false))), "\n")
	}
	// Columns: GROUP, NODES, CURRENT (current/eligible), the bar, the counts.
	start, end := g.cur.window()
	nameW := len("GROUP")
	for _, i := range g.shown[start:end] {
		nameW = max(nameW, ansi.StringWidth(g.groups[i].Name()))
	}
	nameW = min(nameW, max(width/3, 8))
	barW := min(24, max(width-nameW-26, 0))
	if width < 50 {
		barW = 0
	}
	head := fmt.Sprintf(" %-*s %5s %9s", nameW, "GROUP", "NODES", "CURRENT")
	if barW > 0 {
		head += " " + fmt.Sprintf("%-*s", barW, "")
	}
	out = append(out, st.header.Render(fit(head+" STATES", width, false)))
	for pos := start; pos < end; pos++ {
		out = append(out, groupLine(st, g.groups[g.shown[pos]], nameW, barW, width, pos == g.cur.pos))
	}
	return strings.Join(out, "\n")
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
