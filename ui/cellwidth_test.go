package ui

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// The fast path agrees with the segmenter it skips.
func TestCellWidth(t *testing.T) {
	for _, s := range []string{"", "kwok-node-12", "runs revision 3; node NotReady", "日本語", "e\u0301", "a\x1b[31mred", "tab\there", "🏳️‍🌈 flag", "~"} {
		if got, want := cellWidth(s), ansi.StringWidth(s); got != want {
			t.Errorf("cellWidth(%q) = %d, ansi.StringWidth %d", s, got, want)
		}
	}
	if cellWidth("kwok-node-12") != 12 {
		t.Error("ASCII width is not its length")
	}
}

// A filter narrowed from an earlier pattern, or remembered, gives what a
// fresh one gives: the same rows in the same order, the same highlights.
func TestFilterIndexNarrowing(t *testing.T) {
	var names []string
	for i := range 3000 {
		names = append(names, fmt.Sprintf("kwok-node-%d", i), fmt.Sprintf("Pool-%c-%d", 'a'+i%5, i))
	}
	cells := func(i int) []string { return []string{names[i], fmt.Sprintf("runs revision %d", i%7)} }
	spec := filterSpec{name: 0, fields: []filterField{{prefix: "r:", title: "reason", col: 1}}}
	x := newFilterIndex(len(names), cells, spec)
	for _, p := range []string{"k", "kw", "kwok-node-1", "kwok-node-12", "kwok-node-1", "kwok-node-12", "kwok-node-129", "p", "P", "Po", "pool-c", "k1", "r:", "r:r", "r:revision 3", "r:r", "n2", "kwok-node-1"} {
		gotIdx, gotHL := x.filter(p)
		wantIdx, wantHL := newFilterIndex(len(names), cells, spec).filter(p)
		if len(wantIdx) == 0 {
			t.Fatalf("%q matches nothing: the case proves nothing", p)
		}
		if !reflect.DeepEqual(gotIdx, wantIdx) || !reflect.DeepEqual(gotHL, wantHL) {
			t.Fatalf("%q: narrowed filter differs from a fresh one (%d rows vs %d)", p, len(gotIdx), len(wantIdx))
		}
	}
}
