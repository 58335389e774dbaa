package ui

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sahilm/fuzzy"
)

// filterSource adapts a view's rows to sahilm/fuzzy.
type filterSource []string

func (s filterSource) String(i int) string { return s[i] }
func (s filterSource) Len() int            { return len(s) }

// match filters rows by pattern: it returns the indexes of matching rows,
// best first, and for each the matched byte positions in its target.
// Best is a target equal to the pattern (ignoring case), then targets it
// begins (shorter, then natural order, so general-1 comes before
// general-10), then fuzzy matches by score: what the user typed whole
// always wins over letters scattered through a longer name.
// An empty pattern keeps every row in order.
func match(pattern string, targets []string) ([]int, map[int][]int) {
	if pattern == "" {
		idx := make([]int, len(targets))
		for i := range idx {
			idx[i] = i
		}
		return idx, nil
	}
	lp := strings.ToLower(pattern)
	var exact, prefix []int
	hl := map[int][]int{}
	for i, t := range targets {
		lt := strings.ToLower(t)
		if !strings.HasPrefix(lt, lp) {
			continue
		}
		if len(lt) == len(lp) {
			exact = append(exact, i)
		} else {
			prefix = append(prefix, i)
		}
		pos := make([]int, len(lp))
		for j := range pos {
			pos[j] = j
		}
		hl[i] = pos
	}
	slices.SortStableFunc(prefix, func(a, b int) int {
		if c := cmp.Compare(len(targets[a]), len(targets[b])); c != 0 {
			return c
		}
		return naturalCompare(targets[a], targets[b])
	})
	idx := append(exact, prefix...)
	for _, m := range fuzzy.FindFrom(pattern, filterSource(targets)) {
		if _, ok := hl[m.Index]; ok {
			continue
		}
		idx = append(idx, m.Index)
		hl[m.Index] = m.MatchedIndexes
	}
	return idx, hl
}

// filterField is a column the filter matches only when the pattern
// starts with its prefix (as "r:" for the reason): by default only the
// name is matched, so a digit typed for a node never matches every
// reason that names a revision.
type filterField struct {
	prefix, title string
	col           int
}

// filterSpec says what a view's filter matches: the name column by
// default, the fields on their prefixes.
type filterSpec struct {
	name   int
	fields []filterField
}

// scope is what the filter line says it matches.
func (s filterSpec) scope() string {
	out := "name"
	for _, f := range s.fields {
		out += " · " + f.prefix + " " + f.title
	}
	return out
}

// parse returns the column pattern matches and the pattern without its
// prefix.
func (s filterSpec) parse(pattern string) (int, string) {
	for _, f := range s.fields {
		if rest, ok := strings.CutPrefix(pattern, f.prefix); ok {
			return f.col, strings.TrimLeft(rest, " ")
		}
	}
	return s.name, pattern
}

// filterIndex holds the cells a filter matches rows on. Built once per
// set of rows, it serves every keystroke typed against them: only the
// matching is redone.
type filterIndex struct {
	spec  filterSpec
	cells [][]string
	// memo holds the last patterns' matches. A pattern that extends one
	// of them can only match among its rows (a prefix or a subsequence
	// of the longer pattern is one of the shorter), and a pattern typed
	// again (backspace) is looked up: at 65,000 rows a keystroke then
	// re-matches a fraction of them.
	memo []filterMemo
}

type filterMemo struct {
	col     int
	p       string
	idx     []int
	matched map[int][]int
}

// filterMemos is how many patterns a filterIndex remembers.
const filterMemos = 8

func newFilterIndex(n int, cellsOf func(int) []string, spec filterSpec) *filterIndex {
	x := &filterIndex{spec: spec, cells: make([][]string, n)}
	for i := range n {
		x.cells[i] = cellsOf(i)
	}
	return x
}

// filter returns the rows matching pattern, best first, and per kept row
// the highlighted positions per column.
func (x *filterIndex) filter(pattern string) ([]int, map[int]map[int][]int) {
	idx, col, matched := x.match(pattern)
	hl := make(map[int]map[int][]int, len(idx))
	for _, i := range idx {
		if m := matched[i]; len(m) > 0 {
			hl[i] = map[int][]int{col: m}
		}
	}
	return idx, hl
}

// match returns the rows matching pattern, best first, the column it
// matched and the matched positions per row.
func (x *filterIndex) match(pattern string) ([]int, int, map[int][]int) {
	col, p := x.spec.parse(pattern)
	idx, matched := x.matchCol(col, p)
	return idx, col, matched
}

// matchCol is match on column col, narrowed and remembered (see memo).
func (x *filterIndex) matchCol(col int, p string) ([]int, map[int][]int) {
	var from *filterMemo
	for i := range x.memo {
		m := &x.memo[i]
		if m.col != col || m.p == "" || !strings.HasPrefix(p, m.p) {
			continue
		}
		if m.p == p {
			return m.idx, m.matched
		}
		if from == nil || len(m.p) > len(from.p) {
			from = m
		}
	}
	var idx []int
	var matched map[int][]int
	if from == nil {
		targets := make([]string, len(x.cells))
		for i, c := range x.cells {
			targets[i] = c[col]
		}
		idx, matched = match(p, targets)
	} else {
		rows := slices.Clone(from.idx)
		slices.Sort(rows)
		idx, matched = x.matchAmong(col, p, rows)
	}
	if len(x.memo) == filterMemos {
		x.memo = slices.Delete(x.memo, 0, 1)
	}
	x.memo = append(x.memo, filterMemo{col: col, p: p, idx: idx, matched: matched})
	return idx, matched
}

// matchAmong is match on column col among rows only, in row order:
// match's ties keep it, so the rows rank as among all rows.
func (x *filterIndex) matchAmong(col int, p string, rows []int) ([]int, map[int][]int) {
	targets := make([]string, len(rows))
	for i, r := range rows {
		targets[i] = x.cells[r][col]
	}
	sub, subMatched := match(p, targets)
	idx := make([]int, len(sub))
	matched := make(map[int][]int, len(subMatched))
	for i, k := range sub {
		idx[i] = rows[k]
	}
	for k, m := range subMatched {
		matched[rows[k]] = m
	}
	return idx, matched
}

// update takes the cells of rows whose text changed, the others' being
// the same. What was matched on names stands (a row keeps its name);
// pattern, on another column, is matched again among the rows it
// matched and these, the other patterns forgotten.
func (x *filterIndex) update(rows []int, cellsOf func(int) []string, pattern string) {
	for _, r := range rows {
		x.cells[r] = cellsOf(r)
	}
	col, p := x.spec.parse(pattern)
	var keep []filterMemo
	for _, m := range x.memo {
		switch {
		case m.col == x.spec.name:
			keep = append(keep, m)
		case m.col == col && m.p == p && p != "":
			cand := slices.Concat(m.idx, rows)
			slices.Sort(cand)
			m.idx, m.matched = x.matchAmong(col, p, slices.Compact(cand))
			keep = append(keep, m)
		}
	}
	x.memo = keep
}

// filterRows applies pattern to n rows whose cells cellsOf gives, as
// spec says. It returns the kept row indexes (best match first) and, per
// kept row, the highlighted positions per column. Without a pattern no
// cell is built: every row is kept in order.
func filterRows(pattern string, n int, cellsOf func(int) []string, spec filterSpec) ([]int, map[int]map[int][]int) {
	if pattern == "" {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx, nil
	}
	return newFilterIndex(n, cellsOf, spec).filter(pattern)
}
