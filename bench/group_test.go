package bench

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/ui"
)

// The grouped view and the rollout chart at the node view's sizes; their
// targets are the node view's: opening within 300 ms, a keystroke within
// 16 ms (issue 15).

var (
	zKey = char('z')
	tKey = char('t')
	jKey = char('j')
)

// BenchmarkGroupEnter is z then enter in the node view: the labels found
// on every node, then every node grouped by the zone, and the frame.
func BenchmarkGroupEnter(b *testing.B) {
	for _, n := range rowCounts {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			m := nodeViewModel(NewSynthetic(n, 1))
			b.ReportAllocs()
			for b.Loop() {
				_ = press(press(m, zKey), enter).View()
			}
		})
	}
}

// BenchmarkGroupKeystroke is one move in the grouped view and the frame.
func BenchmarkGroupKeystroke(b *testing.B) {
	for _, n := range rowCounts {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			m := press(press(nodeViewModel(NewSynthetic(n, 1)), zKey), enter)
			b.ReportAllocs()
			for b.Loop() {
				_ = press(m, jKey).View()
			}
		})
	}
}

// BenchmarkGroupOpen is enter on a zone: its nodes in a node view.
func BenchmarkGroupOpen(b *testing.B) {
	for _, n := range rowCounts {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			m := press(press(nodeViewModel(NewSynthetic(n, 1)), zKey), enter)
			b.ReportAllocs()
			for b.Loop() {
				_ = press(m, enter).View()
			}
		})
	}
}

// BenchmarkGroupSnapshot is one snapshot while the grouped view is open:
// every view on the stack regroups.
func BenchmarkGroupSnapshot(b *testing.B) {
	for _, n := range rowCounts {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			s := NewSynthetic(n, 1)
			m := press(press(nodeViewModel(s), zKey), enter)
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

// BenchmarkTimelineView draws the rollout chart: the curve reconstructed
// from every node's pod, the rate, the holders, the frame.
func BenchmarkTimelineView(b *testing.B) {
	for _, n := range rowCounts {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			benchView(b, press(nodeViewModel(NewSynthetic(n, 1)), tKey))
		})
	}
}
