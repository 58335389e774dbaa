package kube

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/types"
)

// Bound is what an action acts on, fixed when its key is pressed: the
// cluster (context and server) the object was seen on, and the object by
// UID. A switch of context between the key and the confirmation must not
// send the action to another cluster, and a DaemonSet deleted and
// re-created under the same name is another object.
type Bound struct {
	Context, Server string
	ObjectRef
}

// Where names the cluster for dialogs and messages.
func (b Bound) Where() string {
	return fmt.Sprintf("context %s (%s)", orNone(b.Context), orNone(b.Server))
}

func orNone(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// MovedError refuses an action whose cluster is no longer the current
// one: nothing was sent.
type MovedError struct {
	Chosen Bound
	// Context and Server are where dsx is now; Switching is set while a
	// switch is in flight.
	Context, Server string
	Switching       bool
}

func (e *MovedError) Error() string {
	if e.Switching {
		return fmt.Sprintf("the action was chosen on %s and dsx is switching contexts: nothing was sent", e.Chosen.Where())
	}
	now := "context " + orNone(e.Context)
	if e.Context == e.Chosen.Context {
		// Same name, another server: the kubeconfig changed under dsx.
		now += " (" + orNone(e.Server) + ")"
	}
	return fmt.Sprintf("the action was chosen on %s, dsx is now on %s: nothing was sent", e.Chosen.Where(), now)
}

// IsMoved reports whether err is a refusal because the cluster changed.
func IsMoved(err error) bool {
	var m *MovedError
	return errors.As(err, &m)
}

// ReplacedError refuses an action on an object that is no longer the one
// the user chose: same name, another UID (deleted and re-created).
type ReplacedError struct {
	Chosen Bound
	Now    types.UID
}

func (e *ReplacedError) Error() string {
	if e.Now == "" {
		return fmt.Sprintf("%s is gone from %s since you chose it: nothing was sent", e.Chosen.ObjectRef, e.Chosen.Where())
	}
	return fmt.Sprintf("%s on %s was deleted and re-created since you chose it (UID %s, now %s): nothing was sent",
		e.Chosen.ObjectRef, e.Chosen.Where(), e.Chosen.UID, e.Now)
}

// errNoUID refuses an action on an object dsx cannot identify.
func errNoUID(b Bound) error {
	return fmt.Errorf("%s: dsx does not know its UID yet (wait for the list to sync): nothing was sent", b.ObjectRef)
}

// bind returns the current target when b was chosen on it, and refuses
// otherwise. Every action goes through it: the client it returns talks to
// b's server, whatever happens to the session afterwards.
func (s *Session) bind(b Bound, needUID bool) (*Target, error) {
	s.mu.Lock()
	t, switching := s.target, s.switching > 0
	s.mu.Unlock()
	if switching {
		return nil, &MovedError{Chosen: b, Context: t.Context, Server: t.Server, Switching: true}
	}
	if b.Context != t.Context || b.Server != t.Server {
		return nil, &MovedError{Chosen: b, Context: t.Context, Server: t.Server}
	}
	if needUID && b.UID == "" {
		return nil, errNoUID(b)
	}
	return t, nil
}

func asReplaced(err error, target **ReplacedError) bool { return errors.As(err, target) }
