package kube

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// ContextInfo is one kubeconfig context, for the picker.
type ContextInfo struct {
	Name, Cluster, User, Namespace string
	Current                        bool
}

// Session is dsx's connection to one context at a time. Switching stops
// the old informers (and their goroutines) and starts new ones; Next keeps
// delivering snapshots across the switch.
type Session struct {
	base *genericclioptions.ConfigFlags

	mu      sync.Mutex
	target  *Target
	watcher *Watcher
	// switched is closed when the watcher is replaced, to wake Next.
	switched chan struct{}
	// switching counts switches in flight: actions are refused meanwhile.
	switching int
	stopping  sync.WaitGroup
	// forwards are the port-forwards opened on the current context.
	forwards Forwards
}

// NewSession starts on target with a watcher already connected to it.
func NewSession(base *genericclioptions.ConfigFlags, target *Target, w *Watcher) *Session {
	return &Session{base: base, target: target, watcher: w, switched: make(chan struct{})}
}

// Connect checks the credentials (Preflight) and the user's rights
// (CheckAccess), each bounded by timeout, and starts a watcher with the
// informers those rights allow. The DaemonSet list, which the first
// screen shows, is asked for at once, beside those checks: on a link
// with a long round trip the first screen comes one or two round trips
// sooner. It is stopped again when the checks refuse it.
func Connect(ctx context.Context, t *Target, timeout time.Duration) (*Watcher, error) {
	w, _, err := connect(ctx, t, timeout)
	return w, err
}

// connect is Connect; it also returns the early DaemonSet informer, for
// the tests that check it stops.
func connect(ctx context.Context, t *Target, timeout time.Duration) (*Watcher, *dsInformer, error) {
	early := newDSInformer(t.Client, t.Namespace)
	early.start(ctx)
	if err := Preflight(ctx, t, timeout); err != nil {
		early.stop()
		return nil, early, err
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	var access Access
	var rights Rights
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); access = CheckAccess(actx, t.Client, t.Namespace) }()
	go func() { defer wg.Done(); rights = t.rights.get(actx, t.Namespace) }()
	wg.Wait()
	cancel()
	dsi := early
	if !access.DaemonSets {
		early.stop()
		dsi = nil
	}
	w := newWatcher(t.Client, WatcherOptions{Context: t.Context, Server: t.Server, Namespace: t.Namespace, Access: &access, Rights: rights, MinInterval: t.Refresh, Now: t.Now, StallAfter: t.StallAfter}, dsi)
	if t.health != nil {
		t.health.follow(w.connection)
	}
	w.Start(ctx)
	return w, early, nil
}

// Target is the current connection.
func (s *Session) Target() *Target {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.target
}

// Contexts lists the kubeconfig's contexts, the current one marked.
func (s *Session) Contexts() ([]ContextInfo, error) {
	raw, err := s.base.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, err
	}
	cur := s.Target().Context
	var out []ContextInfo
	for name, c := range raw.Contexts {
		out = append(out, ContextInfo{Name: name, Cluster: c.Cluster, User: c.AuthInfo, Namespace: c.Namespace, Current: name == cur})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// flagsFor keeps the kubeconfig file, impersonation and timeout of the
// command line but not its per-cluster overrides (--server, --token,
// --cluster, --user), which were meant for the first context.
func (s *Session) flagsFor(contextName, namespace string) *genericclioptions.ConfigFlags {
	return flagsFor(s.base, contextName, namespace)
}

func flagsFor(base *genericclioptions.ConfigFlags, contextName, namespace string) *genericclioptions.ConfigFlags {
	f := genericclioptions.NewConfigFlags(true)
	f.KubeConfig = base.KubeConfig
	f.Impersonate, f.ImpersonateGroup, f.ImpersonateUID = base.Impersonate, base.ImpersonateGroup, base.ImpersonateUID
	f.Timeout = base.Timeout
	f.CacheDir = base.CacheDir
	f.Context = &contextName
	f.Namespace = &namespace
	return f
}

// Switch connects to contextName with namespace ("" for the context's
// own; all for every namespace). The old informers stop before it returns.
func (s *Session) Switch(ctx context.Context, contextName, namespace string, all bool, timeout time.Duration) error {
	s.mu.Lock()
	s.switching++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.switching--
		s.mu.Unlock()
	}()
	t, err := ResolveWith(s.flagsFor(contextName, namespace), all, s.Target().ReadOnly)
	if err != nil {
		return err
	}
	t.Refresh, t.StallAfter = s.Target().Refresh, s.Target().StallAfter
	w, err := Connect(ctx, t, timeout)
	if err != nil {
		return err
	}
	s.mu.Lock()
	old, oldTarget := s.watcher, s.target
	s.target, s.watcher = t, w
	close(s.switched)
	s.switched = make(chan struct{})
	s.mu.Unlock()
	// A forward belongs to the cluster it was opened on: a local port
	// that keeps reaching the old cluster after a switch would mislead.
	if oldTarget.Context != t.Context || oldTarget.Server != t.Server {
		s.forwards.StopAll()
	}
	// The old informers stop in the background (Shutdown cancels their
	// context and waits for their goroutines); Close waits for them.
	s.stopping.Add(1)
	go func() {
		defer s.stopping.Done()
		old.Shutdown()
	}()
	return nil
}

