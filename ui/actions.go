package ui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"k8s.io/apimachinery/pkg/types"

	"github.com/dsx-tui/dsx/kube"
)

// Actor changes the cluster; kube.Session is the real one. The model
// only ever calls it from commands, off the update loop.
type Actor interface {
	ReadOnly() bool
	Denied(ctx context.Context, a kube.Action, namespace string) (string, bool)
	NewCreate(b kube.Bound) (kube.Edit, error)
	BeginEdit(ctx context.Context, b kube.Bound) (kube.Edit, error)
	Submit(ctx context.Context, e kube.Edit, saved []byte) kube.EditResult
	Delete(ctx context.Context, b kube.Bound, p kube.Propagation) error
	Restart(ctx context.Context, b kube.Bound) error
	History(ctx context.Context, b kube.Bound) ([]kube.HistoryEntry, error)
	Undo(ctx context.Context, b kube.Bound, toRevision int64) (string, error)
}

// actionTarget is what an action acts on, fixed when its key is pressed:
// the selection may move, and dsx may switch to another cluster, while
// the action runs; bound keeps the cluster and the object's UID.
type actionTarget struct {
	action    kube.Action
	namespace string
	name      string
	// uid is the object's UID as the view saw it; bound carries it.
	uid   types.UID
	bound kube.Bound
	// pods is how many pods the DaemonSet has, for the delete dialog.
	pods int32
	// node is the pod's node, for a pod delete.
	node     string
	strategy string
	// revision is the revision to roll back to, 0 for the previous one.
	revision int64
	// container is a shell's container.
	container string
}

// bind fixes t to the cluster the screen's rows came from: the snapshot
// names it, not whatever the session is on when the key is handled.
func (m Model) bind(t actionTarget) actionTarget {
	return bindTo(t, m.snap.Context, m.snap.Server)
}

// bindTo fixes t to the cluster context/server and to the UID its view
// found, so the session can refuse it anywhere else.
func bindTo(t actionTarget, context, server string) actionTarget {
	kind := kube.KindDaemonSet
	if t.action == kube.ActDeletePod || isStream(t.action) {
		kind = kube.KindPod
	}
	t.bound = kube.Bound{Context: context, Server: server,
		ObjectRef: kube.ObjectRef{Kind: kind, Namespace: t.namespace, Name: t.name, UID: t.uid}}
	return t
}

// where names the cluster an action goes to, for dialogs and messages.
func (t actionTarget) where() string { return "on " + t.bound.Where() }

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

// startAction runs the pressed action's checks: read-only mode at once,
// then the API server's access review, before any dialog or editor. The
// view on top says what the action acts on.
func (m Model) startAction(a kube.Action) (Model, tea.Cmd) {
	if _, ok := m.c.streamer(); isStream(a) && !ok {
		m.flash = string(a) + ": not available here"
		return m, nil
	}
	if m.c.act == nil {
		m.flash = string(a) + ": not available here"
		return m, nil
	}
	if m.c.act.ReadOnly() {
		m.flash = "✗ " + string(a) + " is disabled: dsx runs with --readonly"
		return m, nil
	}
	if m.switching != "" {
		m.flash = "✗ " + string(a) + ": dsx is switching to context " + m.switching + "; wait for it"
		return m, nil
	}
	tv, ok := m.top().(targeter)
	if !ok {
		return m, nil
	}
	t, why := tv.target(a)
	if why != "" {
		m.flash = why
		return m, nil
	}
	return m.startActionOn(m.bind(t))
}

// startActionOn asks the API server whether t is allowed; the answer
// comes back as an allowedMsg.
func (m Model) startActionOn(t actionTarget) (Model, tea.Cmd) {
	if m.c.act == nil {
		m.flash = string(t.action) + ": not available here"
		return m, nil
	}
	if m.c.act.ReadOnly() {
		m.flash = "✗ " + string(t.action) + " is disabled: dsx runs with --readonly"
		return m, nil
	}
	if m.switching != "" {
		m.flash = "✗ " + string(t.action) + ": dsx is switching to context " + m.switching + "; wait for it"
		return m, nil
	}
	m.busy = "checking your rights to " + string(t.action) + "…"
	act, ctx := m.c.act, m.c.ctx
	return m, func() tea.Msg {
		why, denied := act.Denied(ctx, t.action, t.namespace)
		if !denied {
			why = ""
		}
		return allowedMsg{target: t, denied: why}
	}
}

// proceed opens the action's editor or dialog once it is allowed.
func (m Model) proceed(t actionTarget) (Model, tea.Cmd) {
	act, ctx := m.c.act, m.c.ctx
	switch t.action {
	case kube.ActCreate:
		e, err := act.NewCreate(t.bound)
		if err != nil {
			m.flash = outcome("create", err)
			return m, nil
		}
		cmd := m.launchEditor(e)
		return m, cmd
	case kube.ActEdit:
		m.busy = "fetching " + t.namespace + "/" + t.name + " to edit " + t.where() + "…"
		return m, func() tea.Msg {
			e, err := act.BeginEdit(ctx, t.bound)
			return editReadyMsg{edit: e, err: err}
		}
	case kube.ActDelete:
		d := dialog{target: t, title: "Delete DaemonSet " + t.namespace + "/" + t.name + "?", confirm: "delete"}
		for _, p := range kube.Propagations() {
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
		h, err := act.History(ctx, t.bound)
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
	act, ctx, t := m.c.act, m.c.ctx, d.target
	return func() tea.Msg {
		switch t.action {
		case kube.ActDelete:
			p := kube.Propagations()[d.choice]
			err := act.Delete(ctx, t.bound, p)
			return doneMsg{text: fmt.Sprintf("deleted DaemonSet %s/%s (%s)", t.namespace, t.name, p), err: err}
		case kube.ActDeletePod:
			err := act.Delete(ctx, t.bound, "")
			return doneMsg{text: "deleted pod " + t.namespace + "/" + t.name + "; the controller makes a new one on " + t.node, err: err}
		case kube.ActRestart:
			err := act.Restart(ctx, t.bound)
			return doneMsg{text: "restarted the rollout of " + t.namespace + "/" + t.name, err: err}
		case kube.ActUndo:
			msg, err := act.Undo(ctx, t.bound, t.revision)
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
	case kube.IsMoved(err):
		return "✗ refused: " + firstLine(err.Error())
	case err != nil:
		return "✗ " + verb + " failed: " + firstLine(err.Error())
	}
	return "✓ " + verb
}
