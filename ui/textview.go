package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/keys"
)

// textView is a long text shown height lines at a time, for the pager
// and the logs. offset, the first line shown, changes only in Update
// and SetSize.
type textView struct {
	lines  []string
	offset int
	height int
}

func (t *textView) setHeight(h int) {
	t.height = max(h, 1)
	t.scroll(0)
}

func (t *textView) setLines(lines []string) {
	t.lines = lines
	t.scroll(0)
}

func (t *textView) scroll(d int) {
	t.offset = max(min(t.offset+d, len(t.lines)-t.height), 0)
}

// atEnd says whether the last line is in view.
func (t textView) atEnd() bool { return t.offset >= len(t.lines)-t.height }

// toEnd shows the last lines.
func (t *textView) toEnd() { t.offset = max(len(t.lines)-t.height, 0) }

// visible is the range [start, end) of lines in view.
func (t textView) visible() (int, int) {
	return t.offset, min(t.offset+t.height, len(t.lines))
}

// scrollKey applies a movement key to something of total lines shown
// height at a time; it reports whether msg was one.
func scrollKey(msg tea.KeyPressMsg, k keys.Map, height, total int, scroll func(int)) bool {
	switch {
	case key.Matches(msg, k.Up):
		scroll(-1)
	case key.Matches(msg, k.Down):
		scroll(1)
	case key.Matches(msg, k.PageUp):
		scroll(-height)
	case key.Matches(msg, k.PageDown):
		scroll(height)
	case key.Matches(msg, k.Top):
		scroll(-total)
	case key.Matches(msg, k.Bottom):
		scroll(total)
	default:
		return false
	}
	return true
}
