package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/kube"
)

// Switcher changes the context or namespace dsx watches; kube.Session is
// the real one.
type Switcher interface {
	Contexts() ([]kube.ContextInfo, error)
	Namespaces(ctx context.Context) ([]string, error)
	Switch(ctx context.Context, contextName, namespace string, all bool, timeout time.Duration) error
}

// pickItem is one choice of a picker.
type pickItem struct {
	label   string
	value   string
	current bool
}

// picker is a fuzzy list of contexts or namespaces.
type picker struct {
	what   string // "context" or "namespace"
	items  []pickItem
	shown  []int
	cur    int
	filter filterState
	err    error
	back   viewKind
}

type pickerItemsMsg struct {
	what  string
	items []pickItem
	err   error
}

type switchedMsg struct {
	contextName, namespace string
	all                    bool
	err                    error
}

func (p *picker) refresh() {
	targets := make([]string, len(p.items))
	for i, it := range p.items {
		targets[i] = it.label
	}
	p.shown, _ = match(p.filter.pattern, targets)
	p.cur = min(p.cur, max(len(p.shown)-1, 0))
}

func (p *picker) selected() (pickItem, bool) {
	if p.cur < len(p.shown) {
		return p.items[p.shown[p.cur]], true
	}
	return pickItem{}, false
}

func (p *picker) render(st styles, width, height int) []string {
	head := fmt.Sprintf(" Pick a %s (enter switches · / filters · esc goes back)", p.what)
	if p.what == "port-forward" {
		head = " Active port-forwards (enter stops one · / filters · esc goes back)"
	}
	out := []string{st.header.Render(fit(head, width, false))}
	if p.err != nil {
		return append(out, st.bad.Render(fit(" "+firstLine(p.err.Error()), width, false)))
	}
	if p.items == nil {
		return append(out, st.dim.Render(fit(" loading…", width, false)))
	}
	if len(p.items) == 0 && p.what == "port-forward" {
		return append(out, st.dim.Render(fit(" no active port-forwards (F on a node row starts one)", width, false)))
	}
	start := max(0, p.cur-(height-2))
	for i := start; i < len(p.shown) && len(out) < height; i++ {
		it := p.items[p.shown[i]]
		mark := "  "
		if it.current {
			mark = "● "
		}
		line := fit(" "+mark+it.label, width, false)
		if i == p.cur {
			line = st.selected.Render(line)
		}
		out = append(out, line)
	}
	return out
}

// loadContexts and loadNamespaces fill a picker from the kubeconfig and
// the server.
func loadContexts(sw Switcher) tea.Cmd {
	return func() tea.Msg {
		cs, err := sw.Contexts()
		items := make([]pickItem, 0, len(cs))
		for _, c := range cs {
			ns := c.Namespace
			if ns == "" {
				ns = "default"
			}
			items = append(items, pickItem{label: fmt.Sprintf("%s  (cluster %s · user %s · namespace %s)", c.Name, c.Cluster, c.User, ns), value: c.Name, current: c.Current})
		}
		return pickerItemsMsg{what: "context", items: items, err: err}
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

// runCommand handles a ":" command line.
func (m Model) runCommand(line string) (Model, tea.Cmd) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return m, nil
	}
	switch f[0] {
	case "q", "quit", "q!":
		return m, tea.Quit
	case "ctx", "context", "contexts":
		if len(f) > 1 {
			return m.switchTo(f[1], "", false)
		}
		return m.openPicker("context")
	case "pf", "port-forward", "portforward", "port-forwards":
		return m.openForwards()
	case "ns", "namespace", "namespaces":
		if len(f) > 1 {
			if f[1] == "all" || f[1] == "-A" {
				return m.switchTo(m.snap.Context, "", true)
			}
			return m.switchTo(m.snap.Context, f[1], false)
		}
		return m.openPicker("namespace")
	}
	m.flash = fmt.Sprintf(":%s: unknown command (try :ctx, :ns, :pf, :q)", f[0])
	return m, nil
}

func (m Model) openPicker(what string) (Model, tea.Cmd) {
	if m.sw == nil {
		m.flash = "switching is not available here"
		return m, nil
	}
	m.picker = picker{what: what, back: m.view}
	m.view = viewPicker
	if what == "context" {
		return m, loadContexts(m.sw)
	}
	return m, loadNamespaces(m.ctx, m.sw, m.snap.Namespace)
}

// switchTo saves where the user is in this context and switches.
func (m Model) switchTo(contextName, namespace string, all bool) (Model, tea.Cmd) {
	if m.sw == nil {
		m.flash = "switching is not available here"
		return m, nil
	}
	m.saveState()
	m.switching, m.switchFrom = contextName, m.snap.Context
	sw, ctx, timeout := m.sw, m.ctx, m.requestTimeout
	return m, func() tea.Msg {
		err := sw.Switch(ctx, contextName, namespace, all, timeout)
		return switchedMsg{contextName: contextName, namespace: namespace, all: all, err: err}
	}
}

// ctxState is where the user was in one context.
type ctxState struct {
	view  viewKind
	list  listView
	nodes nodeView
}

func (m *Model) saveState() {
	if m.saved == nil {
		m.saved = map[string]ctxState{}
	}
	v := m.view
	if v != viewNodes {
		v = viewList
	}
	m.saved[m.snap.Context] = ctxState{view: v, list: m.list, nodes: m.nodes}
}

// restoreState puts the user back where they were in this context, or at
// the top of the list (always so after a namespace switch).
func (m *Model) restoreState(contextName string, sameContext bool) tea.Cmd {
	st, ok := m.saved[contextName]
	if !ok || sameContext {
		m.view, m.list, m.nodes = viewList, listView{}, nodeView{}
		return nil
	}
	m.view, m.list, m.nodes = st.view, st.list, st.nodes
	if m.view == viewNodes {
		return m.focus(m.nodes.ns, m.nodes.name)
	}
	return nil
}
