package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/dsx-tui/dsx/keys"
)

// In a text field a key that types text is text, even when the keymap
// binds it to back: the filter takes the "x" of "proxy".
func TestTypedKeysAreText(t *testing.T) {
	k := keys.Default()
	if err := k.Remap(map[string][]string{"back": {"x"}}); err != nil {
		t.Fatal(err)
	}
	m := New(Options{Keys: k, Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot()})
	m2 := pressKeys(t, sized(t, m, 120, 20), "/", "p", "r", "x", "enter")
	lines, _ := shown(m2)
	if firstWith(lines, "filter: prx") < 0 || firstWith(lines, "kube-proxy") < 0 || firstWith(lines, "cni-agent") >= 0 {
		t.Fatalf("filter with a remapped back key:\n%s", strings.Join(lines, "\n"))
	}
	// Out of the field, x is back: it clears the filter.
	m2 = pressKeys(t, m2, "x")
	if lines, _ = shown(m2); firstWith(lines, "cni-agent") < 0 || firstWith(lines, "filter:") >= 0 {
		t.Fatalf("x did not clear the filter:\n%s", strings.Join(lines, "\n"))
	}
}

// The ":" line edits with backspace and runs on enter; esc drops it.
func TestCommandLine(t *testing.T) {
	m := sized(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot()}), 120, 20)
	m2 := pressKeys(t, m, ":", "f", "o", "o", "x", "backspace")
	lines, _ := shown(m2)
	if firstWith(lines, " :foo█") < 0 {
		t.Fatalf("the : line:\n%s", strings.Join(lines, "\n"))
	}
	m2 = pressKeys(t, m2, "enter")
	if lines, _ = shown(m2); firstWith(lines, ":foo: unknown command") < 0 || firstWith(lines, " :foo█") >= 0 {
		t.Fatalf("after enter:\n%s", strings.Join(lines, "\n"))
	}
	m2 = pressKeys(t, m2, ":", "n", "s", "esc")
	if lines, _ = shown(m2); firstWith(lines, " :ns") >= 0 || firstWith(lines, "unknown command") >= 0 {
		t.Fatalf("after esc:\n%s", strings.Join(lines, "\n"))
	}
}
