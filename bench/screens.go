package bench

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// What the measurements wait for on dsx's screen. They read the screen as
// a user would, so a figure means "the user could see it", not "the model
// had it".

// listComplete holds once every named DaemonSet's row shows n desired,
// current, ready, up-to-date and available.
func listComplete(names []string, n int) func(string) bool {
	return func(scr string) bool {
		for _, name := range names {
			if !rowHasCounts(scr, name, n) {
				return false
			}
		}
		return true
	}
}

// rowHasCounts finds the line of name and checks the numeric cells after
// it: the first five (fewer if a narrow terminal dropped some, but at least
// three) must all be n.
func rowHasCounts(scr, name string, n int) bool {
	for _, line := range strings.Split(scr, "\n") {
		f := strings.Fields(line)
		i := indexOf(f, name)
		if i < 0 {
			continue
		}
		var nums []int
		for _, c := range f[i+1:] {
			v, err := strconv.Atoi(c)
			if err != nil {
				break
			}
			nums = append(nums, v)
		}
		if len(nums) < 3 {
			return false
		}
		for _, v := range nums[:min(5, len(nums))] {
			if v != n {
				return false
			}
		}
		return true
	}
	return false
}

func indexOf(f []string, s string) int {
	for i, x := range f {
		if x == s {
			return i
		}
	}
	return -1
}

// cachesSynced holds once the status bar reports the full caches.
func cachesSynced(nodes, pods int) func(string) bool {
	want := fmt.Sprintf("connected · %d nodes · %d daemon pods", nodes, pods)
	return func(scr string) bool { return strings.Contains(scr, want) }
}

// nodeViewComplete holds once the node view's header counts every node up
// to date and ready; with rev > 0, on that revision.
func nodeViewComplete(n int, rev int) func(string) bool {
	want := fmt.Sprintf(" %d/%d up to date and ready", n, n)
	if rev > 0 {
		want += fmt.Sprintf(" · current revision %d", rev)
	}
	return func(scr string) bool { return strings.Contains(scr, want) }
}

// filterShows holds once the filter line shows pattern being typed.
func filterShows(pattern string) func(string) bool {
	want := " /" + pattern + "█"
	return func(scr string) bool { return strings.Contains(scr, want) }
}

// filterClosed holds once no filter is being typed.
func filterClosed(scr string) bool { return !strings.Contains(scr, "█  (enter: keep") }

// nodeViewShown holds once the node view is complete (nodeViewComplete)
// and its key line, the frame's last, is drawn: a frame that spans several
// reads of the pty is then whole.
func nodeViewShown(n int) func(string) bool {
	complete := nodeViewComplete(n, 0)
	return func(scr string) bool {
		return complete(scr) && strings.HasPrefix(strings.TrimSpace(lastLine(scr)), "esc back")
	}
}

func lastLine(scr string) string {
	lines := strings.Split(strings.TrimRight(scr, "\n "), "\n")
	return lines[len(lines)-1]
}

// k9s's screens. tcell paints a screen top to bottom in pieces that can
// span several reads of the pty and marks no frame, so each predicate
// also checks that the rows it reads are drawn to their last column.

// k9sListComplete holds once every named DaemonSet's row in k9s's
// DaemonSet view shows n in each of its five counts (DESIRED CURRENT
// READY UP-TO-DATE AVAILABLE), as dsx's list does, followed by the AGE
// cell that ends the row.
func k9sListComplete(names []string, n int) func(string) bool {
	return func(scr string) bool {
		for _, name := range names {
			f := k9sRow(scr, func(s string) bool { return s == name })
			if len(f) < 7 {
				return false
			}
			for _, c := range f[1:6] {
				if v, err := strconv.Atoi(c); err != nil || v != n {
					return false
				}
			}
			if !isAge(f[6]) {
				return false
			}
		}
		return true
	}
}

// k9sRow returns the cells of the first table row whose cell matches, from
// that cell on.
func k9sRow(scr string, match func(string) bool) []string {
	for _, line := range strings.Split(scr, "\n") {
		f := tableCells(line)
		if i := slices.IndexFunc(f, match); i >= 0 {
			return f[i:]
		}
	}
	return nil
}

// tableCells splits a line of k9s's boxed table into its cells.
func tableCells(line string) []string {
	return strings.Fields(strings.Trim(line, "│ "))
}

// isAge reports whether s is an age cell: digits and units, 36s, 5m12s, 3d.
func isAge(s string) bool {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	last := s[len(s)-1]
	return strings.IndexByte("smhdy", last) >= 0 && strings.Trim(s, "0123456789smhdy") == ""
}

// k9sFirstRow holds once the first row of k9s's table is name's: the
// cursor starts there.
func k9sFirstRow(name string) func(string) bool {
	return func(scr string) bool {
		header := false
		for _, line := range strings.Split(scr, "\n") {
			f := tableCells(line)
			if !header {
				header = slices.ContainsFunc(f, func(s string) bool { return strings.HasPrefix(s, "NAME") })
				continue
			}
			return slices.Contains(f, name)
		}
		return false
	}
}

// k9sPodsComplete holds once k9s's pod view of DaemonSet ds counts n pods
// in its title and shows as many pod rows as fit (or all n), each ready
// (1/1), Running and drawn to its AGE cell. k9s writes the count with
// thousands separators ("[1,000]").
func k9sPodsComplete(ds string, n int) func(string) bool {
	count := "[" + thousands(n) + "]"
	return func(scr string) bool {
		lines := strings.Split(scr, "\n")
		title, bottom := -1, -1
		for i, line := range lines {
			if title < 0 && strings.Contains(line, "pods(") && strings.Contains(line, count) {
				title = i
			}
			if title >= 0 && strings.HasPrefix(strings.TrimSpace(line), "└") {
				bottom = i
				break
			}
		}
		if title < 0 || bottom < 0 {
			return false
		}
		// The box holds the header line, then the rows.
		fit := bottom - title - 2
		rows := 0
		for _, line := range lines[title+2 : bottom] {
			f := tableCells(line)
			i := slices.IndexFunc(f, func(s string) bool { return strings.HasPrefix(s, ds+"-") })
			if i < 0 {
				continue
			}
			rows++
			cells := f[i+1:]
			if !slices.Contains(cells, "1/1") || !slices.Contains(cells, "Running") || len(cells) == 0 || !isAge(cells[len(cells)-1]) {
				return false
			}
		}
		return rows == min(n, fit)
	}
}
