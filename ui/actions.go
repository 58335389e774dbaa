package ui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/kube"
)

// Actor changes the cluster; kube.Session is the real one. The model
// only ever calls it from commands, off the update loop.
type Actor interface {
	ReadOnly() bool
	Denied(ctx context.Context, a kube.Action, namespace string) (string, bool)
	NewCreate(namespace string) kube.Edit
	BeginEdit(ctx context.Context, namespace, name string) (kube.Edit, error)
	Submit(ctx context.Context, e kube.Edit, saved []byte) kube.EditResult
	Delete(ctx context.Context, ref kube.ObjectRef, p kube.Propagation) error
	Restart(ctx context.Context, namespace, name string) error
	History(ctx context.Context, namespace, name string) ([]kube.HistoryEntry, error)
	Undo(ctx context.Context, namespace, name string, toRevision int64) (string, error)
}

// actionTarget is what an action acts on, fixed when its key is pressed:
// the selection may move while the action runs.
type actionTarget struct {
	action    kube.Action
	namespace string
	name      string
	// pods is how many pods the DaemonSet has, for the delete dialog.
	pods int32
	// node is the pod's node, for a pod delete.
	node     string
	strategy string
	// revision is the revision to roll back to, 0 for the previous one.
	revision int64
	// container is a shell's container; context is where the shell or
	// forward was asked for.
	container string
	context   string
}

func (t actionTarget) ref() kube.ObjectRef {
	if t.action == kube.ActDeletePod {
		return kube.ObjectRef{Kind: kube.KindPod, Namespace: t.namespace, Name: t.name}
	}
	return kube.ObjectRef{Kind: kube.KindDaemonSet, Namespace: t.namespace, Name: t.name}
}

// allowedMsg is the access check's answer for a pressed action.
type allowedMsg struct {
	target actionTarget
	denied string
}

// doneMsg reports the outcome of an action.
type doneMsg struct {
	text string
	err  error
}

// historyMsg carries a DaemonSet's revisions; undo asks for them to
// show what a rollback would change.
type historyMsg struct {
	target  actionTarget
	entries []kube.HistoryEntry
	err     error
	forUndo bool
}

// selectedDaemonSet is the DaemonSet the list's cursor or the node view
// is on.
func (m Model) selectedDaemonSet() (kube.DaemonSetRow, bool) {
	if m.view == viewNodes {
		for _, r := range m.list.all {
			if r.Namespace == m.nodes.ns && r.Name == m.nodes.name {
				return r, true
			}
		}
		return kube.DaemonSetRow{Namespace: m.nodes.ns, Name: m.nodes.name}, m.nodes.name != ""
	}
	return m.list.selected()
}

// startAction runs the pressed action's checks: read-only mode at once,
// then the API server's access review, before any dialog or editor.
func (m Model) startAction(a kube.Action) (tea.Model, tea.Cmd) {
	if m.act == nil {
		m.flash = string(a) + ": not available here"
		return m, nil
	}
	if m.act.ReadOnly() {
		m.flash = "✗ " + string(a) + " is disabled: dsx runs with --readonly"
		return m, nil
	}
	t := actionTarget{action: a}
	switch a {
	case kube.ActCreate:
		t.namespace = m.snap.Namespace
		if r, ok := m.selectedDaemonSet(); ok && t.namespace == "" {
			t.namespace = r.Namespace
		}
		if t.namespace == "" {
			t.namespace = "default"
		}
	case kube.ActDelete:
		if m.view == viewNodes {
			if m.nodes.cur.pos >= len(m.nodes.rows) || m.nodes.rows[m.nodes.cur.pos].Pod == "" {
				m.flash = "delete: this node has no pod (esc, then ctrl+d deletes the DaemonSet)"
				return m, nil
			}
			r := m.nodes.rows[m.nodes.cur.pos]
			t = actionTarget{action: kube.ActDeletePod, namespace: m.nodes.ns, name: r.Pod, node: r.Node}
			if ds, ok := m.selectedDaemonSet(); ok {
				t.strategy = ds.Strategy
			}
			break
		}
		fallthrough
	default:
		r, ok := m.selectedDaemonSet()
		if !ok {
			m.flash = string(a) + ": no DaemonSet selected"
			return m, nil
		}
		t.namespace, t.name, t.pods, t.strategy = r.Namespace, r.Name, r.Current, r.Strategy
	}
	return m.startActionOn(t)
}

// startActionOn asks the API server whether t is allowed; the answer
// comes back as an allowedMsg.
func (m Model) startActionOn(t actionTarget) (tea.Model, tea.Cmd) {
	if m.act.ReadOnly() {
		m.flash = "✗ " + string(t.action) + " is disabled: dsx runs with --readonly"
		return m, nil
	}
	m.busy = "checking your rights to " + string(t.action) + "…"
	act, ctx := m.act, m.ctx
	return m, func() tea.Msg {
		why, denied := act.Denied(ctx, t.action, t.namespace)
		if !denied {
			why = ""
		}
		return allowedMsg{target: t, denied: why}
	}
}