// Focus forwards to the current watcher.
func (s *Session) Focus(namespace, name string) {
	s.mu.Lock()
	w := s.watcher
	s.mu.Unlock()
	w.Focus(namespace, name)
}

// Next is the current watcher's Next; after a switch it returns the new
// watcher's first snapshot at once.
func (s *Session) Next(ctx context.Context) (Snapshot, error) {
	s.mu.Lock()
	w, sw := s.watcher, s.switched
	s.mu.Unlock()
	nctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-sw:
			cancel()
		case <-nctx.Done():
		}
	}()
	snap, err := w.Next(nctx)
	if err != nil && ctx.Err() == nil {
		s.mu.Lock()
		w = s.watcher
		s.mu.Unlock()
		return w.snapshot(), nil
	}
	return snap, err
}

// Close stops the current informers and every port-forward.
func (s *Session) Close() {
	s.forwards.StopAll()
	s.mu.Lock()
	w := s.watcher
	s.mu.Unlock()
	w.Shutdown()
	s.stopping.Wait()
}

// Namespaces lists the namespaces the user may see, for the picker.
func (s *Session) Namespaces(ctx context.Context) ([]string, error) {
	t := s.Target()
	l, err := t.Client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(l.Items))
	for _, n := range l.Items {
		out = append(out, n.Name)
	}
	sort.Strings(out)
	return out, nil
}

func (s *Session) inspector() Inspector {
	t := s.Target()
	return Inspector{Config: t.Config, Client: t.Client}
}

// Describe, YAML and Logs act on the current context.
// Their text is the cluster's, made safe to draw here.
func (s *Session) Describe(ref ObjectRef) (string, error) {
	text, err := s.inspector().Describe(ref)
	return Sanitize(text), err
}

// YAML is Inspector.YAML on the current context.
func (s *Session) YAML(ctx context.Context, ref ObjectRef) (string, error) {
	text, err := s.inspector().YAML(ctx, ref)
	return Sanitize(text), err
}

// Logs is Inspector.Logs on the current context.
func (s *Session) Logs(ctx context.Context, namespace, pod, container string, previous, follow bool, tail int64) (io.ReadCloser, error) {
	return s.inspector().Logs(ctx, namespace, pod, container, previous, follow, tail)
}

// PodInfo is Inspector.PodInfo on the current context.
func (s *Session) PodInfo(ctx context.Context, namespace, pod string) (string, error) {
	text, err := s.inspector().PodInfo(ctx, namespace, pod)
	return Sanitize(text), err
}

// FocusNode forwards to the current watcher.
func (s *Session) FocusNode(name string) {
	s.mu.Lock()
	w := s.watcher
	s.mu.Unlock()
	w.FocusNode(name)
}

// ListNodes forwards to the current watcher.
func (s *Session) ListNodes(on bool) {
	s.mu.Lock()
	w := s.watcher
	s.mu.Unlock()
	w.ListNodes(on)
}

// StartFleet starts a fleet watcher on the contexts spec selects (see
// SelectContexts), with the command line's kubeconfig, impersonation,
// timeout and read-only mode; every namespace unless -n was given.
func (s *Session) StartFleet(ctx context.Context, spec string) (*Fleet, error) {
	names, err := ContextNames(s.base)
	if err != nil {
		return nil, fmt.Errorf("cannot read kubeconfig: %w", err)
	}
	sel, err := SelectContexts(names, spec)
	if err != nil {
		return nil, err
	}
	t := s.Target()
	ns := ""
	if s.base.Namespace != nil {
		ns = *s.base.Namespace
	}
	f := NewFleet(ResolveFleet(s.base, sel, t.ReadOnly), ns, FleetOptions{StallAfter: t.StallAfter, Now: t.Now})
	f.Start(ctx)
	return f, nil
}

// Watch starts a watcher on t with every informer, without the
// preflight: `dsx --fleet` starts even when the current context rejects
// the credentials, which its column in the fleet then says.
func Watch(ctx context.Context, t *Target) *Watcher {
	w := NewWatcher(t.Client, WatcherOptions{Context: t.Context, Server: t.Server, Namespace: t.Namespace, MinInterval: t.Refresh, Now: t.Now, StallAfter: t.StallAfter})
	if t.health != nil {
		t.health.follow(w.connection)
	}
	w.Start(ctx)
	return w
}
