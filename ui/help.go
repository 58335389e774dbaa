package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
)

// helpLines renders the keymap from keys.Map.Groups: the help screen can
// never disagree with the keys.
func (m Model) helpLines(width, height int) []string {
	out := []string{m.st.header.Render(fit(" Keys", width, false))}
	for _, g := range m.keys.Groups() {
		out = append(out, "", m.st.title.Render(fit(" "+g.Title, width, false)))
		for _, b := range g.Bindings {
			h := b.Help()
			line := fmt.Sprintf("   %-10s %s", h.Key, h.Desc)
			if m.pending(b) {
				line += " (not yet available)"
			}
			out = append(out, fit(line, width, false))
		}
	}
	out = append(out, "", m.st.dim.Render(fit(" ? or esc closes this help", width, false)))
	if len(out) > height {
		out = out[:height]
	}
	return out
}

// pending tells the bindings whose views or actions are not built yet.
func (m Model) pending(b key.Binding) bool {
	k := m.keys
	for _, p := range []key.Binding{k.Logs, k.Command, k.Edit, k.Delete, k.Create, k.Restart, k.Undo, k.History} {
		if strings.Join(p.Keys(), ",") == strings.Join(b.Keys(), ",") {
			return true
		}
	}
	return false
}
