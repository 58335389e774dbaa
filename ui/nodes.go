package ui

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dsx-tui/dsx/kube"
)

type nodeSort int

const (
	nodeSortState nodeSort = iota
	nodeSortNode
	nodeSortAge
	nodeSortCount
)

func (s nodeSort) String() string { return [...]string{"state", "node", "age"}[s] }

// nodeView is the per-node view of one DaemonSet.
type nodeView struct {
	ns, name     string
	view         *kube.NodeView
	rows         []kube.NodeRow
	hl           map[string]map[int][]int
	cur          cursor
	sort         nodeSort
	problemsOnly bool
	filter       filterState
	// fidx is the filter's text for base, kept while the snapshot and the
	// problems-only switch stay the same: typing only re-matches.
	fidx      *filterIndex
	fidxFor   *kube.NodeView
	fidxProbs bool
	base      []kube.NodeRow
}

// nodeFilterCols: NODE, STATE, REASON.
func nodeFilterCols() []int { return []int{0, 1, 7} }

func (v *nodeView) set(nv *kube.NodeView, now time.Time) {
	v.view = nv
	v.refresh(now)
}

func (v *nodeView) refresh(now time.Time) {
	v.rows = v.rows[:0]
	v.hl = map[string]map[int][]int{}
	if v.view == nil {
		v.cur.sync(nil)
		return
	}
	if v.fidxFor != v.view || v.fidxProbs != v.problemsOnly || v.base == nil {
		v.base = v.base[:0]
		for _, r := range v.view.Rows {
			if v.problemsOnly && !r.State.Problem() {
				continue
			}
			v.base = append(v.base, r)
		}
		v.fidx, v.fidxFor, v.fidxProbs = nil, v.view, v.problemsOnly
	}
	base := v.base
	var idx []int
	var hl map[int]map[int][]int
	if v.filter.pattern == "" {
		idx, hl = filterRows("", len(base), nil, nil)
	} else {
		if v.fidx == nil {
			v.fidx = newFilterIndex(len(base), func(i int) []string { return nodeFilterCells(base[i]) }, nodeFilterCols())
		}
		idx, hl = v.fidx.filter(v.filter.pattern)
	}
	for _, i := range idx {
		v.rows = append(v.rows, base[i])
		if h := hl[i]; h != nil {
			v.hl[base[i].Node] = h
		}
	}
	if v.filter.pattern == "" || v.sort != nodeSortState {
		slices.SortStableFunc(v.rows, func(a, b kube.NodeRow) int {
			var c int
			switch v.sort {
			case nodeSortState:
				c = cmp.Compare(a.State.Rank(), b.State.Rank())
			case nodeSortAge:
				c = b.Created.Compare(a.Created)
			}
			if c != 0 {
				return c
			}
			return naturalCompare(a.Node, b.Node)
		})
	}
	v.cur.sync(v.keys())
}

func (v *nodeView) keys() []string {
	keys := make([]string, len(v.rows))
	for i, r := range v.rows {
		keys[i] = r.Node
	}
	return keys
}

func nodeColumns() []column {
	return []column{
		{title: "NODE", priority: 20, flex: true, min: 12},
		{title: "STATE", priority: 19},
		{title: "POD", priority: 5, flex: true, min: 10},
		{title: "REVISION", short: "REV", priority: 15},
		{title: "READY", short: "RDY", priority: 12},
		{title: "RESTARTS", short: "RST", priority: 8, right: true},
		{title: "AGE", priority: 7, right: true},
		{title: "REASON", priority: 18, flex: true, min: 30},
	}
}

// stateText pairs each state with a symbol so meaning never rests on colour.
// It runs for every row on every keystroke in the filter: a switch, not
// a map built per call.
func stateText(s kube.NodeState) string {
	var sym string
	switch s {
	case kube.StateCurrent:
		sym = "✓"
	case kube.StateOutdated:
		sym = "↻"
	case kube.StateProgressing:
		sym = "…"
	case kube.StateFailed:
		sym = "✗"
	case kube.StateMissing:
		sym = "!"
	case kube.StateIneligible:
		sym = "-"
	case kube.StateMisscheduled:
		sym = "⚠"
	case kube.StateTerminating:
		sym = "⌫"
	case kube.StateUnknown:
		sym = "?"
	case kube.StateOrphaned:
		sym = "∅"
	}
	return sym + " " + string(s)
}

func nodeLabel(r kube.NodeRow) string {
	switch {
	case r.NodeGone:
		return r.Node + " (gone)"
	case !r.NodeReady:
		return r.Node + " (NotReady)"
	case r.Unschedulable:
		return r.Node + " (cordoned)"
	}
	return r.Node
}

// nodeFilterCells are nodeCells with only the filtered columns filled:
// the filter builds them for every row.
func nodeFilterCells(r kube.NodeRow) []string {
	c := make([]string, 8)
	c[0], c[1], c[7] = nodeLabel(r), stateText(r.State), r.Reason
	return c
}

func nodeCells(r kube.NodeRow, now time.Time) []string {
	node := nodeLabel(r)
	rev, ready, restarts, ageS, pod := "-", "-", "-", "-", "-"
	if r.Pod != "" {
		pod = r.Pod
		switch {
		case r.CurrentRevision:
			rev = strconv.FormatInt(r.Revision, 10) + " current"
		case r.Revision != 0:
			rev = strconv.FormatInt(r.Revision, 10) + " old"
		default:
			rev = "? old"
		}
		ready = "no"
		if r.Ready {
			ready = "yes"
		}
		restarts = strconv.Itoa(int(r.Restarts))
		ageS = age(now, r.Created)
	}
	return []string{node, stateText(r.State), pod, rev, ready, restarts, ageS, r.Reason}
}

