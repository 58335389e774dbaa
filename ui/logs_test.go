package ui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// linesInspector serves 40 numbered log lines per container.
type linesInspector struct{ fakeInspector }

func (linesInspector) Logs(_ context.Context, _, pod, container string, previous, _ bool, _ int64) (io.ReadCloser, error) {
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, "%s/%s previous=%v line %02d\n", pod, container, previous, i)
	}
	return io.NopCloser(strings.NewReader(b.String())), nil
}

// l on a node row with two containers asks which, then follows that
// container's log at its end; k scrolls up one line and pauses.
func TestLogsPickAndScroll(t *testing.T) {
	snap := manyDaemonSets(1)
	nv := &kube.NodeView{Namespace: "apps", Name: "ds-00", CurrentRevision: 1, Access: kube.AllAccess(),
		Rows: []*kube.NodeRow{{Node: "node-0", NodeReady: true, State: kube.StateCurrent, Pod: "ds-00-abcde", Containers: []string{"agent", "sidecar"},
			Revision: 1, CurrentRevision: true, Ready: true, Created: fixedNow.Add(-time.Hour)}},
		Summary: kube.NodeSummary{Nodes: 1, Eligible: 1, ByState: map[kube.NodeState]int{kube.StateCurrent: 1}}}
	snap.Focus, snap.Detail = "apps/ds-00", nv
	m := New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: snap, Inspector: linesInspector{}})
	m2 := pressKeys(t, sized(t, m, 100, 14), "enter", "l")
	lines, sel := shown(m2)
	if firstWith(lines, "Pick a container") < 0 || sel < 0 || !strings.Contains(lines[sel], "agent") {
		t.Fatalf("no container picker on agent:\n%s", strings.Join(lines, "\n"))
	}
	m2 = pressKeys(t, m2, "j", "enter")
	lines, _ = shown(m2)
	if firstWith(lines, "[sidecar]") < 0 || firstWith(lines, "ds-00-abcde/sidecar previous=false line 39") < 0 || firstWith(lines, "line 30") >= 0 {
		t.Fatalf("want the sidecar's last lines:\n%s", strings.Join(lines, "\n"))
	}
	top := firstWith(lines, "line 3")
	m2 = pressKeys(t, m2, "k")
	lines, _ = shown(m2)
	if firstWith(lines, "line 39") >= 0 || firstWith(lines, "line 30") != top || firstWith(lines, "paused") < 0 {
		t.Fatalf("k: want one line up, paused:\n%s", strings.Join(lines, "\n"))
	}
	m2 = pressKeys(t, m2, "esc")
	if lines, _ = shown(m2); firstWith(lines, "apps/ds-00 · sort") < 0 {
		t.Fatalf("esc: want the node view:\n%s", strings.Join(lines, "\n"))
	}
}

// / searches the log with n and N; f while typing the pattern is text,
// not follow; the title names the node as well as the pod.
func TestLogsSearchAndNode(t *testing.T) {
	snap := manyDaemonSets(1)
	nv := &kube.NodeView{Namespace: "apps", Name: "ds-00", CurrentRevision: 1, Access: kube.AllAccess(),
		Rows: []*kube.NodeRow{{Node: "node-0", NodeReady: true, State: kube.StateCurrent, Pod: "ds-00-abcde", Containers: []string{"agent"},
			Revision: 1, CurrentRevision: true, Ready: true, Created: fixedNow.Add(-time.Hour)}},
		Summary: kube.NodeSummary{Nodes: 1, Eligible: 1, ByState: map[kube.NodeState]int{kube.StateCurrent: 1}}}
	snap.Focus, snap.Detail = "apps/ds-00", nv
	m := pressKeys(t, sized(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: snap, Inspector: linesInspector{}}), 100, 14), "enter", "l", "/", "f")
	lines, _ := shown(m)
	if firstWith(lines, "following") < 0 || firstWith(lines, "/f█") < 0 {
		t.Fatalf("/f: want f typed into the search, still following:\n%s", strings.Join(lines, "\n"))
	}
	if firstWith(lines, "ds-00-abcde on node-0") < 0 {
		t.Errorf("the log view does not name the node:\n%s", strings.Join(lines, "\n"))
	}
	current := func() string {
		for _, l := range strings.Split(m.View().Content, "\n") {
			if strings.Contains(l, hlCurOn) {
				return ansi.Strip(l)
			}
		}
		return ""
	}
	m = pressKeys(t, m, "backspace", "l", "i", "n", "e", " ", "1", "enter")
	if c := current(); !strings.Contains(c, "line 10") {
		t.Fatalf("/line 1: current match %q, want line 10", c)
	}
	m = pressKeys(t, m, "n", "n")
	if c := current(); !strings.Contains(c, "line 12") {
		t.Errorf("n n: current match %q, want line 12", c)
	}
	m = pressKeys(t, m, "N")
	if c := current(); !strings.Contains(c, "line 11") {
		t.Errorf("N: current match %q, want line 11", c)
	}
}
