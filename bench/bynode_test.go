package bench

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	appsv1 "k8s.io/api/apps/v1"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
	"github.com/dsx-tui/dsx/ui"
)

// byNode holds s's pods as the watcher's indexes give them: by
// DaemonSet and by node.
type byNode struct {
	s      *Synthetic
	byDS   map[*appsv1.DaemonSet][]*kube.Pod
	byNode map[string][]*kube.Pod
}

func newByNode(s *Synthetic) byNode {
	b := byNode{s: s, byDS: map[*appsv1.DaemonSet][]*kube.Pod{}, byNode: map[string][]*kube.Pod{}}
	uid := map[string]*appsv1.DaemonSet{}
	for _, ds := range s.DaemonSets {
		uid[string(ds.UID)] = ds
	}
	for _, p := range s.Pods {
		ds := uid[string(p.Owner)]
		b.byDS[ds] = append(b.byDS[ds], p)
		b.byNode[p.NodeName] = append(b.byNode[p.NodeName], p)
	}
	return b
}

func (b byNode) revs(string) []*appsv1.ControllerRevision { return b.s.Revisions }

// list is what the watcher computes per snapshot while the nodes list is
// open: every node judged for every DaemonSet.
func (b byNode) list() []kube.NodeItem {
	return kube.ComputeNodeList(b.s.DaemonSets, b.s.Nodes, func(ds *appsv1.DaemonSet) []*kube.Pod { return b.byDS[ds] }, b.revs, kube.AllAccess(), fixedNow)
}

// node is what it computes per snapshot while node i's view is open.
func (b byNode) node(i int) kube.NodeDaemonSets {
	n := b.s.Nodes[i]
	return kube.ComputeNodeDaemonSets(n.Name, n, b.s.DaemonSets, b.byNode[n.Name], b.revs, kube.AllAccess(), fixedNow)
}

func (b byNode) snapshot() kube.Snapshot {
	s := b.s.Snapshot()
	s.Detail, s.Focus = nil, ""
	s.NodeList = b.list()
	v := b.node(1)
	s.NodeFocus, s.NodeDetail = v.Node.Name, &v
	return s
}

// BenchmarkSnapshotNodeList is the watcher's cost per snapshot while the
// nodes list is open, at n nodes and ten DaemonSets.
func BenchmarkSnapshotNodeList(b *testing.B) {
	for _, n := range rowCounts {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			bn := newByNode(NewSynthetic(n, benchDaemonSets))
			b.ReportAllocs()
			for b.Loop() {
				_ = bn.list()
			}
		})
	}
}

// BenchmarkSnapshotNodeDaemonSets is its cost while one node's view is
// open: each DaemonSet judged on that node alone, whatever the cluster's size.
func BenchmarkSnapshotNodeDaemonSets(b *testing.B) {
	for _, n := range rowCounts {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			bn := newByNode(NewSynthetic(n, benchDaemonSets))
			b.ReportAllocs()
			for b.Loop() {
				_ = bn.node(1)
			}
		})
	}
}

func nodesListModel(bn byNode) ui.Model {
	m := resize(ui.New(ui.Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: bn.snapshot()}))
	return m
}

// BenchmarkOpenNodesList is N in the DaemonSet list and the first frame of
// the nodes list: the model takes every node's row from the snapshot.
func BenchmarkOpenNodesList(b *testing.B) {
	for _, n := range rowCounts {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			m := nodesListModel(newByNode(NewSynthetic(n, benchDaemonSets)))
			b.ReportAllocs()
			for b.Loop() {
				_ = press(m, char('N')).View()
			}
		})
	}
}

// BenchmarkNodesListKeystroke is one keystroke in the nodes list's filter
// and the frame after it.
func BenchmarkNodesListKeystroke(b *testing.B) {
	for _, n := range rowCounts {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			m := press(press(nodesListModel(newByNode(NewSynthetic(n, benchDaemonSets))), char('N')), slash)
			for _, r := range "kwok-node-1" {
				m = press(m, char(r))
			}
			keys := []tea.KeyPressMsg{char('2'), backspace}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				m = press(m, keys[i%2])
				_ = m.View()
				i++
			}
		})
	}
}

// BenchmarkNodesListSnapshot is the model's cost per snapshot while the
// nodes list is open.
func BenchmarkNodesListSnapshot(b *testing.B) {
	for _, n := range rowCounts {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			bn := newByNode(NewSynthetic(n, benchDaemonSets))
			m := press(nodesListModel(bn), char('N'))
			msgs := []tea.Msg{ui.SnapshotMsg{Snapshot: bn.snapshot()}, ui.SnapshotMsg{Snapshot: bn.snapshot()}}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				next, _ := m.Update(msgs[i%2])
				m = next.(ui.Model)
				i++
			}
		})
	}
}

// BenchmarkSnapshotNodeListPatched is the watcher's cost per snapshot
// while the nodes list is open and one pod changed since the last
// (NodeListState, as the watcher keeps it); "unchanged" is a snapshot
// where nothing the list reads changed (a DaemonSet's status, say).
func BenchmarkSnapshotNodeListPatched(b *testing.B) {
	for _, n := range rowCounts {
		for _, what := range []string{"changed-pod", "unchanged"} {
			b.Run(fmt.Sprintf("nodes=%d/%s", n, what), func(b *testing.B) {
				bn := newByNode(NewSynthetic(n, benchDaemonSets))
				src := bn.s.Source(bn.s.DaemonSets[0])
				var st kube.NodeListState
				podsOf := func(ds *appsv1.DaemonSet) []*kube.Pod { return bn.byDS[ds] }
				st.Update(bn.s.DaemonSets, src, podsOf, bn.revs, nil, false, kube.AllAccess(), fixedNow)
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					var changed []string
					if what == "changed-pod" {
						bn.s.TogglePod(i % 100)
						changed = []string{bn.s.Pods[i%100].NodeName}
					}
					st.Update(bn.s.DaemonSets, src, podsOf, bn.revs, changed, false, kube.AllAccess(), fixedNow)
					i++
				}
			})
		}
	}
}

// BenchmarkNodesListSnapshotSame is the model's cost per snapshot when
// the watcher handed back the same list.
func BenchmarkNodesListSnapshotSame(b *testing.B) {
	for _, n := range rowCounts {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			bn := newByNode(NewSynthetic(n, benchDaemonSets))
			m := press(nodesListModel(bn), char('N'))
			msg := ui.SnapshotMsg{Snapshot: bn.snapshot()}
			next, _ := m.Update(msg)
			m = next.(ui.Model)
			b.ReportAllocs()
			for b.Loop() {
				next, _ := m.Update(msg)
				m = next.(ui.Model)
			}
		})
	}
}
