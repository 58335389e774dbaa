package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// helpLines renders the keymap from keys.Map.Groups: the help screen can
// never disagree with the keys. Groups flow into two columns when one
// would not fit.
func (m Model) helpLines(width, height int) []string {
	var blocks [][]string
	total := 0
	for _, g := range m.c.keys.Groups() {
		b := []string{"", m.c.st.title.Render(" " + g.Title)}
		for _, k := range g.Bindings {
			h := k.Help()
			line := fmt.Sprintf("   %-10s %s", h.Key, h.Desc)
			if why := m.disabled(k); why != "" {
				line = m.c.st.dim.Render(line + " (" + why + ")")
			}
			b = append(b, line)
		}
		blocks = append(blocks, b)
		total += len(b)
	}
	head := []string{m.c.st.header.Render(fit(" Keys · "+keyName(m.c.keys.Help)+" or "+keyName(m.c.keys.Back)+" closes this help", width, false))}
	var left, right []string
	if total+1 <= height || width < 80 {
		for _, b := range blocks {
			left = append(left, b...)
		}
	} else {
		for _, b := range blocks {
			if len(left) < total/2 {
				left = append(left, b...)
			} else {
				right = append(right, b...)
			}
		}
	}
	out := head
	half := width / 2
	for i := 0; i < max(len(left), len(right)); i++ {
		var l, r string
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		if len(right) == 0 {
			out = append(out, truncate(l, width))
			continue
		}
		out = append(out, truncate(l, half)+strings.Repeat(" ", max(half-ansi.StringWidth(l), 0))+truncate(r, width-half))
	}
	if len(out) > height {
		// Scrollable with the movement keys; say so where it is cut.
		rest := out[1:]
		body := height - 1
		off := min(m.helpOffset, max(len(rest)-body, 0))
		rest = rest[off:min(off+body, len(rest))]
		if off+body < len(out)-1 {
			rest[len(rest)-1] = m.c.st.dim.Render(fit(" ↓ more (j)", width, false))
		}
		out = append(out[:1], rest...)
	}
	return out
}

func truncate(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// disabled says why an action binding cannot be used in this context
// and namespace, "" when it can: --readonly, or the API server's access
// review. The server still has the last word on what is offered.
func (m Model) disabled(b key.Binding) string {
	k := m.c.keys
	for _, x := range actionKeys(k) {
		if strings.Join(x.b.Keys(), ",") != strings.Join(b.Keys(), ",") || x.b.Help() != b.Help() {
			continue
		}
		if m.c.act == nil {
			return "not available"
		}
		if m.c.act.ReadOnly() {
			return "off: --readonly"
		}
		if _, denied := m.snap.Rights.Denied(x.a); denied {
			return "not permitted here"
		}
	}
	return ""
}

// actionKey is the key of one action that changes or reaches into the
// cluster.
type actionKey struct {
	b key.Binding
	a kube.Action
}

// actionKeys pairs the keymap's action keys with their actions: the root
// starts them, help greys the ones not permitted.
func actionKeys(k keys.Map) []actionKey {
	return []actionKey{{k.Edit, kube.ActEdit}, {k.Delete, kube.ActDelete}, {k.Create, kube.ActCreate}, {k.Restart, kube.ActRestart},
		{k.Undo, kube.ActUndo}, {k.Shell, kube.ActShell}, {k.PortForward, kube.ActForward}}
}
