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

// k9s's screens. Its DaemonSet view has a row per DaemonSet with the same
// five counts as dsx's list (DESIRED CURRENT READY UP-TO-DATE AVAILABLE),
// so "complete" means the same there: every row shows n in each.
func k9sListComplete(names []string, n int) func(string) bool {
	return listComplete(names, n)
}

// k9sFirstRow holds once the first row of k9s's table is name's, where
// the cursor starts.
func k9sFirstRow(name string) func(string) bool {
	return func(scr string) bool {
		for _, line := range strings.Split(scr, "\n") {
			f := strings.Fields(strings.Trim(line, "│║ "))
			if i := indexOf(f, name); i >= 0 {
				return true
			}
			if len(f) > 0 && isTableHeader(f) {
				continue
			}
		}
		return false
	}
}

func isTableHeader(f []string) bool { return indexOf(f, "NAME") >= 0 || indexOf(f, "NAME↑") >= 0 }

// k9sPodsComplete holds once k9s's pod view of DaemonSet ds counts n pods
// in its title and every pod row on screen is ready (1/1) and Running.
func k9sPodsComplete(ds string, n int) func(string) bool {
	count := fmt.Sprintf("[%d]", n)
	return func(scr string) bool {
		titled, rows := false, 0
		for _, line := range strings.Split(scr, "\n") {
			if strings.Contains(strings.ToLower(line), "pods(") && strings.Contains(line, count) {
				titled = true
				continue
			}
			f := strings.Fields(strings.Trim(line, "│║ "))
			i := slices.IndexFunc(f, func(s string) bool { return strings.HasPrefix(s, ds+"-") })
			if i < 0 {
				continue
			}
			rows++
			if !slices.Contains(f[i+1:], "1/1") || !slices.Contains(f[i+1:], "Running") {
				return false
			}
		}
		return titled && rows > 0
	}
}
