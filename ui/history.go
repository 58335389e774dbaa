package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/kube"
)

// historyView lists a DaemonSet's revisions; enter diffs the selected
// one against the current one (or the marked one), u rolls back to it.
type historyView struct {
	c       *common
	target  actionTarget
	entries []kube.HistoryEntry
	loading bool
	err     error
	cur     scroller
	// mark is the revision number marked with space, 0 for none.
	mark int64
	// spec is the DaemonSet's generation and whether the controller had
	// seen it, in the latest snapshot. The revisions change only with
	// it: a new spec makes or renumbers one, and which is current is
	// known only once the controller has seen the spec. history is
	// opened often in just that gap, after an edit or a restart.
	spec specKey
	// fetching is set while a read is out; again asks for one more when
	// the spec changed while it was, as that read may predate the change.
	fetching, again bool
}

type specKey struct {
	generation int64
	observed   bool
}

// openHistory shows the revisions of ds on top of v. Reading history
// changes nothing, so it is allowed under --readonly.
func openHistory(v View, c *common, ds kube.DaemonSetRow, ok bool, context, server string) (View, tea.Cmd) {
	if !ok || c.act == nil {
		return flash(v, "history: no DaemonSet selected"), nil
	}
	t := bindTo(actionTarget{action: kube.ActUndo, namespace: ds.Namespace, name: ds.Name, uid: ds.UID}, context, server)
	h := historyView{c: c, target: t, loading: true, fetching: true, spec: specKey{ds.Generation, ds.Observed}}
	return push(v, h), fetchHistory(c.act, c.ctx, t, false)
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

func (h historyView) SetSize(width, height int) View {
	// One line is the table's header.
	h.cur.setHeight(height - 1)
	return h
}

func (h historyView) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case historyMsg:
		if !msg.forUndo && msg.target == h.target {
			h.loading, h.fetching, h.entries, h.err = false, false, msg.entries, msg.err
			h.cur.setLen(len(msg.entries))
			if h.again {
				return h.refetch()
			}
		}
	case SnapshotMsg:
		for _, r := range msg.Snapshot.DaemonSets {
			if r.UID == h.target.uid {
				if k := (specKey{r.Generation, r.Observed}); k != h.spec {
					h.spec = k
					return h.refetch()
				}
				break
			}
		}
	case doneMsg:
		// An action changed the DaemonSet: its revisions may have too.
		if msg.err == nil {
			return h.refetch()
		}
	case tea.KeyPressMsg:
		return h.key(msg)
	}
	return h, nil
}

// refetch reads the revisions again, keeping the ones on screen until
// the new ones arrive.
func (h historyView) refetch() (View, tea.Cmd) {
	if h.fetching {
		h.again = true
		return h, nil
	}
	h.fetching, h.again = true, false
	return h, fetchHistory(h.c.act, h.c.ctx, h.target, false)
}

func (h historyView) key(msg tea.KeyPressMsg) (View, tea.Cmd) {
	k := h.c.keys
	switch {
	case key.Matches(msg, k.Back):
		if h.mark != 0 {
			h.mark = 0
			return h, nil
		}
		return pop(), nil
	case scrollKey(msg, k, h.cur.height, len(h.entries), h.cur.move):
	case key.Matches(msg, k.Mark):
		if e, ok := h.selected(); ok {
			h.mark = e.Number
			if e.Current {
				h.mark = 0
			}
		}
	case key.Matches(msg, k.Diff):
		return h.showDiff()
	case key.Matches(msg, k.Undo):
		e, ok := h.selected()
		if !ok {
			return h, nil
		}
		if e.Current {
			return flash(h, fmt.Sprintf("undo: revision %d is the current one; pick another", e.Number)), nil
		}
		t := h.target
		t.revision = e.Number
		return reply{view: h, action: &t}, nil
	}
	return h, nil
}

func (h historyView) selected() (kube.HistoryEntry, bool) {
	if h.cur.pos < len(h.entries) {
		return h.entries[h.cur.pos], true
	}
	return kube.HistoryEntry{}, false
}

// showDiff opens the diff of the selected revision against the marked
// one, or against the current one, in a pager.
func (h historyView) showDiff() (View, tea.Cmd) {
	sel, ok := h.selected()
	if !ok {
		return h, nil
	}
	var from kube.HistoryEntry
	found := false
	for _, e := range h.entries {
		if (h.mark != 0 && e.Number == h.mark) || (h.mark == 0 && e.Current) {
			from, found = e, true
		}
	}
	if !found || from.Number == sel.Number {
		return flash(h, "diff: mark a revision with "+keyName(h.c.keys.Mark)+", then "+keyName(h.c.keys.Diff)+" on another (or pick one that is not current)"), nil
	}
	ref := kube.ObjectRef{Kind: kube.KindDaemonSet, Namespace: h.target.namespace, Name: h.target.name}
	p := newPager(h.c, ref, fmt.Sprintf("diff revision %d → %d of", from.Number, sel.Number))
	p.diff = true
	p.setText(kube.Diff(from, sel))
	return push(h, p), nil
}

func (h historyView) Title() string {
	return "history " + h.target.namespace + "/" + h.target.name
}

func (h historyView) Keys() []key.Binding {
	k := h.c.keys
	return []key.Binding{k.Back, k.Diff, k.Mark, k.Undo}
}

func (h historyView) View(width, height int) string {
	st := h.c.st
	cols := historyColumns()
	title := " Rollout history of " + h.target.namespace + "/" + h.target.name
	switch {
	case h.loading:
		return st.header.Render(fit(title, width, false)) + "\n" + st.dim.Render(fit(" loading…", width, false))
	case h.err != nil:
		return st.header.Render(fit(title, width, false)) + "\n" + st.bad.Render(fit(" "+firstLine(h.err.Error()), width, false))
	case len(h.entries) == 0:
		return strings.Join(emptyTable(st, cols, width, " No revisions yet"), "\n")
	}
	now := h.c.now()
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
	start, end := h.cur.window()
	for i := start; i < end; i++ {
		line := fit(renderRow(cols, keep, widths, cells[i], nil), width, false)
		if i == h.cur.pos {
			line = st.selected.Render(line)
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
