package ui

import (
	"strings"

	"github.com/sahilm/fuzzy"
)

// filterSource adapts a view's rows to sahilm/fuzzy.
type filterSource []string

func (s filterSource) String(i int) string { return s[i] }
func (s filterSource) Len() int            { return len(s) }

// match filters rows by pattern: it returns the indexes of matching rows,
// best first, and for each the matched character positions in its target.
// An empty pattern keeps every row in order.
func match(pattern string, targets []string) ([]int, map[int][]int) {
	if pattern == "" {
		idx := make([]int, len(targets))
		for i := range idx {
			idx[i] = i
		}
		return idx, nil
	}
	ms := fuzzy.FindFrom(pattern, filterSource(targets))
	idx := make([]int, len(ms))
	hl := make(map[int][]int, len(ms))
	for i, m := range ms {
		idx[i] = m.Index
		hl[m.Index] = m.MatchedIndexes
	}
	return idx, hl
}

// targetOf joins the filtered cells with spaces and returns, per cell, the
// byte offset where it starts in the target, so matches map back to cells.
func targetOf(cells []string, cols []int) (string, []int) {
	var b strings.Builder
	starts := make([]int, len(cols))
	for j, c := range cols {
		if j > 0 {
			b.WriteByte(' ')
		}
		starts[j] = b.Len()
		b.WriteString(cells[c])
	}
	return b.String(), starts
}

// cellHighlights maps matched target positions to per-column positions.
func cellHighlights(matched []int, cells []string, cols []int, starts []int) map[int][]int {
	if len(matched) == 0 {
		return nil
	}
	out := map[int][]int{}
	for _, m := range matched {
		for j, c := range cols {
			if m >= starts[j] && m < starts[j]+len(cells[c]) {
				out[c] = append(out[c], m-starts[j])
			}
		}
	}
	return out
}

// filterIndex holds the text a filter matches rows on. Built once per
// set of rows, it serves every keystroke typed against them: only the
// matching is redone.
type filterIndex struct {
	cols    []int
	targets []string
	starts  [][]int
	cells   [][]string
}

func newFilterIndex(n int, cellsOf func(int) []string, cols []int) *filterIndex {
	x := &filterIndex{cols: cols, targets: make([]string, n), starts: make([][]int, n), cells: make([][]string, n)}
	for i := range n {
		x.cells[i] = cellsOf(i)
		x.targets[i], x.starts[i] = targetOf(x.cells[i], cols)
	}
	return x
}

// filter returns the rows matching pattern, best first, and per kept row
// the highlighted positions per column.
func (x *filterIndex) filter(pattern string) ([]int, map[int]map[int][]int) {
	idx, matched := match(pattern, x.targets)
	hl := make(map[int]map[int][]int, len(idx))
	for _, i := range idx {
		hl[i] = cellHighlights(matched[i], x.cells[i], x.cols, x.starts[i])
	}
	return idx, hl
}

// filterRows applies pattern to n rows whose cells cellsOf gives, matching
// on the columns cols. It returns the kept row indexes (best match first)
// and, per kept row, the highlighted positions per column. Without a
// pattern no cell is built: every row is kept in order.
func filterRows(pattern string, n int, cellsOf func(int) []string, cols []int) ([]int, map[int]map[int][]int) {
	if pattern == "" {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx, nil
	}
	return newFilterIndex(n, cellsOf, cols).filter(pattern)
}
