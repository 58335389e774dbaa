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

// switchRequest is a context and namespace to watch; all for every
// namespace.
type switchRequest struct {
	contextName, namespace string
	all                    bool
}

type switchedMsg struct {
	contextName, namespace string
	all                    bool
	err                    error
	// drill: the switch opens a node view over the fleet.
	drill bool
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
	case "log":
		if m.log == nil {
			m.flash = ":log: not available here"
			return m, nil
		}
		p := newPager(m.c, kube.ObjectRef{Kind: "dsx", Name: "client log"}, "messages of")
		text := strings.Join(m.log.Lines(), "\n")
		if text == "" {
			text = "no messages from client-go"
		}
		p.setText(text)
		return m.push(p), nil
	case "group", "g":
		return m.groupCommand(f[1:])
	case "ctx", "context", "contexts":
		if len(f) > 1 {
			return m.switchTo(switchRequest{contextName: f[1]})
		}
		return m.openPicker("context")
	case "nodes", "node", "no":
		node := ""
		if len(f) > 1 {
			node = f[1]
		}
		return m.openNodes(node)
	case "fleet":
		if len(f) > 1 {
			return m, m.fleetCmd(strings.Join(f[1:], ","))
		}
		return m.openPicker(pickFleet)
	case "pf", "port-forward", "portforward", "port-forwards":
		return m.openForwards()
	case "ns", "namespace", "namespaces":
		if len(f) > 1 {
			if f[1] == "all" || f[1] == "-A" {
				return m.switchTo(switchRequest{contextName: m.snap.Context, all: true})
			}
			return m.switchTo(switchRequest{contextName: m.snap.Context, namespace: f[1]})
		}
		return m.openPicker("namespace")
	}
	m.flash = fmt.Sprintf(":%s: unknown command (try :ctx, :ns, :nodes, :group, :fleet, :pf, :log, :q)", f[0])
	return m, nil
}

// openNodes shows the nodes list over the DaemonSet list, as N does
// there, and over it node's view when node is not ""; views opened
// before are closed, and what they had the source compute is let go.
// One command sets the node focus: batched commands run in any order.
func (m Model) openNodes(node string) (Model, tea.Cmd) {
	m.stack = m.stack[:1]
	m = m.push(newNodesList(m.c, m.snap))
	if node != "" {
		m = m.push(newNodeDS(m.c, m.snap, node))
	}
	return m, tea.Batch(m.c.focus("", ""), m.c.focusNode(node), m.c.listNodes(true))
}

func (m Model) openPicker(what string) (Model, tea.Cmd) {
	if m.c.sw == nil {
		m.flash = "switching is not available here"
		return m, nil
	}
	if what == pickFleet && m.c.fleeter == nil {
		m.flash = "the fleet view is not available here"
		return m, nil
	}
	m = m.push(newPicker(m.c, what, m.snap.Context))
	if what == "context" || what == pickFleet {
		return m, loadContexts(m.c.sw, what)
	}
	return m, loadNamespaces(m.c.ctx, m.c.sw, m.snap.Namespace)
}

// switchTo saves where the user is in this context and switches.
func (m Model) switchTo(r switchRequest) (Model, tea.Cmd) {
	if m.c.sw == nil {
		m.flash = "switching is not available here"
		return m, nil
	}
	m.saveState()
	m.switching, m.switchFrom = r.contextName, m.snap.Context
	sw, ctx, timeout := m.c.sw, m.c.ctx, m.c.requestTimeout
	return m, func() tea.Msg {
		err := sw.Switch(ctx, r.contextName, r.namespace, r.all, timeout)
		return switchedMsg{contextName: r.contextName, namespace: r.namespace, all: r.all, err: err}
	}
}

// switched shows the new context or namespace once the switch is done.
func (m Model) switched(msg switchedMsg) (Model, tea.Cmd) {
	if msg.drill && m.drilling != nil {
		return m.drilled(msg)
	}
	m.switching = ""
	if msg.err != nil {
		m.flash = "switch failed: " + firstLine(msg.err.Error())
		return m, nil
	}
	same := msg.contextName == m.switchFrom
	arrived := m.snap.Context == msg.contextName &&
		(!same || (msg.all && m.snap.Namespace == "") || (!msg.all && m.snap.Namespace == msg.namespace))
	if !arrived {
		// No snapshot of the new scope yet: show it as syncing.
		m.snap = kube.Snapshot{Context: msg.contextName, Namespace: msg.namespace}
	}
	m, cmd := m.restoreState(msg.contextName, same)
	// A switch from a node view opened over the fleet leaves the fleet
	// behind: its watchers stop with it.
	return m.stopFleetIfGone(), cmd
}

// ctxState is where the user was in one context: the list and, when
// open, the node view; views opened over them are not kept.
type ctxState struct {
	stack []View
}

func (m *Model) saveState() {
	if m.saved == nil {
		m.saved = map[string]ctxState{}
	}
	var keep []View
	for _, v := range m.stack {
		_, list := v.(listView)
		_, nodes := v.(nodeView)
		if !list && !nodes {
			break
		}
		keep = append(keep, v)
	}
	m.saved[m.snap.Context] = ctxState{stack: keep}
}

// restoreState puts the user back where they were in this context, or at
// the top of the list (always so after a namespace switch).
func (m Model) restoreState(contextName string, sameContext bool) (Model, tea.Cmd) {
	st, ok := m.saved[contextName]
	if !ok || sameContext || len(st.stack) == 0 {
		m.stack = []View{newList(m.c, m.snap).SetSize(m.width, m.bodyHeight())}
		return m, nil
	}
	m.stack = nil
	var cmd tea.Cmd
	for _, v := range st.stack {
		v, _ = v.Update(SnapshotMsg{Snapshot: m.snap})
		m.stack = append(m.stack, v.SetSize(m.width, m.bodyHeight()))
		if n, ok := v.(nodeView); ok {
			cmd = m.c.focus(n.ns, n.name)
		}
	}
	return m, cmd
}

// groupCommand is :group LABEL in a DaemonSet's node view or the nodes
// list: its nodes grouped by LABEL; without LABEL, the choice of labels.
func (m Model) groupCommand(args []string) (Model, tea.Cmd) {
	n, isNode := m.top().(nodeView)
	l, isList := m.top().(nodesList)
	isNode, isList = isNode && n.group == nil, isList && l.group == nil
	if !isNode && !isList {
		m.flash = ":group: open a DaemonSet's nodes or the nodes list first (" + keyName(m.c.keys.Enter) + " or " + keyName(m.c.keys.Nodes) + " on the list)"
		return m, nil
	}
	if len(args) > 1 {
		m.flash = ":group takes one label, e.g. :group " + kube.ZoneLabel
		return m, nil
	}
	label := ""
	if len(args) == 1 {
		label = args[0]
		if err := kube.ValidateLabelKey(label); err != nil {
			m.flash = ":group: " + err.Error()
			return m, nil
		}
	}
	if isList {
		return m.push(newNodeGroups(m.c, l.snap, label)), nil
	}
	return m.push(newGroups(m.c, n.ns, n.name, n.view, label)), nil
}
