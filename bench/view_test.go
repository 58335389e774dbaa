package bench

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/ui"
)

// The pure benchmarks: dsx's model on synthetic snapshots, no cluster and
// no terminal, at the sizes of issue #6. They run in seconds.

var rowCounts = []int{100, 1000, 5000}

// Ten DaemonSets, as in the cluster scenario: the focused one's namespace
// holds ten pods per node, all of which the node view's computation scans.
const benchDaemonSets = 10

var fixedNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// newModel is the model on s's snapshot, sized like the pty runs.
func newModel(s *Synthetic) ui.Model {
	return resize(ui.New(ui.Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: s.Snapshot()}))
}

func resize(m ui.Model) ui.Model {
	next, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	return next.(ui.Model)
}

func press(m ui.Model, k tea.KeyPressMsg) ui.Model {
	next, _ := m.Update(k)
	return next.(ui.Model)
}

var (
	enter     = tea.KeyPressMsg{Code: tea.KeyEnter}
	slash     = tea.KeyPressMsg{Code: '/', Text: "/"}
	backspace = tea.KeyPressMsg{Code: tea.KeyBackspace}
)

func char(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Text: string(r)} }

// nodeViewModel is the model showing the first DaemonSet's node view with
// one row per node.
func nodeViewModel(s *Synthetic) ui.Model {
	return press(newModel(s), enter)
}

// BenchmarkViewList renders the DaemonSet list with n DaemonSets.
func BenchmarkViewList(b *testing.B) {
	for _, n := range rowCounts {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			m := resize(ui.New(ui.Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: ListSnapshot(n, fixedNow.Add(-time.Hour))}))
			benchView(b, m)
		})
	}
}

// BenchmarkViewNodes renders the node view of a DaemonSet on n nodes.
func BenchmarkViewNodes(b *testing.B) {
	for _, n := range rowCounts {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			benchView(b, nodeViewModel(NewSynthetic(n, 1)))
		})
	}
}

func benchView(b *testing.B, m ui.Model) {
	var size int
	b.ReportAllocs()
	for b.Loop() {
		size = len(m.View().Content)
	}
	b.ReportMetric(float64(size), "bytes/frame")
}

// BenchmarkUpdateSnapshot is the model's cost per informer event in the
// node view: the watcher sends one snapshot per burst of events, and the
// model re-filters and re-sorts every row of it.
func BenchmarkUpdateSnapshot(b *testing.B) {
	for _, n := range rowCounts {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			s := NewSynthetic(n, 1)
			m := nodeViewModel(s)
			msgs := []tea.Msg{ui.SnapshotMsg{Snapshot: s.Snapshot()}, ui.SnapshotMsg{Snapshot: s.Snapshot()}}
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

// BenchmarkSnapshotNodeView is the watcher's cost per informer event while
// a node view is open: kube.ComputeNodeView over every node and every pod
// of the namespace (ten DaemonSets' worth), before the model sees anything.
func BenchmarkSnapshotNodeView(b *testing.B) {
	for _, n := range rowCounts {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			s := NewSynthetic(n, benchDaemonSets)
			b.ReportAllocs()
			for b.Loop() {
				_ = s.NodeView(0)
			}
		})
	}
}

// BenchmarkKeystroke is one keystroke in the node view's fuzzy filter and
// the frame after it, alternately typing a character and deleting it so the
// pattern stays the same length.
func BenchmarkKeystroke(b *testing.B) {
	for _, n := range rowCounts {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			m := press(nodeViewModel(NewSynthetic(n, 1)), slash)
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

// The 65,000-node cases (GKE's cluster limit): one DaemonSet's node view,
// as the watcher computes it from the pods its index returns.
const bigNodes = 65000

// BenchmarkBigView renders the node view of a DaemonSet on 65,000 nodes.
func BenchmarkBigView(b *testing.B) {
	benchView(b, nodeViewModel(NewSynthetic(bigNodes, 1)))
}

// BenchmarkBigKeystroke is BenchmarkKeystroke at 65,000 rows.
func BenchmarkBigKeystroke(b *testing.B) {
	m := press(nodeViewModel(NewSynthetic(bigNodes, 1)), slash)
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
}

// BenchmarkBigChangedPod is one pod of the focused DaemonSet changing
// readiness on 65,000 nodes, to the frame that shows it: the node view's
// analysis (patched from the last view, as the watcher does), the
// model's Update and View.
func BenchmarkBigChangedPod(b *testing.B) {
	changedPods(b)
}

// changedPods opens the node view on 65,000 synthetic nodes, types keys
// in it, then times one pod toggled per iteration to its frame.
func changedPods(b *testing.B, keys ...tea.KeyPressMsg) {
	s := NewSynthetic(bigNodes, 1)
	m := nodeViewModel(s)
	for _, k := range keys {
		m = press(m, k)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.TogglePod(i % 100)
		next, _ := m.Update(ui.SnapshotMsg{Snapshot: s.PatchedSnapshot()})
		m = next.(ui.Model)
		_ = m.View()
		i++
	}
}

// BenchmarkBigChangedPodShown is BenchmarkBigChangedPod with the node
// view showing problems only, or filtered on node names or reasons: the
// patched path keeps them (a filter on reasons matches again).
func BenchmarkBigChangedPodShown(b *testing.B) {
	for _, tc := range []struct {
		name string
		keys []tea.KeyPressMsg
	}{
		{"problems", []tea.KeyPressMsg{char('p')}},
		{"filter", append([]tea.KeyPressMsg{slash}, append(chars("kwok-node-1"), enter)...)},
		{"filter-reasons", append([]tea.KeyPressMsg{slash}, append(chars("r:not ready"), enter)...)},
	} {
		b.Run(tc.name, func(b *testing.B) { changedPods(b, tc.keys...) })
	}
}

func chars(s string) []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for _, r := range s {
		out = append(out, char(r))
	}
	return out
}

// BenchmarkUpdateSnapshotSameView is a snapshot whose node view the
// watcher reused (something else changed, e.g. another DaemonSet's
// status): the model keeps its rows.
func BenchmarkUpdateSnapshotSameView(b *testing.B) {
	for _, n := range append(rowCounts, bigNodes) {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			s := NewSynthetic(n, 1)
			snap := s.Snapshot()
			m := nodeViewModel(s)
			next, _ := m.Update(ui.SnapshotMsg{Snapshot: snap})
			m = next.(ui.Model)
			b.ReportAllocs()
			for b.Loop() {
				next, _ := m.Update(ui.SnapshotMsg{Snapshot: snap})
				m = next.(ui.Model)
			}
		})
	}
}

// BenchmarkCacheMemory is the informer cache's live heap per pod and per
// node at 65,000 nodes: API objects as the server sends them go through
// the watcher's transform into stores keyed and indexed as the
// informers' are; the figure is the heap after GC over the object count.
func BenchmarkCacheMemory(b *testing.B) {
	for b.Loop() {
		perNode, perPod := cacheMemory(bigNodes)
		b.ReportMetric(perNode, "B/node")
		b.ReportMetric(perPod, "B/pod")
	}
}
