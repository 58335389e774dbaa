package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

func keyPress(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "ctrl+d":
		return tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func typeKeys(tm *teatest.TestModel, ks ...string) {
	for _, k := range ks {
		tm.Send(keyPress(k))
	}
}

// sampleNodeView is a node view with every state.
func sampleNodeView() *kube.NodeView {
	at := func(d time.Duration) time.Time { return fixedNow.Add(-d) }
	rows := []*kube.NodeRow{
		{Node: "general-0", NodeReady: true, State: kube.StateCurrent, Pod: "log-shipper-abcde", Revision: 4, CurrentRevision: true, Ready: true, Created: at(time.Hour)},
		{Node: "general-1", NodeReady: true, State: kube.StateOutdated, Pod: "log-shipper-fghij", Revision: 3, Ready: true, Created: at(3 * time.Hour), Reason: "runs revision 3"},
		{Node: "general-2", NodeReady: true, State: kube.StateProgressing, Pod: "log-shipper-klmno", Revision: 4, CurrentRevision: true, Restarts: 5, Created: at(10 * time.Minute), Reason: "log-shipper: CrashLoopBackOff"},
		{Node: "general-3", NodeReady: true, Unschedulable: true, State: kube.StateCurrent, Pod: "log-shipper-pqrst", Revision: 4, CurrentRevision: true, Ready: true, Created: at(time.Hour)},
		{Node: "general-5", NodeReady: false, State: kube.StateIneligible, IneligibleKind: "taint", Reason: "untolerated taint node.kubernetes.io/not-ready:NoSchedule; node NotReady"},
		{Node: "infra-0", NodeReady: true, State: kube.StateIneligible, IneligibleKind: "taint", Reason: "untolerated taint dedicated=infra:NoSchedule"},
		{Node: "gpu-0", NodeReady: true, State: kube.StateMissing, Reason: "no pod yet: the controller has not created one"},
		{Node: "gpu-1", NodeReady: true, State: kube.StateFailed, Pod: "log-shipper-uvwxy", Revision: 4, CurrentRevision: true, Created: at(time.Minute), Reason: "log-shipper: Error (exit 1)"},
		{Node: "spot-9", NodeGone: true, State: kube.StateMisscheduled, Pod: "log-shipper-zzzzz", Revision: 3, Ready: true, Created: at(time.Hour), Reason: "node no longer exists"},
	}
	v := &kube.NodeView{Namespace: "logging", Name: "log-shipper", CurrentRevision: 4, Rows: rows, Access: kube.AllAccess()}
	v.Summary = kube.NodeSummary{Nodes: 8, Eligible: 6,
		ByState:           map[kube.NodeState]int{kube.StateCurrent: 2, kube.StateOutdated: 1, kube.StateProgressing: 1, kube.StateIneligible: 2, kube.StateMissing: 1, kube.StateFailed: 1, kube.StateMisscheduled: 1},
		OutdatedRevisions: map[int64]int{3: 1}, IneligibleKinds: map[string]int{"taint": 2}}
	return v
}

func nodeModel() Model {
	snap := sampleSnapshot()
	snap.Focus = "logging/log-shipper-with-a-very-long-name-for-truncation"
	nv := sampleNodeView()
	nv.Name = "log-shipper-with-a-very-long-name-for-truncation"
	snap.Detail = nv
	return New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: snap})
}

// Enter on a DaemonSet opens its node view; golden at two sizes.
func TestNodeViewGolden(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			tm, scr := startModel(t, nodeModel(), size.w, size.h)
			scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
			typeKeys(tm, "j", "j", "j", "enter")
			txt := scr.waitFor(t, 5*time.Second, "the node view", func(s string) bool {
				return strings.Contains(s, "general-0") && strings.Contains(s, "quit")
			})
			golden.RequireEqual(t, []byte(txt))
		})
	}
}

// p hides current and ineligible nodes; esc goes back to the list.
func TestNodeViewProblemsAndBack(t *testing.T) {
	tm, scr := startModel(t, nodeModel(), 140, 30)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "j", "j", "j", "enter")
	scr.waitFor(t, 5*time.Second, "the node view", func(s string) bool { return strings.Contains(s, "infra-0") })
	typeKeys(tm, "p")
	txt := scr.waitFor(t, 5*time.Second, "problems only", func(s string) bool {
		return strings.Contains(s, "problems only") && !strings.Contains(s, "infra-0")
	})
	for _, want := range []string{"general-1", "general-2", "gpu-0", "gpu-1", "spot-9 (gone)"} {
		if !strings.Contains(txt, want) {
			t.Errorf("problems-only view lacks %s:\n%s", want, txt)
		}
	}
	if strings.Contains(txt, "general-0 ") || strings.Contains(txt, "general-3") {
		t.Errorf("problems-only view shows a current node:\n%s", txt)
	}
	// Problems sort first: failed, then missing, then misscheduled.
	if i, j := strings.Index(txt, "gpu-1"), strings.Index(txt, "general-1"); i < 0 || j < 0 || i > j {
		t.Errorf("failed node not sorted before outdated:\n%s", txt)
	}
	typeKeys(tm, "esc")
	scr.waitFor(t, 5*time.Second, "the list again", func(s string) bool { return strings.Contains(s, "DaemonSets · sort") })
}

