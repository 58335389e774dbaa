package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// pickItem is one choice of a picker.
type pickItem struct {
	label   string
	value   string
	current bool
	// address is a forward's local address, for the status line.
	address string
}

// pickForwards is the picker of :pf, the active port-forwards.
const pickForwards = "port-forward"

// pickFleet is the picker of M and :fleet: which contexts the fleet
// view watches.
const pickFleet = "fleet"

// picker is a fuzzy list of contexts or namespaces, where enter switches
// to the selected one, or of port-forwards, where enter stops one.
type picker struct {
	c      *common
	what   string // "context", "namespace" or pickForwards
	items  []pickItem
	shown  []int
	cur    scroller
	filter input
	err    error
	// context is the context a namespace is picked in.
	context string
	// marked are the contexts marked for the fleet.
	marked map[string]bool
}

type pickerItemsMsg struct {
	what  string
	items []pickItem
	err   error
}

func newPicker(c *common, what, contextName string) picker {
	return picker{c: c, what: what, context: contextName, filter: newInput()}
}

func (p *picker) refresh() {
	targets := make([]string, len(p.items))
	for i, it := range p.items {
		targets[i] = it.label
	}
	p.shown, _ = match(p.filter.value(), targets)
	p.cur.setLen(len(p.shown))
	if p.filter.value() != "" {
		// The best match is selected after every keystroke.
		p.cur.setPos(0)
	}
}

func (p picker) selected() (pickItem, bool) {
	if p.cur.pos < len(p.shown) {
		return p.items[p.shown[p.cur.pos]], true
	}
	return pickItem{}, false
}

func (p picker) SetSize(width, height int) View {
	// One line is the picker's own title.
	p.cur.setHeight(height - 1)
	return p
}

func (p picker) typing() bool { return p.filter.editing }

func (p picker) inputLine(w int) string {
	return filterLine(p.c.st, p.c.keys, p.filter, w, "filter", "name")
}

func (p picker) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case pickerItemsMsg:
		if msg.what == p.what {
			p.items, p.err = msg.items, msg.err
			if p.items == nil {
				p.items = []pickItem{}
			}
			p.refresh()
		}
	case forwardStoppedMsg:
		if p.what == pickForwards {
			p.items = forwardItems(msg.active, p.c.now())
			p.refresh()
		}
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	return p, nil
}

func (p picker) key(msg tea.KeyPressMsg) (View, tea.Cmd) {
	k := p.c.keys
	// Enter while typing keeps the filter and picks its top match at
	// once: the filter was only the way to that row.
	picks := p.filter.editing && msg.Text == "" && key.Matches(msg, k.Enter)
	if handled, changed := p.filter.filterKey(msg, k); handled && !picks {
		if changed {
			p.refresh()
		}
		return p, nil
	}
	switch {
	case key.Matches(msg, k.Back):
		return pop(), nil
	case scrollKey(msg, k, p.cur.height, len(p.shown), p.cur.move):
	case p.what == pickFleet && key.Matches(msg, k.Mark):
		if it, ok := p.selected(); ok && it.value != "all" {
			if p.marked == nil {
				p.marked = map[string]bool{}
			}
			p.marked[it.value] = !p.marked[it.value]
			p.cur.move(1)
		}
	case key.Matches(msg, k.Enter):
		if p.what == pickFleet && strings.ContainsAny(p.filter.value(), "*?[,") {
			// A glob or a list typed in the filter is the selection.
			spec := p.filter.value()
			return reply{pop: true, fleet: &spec}, nil
		}
		it, ok := p.selected()
		if !ok {
			return p, nil
		}
		if p.what == pickForwards {
			return p, p.c.stopForward(it)
		}
		if p.what == pickFleet {
			spec := p.fleetSpec(it)
			return reply{pop: true, fleet: &spec}, nil
		}
		if p.what == "context" {
			return reply{pop: true, switchTo: &switchRequest{contextName: it.value}}, nil
		}
		return reply{pop: true, switchTo: &switchRequest{contextName: p.context, namespace: it.value, all: it.value == ""}}, nil
	}
	return p, nil
}

