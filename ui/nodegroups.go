package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dsx-tui/dsx/kube"
)

// nodeGroupsView is the nodes list grouped by a node label, as a
// DaemonSet's node view groups (groupView): the same chooser, one line
// per value with its nodes, how many are healthy and a stacked bar of
// each node's worst DaemonSet state (kube.NodeItem.GroupState). Enter
// opens the nodes list of one group.
type nodeGroupsView struct {
	c    *common
	snap kube.Snapshot
	// items are the nodes list's rows; loaded once a snapshot carried them.
	items  []kube.NodeItem
	loaded bool
	// label is what the nodes are grouped by; "" while choosing.
	label        string
	candidates   []kube.LabelCandidate
	choose       scroller
	typed        input
	groups       []kube.Group
	shown        []int
	cur          scroller
	problemsOnly bool
	width        int
	height       int
}

func newNodeGroups(c *common, snap kube.Snapshot, label string) nodeGroupsView {
	g := nodeGroupsView{c: c, label: label, typed: newInput()}
	g.setSnapshot(snap)
	g.refresh()
	return g
}

func (g *nodeGroupsView) setSnapshot(s kube.Snapshot) {
	g.snap = s
	// The watcher hands back the same list while nothing changed.
	if s.NodeList == nil || g.loaded && len(s.NodeList) == len(g.items) && (len(g.items) == 0 || &s.NodeList[0] == &g.items[0]) {
		return
	}
	g.items, g.loaded = s.NodeList, true
	g.refresh()
}

func nodeItemLabels(n kube.NodeItem) map[string]string { return n.Labels }

func (g *nodeGroupsView) refresh() {
	g.candidates, g.groups, g.shown = nil, nil, g.shown[:0]
	g.candidates = kube.LabelCandidates(g.items, nodeItemLabels)
	// The last choice is "another label", typed.
	g.choose.setLen(len(g.candidates) + 1)
	if g.label == "" {
		g.cur.setLen(0)
		return
	}
	g.groups = kube.GroupNodeItems(g.items, g.label)
	for i, gr := range g.groups {
		if !g.problemsOnly || gr.Problems() > 0 {
			g.shown = append(g.shown, i)
		}
	}
	g.cur.setLen(len(g.shown))
}

func (g nodeGroupsView) SetSize(width, height int) View {
	g.width, g.height = width, height
	g.cur.setHeight(height - groupHeaderLines)
	g.choose.setHeight(height - groupHeaderLines)
	return g
}

func (g nodeGroupsView) typing() bool { return g.typed.editing }

func (g nodeGroupsView) inputLine(w int) string {
	if !g.typed.editing {
		return ""
	}
	k := g.c.keys
	return fit(" label: "+g.typed.text()+"  ("+keyName(k.Enter)+": group · "+keyName(k.Back)+": cancel)", w, false)
}

func (g nodeGroupsView) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case SnapshotMsg:
		g.setSnapshot(msg.Snapshot)
	case tea.KeyPressMsg:
		return g.key(msg)
	}
	return g, nil
}

func (g nodeGroupsView) setLabel(label string) (View, tea.Cmd) {
	label = strings.TrimSpace(label)
	if err := kube.ValidateLabelKey(label); err != nil {
		return flash(g, "group: "+err.Error()), nil
	}
	g.label = label
	g.cur = scroller{height: g.cur.height}
	g.refresh()
	return g, nil
}

func (g nodeGroupsView) key(msg tea.KeyPressMsg) (View, tea.Cmd) {
	k := g.c.keys
	if g.typed.editing {
		if g.typed.update(msg, k) == inputDone {
			label := g.typed.value()
			g.typed.clear()
			return g.setLabel(label)
		}
		return g, nil
	}
	// Esc leaves the nodes list beneath open: it keeps the list computed.
	if g.label == "" {
		switch {
		case key.Matches(msg, k.Back):
			return pop(), nil
		case key.Matches(msg, k.Filter):
			g.typed.start()
		case scrollKey(msg, k, g.choose.height, len(g.candidates)+1, g.choose.move):
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
		l := nodesList{c: g.c, filter: newInput(), group: &sel}
		l.setSnapshot(g.snap)
		return push(g, l), nil
	}
	return g, nil
}

func (g nodeGroupsView) Title() string {
	if g.label == "" {
		return "nodes by label"
	}
	s := "nodes by " + g.label
	if g.problemsOnly {
		s += " · problems only"
	}
	return s
}

func (g nodeGroupsView) Keys() []key.Binding {
	k := g.c.keys
	if g.label == "" {
		return []key.Binding{k.Enter, k.Filter, k.Back}
	}
	return []key.Binding{k.Enter, k.Back, k.Problems, k.Group}
}

func (g nodeGroupsView) View(width, height int) string {
	st, k := g.c.st, g.c.keys
	if !g.loaded {
		return st.dim.Render(fit(" loading nodes…", width, false))
	}
	if g.label == "" {
		out := []string{
			st.title.Render(fit(fmt.Sprintf(" Group the %d nodes by a label", len(g.items)), width, false)),
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
		case len(g.items) == 0 && !g.snap.Access.Nodes:
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
	out := []string{st.title.Render(fit(fmt.Sprintf(" %d nodes in %d %s by %s · %d with problems", len(g.items), len(g.groups), groupsWord, g.label, problems), width, false))}
	if len(g.shown) == 0 {
		msg := " No groups"
		if g.problemsOnly {
			msg = " No group has a problem"
		}
		return strings.Join(append(out, "", st.dim.Render(fit(msg, width, false))), "\n")
	}
	// As groupView's lines, but a node is healthy (current) when every
	// DaemonSet that should run on it is: HEALTHY counts those of the
	// nodes with some DaemonSet to run.
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
	head := fmt.Sprintf(" %-*s %5s %9s", nameW, "GROUP", "NODES", "HEALTHY")
	if barW > 0 {
		head += " " + fmt.Sprintf("%-*s", barW, "")
	}
	out = append(out, st.header.Render(fit(head+" WORST STATE PER NODE", width, false)))
	for pos := start; pos < end; pos++ {
		out = append(out, groupLine(st, g.groups[g.shown[pos]], nameW, barW, width, pos == g.cur.pos))
	}
	return strings.Join(out, "\n")
}
