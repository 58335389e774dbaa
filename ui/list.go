package ui

import (
	"strconv"
	"time"

	"github.com/dsx-tui/dsx/kube"
)

// listView is the DaemonSet list: rows, the selection (kept on the same
// DaemonSet as rows move) and the scroll offset.
type listView struct {
	rows   []kube.DaemonSetRow
	cursor int
	selKey string
	offset int
}

func (l *listView) setRows(rows []kube.DaemonSetRow) {
	l.rows = rows
	if l.selKey != "" {
		for i, r := range rows {
			if r.Key() == l.selKey {
				l.cursor = i
				return
			}
		}
	}
	l.cursor = min(l.cursor, max(len(rows)-1, 0))
	l.remember()
}

func (l *listView) move(d int) {
	if len(l.rows) == 0 {
		return
	}
	l.cursor = min(max(l.cursor+d, 0), len(l.rows)-1)
	l.remember()
}

func (l *listView) remember() {
	if l.cursor < len(l.rows) {
		l.selKey = l.rows[l.cursor].Key()
	}
}

func listColumns(allNamespaces bool) []column {
	cols := []column{
		{title: "NAMESPACE", priority: 5, flex: true, min: 11},
		{title: "NAME", priority: 10, flex: true, min: 14},
		{title: "DESIRED", priority: 9, right: true},
		{title: "CURRENT", priority: 6, right: true},
		{title: "READY", priority: 8, right: true},
		{title: "UP-TO-DATE", short: "UPDATED", priority: 7, right: true},
		{title: "AVAILABLE", short: "AVAIL", priority: 4, right: true},
		{title: "MISSCHEDULED", short: "MISSCHED", priority: 3, right: true},
		{title: "AGE", priority: 2, right: true},
	}
	if !allNamespaces {
		cols[0].priority = 1
	}
	return cols
}

func listCells(r kube.DaemonSetRow, now time.Time) []string {
	n := func(v int32) string { return strconv.Itoa(int(v)) }
	name := r.Name
	if r.Terminating {
		name += " (terminating)"
	}
	return []string{r.Namespace, name, n(r.Desired), n(r.Current), n(r.Ready), n(r.UpToDate), n(r.Available), n(r.Misscheduled), age(now, r.Created)}
}

// render draws the header and the visible rows into at most height lines.
func (l *listView) render(st styles, width, height int, now time.Time, snap kube.Snapshot) []string {
	cols := listColumns(snap.Namespace == "")
	if len(l.rows) == 0 {
		msg := " No DaemonSets"
		if !snap.Synced {
			msg = " Loading DaemonSets…"
		} else if snap.Namespace != "" {
			msg += " in namespace " + snap.Namespace
		}
		return []string{st.header.Render(fit(headerRowPlain(cols, width), width, false)), st.dim.Render(fit(msg, width, false))}
	}
	visible := max(height-1, 1)
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+visible {
		l.offset = l.cursor - visible + 1
	}
	l.offset = min(l.offset, max(len(l.rows)-visible, 0))
	end := min(l.offset+visible, len(l.rows))
	// Widths come from the visible rows only: rendering cost stays
	// proportional to the screen, not to the cluster.
	cells := make([][]string, 0, end-l.offset)
	for _, r := range l.rows[l.offset:end] {
		cells = append(cells, listCells(r, now))
	}
	keep, widths, titles := layout(cols, cells, width)
	out := []string{st.header.Render(fit(headerRow(cols, keep, widths, titles), width, false))}
	for i, c := range cells {
		line := fit(renderRow(cols, keep, widths, c), width, false)
		r := l.rows[l.offset+i]
		switch {
		case l.offset+i == l.cursor:
			line = st.selected.Render(line)
		case r.Terminating:
			line = st.dim.Render(line)
		case r.Misscheduled > 0 || r.Ready < r.Desired:
			line = st.warn.Render(line)
		}
		out = append(out, line)
	}
	return out
}

func headerRowPlain(cols []column, width int) string {
	keep, widths, titles := layout(cols, nil, width)
	return headerRow(cols, keep, widths, titles)
}
