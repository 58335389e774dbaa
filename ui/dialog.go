package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// dialog asks before an action changes the cluster. It names the object
// and what goes with it; a rollback shows its diff.
type dialog struct {
	target  actionTarget
	title   string
	body    []string
	diff    bool
	choices []string
	choice  int
	// moved is set once the choice was changed: only then does enter
	// confirm (ctrl+d is also vim's half page; a stray enter after it
	// must not delete).
	moved   bool
	confirm string
	offset  int
	// nowOn is the cluster dsx shows now, set when it differs from the
	// one the action was chosen on: confirming is then refused.
	nowOn string
	// choiceLabel names choices other than a delete's propagation (a
	// shell's container, a forward's port); input is a typed port.
	choiceLabel string
	input       string
	ports       []kube.PodPort
}

func (m Model) handleDialogKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.c.keys
	d := *m.dialog
	switch {
	case key.Matches(msg, k.Cancel, k.Back, k.Quit):
		m.dialog = nil
		m.flash = d.confirm + ": cancelled, nothing sent"
		return m, nil
	case d.target.action == kube.ActForward && len(msg.Text) == 1 && msg.Text[0] >= '0' && msg.Text[0] <= '9' && len(d.input) < 5:
		d.input += msg.Text
	case d.target.action == kube.ActForward && msg.String() == "backspace":
		d.input = d.input[:max(len(d.input)-1, 0)]
	case key.Matches(msg, k.Confirm) && key.Matches(msg, k.Enter) && !d.moved && d.destructive():
		m.flash = "press " + confirmKey(k, false) + " to " + d.confirm
	case key.Matches(msg, k.Confirm):
		m.dialog = nil
		switch d.target.action {
		case kube.ActShell:
			// The session refuses it too, but only after the terminal
			// was handed over: say so here, on dsx's screen.
			if b := d.target.bound; m.switching != "" || b.Context != m.snap.Context || b.Server != m.snap.Server {
				m.flash = outcome("shell", &kube.MovedError{Chosen: b, Context: m.snap.Context, Server: m.snap.Server, Switching: m.switching != ""})
				return m, nil
			}
			if d.choice < len(d.choices) {
				d.target.container = d.choices[d.choice]
			}
			m.busy = "shell in " + d.target.namespace + "/" + d.target.name + " " + d.target.where() + "…"
			return m, m.openShell(d.target)
		case kube.ActForward:
			if p, _ := d.forwardPort(); p <= 0 || p > 65535 {
				m.dialog = &d
				m.flash = "port-forward: choose a pod port (" + keyName(k.Choice) + ") or type one"
				return m, nil
			}
			m.busy = "port-forward to " + d.target.namespace + "/" + d.target.name + " " + d.target.where() + "…"
			return m, m.startForward(d)
		}
		m.busy = d.confirm + " " + d.target.namespace + "/" + d.target.name + " " + d.target.where() + "…"
		return m, m.run(d)
	case key.Matches(msg, k.ChoicePrev) && len(d.choices) > 0:
		d.choice = (d.choice + len(d.choices) - 1) % len(d.choices)
		d.moved = true
	case key.Matches(msg, k.Choice) && len(d.choices) > 0:
		d.choice = (d.choice + 1) % len(d.choices)
		d.moved = true
	case key.Matches(msg, k.Down, k.PageDown):
		d.offset = min(d.offset+1, max(len(d.body)-1, 0))
	case key.Matches(msg, k.Up, k.PageUp):
		d.offset = max(d.offset-1, 0)
	}
	m.dialog = &d
	return m, nil
}

