package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

func sampleNodeList() []kube.NodeItem {
	at := func(d time.Duration) time.Time { return fixedNow.Add(-d) }
	miss := func(name string, s kube.NodeState) kube.NodeProblem {
		return kube.NodeProblem{Namespace: "kube-system", Name: name, State: s}
	}
	items := []kube.NodeItem{
		{Name: "general-0", Pool: "general", Zone: "eu-west-1a", Ready: true, Created: at(30 * 24 * time.Hour), Should: 6, OK: 6},
		{Name: "general-1", Pool: "general", Zone: "eu-west-1b", Ready: true, Created: at(30 * 24 * time.Hour), Should: 6, OK: 6},
		{Name: "general-2", Pool: "general", Zone: "eu-west-1c", Ready: true, Created: at(2 * time.Hour), Should: 5, OK: 3,
			Taints: []string{"dedicated=gpu:NoSchedule"}, Problems: []kube.NodeProblem{miss("disk-monitor", kube.StateMissing), {Namespace: "logging", Name: "log-shipper", State: kube.StateProgressing}}},
		{Name: "general-3", Pool: "general", Zone: "eu-west-1a", Ready: true, Unschedulable: true, Created: at(5 * 24 * time.Hour), Should: 6, OK: 6},
		{Name: "infra-0", Pool: "infra", Zone: "eu-west-1b", Ready: false, NotReadyWhy: "NodeStatusUnknown", Created: at(9 * 24 * time.Hour), Should: 4, OK: 1,
			Taints:   []string{"node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"},
			Problems: []kube.NodeProblem{miss("cni-agent", kube.StateFailed), miss("kube-proxy", kube.StateMissing), miss("node-exporter", kube.StateMissing)}},
		{Name: "spot-10", Pool: "m5.large", Ready: true, Created: at(20 * time.Minute), Should: 6, OK: 6},
	}
	// The labels Pool and Zone were read from, for grouping.
	for i := range items {
		n := &items[i]
		n.Labels = map[string]string{"kubernetes.io/os": "linux", "karpenter.sh/nodepool": n.Pool}
		if n.Pool == "m5.large" {
			n.Labels = map[string]string{"kubernetes.io/os": "linux", "node.kubernetes.io/instance-type": n.Pool}
		}
		if n.Zone != "" {
			n.Labels[kube.ZoneLabel] = n.Zone
		}
	}
	return items
}

// sampleNodeDetail is general-2's view: one DaemonSet per state that
// matters on one node.
func sampleNodeDetail() *kube.NodeDaemonSets {
	items := sampleNodeList()
	at := func(d time.Duration) time.Time { return fixedNow.Add(-d) }
	row := func(ns, name string, should bool, r kube.NodeRow) kube.NodeDSRow {
		r.Node, r.NodeReady = "general-2", true
		return kube.NodeDSRow{Namespace: ns, Name: name, ShouldRun: should, Observed: true, NodeRow: r}
	}
	return &kube.NodeDaemonSets{Node: items[2], Found: true, Access: kube.AllAccess(), Rows: []kube.NodeDSRow{
		row("kube-system", "cni-agent", true, kube.NodeRow{State: kube.StateCurrent, Pod: "cni-agent-x7k2p", PodUID: "uid-cni", Revision: 3, CurrentRevision: true, Ready: true, Created: at(2 * time.Hour), Containers: []string{"cni"}}),
		row("kube-system", "kube-proxy", true, kube.NodeRow{State: kube.StateCurrent, Pod: "kube-proxy-q8w9e", Revision: 1, CurrentRevision: true, Ready: true, Created: at(2 * time.Hour)}),
		row("kube-system", "gpu-driver", false, kube.NodeRow{State: kube.StateIneligible, IneligibleKind: "selector", Reason: "node selector gpu=true not matched"}),
		row("logging", "log-shipper-with-a-very-long-name-for-truncation", true, kube.NodeRow{State: kube.StateProgressing, Pod: "log-shipper-klmno", PodUID: "uid-log", Revision: 4, CurrentRevision: true, Restarts: 5,
			Created: at(10 * time.Minute), Reason: "log-shipper: CrashLoopBackOff", Containers: []string{"log-shipper"}}),
		row("monitoring", "disk-monitor", true, kube.NodeRow{State: kube.StateMissing, Reason: "no pod yet: the controller has not created one"}),
		row("monitoring", "node-exporter", false, kube.NodeRow{State: kube.StateIneligible, IneligibleKind: "taint", Reason: "untolerated taint dedicated=gpu:NoSchedule"}),
	}}
}

func byNodeSnapshot() kube.Snapshot {
	snap := sampleSnapshot()
	snap.NodeList = sampleNodeList()
	snap.NodeFocus = "general-2"
	snap.NodeDetail = sampleNodeDetail()
	return snap
}

func byNodeModel(a *fakeActor) Model {
	o := Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: byNodeSnapshot()}
	if a != nil {
		o.Actor = a
	}
	return New(o)
}

// N opens the nodes list: nodes with a DaemonSet in trouble first.
func TestNodesListGolden(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			tm, scr := startModel(t, byNodeModel(nil), size.w, size.h)
			scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
			typeKeys(tm, "N")
			txt := scr.waitFor(t, 5*time.Second, "the nodes list", func(s string) bool {
				return strings.Contains(s, "spot-10") && strings.Contains(s, "nodes · sort: health") && strings.Contains(s, "quit")
			})
			if i, j := strings.Index(txt, "infra-0"), strings.Index(txt, "general-0"); i < 0 || j < 0 || i > j {
				t.Errorf("a node with problems is not sorted first:\n%s", txt)
			}
			golden.RequireEqual(t, []byte(txt))
		})
	}
}

