package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// grouping is what the node view's and the nodes list's grouped views
// share: the label (or the choice of one among the labels found, or a
// typed one), the groups, which of them are shown, and the cursors. The
// views differ only in their rows and in where enter leads.
type grouping struct {
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
}

// regroup takes the view's label candidates and, once a label is
// chosen, its groups by that label.
func (g *grouping) regroup(candidates []kube.LabelCandidate, groupBy func(label string) []kube.Group) {
	g.candidates, g.groups, g.shown = candidates, nil, g.shown[:0]
	// The last choice is "another label", typed.
	g.choose.setLen(len(g.candidates) + 1)
	if g.label == "" {
		g.cur.setLen(0)
		return
	}
	g.groups = groupBy(g.label)
	for i, gr := range g.groups {
		if !g.problemsOnly || gr.Problems() > 0 {
			g.shown = append(g.shown, i)
		}
	}
	g.cur.setLen(len(g.shown))
}

// headerLines is how many lines come before the rows.
const groupHeaderLines = 2

func (g *grouping) setHeight(height int) {
	g.cur.setHeight(height - groupHeaderLines)
	g.choose.setHeight(height - groupHeaderLines)
}

func (g grouping) typing() bool { return g.typed.editing }

func (g grouping) labelLine(k keys.Map, w int) string {
	if !g.typed.editing {
		return ""
	}
	return fit(" label: "+g.typed.text()+"  ("+keyName(k.Enter)+": group · "+keyName(k.Back)+": cancel)", w, false)
}

// setLabel groups by label, or says why it cannot.
func (g *grouping) setLabel(label string) error {
	label = strings.TrimSpace(label)
	if err := kube.ValidateLabelKey(label); err != nil {
		return err
	}
	g.label = label
	g.cur = scroller{height: g.cur.height}
	return nil
}

// groupStep is what a key asks of the view that holds the grouping.
type groupStep int

const (
	stepNone groupStep = iota
	// stepRegroup: the label or the problems-only switch changed.
	stepRegroup
	stepBack
	// stepOpen: enter on a group; open its nodes (selected).
	stepOpen
)

// key handles the keys both grouped views share. err is a refused label.
func (g *grouping) key(msg tea.KeyPressMsg, k keys.Map) (groupStep, error) {
	if g.typed.editing {
		if g.typed.update(msg, k) == inputDone {
			label := g.typed.value()
			g.typed.clear()
			if err := g.setLabel(label); err != nil {
				return stepNone, err
			}
			return stepRegroup, nil
		}
		return stepNone, nil
	}
	if g.label == "" {
		switch {
		case key.Matches(msg, k.Back):
			return stepBack, nil
		case key.Matches(msg, k.Filter):
			g.typed.start()
		case scrollKey(msg, k, g.choose.height, len(g.candidates)+1, g.choose.move):
		case key.Matches(msg, k.Enter):
			if g.choose.pos < len(g.candidates) {
				if err := g.setLabel(g.candidates[g.choose.pos].Label); err != nil {
					return stepNone, err
				}
				return stepRegroup, nil
			}
			g.typed.start()
		}
		return stepNone, nil
	}
	switch {
	case key.Matches(msg, k.Back):
		return stepBack, nil
	case key.Matches(msg, k.Group):
		// Back to the choice of label.
		g.label = ""
		return stepRegroup, nil
	case key.Matches(msg, k.Problems):
		g.problemsOnly = !g.problemsOnly
		return stepRegroup, nil
	case scrollKey(msg, k, g.cur.height, len(g.shown), g.cur.move):
	case key.Matches(msg, k.Enter):
		if g.cur.pos < len(g.shown) {
			return stepOpen, nil
		}
	}
	return stepNone, nil
}

// selected names the group under the cursor (stepOpen).
func (g grouping) selected() groupSel {
	gr := g.groups[g.shown[g.cur.pos]]
	return groupSel{label: g.label, value: gr.Value, unset: gr.Unset}
}

func (g grouping) keys(k keys.Map) []key.Binding {
	if g.label == "" {
		return []key.Binding{k.Enter, k.Filter, k.Back}
	}
	return []key.Binding{k.Enter, k.Back, k.Problems, k.Group}
}

// chooser draws the choice of label under title.
func (g grouping) chooser(st styles, k keys.Map, title string, width int) []string {
	out := []string{
		st.title.Render(fit(title, width, false)),
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
	return out
}

// table draws the groups of nodes nodes: a title, the column header
// (count names the third column, states the last) and one line a group.
func (g grouping) table(st styles, nodes int, count, states string, width int) string {
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
	out := []string{st.title.Render(fit(fmt.Sprintf(" %d nodes in %d %s by %s · %d with problems", nodes, len(g.groups), groupsWord, g.label, problems), width, false))}
	if len(g.shown) == 0 {
		msg := " No groups"
		if g.problemsOnly {
			msg = " No group has a problem"
		}
		return strings.Join(append(out, "", st.dim.Render(fit(msg, width, false))), "\n")
	}
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
	head := fmt.Sprintf(" %-*s %5s %9s", nameW, "GROUP", "NODES", count)
	if barW > 0 {
		head += " " + fmt.Sprintf("%-*s", barW, "")
	}
	out = append(out, st.header.Render(fit(head+" "+states, width, false)))
	for pos := start; pos < end; pos++ {
		out = append(out, groupLine(st, g.groups[g.shown[pos]], nameW, barW, width, pos == g.cur.pos))
	}
	return strings.Join(out, "\n")
}