// Title keeps the title bar of the view the picker opened over.
func (p picker) Title() string { return "" }

func (p picker) Keys() []key.Binding {
	k := p.c.keys
	if p.what == pickFleet {
		return []key.Binding{k.Enter, k.Mark, k.Filter, k.Back}
	}
	return []key.Binding{k.Enter, k.Filter, k.Back}
}

// fleetSpec is the selection enter makes: the marked contexts, else the
// row under the cursor ("all" or one context).
func (p picker) fleetSpec(it pickItem) string {
	var marked []string
	for _, i := range p.items {
		if p.marked[i.value] {
			marked = append(marked, i.value)
		}
	}
	if len(marked) > 0 {
		return strings.Join(marked, ",")
	}
	return it.value
}

func (p picker) View(width, height int) string {
	st := p.c.st
	head := fmt.Sprintf(" Pick a %s (%s switches · %s filters · %s goes back)", p.what, keyName(p.c.keys.Enter), keyName(p.c.keys.Filter), keyName(p.c.keys.Back))
	if p.what == pickFleet {
		head = fmt.Sprintf(" Fleet: pick contexts (%s opens · %s marks several · %s filters; a glob like prod-* or a,b then %s)", keyName(p.c.keys.Enter), keyName(p.c.keys.Mark), keyName(p.c.keys.Filter), keyName(p.c.keys.Enter))
	}
	if p.what == pickForwards {
		head = fmt.Sprintf(" Active port-forwards (%s stops one · %s filters · %s goes back)", keyName(p.c.keys.Enter), keyName(p.c.keys.Filter), keyName(p.c.keys.Back))
	}
	out := []string{st.header.Render(fit(head, width, false))}
	if p.err != nil {
		return strings.Join(append(out, st.bad.Render(fit(" "+firstLine(p.err.Error()), width, false))), "\n")
	}
	if p.items == nil {
		return strings.Join(append(out, st.dim.Render(fit(" loading…", width, false))), "\n")
	}
	if len(p.items) == 0 && p.what == pickForwards {
		return strings.Join(append(out, st.dim.Render(fit(" no active port-forwards ("+keyName(p.c.keys.PortForward)+" on a node row starts one)", width, false))), "\n")
	}
	start, end := p.cur.window()
	for i := start; i < end; i++ {
		it := p.items[p.shown[i]]
		mark := "  "
		if it.current {
			mark = "● "
		}
		if p.marked[it.value] {
			mark = "✓ "
		}
		line := fit(" "+mark+it.label, width, false)
		if i == p.cur.pos {
			line = st.selected.Render(line)
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// loadContexts and loadNamespaces fill a picker from the kubeconfig and
// the server.
func loadContexts(sw Switcher, what string) tea.Cmd {
	return func() tea.Msg {
		cs, err := sw.Contexts()
		items := make([]pickItem, 0, len(cs)+1)
		if what == pickFleet {
			items = append(items, pickItem{label: fmt.Sprintf("all contexts (%d)", len(cs)), value: "all"})
		}
		for _, c := range cs {
			ns := c.Namespace
			if ns == "" {
				ns = "default"
			}
			items = append(items, pickItem{label: fmt.Sprintf("%s  (cluster %s · user %s · namespace %s)", c.Name, c.Cluster, c.User, ns), value: c.Name, current: c.Current})
		}
		return pickerItemsMsg{what: what, items: items, err: err}
	}
}

func loadNamespaces(ctx context.Context, sw Switcher, current string) tea.Cmd {
	return func() tea.Msg {
		ns, err := sw.Namespaces(ctx)
		items := []pickItem{{label: "all namespaces", value: "", current: current == ""}}
		for _, n := range ns {
			items = append(items, pickItem{label: n, value: n, current: n == current})
		}
		return pickerItemsMsg{what: "namespace", items: items, err: err}
	}
}
