package ui

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// rolloutSnap is a snapshot focused on ns/agent, whose twelve nodes n-00
// to n-11 are in the given states, the DaemonSet marked mark.
func rolloutSnap(states []kube.NodeState, mark, blocked string, longPod int) kube.Snapshot {
	rows := make([]*kube.NodeRow, len(states))
	sum := kube.NodeSummary{Nodes: len(states), ByState: map[kube.NodeState]int{}, OutdatedRevisions: map[int64]int{}, IneligibleKinds: map[string]int{}}
	for i, st := range states {
		r := kube.NodeRow{Node: fmt.Sprintf("n-%02d", i), NodeReady: true, State: st, Pod: fmt.Sprintf("agent-p%02d", i), Revision: 2, CurrentRevision: true, Ready: true, Created: fixedNow.Add(-time.Minute)}
		switch st {
		case kube.StateOutdated, kube.StateTerminating:
			r.Revision, r.CurrentRevision, r.Created = 1, false, fixedNow.Add(-time.Hour)
		case kube.StateMissing:
			r.Pod, r.Ready, r.Reason = "", false, "no pod yet"
		case kube.StateProgressing:
			r.Ready, r.Reason = false, "agent: ContainerCreating"
		case kube.StateFailed:
			r.Ready, r.Reason = false, "agent: Error (exit 1)"
		}
		if i == longPod && r.Pod != "" {
			r.Pod = "agent-with-a-much-longer-pod-name-p" + fmt.Sprint(i)
		}
		rows[i] = &r
		sum.ByState[st]++
		if st != kube.StateMisscheduled {
			sum.Eligible++
		}
	}
	ds := kube.DaemonSetRow{Namespace: "ns", Name: "agent", Desired: int32(len(states)), Strategy: "RollingUpdate", Observed: true, Mark: mark, Blocked: blocked, Created: fixedNow.Add(-24 * time.Hour)}
	return kube.Snapshot{Context: "c", Synced: true, DaemonSets: []kube.DaemonSetRow{ds}, Focus: "ns/agent",
		Detail: &kube.NodeView{Namespace: "ns", Name: "agent", CurrentRevision: 2, Observed: true, Blocked: blocked, Rows: rows, Summary: sum, Access: kube.AllAccess()}}
}

// openRollout opens the node view of rolloutSnap's one DaemonSet at
// 160x40.
func openRollout(t *testing.T, snap kube.Snapshot) Model {
	t.Helper()
	return drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: snap}),
		tea.WindowSizeMsg{Width: 160, Height: 40}, keyPress("enter")).(Model)
}

var nodeName = regexp.MustCompile(`\bn-\d\d\b`)

// tableOf is a frame's table: its header line and the nodes of its rows,
// top to bottom.
func tableOf(t *testing.T, m Model) (header string, nodes []string) {
	t.Helper()
	lines := strings.Split(ansi.Strip(m.View().Content), "\n")
	at := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "NODE") && strings.Contains(l, "REVISION") })
	if at < 0 {
		t.Fatalf("no table header in\n%s", m.View().Content)
	}
	for _, l := range lines[at+1:] {
		if n := nodeName.FindString(l); n != "" {
			nodes = append(nodes, n)
		}
	}
	return lines[at], nodes
}

// worstFirst is the order at rest: by state, worst first, then by name.
func worstFirst(states []kube.NodeState) []string {
	idx := make([]int, len(states))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(states[a].Rank(), states[b].Rank()) })
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = fmt.Sprintf("n-%02d", j)
	}
	return out
}

