package ui_test

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/bench"
	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
	"github.com/dsx-tui/dsx/ui"
)

// TestNodeViewPatchMatchesRefresh feeds one model the watcher's patched
// node views and another the same views computed whole: after every
// change (pods turning ready and not, a node's pods replaced) both draw
// the same frame, so the patched order, widths and cursor are exact.
// Problems only and the filter are patched too: rows join and leave the
// problems, a filter on names keeps its ranking, one on reasons matches
// again.
func TestNodeViewPatchMatchesRefresh(t *testing.T) {
	// Every mode that stays on the patched path, at rest and during a
	// rollout that moves (rows held in place, widths only growing).
	for _, mark := range []string{"", kube.MarkRolling} {
		for _, tc := range []struct {
			name string
			keys []string
		}{
			{"every row", nil},
			{"problems only", []string{"p"}},
			{"filter on names", []string{"/", "kwok-node-1", "enter"}},
			{"filter on names, sorted by name", []string{"o", "/", "node-2", "enter"}},
			{"filter on reasons", []string{"/", "r:not ready", "enter"}},
			{"problems only, filtered", []string{"p", "/", "node-1", "enter"}},
		} {
			t.Run(tc.name+"/mark="+mark, func(t *testing.T) { patchMatchesRefresh(t, mark, tc.keys) })
		}
	}
}

func patchMatchesRefresh(t *testing.T, mark string, keyNames []string) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	marked := func(s kube.Snapshot) kube.Snapshot {
		s.DaemonSets[0].Mark = mark
		return s
	}
	// Two clusters changed alike: one read as the watcher patches, one
	// computed whole.
	s, s2 := bench.NewSynthetic(300, 1), bench.NewSynthetic(300, 1)
	model := func(s *bench.Synthetic) ui.Model {
		m := ui.New(ui.Options{Keys: keys.Default(), Now: func() time.Time { return now }, Initial: marked(s.Snapshot())})
		msgs := []tea.Msg{tea.WindowSizeMsg{Width: 160, Height: 48}, tea.KeyPressMsg{Code: tea.KeyEnter}}
		for _, k := range keyNames {
			switch k {
			case "enter":
				msgs = append(msgs, tea.KeyPressMsg{Code: tea.KeyEnter})
			default:
				for _, r := range k {
					msgs = append(msgs, tea.KeyPressMsg{Code: r, Text: string(r)})
				}
			}
		}
		msgs = append(msgs, tea.KeyPressMsg{Code: tea.KeyDown}, tea.KeyPressMsg{Code: tea.KeyDown})
		for _, msg := range msgs {
			next, _ := m.Update(msg)
			m = next.(ui.Model)
		}
		return m
	}
	patched, full := model(s), model(s2)
	for step, i := range []int{1, 2, 1, 3, 0, 101, 4, 4, 5, 201, 0, 2, 10, 21, 21} {
		s.TogglePod(i)
		s2.TogglePod(i)
		ps := marked(s.PatchedSnapshot())
		next, _ := patched.Update(ui.SnapshotMsg{Snapshot: ps})
		patched = next.(ui.Model)
		next, _ = full.Update(ui.SnapshotMsg{Snapshot: marked(s2.Snapshot())})
		full = next.(ui.Model)
		if got, want := patched.View().Content, full.View().Content; got != want {
			t.Fatalf("step %d (pod %d): patched frame\n%s\nwant\n%s", step, i, got, want)
		}
	}
}
