package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// drive feeds msg to m and then, synchronously, every message its
// commands produce (fetches from fakes, not timers): what the program
// loop would do, without one.
func drive(t *testing.T, m tea.Model, msgs ...tea.Msg) tea.Model {
	t.Helper()
	queue := append([]tea.Msg(nil), msgs...)
	for n := 0; len(queue) > 0; n++ {
		if n > 1000 {
			t.Fatal("drive: commands do not settle")
		}
		msg := queue[0]
		queue = queue[1:]
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				if c != nil {
					queue = append(queue, c())
				}
			}
			continue
		}
		if msg == nil {
			continue
		}
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		if cmd != nil {
			queue = append(queue, cmd())
		}
	}
	return m
}

func pressKeys(t *testing.T, m tea.Model, ks ...string) tea.Model {
	t.Helper()
	for _, k := range ks {
		m = drive(t, m, keyPress(k))
	}
	return m
}

func repeat(k string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = k
	}
	return out
}

// shown is the frame as lines, and the index of the selected (reverse
// video) line, -1 when none is.
func shown(m tea.Model) ([]string, int) {
	raw := strings.Split(m.View().Content, "\n")
	sel := -1
	lines := make([]string, len(raw))
	for i, l := range raw {
		if sel < 0 && strings.Contains(l, "\x1b[7m") {
			sel = i
		}
		lines[i] = strings.TrimRight(ansi.Strip(l), " ")
	}
	return lines, sel
}

// firstWith is the index of the first line containing s, -1 when none.
func firstWith(lines []string, s string) int {
	for i, l := range lines {
		if strings.Contains(l, s) {
			return i
		}
	}
	return -1
}

// checkUpOne is the scroller's contract on a screen: after moving down
// past the window, one step up moves the selection up one line and leaves
// the window where it is.
func checkUpOne(t *testing.T, m tea.Model, rowPrefix string, down int) {
	t.Helper()
	m = pressKeys(t, m, repeat("j", down)...)
	before, selBefore := shown(m)
	top := firstWith(before, rowPrefix)
	if top < 0 || selBefore < 0 {
		t.Fatalf("no rows or no selection after %d× j:\n%s", down, strings.Join(before, "\n"))
	}
	if strings.Contains(before[top], rowPrefix+"00") {
		t.Fatalf("%d× j did not scroll the window:\n%s", down, strings.Join(before, "\n"))
	}
	m = pressKeys(t, m, "k")
	after, selAfter := shown(m)
	if got := firstWith(after, rowPrefix); got != top || after[got] != before[top] {
		t.Errorf("the window moved on k: top row %q, was %q\nbefore:\n%s\nafter:\n%s", after[max(got, 0)], before[top], strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
	if selAfter != selBefore-1 {
		t.Errorf("selection on line %d after k, was %d: want one up\nbefore:\n%s\nafter:\n%s", selAfter, selBefore, strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
	// The same again from the new place: nothing is recomputed per frame.
	m = pressKeys(t, m, "k")
	again, selAgain := shown(m)
	if got := firstWith(again, rowPrefix); got != top || again[got] != before[top] || selAgain != selBefore-2 {
		t.Errorf("second k: top %q, selection line %d (want %q, %d):\n%s", again[max(got, 0)], selAgain, before[top], selBefore-2, strings.Join(again, "\n"))
	}
}

func manyDaemonSets(n int) kube.Snapshot {
	s := kube.Snapshot{Context: "prod-eu-1", Namespace: "apps", Synced: true}
	for i := range n {
		s.DaemonSets = append(s.DaemonSets, kube.DaemonSetRow{Namespace: "apps", Name: fmt.Sprintf("ds-%02d", i), Desired: 3, Current: 3, Ready: 3, UpToDate: 3, Available: 3,
			Strategy: "RollingUpdate", Created: fixedNow.Add(-time.Hour), Observed: true, Mark: kube.MarkComplete})
	}
	return s
}

func sized(t *testing.T, m tea.Model, w, h int) tea.Model {
	return drive(t, m, tea.WindowSizeMsg{Width: w, Height: h})
}

// The bug this guards: the offset was written only while drawing, on a
// copy, so it never persisted and k scrolled the window instead.
func TestListScrollsRight(t *testing.T) {
	m := New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: manyDaemonSets(30)})
	checkUpOne(t, sized(t, m, 80, 12), "ds-", 15)
}

func TestNodeViewScrollsRight(t *testing.T) {
	snap := manyDaemonSets(1)
	nv := &kube.NodeView{Namespace: "apps", Name: "ds-00", CurrentRevision: 1, Access: kube.AllAccess()}
	for i := range 30 {
		nv.Rows = append(nv.Rows, &kube.NodeRow{Node: fmt.Sprintf("node-%02d", i), NodeReady: true, State: kube.StateCurrent, Pod: fmt.Sprintf("ds-00-%02d", i),
			Revision: 1, CurrentRevision: true, Ready: true, Created: fixedNow.Add(-time.Hour)})
	}
	nv.Summary = kube.NodeSummary{Nodes: 30, Eligible: 30, ByState: map[kube.NodeState]int{kube.StateCurrent: 30}}
	snap.Focus, snap.Detail = "apps/ds-00", nv
	m := New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: snap})
	m2 := pressKeys(t, sized(t, m, 100, 14), "enter")
	checkUpOne(t, m2, "node-", 15)
}

