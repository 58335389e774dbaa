package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// column is one table column. Columns with a lower priority are dropped
// first when the terminal is too narrow; a flexible column shrinks (with an
// ellipsis) before anything is dropped.
type column struct {
	title string
	// short replaces title when the table is too wide with full titles.
	short    string
	priority int
	flex     bool
	min      int
	right    bool
	// mid truncates from the middle: the end of a pod's or DaemonSet's
	// name is what tells rows apart.
	mid bool
	// hidden columns are never shown (NAMESPACE in one namespace).
	hidden bool
}

// layout picks the columns that fit width and their widths. cells[r][c] is
// the plain text of row r, column c.
func layout(cols []column, cells [][]string, width int) (keep []int, widths []int, titles []string) {
	return layoutFor(cols, naturalWidths(len(cols), len(cells), func(i int) []string { return cells[i] }), width)
}

// naturalWidths is, per column, the widest of n rows' cells. Views pass
// every row they hold, not only the visible ones, so that the columns
// and their widths do not change as the page scrolls.
func naturalWidths(ncols, n int, cellsOf func(int) []string) []int {
	natural := make([]int, ncols)
	for r := range n {
		for i, s := range cellsOf(r) {
			if w := cellWidth(s); w > natural[i] {
				natural[i] = w
			}
		}
	}
	return natural
}

// cellWidth is ansi.StringWidth with a fast path for printable ASCII, one
// cell per byte: most cluster text is, and measuring 65,000 rows through
// the grapheme segmenter cost ~100 ms per snapshot.
func cellWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// layoutFor is layout from the cells' natural widths.
func layoutFor(cols []column, natural []int, width int) (keep []int, widths []int, titles []string) {
	titles = make([]string, len(cols))
	shown := 0
	for i, c := range cols {
		titles[i] = c.title
		if !c.hidden {
			shown++
		}
	}
	keep, widths = fitColumns(cols, titles, natural, width)
	if len(keep) == shown {
		return keep, widths, titles
	}
	for i, c := range cols {
		if c.short != "" {
			titles[i] = c.short
		}
	}
	keep, widths = fitColumns(cols, titles, natural, width)
	return keep, widths, titles
}

func fitColumns(cols []column, titles []string, cellWidths []int, width int) (keep []int, widths []int) {
	natural := make([]int, len(cols))
	for i := range cols {
		natural[i] = max(ansi.StringWidth(titles[i]), cellWidths[i])
	}
	keep = make([]int, 0, len(cols))
	for i, c := range cols {
		if !c.hidden {
			keep = append(keep, i)
		}
	}
	for {
		widths = make([]int, len(keep))
		total := 0
		flexTotal := 0
		for j, i := range keep {
			widths[j] = natural[i]
			total += natural[i]
			if cols[i].flex {
				flexTotal += natural[i] - max(cols[i].min, ansi.StringWidth(titles[i]))
			}
		}
		total += 2 * (len(keep) - 1)
		over := total - width
		if over <= 0 {
			return keep, widths
		}
		if over <= flexTotal {
			// Shrink flexible columns, widest first.
			for over > 0 {
				best := -1
				for j, i := range keep {
					if cols[i].flex && widths[j] > max(cols[i].min, ansi.StringWidth(titles[i])) && (best < 0 || widths[j] > widths[best]) {
						best = j
					}
				}
				if best < 0 {
					break
				}
				widths[best]--
				over--
			}
			return keep, widths
		}
		if len(keep) == 1 {
			widths[0] = max(width, 1)
			return keep, widths
		}
		// Drop the lowest-priority column and try again.
		low := 0
		for j, i := range keep {
			if cols[i].priority < cols[keep[low]].priority {
				low = j
			}
		}
		keep = append(keep[:low:low], keep[low+1:]...)
	}
}

// fitMid pads s to w cells, or cuts its middle out, and says which
// bytes of s it kept: [0, head) and [tail, len(s)).
func fitMid(s string, w int) (out string, head, tail int) {
	if ansi.StringWidth(s) <= w || w < 3 {
		return fit(s, w, false), len(s), len(s)
	}
	h := ansi.Truncate(s, w-1-(w-1)/2, "")
	t := ansi.TruncateLeft(s, ansi.StringWidth(s)-(w-1)/2, "")
	return h + "…" + t, len(h), len(s) - len(t)
}

// fit pads or truncates s to exactly w cells.
func fit(s string, w int, right bool) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	pad := strings.Repeat(" ", w-sw)
	if right {
		return pad + s
	}
	return s + pad
}

// Highlighting toggles bold and underline only, so a row's own style
// (reverse for the selection) survives the highlighted characters.
const (
	hlOn  = "\x1b[1;4m"
	hlOff = "\x1b[22;24m"
	// hlCurOn marks the current search match: reverse video as well.
	hlCurOn  = "\x1b[1;4;7m"
	hlCurOff = "\x1b[22;24;27m"
)

// renderRow joins the kept cells of one row; hl gives, per column, the
// byte positions of characters to highlight (fuzzy-filter matches).
func renderRow(cols []column, keep, widths []int, row []string, hl map[int][]int) string {
	return renderRowPainted(cols, keep, widths, row, hl, -1, nil)
}

// renderRowPainted is renderRow with column paintCol's cell, fitted and
// not highlighted, drawn by paint.
func renderRowPainted(cols []column, keep, widths []int, row []string, hl map[int][]int, paintCol int, paint func(string) string) string {
	var b strings.Builder
	for j, i := range keep {
		if j > 0 {
			b.WriteString("  ")
		}
		cell := fit(row[i], widths[j], cols[i].right)
		head, tail := len(row[i]), len(row[i])
		if cols[i].mid {
			cell, head, tail = fitMid(row[i], widths[j])
		}
		pos := hl[i]
		if len(pos) == 0 {
			if i == paintCol && paint != nil {
				cell = paint(cell)
			}
			b.WriteString(cell)
			continue
		}
		shift := 0
		if cols[i].right {
			shift = len(cell) - len(row[i])
		}
		set := map[int]bool{}
		for _, p := range pos {
			switch {
			case p < head:
				set[p+shift] = true
			case p >= tail:
				// After the cut: the kept end follows head and "…".
				set[p-tail+head+len("…")] = true
			}
		}
		for k, r := range cell {
			if set[k] {
				b.WriteString(hlOn)
				b.WriteRune(r)
				b.WriteString(hlOff)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

func headerRow(cols []column, keep, widths []int, titles []string) string {
	return renderRow(cols, keep, widths, titles, nil)
}

// emptyTable is a table's header with a line saying why it has no rows.
func emptyTable(st styles, cols []column, width int, msg string) []string {
	keep, widths, titles := layout(cols, nil, width)
	return []string{st.header.Render(fit(headerRow(cols, keep, widths, titles), width, false)), st.dim.Render(fit(msg, width, false))}
}
