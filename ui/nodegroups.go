package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

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
	grouping
	width  int
	height int
}

func newNodeGroups(c *common, snap kube.Snapshot, label string) nodeGroupsView {
	g := nodeGroupsView{c: c, grouping: grouping{label: label, typed: newInput()}}
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
	g.regroup(kube.LabelCandidates(g.items, nodeItemLabels), func(label string) []kube.Group { return kube.GroupNodeItems(g.items, label) })
}

func (g nodeGroupsView) SetSize(width, height int) View {
	g.width, g.height = width, height
	g.setHeight(height)
	return g
}

func (g nodeGroupsView) inputLine(w int) string { return g.labelLine(g.c.keys, w) }

func (g nodeGroupsView) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case SnapshotMsg:
		g.setSnapshot(msg.Snapshot)
	case tea.KeyPressMsg:
		return g.key(msg)
	}
	return g, nil
}

// Esc leaves the nodes list beneath open: it keeps the list computed.
func (g nodeGroupsView) key(msg tea.KeyPressMsg) (View, tea.Cmd) {
	step, err := g.grouping.key(msg, g.c.keys)
	switch {
	case err != nil:
		return flash(g, "group: "+err.Error()), nil
	case step == stepBack:
		return pop(), nil
	case step == stepRegroup:
		g.refresh()
	case step == stepOpen:
		sel := g.selected()
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

func (g nodeGroupsView) Keys() []key.Binding { return g.grouping.keys(g.c.keys) }

func (g nodeGroupsView) View(width, height int) string {
	st, k := g.c.st, g.c.keys
	if !g.loaded {
		return st.dim.Render(fit(" loading nodes…", width, false))
	}
	if g.label == "" {
		out := g.chooser(st, k, fmt.Sprintf(" Group the %d nodes by a label", len(g.items)), width)
		switch {
		case len(g.items) == 0 && !g.snap.Access.Nodes:
			out = append(out, st.warn.Render(fit(" (no permission to list nodes: their labels are unknown)", width, false)))
		case len(g.candidates) == 0:
			out = append(out, st.dim.Render(fit(" (no zone or node-pool label on these nodes)", width, false)))
		}
		return strings.Join(out, "\n")
	}
	// As groupView's lines, but a node is healthy (current) when every
	// DaemonSet that should run on it is: HEALTHY counts those of the
	// nodes with some DaemonSet to run.
	return g.table(st, len(g.items), "HEALTHY", "WORST STATE PER NODE", width)
}
