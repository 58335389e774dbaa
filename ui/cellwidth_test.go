package ui

import (
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