// The fuzzy filter narrows rows, highlights matches, survives a live
// update, and esc clears it.
func TestFuzzyFilter(t *testing.T) {
	m := New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot()})
	tm, scr := startModel(t, m, 120, 20)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "/", "p", "r", "x")
	scr.waitFor(t, 5*time.Second, "only kube-proxy", func(s string) bool {
		return strings.Contains(s, "kube-proxy") && !strings.Contains(s, "cni-agent") && strings.Contains(s, "/prx")
	})
	typeKeys(tm, "enter")
	// A live update arrives: the filter stays.
	s := sampleSnapshot()
	s.DaemonSets = append(s.DaemonSets, kube.DaemonSetRow{Namespace: "edge", Name: "proxy-sidecar", Created: fixedNow})
	tm.Send(SnapshotMsg{Snapshot: s})
	scr.waitFor(t, 5*time.Second, "the new match", func(s string) bool {
		return strings.Contains(s, "proxy-sidecar") && strings.Contains(s, "kube-proxy") && !strings.Contains(s, "cni-agent") && strings.Contains(s, "2 of 7 DaemonSets")
	})
	typeKeys(tm, "esc")
	scr.waitFor(t, 5*time.Second, "every row back", func(s string) bool {
		return strings.Contains(s, "cni-agent") && strings.Contains(s, "7 DaemonSets")
	})
	typeKeys(tm, "q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if f := fm.stack[0].(listView).filter.value(); f != "" {
		t.Fatalf("filter %q not cleared", f)
	}
}

// Highlighting wraps exactly the matched characters.
func TestFilterHighlight(t *testing.T) {
	m := New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot()})
	l := m.stack[0].SetSize(200, 10).(listView)
	l.filter.ti.SetValue("prx")
	l.refresh()
	if len(l.rows) != 1 {
		t.Fatalf("rows = %d, want 1", len(l.rows))
	}
	lines := l.render(200, 10)
	row := lines[1]
	for _, c := range []string{"p", "r", "x"} {
		if !strings.Contains(row, hlOn+c+hlOff) {
			t.Errorf("%q not highlighted in %q", c, row)
		}
	}
}

// ? shows every binding from keys/, and closes again.
func TestHelpGolden(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			m := New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot()})
			tm, scr := startModel(t, m, size.w, size.h)
			scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
			typeKeys(tm, "?")
			txt := scr.waitFor(t, 5*time.Second, "help", func(s string) bool { return strings.Contains(s, "esc closes this help") })
			golden.RequireEqual(t, []byte(txt))
			if size.h >= 48 {
				for _, g := range keys.Default().Groups() {
					for _, b := range g.Bindings {
						if !strings.Contains(txt, b.Help().Desc) {
							t.Errorf("help lacks %q", b.Help().Desc)
						}
					}
				}
			}
			typeKeys(tm, "?")
			scr.waitFor(t, 5*time.Second, "the list again", func(s string) bool { return strings.Contains(s, "cni-agent") })
		})
	}
}

// fakeInspector returns fixed text, for golden screens of the pager.
type fakeInspector struct{}

func (fakeInspector) Describe(ref kube.ObjectRef) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "Name:           %s\nSelector:       app=%s\nNode-Selector:  <none>\n", ref.Name, ref.Name)
	for i := range 60 {
		fmt.Fprintf(&b, "Line %02d:\tvalue %d\n", i, i*i)
	}
	b.WriteString("Events:\n  Type    Reason            Age   From                  Message\n  Normal  SuccessfulCreate  1m    daemonset-controller  Created pod: x\n")
	return b.String(), nil
}

func (fakeInspector) YAML(context.Context, kube.ObjectRef) (string, error) {
	return "apiVersion: apps/v1\nkind: DaemonSet\n", nil
}

// The describe pager: scrolling, search with n, golden at two sizes.
func TestPagerGolden(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			m := New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot(), Inspector: fakeInspector{}})
			tm, scr := startModel(t, m, size.w, size.h)
			scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
			typeKeys(tm, "d")
			scr.waitFor(t, 5*time.Second, "describe", func(s string) bool { return strings.Contains(s, "Selector:       app=cni-agent") })
			typeKeys(tm, "/", "l", "i", "n", "e", " ", "4", "enter", "n")
			txt := scr.waitFor(t, 5*time.Second, "second match", func(s string) bool { return strings.Contains(s, "match 2 of 10") })
			golden.RequireEqual(t, []byte(txt))
		})
	}
}

func TestNaturalCompare(t *testing.T) {
	in := []string{"node-10", "node-2", "node-1", "gpu-0", "node-02a", "node-2b"}
	slices.SortFunc(in, naturalCompare)
	want := []string{"gpu-0", "node-1", "node-2", "node-02a", "node-2b", "node-10"}
	if !slices.Equal(in, want) {
		t.Fatalf("got %v, want %v", in, want)
	}
}

func (fakeInspector) Logs(context.Context, string, string, string, bool, bool, int64) (io.ReadCloser, error) {
	return nil, errors.New("no logs in this test")
}

func (fakeInspector) PodInfo(_ context.Context, ns, pod string) (string, error) {
	return "Pod " + ns + "/" + pod + "\n\nConditions:\n  Ready=False (ContainersNotReady): containers with unready status: [log-shipper] readiness probe failed (since 3m): Get http://10.0.0.7:8080/healthz: connect: connection refused\n\nLast events:\n  2026-11-28T11:59:00Z Warning Unhealthy (x12): Readiness probe failed: connection refused\n", nil
}
