package ui

import (
	"strings"
	"testing"

	"github.com/dsx-tui/dsx/kube"
)

// A blocked rollout says so in the list and, with what it waits on, in the
// node view's header; orphans and a spec the controller has not seen are
// named there too.
func TestBlockedAndOrphanedShown(t *testing.T) {
	row := kube.DaemonSetRow{Namespace: "ns", Name: "agent", Desired: 3, Mark: kube.MarkRolling,
		Blocked: "blocked on 1 new pod not ready: agent-x on n-1: pending: Unschedulable"}
	if got := listCells(row, fixedNow)[9]; got != "✗ blocked" {
		t.Errorf("list status cell = %q, want ✗ blocked", got)
	}
	row.Blocked = ""
	if got := listCells(row, fixedNow)[9]; got != "↻ rolling" {
		t.Errorf("list status cell = %q, want ↻ rolling", got)
	}
	nv := &kube.NodeView{Namespace: "ns", Name: "agent", Blocked: "blocked on 1 new pod not ready: agent-x on n-1: pending: Unschedulable",
		Rows:    []*kube.NodeRow{{Node: "gone-1", NodeGone: true, State: kube.StateOrphaned, Pod: "agent-y"}},
		Summary: kube.NodeSummary{Nodes: 0, ByState: map[kube.NodeState]int{kube.StateOrphaned: 1}}, Access: kube.AllAccess()}
	v := nodeView{ns: "ns", name: "agent", view: nv}
	h := strings.Join(v.header(200), "\n")
	for _, want := range []string{"1 orphaned", "revision pending: the controller has not yet seen the change", "rollout blocked on 1 new pod not ready: agent-x on n-1: pending: Unschedulable"} {
		if !strings.Contains(h, want) {
			t.Errorf("header lacks %q:\n%s", want, h)
		}
	}
	if got := stateText(kube.StateOrphaned); got != "∅ orphaned" {
		t.Errorf("state text = %q", got)
	}
}