// lines renders the dialog as a box of at most width×height.
func (d dialog) lines(st styles, k keys.Map, width, height int) []string {
	inner := max(min(width-4, 100), 10)
	var content []string
	content = append(content, st.title.Render(truncate(d.title, inner)))
	// The cluster cannot be missed: kubeconfigs name prod and staging
	// alike, and the same DaemonSet runs in both.
	content = append(content, st.warn.Render(truncate("CLUSTER: context "+d.target.bound.Context, inner)),
		st.warn.Render(truncate("SERVER:  "+d.target.bound.Server, inner)))
	if d.nowOn != "" {
		content = append(content, st.bad.Render(truncate("dsx is now on "+d.nowOn+": confirming sends nothing", inner)))
	}
	content = append(content, "")
	if d.target.action == kube.ActDelete {
		p := kube.Propagations()[d.choice]
		content = append(content, wrap("With "+string(p)+" propagation "+p.Explain(d.target.pods)+".", inner)...)
		content = append(content, "", d.choiceLine(st, k, "Propagation"))
	}
	if d.choiceLabel != "" && len(d.choices) > 0 {
		content = append(content, d.choiceLine(st, k, d.choiceLabel))
	}
	if d.target.action == kube.ActForward {
		content = append(content, d.forwardLines()...)
		content = append(content, "")
	}
	for _, b := range d.body {
		if d.diff {
			content = append(content, diffLine(st, truncate(b, inner)))
			continue
		}
		content = append(content, wrap(b, inner)...)
	}
	content = append(content, "", st.hint.Render(truncate(confirmKey(k, d.moved || !d.destructive())+" "+d.confirm+" · "+k.Cancel.Help().Key+"/"+k.Back.Help().Key+" cancel", inner)))
	// Long diffs scroll inside the box; the title and keys stay.
	room := max(height-2, 3)
	if len(content) > room {
		head, tail := content[:2], content[len(content)-2:]
		mid := content[2 : len(content)-2]
		n := max(room-4, 1)
		off := min(d.offset, max(len(mid)-n, 0))
		mid = mid[off:min(off+n, len(mid))]
		content = append(append(append([]string{}, head...), mid...), tail...)
	}
	out := []string{"┌" + strings.Repeat("─", inner+2) + "┐"}
	for _, c := range content {
		c = truncate(c, inner)
		pad := max(inner-ansi.StringWidth(c), 0)
		out = append(out, "│ "+c+strings.Repeat(" ", pad)+" │")
	}
	return append(out, "└"+strings.Repeat("─", inner+2)+"┘")
}

// choiceLine shows the choices with the chosen one marked; none is
// while a port is typed instead.
func (d dialog) choiceLine(st styles, k keys.Map, label string) string {
	var opts []string
	for i, c := range d.choices {
		if i == d.choice && d.input == "" {
			opts = append(opts, st.selected.Render("["+c+"]"))
		} else {
			opts = append(opts, " "+c+" ")
		}
	}
	return label + ": " + strings.Join(opts, " ") + "  (" + k.Choice.Keys()[0] + " to change)"
}

func diffLine(st styles, l string) string {
	switch {
	case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
		return st.title.Render(l)
	case strings.HasPrefix(l, "+"):
		return st.good.Render(l)
	case strings.HasPrefix(l, "-"):
		return st.bad.Render(l)
	case strings.HasPrefix(l, "@@"):
		return st.dim.Render(l)
	}
	return l
}

// wrap breaks text at spaces into lines of at most width cells.
func wrap(s string, width int) []string {
	var out []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case ansi.StringWidth(line)+1+ansi.StringWidth(w) <= width:
			line += " " + w
		default:
			out = append(out, line)
			line = w
		}
	}
	if line != "" {
		out = append(out, truncate(line, width))
	}
	return out
}

// overlay draws box centred over body, which keeps showing around it.
func overlay(body, box []string, width, height int) []string {
	for len(body) < height {
		body = append(body, "")
	}
	top := max((height-len(box))/2, 0)
	left := max((width-ansi.StringWidth(box[0]))/2, 0)
	for i, b := range box {
		if top+i >= len(body) {
			break
		}
		body[top+i] = strings.Repeat(" ", left) + b
	}
	return body
}

// destructive dialogs change or remove what runs (delete, restart, undo):
// a bare enter, also vim's and less's habit, never confirms them. A shell
// or a port-forward changes nothing in the cluster.
func (d dialog) destructive() bool {
	return d.target.action != kube.ActShell && d.target.action != kube.ActForward
}

// confirmKey names the keys that confirm now: not enter until the choice
// was moved.
func confirmKey(k keys.Map, moved bool) string {
	var ks []string
	for _, c := range k.Confirm.Keys() {
		if moved || !slices.Contains(k.Enter.Keys(), c) {
			ks = append(ks, c)
		}
	}
	return strings.Join(ks, "/")
}
