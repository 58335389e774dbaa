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
}

// layout picks the columns that fit width and their widths. cells[r][c] is
// the plain text of row r, column c.
func layout(cols []column, cells [][]string, width int) (keep []int, widths []int, titles []string) {
	titles = make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	keep, widths = fitColumns(cols, titles, cells, width)
	if len(keep) == len(cols) {
		return keep, widths, titles
	}
	for i, c := range cols {
		if c.short != "" {
			titles[i] = c.short
		}
	}
	keep, widths = fitColumns(cols, titles, cells, width)
	return keep, widths, titles
}

func fitColumns(cols []column, titles []string, cells [][]string, width int) (keep []int, widths []int) {
	natural := make([]int, len(cols))
	for i := range cols {
		natural[i] = ansi.StringWidth(titles[i])
	}
	for _, row := range cells {
		for i, s := range row {
			if w := ansi.StringWidth(s); w > natural[i] {
				natural[i] = w
			}
		}
	}
	keep = make([]int, len(cols))
	for i := range cols {
		keep[i] = i
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
	var b strings.Builder
	for j, i := range keep {
		if j > 0 {
			b.WriteString("  ")
		}
		cell := fit(row[i], widths[j], cols[i].right)
		pos := hl[i]
		if len(pos) == 0 {
			b.WriteString(cell)
			continue
		}
		shift := 0
		if cols[i].right {
			shift = len(cell) - len(row[i])
		}
		set := map[int]bool{}
		for _, p := range pos {
			set[p+shift] = true
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