// Filter, enter: the node's view, one row per DaemonSet; esc goes back.
func TestNodeDSGolden(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			tm, scr := startModel(t, byNodeModel(nil), size.w, size.h)
			scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
			typeKeys(tm, "N", "/", "g", "2", "enter", "enter")
			txt := scr.waitFor(t, 5*time.Second, "the node's view", func(s string) bool {
				return strings.Contains(s, "node general-2 · sort: state") && strings.Contains(s, "disk-monitor") && strings.Contains(s, "quit")
			})
			// Worst first: missing, then progressing, then current.
			if i, j, k := strings.Index(txt, "disk-monitor"), strings.Index(txt, "CrashLoopBackOff"), strings.Index(txt, "kube-proxy"); i < 0 || j < 0 || k < 0 || i > j || j > k {
				t.Errorf("rows not in state order:\n%s", txt)
			}
			golden.RequireEqual(t, []byte(txt))
			typeKeys(tm, "esc")
			scr.waitFor(t, 5*time.Second, "the nodes list again", func(s string) bool {
				return strings.Contains(s, "nodes · sort: health") && strings.Contains(s, "filter: g2")
			})
			typeKeys(tm, "esc", "esc")
			scr.waitFor(t, 5*time.Second, "the DaemonSet list again", func(s string) bool { return strings.Contains(s, "DaemonSets · sort") })
		})
	}
}

// p keeps nodes in trouble (a DaemonSet not well, NotReady); o sorts;
// the filter matches pools after p:.
func TestNodesListProblemsSortFilter(t *testing.T) {
	tm, scr := startModel(t, byNodeModel(nil), 160, 30)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "N", "p")
	txt := scr.waitFor(t, 5*time.Second, "problems only", func(s string) bool { return strings.Contains(s, "problems only") && !strings.Contains(s, "spot-10") })
	for _, want := range []string{"general-2", "infra-0", "✗ 3/5 ok · disk-monitor missing", "NotReady"} {
		if !strings.Contains(txt, want) {
			t.Errorf("problems only lacks %q:\n%s", want, txt)
		}
	}
	if strings.Contains(txt, "general-0 ") || strings.Contains(txt, "general-3") {
		t.Errorf("problems only shows a healthy node:\n%s", txt)
	}
	typeKeys(tm, "p", "o")
	txt = scr.waitFor(t, 5*time.Second, "sorted by node", func(s string) bool { return strings.Contains(s, "sort: node") && strings.Contains(s, "spot-10") })
	if i, j := strings.Index(txt, "general-0"), strings.Index(txt, "infra-0"); i < 0 || j < 0 || i > j {
		t.Errorf("not in name order:\n%s", txt)
	}
	typeKeys(tm, "/", "p", ":", "i", "n", "f", "r", "a", "enter")
	txt = scr.waitFor(t, 5*time.Second, "filtered by pool", func(s string) bool { return strings.Contains(s, "filter: p:infra") })
	if !strings.Contains(txt, "infra-0") || strings.Contains(txt, "general-1") {
		t.Errorf("p:infra should keep infra-0 alone:\n%s", txt)
	}
}

// From a DaemonSet's node view, enter on a node row opens that node's
// view; esc returns to the node view.
func TestNodeViewEnterOpensNode(t *testing.T) {
	m := nodeModel()
	m.snap.NodeFocus, m.snap.NodeDetail = "general-2", sampleNodeDetail()
	m.stack = []View{newList(m.c, m.snap).SetSize(m.width, m.bodyHeight())}
	tm, scr := startModel(t, m, 140, 30)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "j", "j", "j", "enter")
	scr.waitFor(t, 5*time.Second, "the node view", func(s string) bool { return strings.Contains(s, "infra-0") })
	typeKeys(tm, "/", "g", "e", "n", "e", "r", "a", "l", "-", "2", "enter", "enter")
	// The node view holds no snapshot: the node's view fills from the
	// next one, which the focus it asked for brings.
	tm.Send(SnapshotMsg{Snapshot: m.snap})
	txt := scr.waitFor(t, 5*time.Second, "general-2's view", func(s string) bool {
		return strings.Contains(s, "node general-2 · sort: state") && strings.Contains(s, "disk-monitor")
	})
	if !strings.Contains(txt, "untolerated taint dedicated") || !strings.Contains(txt, "node selector gpu=true") {
		t.Errorf("ineligible rows lack their reasons:\n%s", txt)
	}
	typeKeys(tm, "esc")
	scr.waitFor(t, 5*time.Second, "the node view again", func(s string) bool {
		return strings.Contains(s, "logging/log-shipper") && strings.Contains(s, "up to date and ready")
	})
}

// ctrl+d on a DaemonSet's row of a node's view deletes that pod, bound
// to its UID and the snapshot's cluster, as from the node view.
func TestNodeDSDeletePod(t *testing.T) {
	a := &fakeActor{}
	tm, scr := startModel(t, byNodeModel(a), 140, 30)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "N", "/", "g", "2", "enter", "enter", "/", "l", "o", "g", "enter", "ctrl+d")
	scr.waitFor(t, 5*time.Second, "the dialog", func(s string) bool {
		return strings.Contains(s, "log-shipper-klmno") && strings.Contains(s, "Delete pod")
	})
	typeKeys(tm, "y")
	scr.waitFor(t, 5*time.Second, "the outcome", func(s string) bool { return strings.Contains(s, "✓ deleted") })
	if c := a.called(); len(c) != 1 || !strings.HasPrefix(c[0], "delete Pod logging/log-shipper-klmno") {
		t.Fatalf("calls %v, want one delete of pod logging/log-shipper-klmno", c)
	}
}