// manyRevisions is an Actor with a long history.
type manyRevisions struct{ fakeActor }

func (*manyRevisions) History(context.Context, kube.Bound) ([]kube.HistoryEntry, error) {
	var out []kube.HistoryEntry
	for i := 30; i > 0; i-- {
		out = append(out, kube.HistoryEntry{Number: int64(i), Hash: fmt.Sprintf("rev%02d", i), Created: fixedNow.Add(-time.Duration(i) * time.Hour),
			Images: []string{fmt.Sprintf("agent:%d", i)}, Current: i == 30})
	}
	return out, nil
}

func TestHistoryScrollsRight(t *testing.T) {
	m := New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: manyDaemonSets(3), Actor: &manyRevisions{}})
	m2 := pressKeys(t, sized(t, m, 100, 12), "h")
	// Rows are revision numbers 30 down to 1; "rev" is the hash column.
	checkUpOne(t, m2, " rev", 15)
}

// manyContexts is a Switcher with a long kubeconfig.
type manyContexts struct{}

func (manyContexts) Contexts() ([]kube.ContextInfo, error) {
	var out []kube.ContextInfo
	for i := range 30 {
		out = append(out, kube.ContextInfo{Name: fmt.Sprintf("ctx-%02d", i), Cluster: "c", User: "u"})
	}
	return out, nil
}
func (manyContexts) Namespaces(context.Context) ([]string, error) { return nil, nil }
func (manyContexts) Switch(context.Context, string, string, bool, time.Duration) error {
	return nil
}

func TestPickerScrollsRight(t *testing.T) {
	m := New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: manyDaemonSets(3), Switcher: manyContexts{}})
	m2 := pressKeys(t, sized(t, m, 100, 12), "X")
	checkUpOne(t, m2, "ctx-", 15)
}

// The pager has no selection: j and k move the text one line, and k
// after scrolling down shows exactly one line more at the top.
func TestPagerScrollsRight(t *testing.T) {
	m := New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot(), Inspector: fakeInspector{}})
	m2 := pressKeys(t, sized(t, m, 80, 12), "d")
	m2 = pressKeys(t, m2, repeat("j", 15)...)
	before, _ := shown(m2)
	if firstWith(before, "Line 12:") < 0 || firstWith(before, "Line 11:") >= 0 {
		t.Fatalf("15× j: want the text from Line 12:\n%s", strings.Join(before, "\n"))
	}
	m2 = pressKeys(t, m2, "k")
	after, _ := shown(m2)
	if i := firstWith(after, "Line 11:"); i != firstWith(before, "Line 12:") {
		t.Fatalf("k: want one line back, Line 11 where Line 12 was:\n%s", strings.Join(after, "\n"))
	}
	// From the bottom, k shows one line more above.
	m2 = pressKeys(t, m2, "G", "k")
	last, _ := shown(m2)
	if firstWith(last, "Normal  SuccessfulCreate") >= 0 || firstWith(last, "Type    Reason") < 0 {
		t.Fatalf("G k: want the last line just out of view:\n%s", strings.Join(last, "\n"))
	}
}