// header sums the view up: counts by state (outdated by revision,
// ineligible by kind) and a progress bar of up-to-date eligible nodes.
func (v *nodeView) header(width int) []string {
	if v.view == nil {
		return []string{fmt.Sprintf(" %s/%s: not found (deleted?)", v.ns, v.name)}
	}
	s := v.view.Summary
	parts := []string{fmt.Sprintf("%d nodes", s.Nodes)}
	add := func(st kube.NodeState, extra string) {
		n := s.ByState[st]
		if n == 0 && st != kube.StateMisscheduled && st != kube.StateCurrent {
			return
		}
		p := fmt.Sprintf("%d %s", n, st)
		if extra != "" {
			p += " (" + extra + ")"
		}
		parts = append(parts, p)
	}
	add(kube.StateCurrent, "")
	var revs []string
	var nums []int64
	for r := range s.OutdatedRevisions {
		nums = append(nums, r)
	}
	sort.Slice(nums, func(i, j int) bool { return nums[i] > nums[j] })
	for _, r := range nums {
		if r == 0 {
			revs = append(revs, fmt.Sprintf("%d unknown", s.OutdatedRevisions[r]))
		} else if len(nums) == 1 {
			revs = append(revs, fmt.Sprintf("rev %d", r))
		} else {
			revs = append(revs, fmt.Sprintf("%d on rev %d", s.OutdatedRevisions[r], r))
		}
	}
	add(kube.StateOutdated, strings.Join(revs, ", "))
	add(kube.StateProgressing, "")
	add(kube.StateFailed, "")
	add(kube.StateMissing, "")
	var kinds []string
	for _, k := range []string{"taint", "selector", "affinity", "nodeName"} {
		if n := s.IneligibleKinds[k]; n > 0 {
			if len(s.IneligibleKinds) == 1 {
				kinds = append(kinds, k)
			} else {
				kinds = append(kinds, fmt.Sprintf("%d %s", n, k))
			}
		}
	}
	add(kube.StateIneligible, strings.Join(kinds, ", "))
	add(kube.StateTerminating, "")
	add(kube.StateMisscheduled, "")
	add(kube.StateOrphaned, "")
	// The summary wraps onto a second line rather than lose counts.
	var lines []string
	line := ""
	for _, p := range parts {
		next := line + " · " + p
		if line == "" {
			next = " " + p
		}
		if len([]rune(next)) > width && line != "" {
			lines = append(lines, line)
			next = " " + p
		}
		line = next
	}
	lines = append(lines, line)
	rev := "revision pending"
	switch {
	case v.view.CurrentRevision != 0:
		rev = fmt.Sprintf("current revision %d", v.view.CurrentRevision)
	case !v.view.Observed:
		rev = "revision pending: the controller has not yet seen the change"
	}
	label := fmt.Sprintf(" %d/%d up to date and ready · %s", s.ByState[kube.StateCurrent], s.Eligible, rev)
	if !v.view.Access.Nodes {
		label += " · only nodes with a pod (no permission to list nodes)"
	}
	bw := min(30, max(width-len([]rune(label))-3, 0))
	line2 := " " + bar(s.ByState[kube.StateCurrent], s.Eligible, bw, false) + label
	lines = append(lines, line2)
	if v.view.Blocked != "" {
		lines = append(lines, " rollout "+v.view.Blocked)
	}
	return lines
}

func (v *nodeView) render(st styles, width, height int, now time.Time) []string {
	out := []string{}
	for _, h := range v.header(width) {
		out = append(out, st.title.Render(fit(h, width, false)))
	}
	cols := nodeColumns()
	height -= len(out)
	if len(v.rows) == 0 {
		msg := " No nodes"
		switch {
		case v.filter.pattern != "":
			msg += " match “" + v.filter.pattern + "”"
		case v.problemsOnly:
			msg = " No problems: every eligible node runs a ready pod of the current revision"
		}
		return append(out, emptyTable(st, cols, width, msg)...)
	}
	start, end := v.cur.window(len(v.rows), height-1)
	cells := make([][]string, 0, end-start)
	for _, r := range v.rows[start:end] {
		cells = append(cells, nodeCells(r, now))
	}
	keep, widths, titles := layout(cols, cells, width)
	out = append(out, st.header.Render(fit(headerRow(cols, keep, widths, titles), width, false)))
	for i, c := range cells {
		r := v.rows[start+i]
		line := fit(renderRow(cols, keep, widths, c, v.hl[r.Node]), width, false)
		switch {
		case start+i == v.cur.pos:
			line = st.selected.Render(line)
		case r.State == kube.StateFailed || r.State == kube.StateMissing || r.State == kube.StateMisscheduled:
			line = st.bad.Render(line)
		case r.State == kube.StateProgressing || r.State == kube.StateOutdated || r.State == kube.StateTerminating:
			line = st.warn.Render(line)
		case r.State == kube.StateIneligible || r.State == kube.StateOrphaned:
			line = st.dim.Render(line)
		}
		out = append(out, line)
	}
	return out
}

func (v *nodeView) summary() string {
	s := fmt.Sprintf("%s/%s", v.ns, v.name)
	if v.problemsOnly {
		s += " · problems only"
	}
	return s + " · sort: " + v.sort.String()
}

// naturalCompare orders node-2 before node-10, as people count.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
