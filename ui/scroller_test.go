package ui

import "testing"

// The scroller moves the selection within the window and the window
// only as far as the selection leaves it.
func TestScroller(t *testing.T) {
	type state struct{ pos, start, end int }
	for _, c := range []struct {
		name   string
		n, h   int
		moves  []int
		resize int // a new height after the moves, 0 for none
		want   state
	}{
		{name: "down inside the window", n: 30, h: 7, moves: []int{1, 1, 1}, want: state{3, 0, 7}},
		{name: "down past the window", n: 30, h: 7, moves: repeatInt(1, 15), want: state{15, 9, 16}},
		{name: "down past, up one: the window stays", n: 30, h: 7, moves: append(repeatInt(1, 15), -1), want: state{14, 9, 16}},
		{name: "up to the window's top: it stays", n: 30, h: 7, moves: append(repeatInt(1, 15), repeatInt(-1, 6)...), want: state{9, 9, 16}},
		{name: "up past the window's top", n: 30, h: 7, moves: append(repeatInt(1, 15), repeatInt(-1, 7)...), want: state{8, 8, 15}},
		{name: "page past the end", n: 30, h: 7, moves: []int{100}, want: state{29, 23, 30}},
		{name: "before the start", n: 30, h: 7, moves: []int{-5}, want: state{0, 0, 7}},
		{name: "fewer rows than the window", n: 3, h: 7, moves: []int{5}, want: state{2, 0, 3}},
		{name: "no rows", n: 0, h: 7, moves: []int{1, -1}, want: state{0, 0, 0}},
		{name: "taller terminal shows more above", n: 30, h: 7, moves: repeatInt(1, 15), resize: 20, want: state{15, 9, 29}},
		{name: "shorter terminal keeps the selection in view", n: 30, h: 7, moves: repeatInt(1, 9), resize: 3, want: state{9, 7, 10}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var s scroller
			s.setHeight(c.h)
			s.setLen(c.n)
			for _, d := range c.moves {
				s.move(d)
			}
			if c.resize != 0 {
				s.setHeight(c.resize)
			}
			start, end := s.window()
			if got := (state{s.pos, start, end}); got != c.want {
				t.Errorf("pos %d window [%d,%d), want pos %d window [%d,%d)", got.pos, got.start, got.end, c.want.pos, c.want.start, c.want.end)
			}
		})
	}
}

func repeatInt(d, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// Esc from a node view showing problems only, then enter on the same
// DaemonSet, shows problems only again; on another it does not.
func TestProblemsOnlyRemembered(t *testing.T) {
	m := pressKeys(t, sized(t, nodeModel(), 140, 30), "j", "j", "j", "enter", "p")
	lines, _ := shown(m)
	if firstWith(lines, "problems only · sort") < 0 {
		t.Fatalf("p: no problems-only view:\n%v", lines)
	}
	m = pressKeys(t, m, "esc", "enter")
	if lines, _ = shown(m); firstWith(lines, "problems only · sort") < 0 || firstWith(lines, "infra-0") >= 0 {
		t.Fatalf("re-entered: problems only forgotten:\n%v", lines)
	}
	m = pressKeys(t, m, "esc", "k", "enter")
	if lines, _ = shown(m); firstWith(lines, "problems only · sort") >= 0 {
		t.Fatalf("another DaemonSet opened with problems only:\n%v", lines)
	}
}
