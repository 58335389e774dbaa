package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/kube"
)

// historyView lists a DaemonSet's revisions; enter diffs the selected
// one against the current one (or the marked one), u rolls back to it.
type historyView struct {
	target  actionTarget
	entries []kube.HistoryEntry
	loading bool
	err     error
	cur     int
	// mark is the revision number marked with space, 0 for none.
	mark int64
	back viewKind
}

func historyColumns() []column {
	return []column{
		{title: "REVISION", short: "REV", priority: 20, right: true},
		{title: "", priority: 19},
		{title: "AGE", priority: 15, right: true},
		{title: "IMAGES", priority: 18, flex: true, min: 12},
		{title: "CHANGE-CAUSE", short: "CAUSE", priority: 10, flex: true, min: 10},
		{title: "HASH", priority: 5},
	}
}

func (h historyView) render(st styles, width, height int, now time.Time) []string {
	cols := historyColumns()
	title := " Rollout history of " + h.target.namespace + "/" + h.target.name
	switch {
	case h.loading:
		return []string{st.header.Render(fit(title, width, false)), st.dim.Render(fit(" loading…", width, false))}
	case h.err != nil:
		return []string{st.header.Render(fit(title, width, false)), st.bad.Render(fit(" "+firstLine(h.err.Error()), width, false))}
	case len(h.entries) == 0:
		return emptyTable(st, cols, width, " No revisions yet")
	}
	cells := make([][]string, 0, len(h.entries))
	for _, e := range h.entries {
		mark := ""
		switch {
		case e.Current:
			mark = "● current"
		case e.Number == h.mark:
			mark = "◆ marked"
		}
		cause := e.ChangeCause
		if cause == "" {
			cause = "-"
		}
		cells = append(cells, []string{strconv.FormatInt(e.Number, 10), mark, age(now, e.Created), strings.Join(e.Images, ","), cause, e.Hash})
	}
	keep, widths, titles := layout(cols, cells, width)
	out := []string{st.header.Render(fit(headerRow(cols, keep, widths, titles), width, false))}
	c := cursor{pos: h.cur}
	start, end := c.window(len(cells), height-1)
	for i := start; i < end; i++ {
		line := fit(renderRow(cols, keep, widths, cells[i], nil), width, false)
		if i == h.cur {
			line = st.selected.Render(line)
		}
		out = append(out, line)
	}
	return out
}

func (h historyView) selected() (kube.HistoryEntry, bool) {
	if h.cur < len(h.entries) {
		return h.entries[h.cur], true
	}
	return kube.HistoryEntry{}, false
}

// openHistory shows the selected DaemonSet's revisions. Reading history
// changes nothing, so it is allowed under --readonly.
func (m Model) openHistory() (tea.Model, tea.Cmd) {
	r, ok := m.selectedDaemonSet()
	if !ok || m.act == nil {
		m.flash = "history: no DaemonSet selected"
		return m, nil
	}
	t := m.bind(actionTarget{action: kube.ActUndo, namespace: r.Namespace, name: r.Name}, r.UID)
	m.history = historyView{target: t, loading: true, back: m.view}
	m.view = viewHistory
	return m, fetchHistory(m.act, m.ctx, t, false)
}

func (m Model) handleHistoryKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	h := &m.history
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Back):
		if h.mark != 0 {
			h.mark = 0
			return m, nil
		}
		m.view = h.back
	case key.Matches(msg, k.Help):
		m.showHelp = true
	case key.Matches(msg, k.Up):
		h.cur = max(h.cur-1, 0)
	case key.Matches(msg, k.Down):
		h.cur = min(h.cur+1, max(len(h.entries)-1, 0))
	case key.Matches(msg, k.Top):
		h.cur = 0
	case key.Matches(msg, k.Bottom):
		h.cur = max(len(h.entries)-1, 0)
	case key.Matches(msg, k.Mark):
		if e, ok := h.selected(); ok {
			h.mark = e.Number
			if e.Current {
				h.mark = 0
			}
		}
	case key.Matches(msg, k.Diff):
		return m.showDiff()
	case key.Matches(msg, k.Undo):
		e, ok := h.selected()
		if !ok {
			return m, nil
		}
		t := h.target
		t.revision = e.Number
		if e.Current {
			m.flash = fmt.Sprintf("undo: revision %d is the current one; pick another", e.Number)
			return m, nil
		}
		nm, cmd := m.startActionOn(t)
		return nm, cmd
	}
	return m, nil
}

// showDiff opens the diff of the selected revision against the marked
// one, or against the current one, in the pager.
func (m Model) showDiff() (tea.Model, tea.Cmd) {
	h := m.history
	sel, ok := h.selected()
	if !ok {
		return m, nil
	}
	var from kube.HistoryEntry
	found := false
	for _, e := range h.entries {
		if (h.mark != 0 && e.Number == h.mark) || (h.mark == 0 && e.Current) {
			from, found = e, true
		}
	}
	if !found || from.Number == sel.Number {
		m.flash = "diff: mark a revision with space, then enter on another (or pick one that is not current)"
		return m, nil
	}
	ref := kube.ObjectRef{Kind: kube.KindDaemonSet, Namespace: h.target.namespace, Name: h.target.name}
	m.pager = pager{ref: ref, what: fmt.Sprintf("diff revision %d → %d of", from.Number, sel.Number), back: viewHistory, diff: true}
	m.pager.setText(kube.Diff(from, sel))
	m.view = viewPager
	return m, nil
}
