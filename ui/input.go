package ui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/keys"
)

// input is a one-line text field (the fuzzy filter, the pager's search,
// the ":" line) on bubbles' textinput, which does the editing; dsx draws
// the line itself so that it reads the same in every view.
type input struct {
	ti      textinput.Model
	editing bool
}

func newInput() input {
	ti := textinput.New()
	ti.Prompt = ""
	return input{ti: ti}
}

func (in input) value() string { return in.ti.Value() }

// start begins typing; the text is kept, as when changing a filter.
func (in *input) start() {
	in.editing = true
	// The cursor is drawn by dsx; textinput's blink is not needed.
	_ = in.ti.Focus()
	in.ti.CursorEnd()
}

// clear empties the field and stops typing.
func (in *input) clear() {
	in.editing = false
	in.ti.Blur()
	in.ti.Reset()
}

// inputResult says what a key did to an input.
type inputResult int

const (
	inputTyped inputResult = iota
	inputDone
	inputCancelled
)

// update handles a key while typing: enter keeps the text, esc
// cancels (and clears), anything else edits. A key that types text is
// always text here, even when the keymap binds it to enter or back.
func (in *input) update(msg tea.KeyPressMsg, k keys.Map) inputResult {
	typed := msg.Text != ""
	switch {
	case !typed && key.Matches(msg, k.Enter):
		in.editing = false
		in.ti.Blur()
		return inputDone
	case !typed && key.Matches(msg, k.Back):
		in.clear()
		return inputCancelled
	}
	in.ti, _ = in.ti.Update(msg)
	return inputTyped
}

// filterKey handles a view's filter keys: while typing, every key; else
// the filter key starts typing and back clears a pattern. It reports
// whether msg was one of them, and whether the view must reapply the
// pattern.
func (in *input) filterKey(msg tea.KeyPressMsg, k keys.Map) (handled, changed bool) {
	switch {
	case in.editing:
		in.update(msg, k)
		return true, true
	case key.Matches(msg, k.Filter):
		in.start()
		return true, false
	case key.Matches(msg, k.Back) && in.value() != "":
		in.clear()
		return true, true
	}
	return false, false
}

// text is the field with a block where the cursor is.
func (in input) text() string {
	r := []rune(in.ti.Value())
	pos := min(in.ti.Position(), len(r))
	return string(r[:pos]) + "█" + string(r[pos:])
}

// keyName is how prose names a binding's key: as help does.
func keyName(b key.Binding) string { return b.Help().Key }

// filterLine is the line above the status bar for a view's filter or
// search (what names it): what is typed, or the pattern in effect, and
// what it matches when scope says.
func filterLine(st styles, k keys.Map, f input, w int, what, scope string) string {
	if scope != "" {
		scope = "matches " + scope + " · "
	}
	switch {
	case f.editing:
		return fit(" /"+f.text()+"  ("+scope+keyName(k.Enter)+": keep · "+keyName(k.Back)+": clear)", w, false)
	case f.value() != "":
		return st.dim.Render(fit(" "+what+": "+f.value()+"  ("+scope+keyName(k.Filter)+" to change · "+keyName(k.Back)+" to clear)", w, false))
	}
	return ""
}
