package kube

import (
	"context"
	"errors"
)

// The actions act on the session's current context; each call is one
// short piece of work the UI runs as a command.

// ReadOnly reports whether the session refuses every change.
func (s *Session) ReadOnly() bool { return s.Target().ReadOnly }

// Denied asks (once per context and namespace) whether the API server
// would refuse a; it returns the reason when it would. Under --readonly
// every action is denied without asking.
func (s *Session) Denied(ctx context.Context, a Action, namespace string) (string, bool) {
	t := s.Target()
	if t.ReadOnly {
		return ErrReadOnly.Error(), true
	}
	return t.rights.get(ctx, namespace).Denied(a)
}

// NewCreate starts a create in namespace.
func (s *Session) NewCreate(namespace string) Edit { return NewCreate(namespace) }

// BeginEdit fetches the DaemonSet to edit.
func (s *Session) BeginEdit(ctx context.Context, namespace, name string) (Edit, error) {
	return BeginEdit(ctx, s.Target().Client, namespace, name)
}

// Submit sends what the user saved in the editor.
func (s *Session) Submit(ctx context.Context, e Edit, saved []byte) EditResult {
	return Submit(ctx, s.Target().Client, e, saved)
}

// Delete deletes a DaemonSet or a pod.
func (s *Session) Delete(ctx context.Context, ref ObjectRef, p Propagation) error {
	return Delete(ctx, s.Target().Client, ref, p)
}

// Restart restarts a DaemonSet's rollout.
func (s *Session) Restart(ctx context.Context, namespace, name string) error {
	return Restart(ctx, s.Target().Client, namespace, name)
}

// History lists a DaemonSet's revisions.
func (s *Session) History(ctx context.Context, namespace, name string) ([]HistoryEntry, error) {
	return History(ctx, s.Target().Client, namespace, name)
}

// Undo rolls a DaemonSet back.
func (s *Session) Undo(ctx context.Context, namespace, name string, toRevision int64) (string, error) {
	return Undo(ctx, s.Target().Client, namespace, name, toRevision)
}

// IsReadOnly reports whether err is --readonly refusing a request.
func IsReadOnly(err error) bool { return errors.Is(err, ErrReadOnly) }