// proceed opens the action's editor or dialog once it is allowed.
func (m Model) proceed(t actionTarget) (tea.Model, tea.Cmd) {
	act, ctx := m.act, m.ctx
	switch t.action {
	case kube.ActCreate:
		return m, m.launchEditor(act.NewCreate(t.namespace))
	case kube.ActEdit:
		m.busy = "fetching " + t.namespace + "/" + t.name + " to edit…"
		return m, func() tea.Msg {
			e, err := act.BeginEdit(ctx, t.namespace, t.name)
			return editReadyMsg{edit: e, err: err}
		}
	case kube.ActDelete:
		d := dialog{target: t, title: "Delete DaemonSet " + t.namespace + "/" + t.name + "?", confirm: "delete"}
		for _, p := range kube.Propagations {
			d.choices = append(d.choices, string(p))
		}
		m.dialog = &d
		return m, nil
	case kube.ActDeletePod:
		body := []string{"The DaemonSet controller creates a new pod on " + t.node + " at the current revision."}
		if t.strategy == "OnDelete" {
			body = append(body, "This is how an OnDelete DaemonSet is updated, one node at a time.")
		}
		m.dialog = &dialog{target: t, title: "Delete pod " + t.namespace + "/" + t.name + " on node " + t.node + "?", confirm: "delete", body: body}
		return m, nil
	case kube.ActRestart:
		body := []string{
			fmt.Sprintf("Sets kubectl.kubernetes.io/restartedAt on the pod template, as kubectl rollout restart does: a new revision, and its %d pods are replaced by the update strategy.", t.pods),
		}
		if t.strategy == "OnDelete" {
			body = append(body, "The strategy is OnDelete: pods are replaced only when you delete them (ctrl+d on a node row).")
		}
		m.dialog = &dialog{target: t, title: "Restart the rollout of " + t.namespace + "/" + t.name + "?", confirm: "restart", body: body}
		return m, nil
	case kube.ActUndo:
		m.busy = "reading the revisions of " + t.namespace + "/" + t.name + "…"
		return m, fetchHistory(act, ctx, t, true)
	case kube.ActShell, kube.ActForward:
		return m.proceedStream(t)
	}
	return m, nil
}

func fetchHistory(act Actor, ctx context.Context, t actionTarget, forUndo bool) tea.Cmd {
	return func() tea.Msg {
		h, err := act.History(ctx, t.namespace, t.name)
		return historyMsg{target: t, entries: h, err: err, forUndo: forUndo}
	}
}

// undoDialog shows what rolling back to a revision changes in the pod
// template, before anything is sent.
func undoDialog(t actionTarget, entries []kube.HistoryEntry) (*dialog, string) {
	var cur, to *kube.HistoryEntry
	for i := range entries {
		e := &entries[i]
		if e.Current {
			cur = e
		}
	}
	if cur == nil && len(entries) > 0 {
		cur = &entries[0]
	}
	for i := range entries {
		e := &entries[i]
		if t.revision != 0 && e.Number == t.revision {
			to = e
		}
		// The previous revision is the newest that is not the current one.
		if t.revision == 0 && to == nil && e != cur {
			to = e
		}
	}
	if cur == nil || to == nil {
		return nil, "undo: " + t.namespace + "/" + t.name + " has no earlier revision"
	}
	if to == cur {
		return nil, fmt.Sprintf("undo: revision %d is the current one", to.Number)
	}
	t.revision = to.Number
	d := &dialog{target: t, confirm: "roll back", diff: true,
		title: fmt.Sprintf("Roll %s/%s back from revision %d to revision %d?", t.namespace, t.name, cur.Number, to.Number)}
	d.body = strings.Split(strings.TrimRight(kube.Diff(*cur, *to), "\n"), "\n")
	return d, ""
}

// run sends a confirmed action.
func (m Model) run(d dialog) tea.Cmd {
	act, ctx, t := m.act, m.ctx, d.target
	return func() tea.Msg {
		switch t.action {
		case kube.ActDelete:
			p := kube.Propagations[d.choice]
			err := act.Delete(ctx, t.ref(), p)
			return doneMsg{text: fmt.Sprintf("deleted DaemonSet %s/%s (%s)", t.namespace, t.name, p), err: err}
		case kube.ActDeletePod:
			err := act.Delete(ctx, t.ref(), "")
			return doneMsg{text: "deleted pod " + t.namespace + "/" + t.name + "; the controller makes a new one on " + t.node, err: err}
		case kube.ActRestart:
			err := act.Restart(ctx, t.namespace, t.name)
			return doneMsg{text: "restarted the rollout of " + t.namespace + "/" + t.name, err: err}
		case kube.ActUndo:
			msg, err := act.Undo(ctx, t.namespace, t.name, t.revision)
			return doneMsg{text: fmt.Sprintf("%s/%s %s (to revision %d)", t.namespace, t.name, msg, t.revision), err: err}
		}
		return nil
	}
}

// outcome is what a finished action leaves in the status bar: the
// server's own words when it refused.
func outcome(verb string, err error) string {
	switch {
	case kube.IsReadOnly(err):
		return "✗ " + verb + ": refused, dsx runs with --readonly"
	case err != nil:
		return "✗ " + verb + " failed: " + firstLine(err.Error())
	}
	return "✓ " + verb
}