// While a rollout moves, the node view's rows hold their places as nodes
// go from outdated to current (failed and misscheduled still first), and
// its columns only widen; a stalled or blocked rollout sorts worst first.
func TestRolloutKeepsRowsInPlace(t *testing.T) {
	const (
		cur  = kube.StateCurrent
		out  = kube.StateOutdated
		prog = kube.StateProgressing
		term = kube.StateTerminating
		miss = kube.StateMissing
		fail = kube.StateFailed
		mis  = kube.StateMisscheduled
	)
	before := []kube.NodeState{cur, cur, prog, term, out, out, out, fail, out, miss, out, mis}
	// A few hundred milliseconds later each node has moved on a step; n-04
	// lost its pod (the one with the long name).
	after := []kube.NodeState{cur, cur, cur, miss, miss, term, out, fail, prog, prog, out, mis}
	inPlace := []string{"n-07", "n-11", "n-00", "n-01", "n-02", "n-03", "n-04", "n-05", "n-06", "n-08", "n-09", "n-10"}

	m := New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: rolloutSnap(before, kube.MarkRolling, "", 4)})
	step := func(msg tea.Msg) {
		t.Helper()
		next, _ := m.Update(msg)
		m = next.(Model)
	}
	step(tea.WindowSizeMsg{Width: 200, Height: 40})
	step(keyPress("enter"))
	if _, ok := m.top().(nodeView); !ok {
		t.Fatalf("enter did not open the node view: %T", m.top())
	}
	head1, got := tableOf(t, m)
	if !slices.Equal(got, inPlace) {
		t.Fatalf("rolling, first frame: rows %v, want %v", got, inPlace)
	}

	s := rolloutSnap(after, kube.MarkRolling, "", 99)
	step(SnapshotMsg{Snapshot: s})
	head2, got := tableOf(t, m)
	if !slices.Equal(got, inPlace) {
		t.Errorf("rolling, nodes moved on: rows %v, want them where they were, %v", got, inPlace)
	}
	if head2 != head1 {
		t.Errorf("rolling, the long pod name gone: columns moved\n%s\nwas\n%s", head2, head1)
	}
	if slices.Equal(worstFirst(after), inPlace) {
		t.Fatal("the states after do not reorder worst first: the test proves nothing")
	}

	// No progress: the same view, the DaemonSet now marked stalled.
	s.DaemonSets[0].Mark = kube.MarkStalled
	step(SnapshotMsg{Snapshot: s})
	if _, got := tableOf(t, m); !slices.Equal(got, worstFirst(after)) {
		t.Errorf("stalled: rows %v, want worst first %v", got, worstFirst(after))
	}

	// Moving again, rows back in place.
	s = rolloutSnap(after, kube.MarkRolling, "", 99)
	step(SnapshotMsg{Snapshot: s})
	if _, got := tableOf(t, m); !slices.Equal(got, inPlace) {
		t.Errorf("rolling again: rows %v, want %v", got, inPlace)
	}

	// Blocked on a new pod: worst first, to show what holds it up.
	s = rolloutSnap(after, kube.MarkRolling, "blocked on 1 new pod not ready: agent-p07 on n-07: Error", 99)
	step(SnapshotMsg{Snapshot: s})
	if _, got := tableOf(t, m); !slices.Equal(got, worstFirst(after)) {
		t.Errorf("blocked: rows %v, want worst first %v", got, worstFirst(after))
	}
	if head, _ := tableOf(t, m); head != head1 {
		t.Errorf("blocked: columns moved after the rollout was shown\n%s\nwas\n%s", head, head1)
	}

	// Reopened, the view measures afresh: the POD column is narrower
	// now, which is what held it still above.
	step(keyPress("esc"))
	step(keyPress("enter"))
	if head, _ := tableOf(t, m); head == head1 || len(strings.TrimRight(head, " ")) >= len(strings.TrimRight(head1, " ")) {
		t.Errorf("reopened: columns as wide as before\n%s\nwas\n%s", head, head1)
	}
}

// The first frame of a rollout already has room in STATE for the states
// its nodes will pass through, and in REVISION for the new one, so the
// columns do not move, and every row is not drawn again, when the first
// pods terminate and their successors progress and run.
func TestRolloutStateColumnHoldsFromTheStart(t *testing.T) {
	// No pod of the new revision yet: REVISION's cells are all "1 old".
	out := kube.StateOutdated
	first := []kube.NodeState{out, out, out, out, out, out}
	later := []kube.NodeState{kube.StateTerminating, kube.StateProgressing, out, out, kube.StateCurrent, kube.StateCurrent}
	m := openRollout(t, rolloutSnap(first, kube.MarkRolling, "", 4))
	head1, _ := tableOf(t, m)
	m = drive(t, m, SnapshotMsg{Snapshot: rolloutSnap(later, kube.MarkRolling, "", 4)}).(Model)
	head2, _ := tableOf(t, m)
	if head2 != head1 {
		t.Errorf("columns moved when pods began to terminate and progress\n%s\nwas\n%s", head2, head1)
	}
	// At rest too, STATE has a rollout's room: a rollout that starts
	// moves no column.
	m = openRollout(t, rolloutSnap(first, kube.MarkComplete, "", 4))
	rest, _ := tableOf(t, m)
	if strings.Index(rest, "POD") != strings.Index(head1, "POD") {
		t.Errorf("at rest, STATE is not as wide as in a rollout:\n%s\nrolling:\n%s", rest, head1)
	}
}

// In a moving rollout, a node's step (outdated, terminating, missing
// between its two pods, progressing) colours its STATE cell, not its row:
// the next step then rewrites the cells that change, not the row. A pod
// that failed colours its row, as does a missing pod when no rollout
// moves.
func TestRolloutStepsColourTheirState(t *testing.T) {
	// The row's own line, SGR and all; the selection is on n-00.
	line := func(m Model, node string) string {
		for _, l := range strings.Split(m.View().Content, "\n") {
			if strings.Contains(ansi.Strip(l), node+" ") {
				return l
			}
		}
		t.Fatalf("no row for %s in\n%s", node, m.View().Content)
		return ""
	}
	steps := []kube.NodeState{kube.StateCurrent, kube.StateOutdated, kube.StateTerminating, kube.StateMissing, kube.StateProgressing, kube.StateFailed}
	m := openRollout(t, rolloutSnap(steps, kube.MarkRolling, "", -1))
	for _, n := range []string{"n-01", "n-02", "n-03", "n-04"} {
		l := line(m, n)
		if !strings.HasPrefix(l, n) || !strings.Contains(l, "\x1b[") {
			t.Errorf("%s: want a plain node name and a coloured state: %q", n, l)
		}
	}
	if l := line(m, "n-05"); strings.HasPrefix(l, "n-05") {
		t.Errorf("failed: want the whole row coloured: %q", l)
	}
	m = openRollout(t, rolloutSnap([]kube.NodeState{kube.StateCurrent, kube.StateMissing, kube.StateCurrent}, kube.MarkStalled, "", -1))
	if l := line(m, "n-01"); strings.HasPrefix(l, "n-01") {
		t.Errorf("missing, rollout stalled: want the whole row coloured: %q", l)
	}
}
