package kube

import (
	"context"
	"fmt"
	"sync"

	"k8s.io/client-go/kubernetes"
)

// Action is something dsx can do to the cluster.
type Action string

// The actions, named as the help screen and messages name them.
const (
	ActCreate    Action = "create"
	ActEdit      Action = "edit"
	ActDelete    Action = "delete"
	ActRestart   Action = "restart"
	ActUndo      Action = "undo"
	ActDeletePod Action = "delete pod"
	ActShell     Action = "shell"
	ActForward   Action = "port-forward"
)

// Actions lists every action, in help order.
func Actions() []Action {
	return []Action{ActEdit, ActDelete, ActCreate, ActRestart, ActUndo, ActDeletePod, ActShell, ActForward}
}

// verb and resource are what the API server authorises for a: restart
// and undo are patches of the DaemonSet, as kubectl sends them.
func (a Action) verb() (verb, group, resource string) {
	switch a {
	case ActCreate:
		return "create", "apps", "daemonsets"
	case ActEdit:
		// An edit is sent as a patch of what the user changed.
		return "patch", "apps", "daemonsets"
	case ActDelete:
		return "delete", "apps", "daemonsets"
	case ActDeletePod:
		return "delete", "", "pods"
	case ActShell:
		return "create", "", "pods/exec"
	case ActForward:
		return "create", "", "pods/portforward"
	}
	return "patch", "apps", "daemonsets"
}

// Right is the API server's answer for one action in one namespace.
type Right struct {
	Allowed bool
	// Reason says why not, in words a user can act on.
	Reason string
}

// Rights maps each action to the answer for a scope. A missing action
// is unknown and treated as allowed: the server has the last word.
type Rights map[Action]Right

// Denied reports whether a is known to be forbidden, and why.
func (r Rights) Denied(a Action) (string, bool) {
	x, ok := r[a]
	if !ok || x.Allowed {
		return "", false
	}
	return x.Reason, true
}

// CheckRights asks the API server, with SelfSubjectAccessReviews sent
// together, which actions the user may take in namespace ("" means
// cluster-wide, as with -A).
func CheckRights(ctx context.Context, client kubernetes.Interface, namespace string) Rights {
	out := Rights{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, a := range Actions() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, ok := askRight(ctx, client, a, namespace)
			if !ok {
				return
			}
			mu.Lock()
			out[a] = r
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// askRight reports false when the question could not be answered.
func askRight(ctx context.Context, client kubernetes.Interface, a Action, namespace string) (Right, bool) {
	verb, group, resource := a.verb()
	res, err := accessReview(ctx, client, verb, group, resource, namespace)
	if err != nil {
		return Right{}, false
	}
	if res.Allowed {
		return Right{Allowed: true}, true
	}
	where := "cluster-wide"
	if namespace != "" {
		where = "in namespace " + namespace
	}
	what := resource
	if group != "" {
		what += "." + group
	}
	reason := fmt.Sprintf("you may not %s %s %s", verb, what, where)
	if res.Reason != "" {
		reason += " (" + res.Reason + ")"
	}
	return Right{Reason: reason}, true
}

// rightsCache remembers answers per namespace for one context: asked
// once, an answer holds until the context is switched.
type rightsCache struct {
	client kubernetes.Interface
	mu     sync.Mutex
	byNS   map[string]Rights
}

func newRightsCache(client kubernetes.Interface) *rightsCache {
	return &rightsCache{client: client, byNS: map[string]Rights{}}
}

func (c *rightsCache) get(ctx context.Context, namespace string) Rights {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	r, ok := c.byNS[namespace]
	c.mu.Unlock()
	if ok {
		return r
	}
	r = CheckRights(ctx, c.client, namespace)
	c.mu.Lock()
	c.byNS[namespace] = r
	c.mu.Unlock()
	return r
}
