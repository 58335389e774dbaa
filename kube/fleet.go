package kube

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/informers"
	appslisters "k8s.io/client-go/listers/apps/v1"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/tools/cache"
)

// ClusterState is how one cluster of a fleet stands.
type ClusterState string

// Cluster states; each but ClusterOK and ClusterConnecting is retried in
// the background.
const (
	ClusterConnecting   ClusterState = "connecting"
	ClusterOK           ClusterState = "ok"
	ClusterUnreachable  ClusterState = "unreachable"
	ClusterUnauthorized ClusterState = "credentials rejected"
	// ClusterLogin is an exec credential plugin that would have to prompt:
	// dsx never gives it a terminal.
	ClusterLogin ClusterState = "login needed"
	// ClusterForbidden is a user who may not list or watch DaemonSets.
	ClusterForbidden ClusterState = "forbidden"
	// ClusterInvalid is a kubeconfig entry that cannot be used at all.
	ClusterInvalid ClusterState = "invalid"
)

// Problem says whether the state keeps the cluster's DaemonSets unknown.
func (s ClusterState) Problem() bool { return s != ClusterOK && s != ClusterConnecting }

// FleetCluster is one cluster of a fleet snapshot.
type FleetCluster struct {
	Context, Server string
	State           ClusterState
	// Err is the last error's first line, sanitized; "" when healthy.
	Err string
	// Since is when State began.
	Since time.Time
	// Synced is set once the DaemonSet list is in; the rows then stay
	// (maybe stale) across an outage.
	Synced bool
	// Nodes counts the cluster's nodes; -1 when not known (yet, or
	// because RBAC hides them).
	Nodes int
	// Limits say what RBAC keeps out of view in this cluster.
	Limits     []string
	DaemonSets []DaemonSetRow
}

// Settled says the cluster has answered: its list is in, or it failed.
func (c FleetCluster) Settled() bool { return c.Synced || c.State.Problem() }

// FleetSnapshot is an immutable picture of every selected cluster, in
// selection order.
type FleetSnapshot struct {
	Namespace string // "" for every namespace
	Clusters  []FleetCluster
}

// Complete says every cluster has answered or failed: the first complete
// fleet screen.
func (s FleetSnapshot) Complete() bool {
	for _, c := range s.Clusters {
		if !c.Settled() {
			return false
		}
	}
	return len(s.Clusters) > 0
}

// FleetOptions configure a Fleet.
type FleetOptions struct {
	// ConnectTimeout bounds each cluster's first requests (0: 10 s).
	ConnectTimeout time.Duration
	// RetryMin and RetryMax bound the backoff between attempts to reach
	// a failing cluster (0: 1 s and 30 s).
	RetryMin, RetryMax time.Duration
	// MinInterval is the least time between two snapshots (0: 100 ms).
	MinInterval time.Duration
	// NodesEvery is how often node counts are refreshed (0: 30 s).
	NodesEvery time.Duration
	// StallAfter is as for the watcher (0: 2 minutes).
	StallAfter time.Duration
	Now        func() time.Time
}

// FleetTarget is one selected context: its connection, or why there is
// none.
type FleetTarget struct {
	Context string
	Target  *Target
	Err     error
}

// Fleet watches the DaemonSets of many clusters at once: per cluster one
// DaemonSet informer and a periodic metadata-only node count, no pods.
// Each cluster connects, fails and retries on its own; none waits for
// another.
type Fleet struct {
	opts      FleetOptions
	namespace string
	members   []*member
	dirty     chan struct{}
	// done is closed by Shutdown: Next returns then.
	done     chan struct{}
	stopOnce sync.Once
	cancel   context.CancelFunc
	wg       sync.WaitGroup

	mu       sync.Mutex
	lastSnap time.Time
}

type member struct {
	f      *Fleet
	name   string
	target *Target

	mu      sync.Mutex
	state   ClusterState
	err     string
	since   time.Time
	synced  bool
	nodes   int
	limits  []string
	lister  appslisters.DaemonSetLister
	inf     cache.SharedIndexInformer
	stalls  *stallTracker
	rows    []DaemonSetRow
	changed bool
}

// NewFleet prepares one watcher per target; Start runs them.
func NewFleet(targets []FleetTarget, namespace string, opts FleetOptions) *Fleet {
	if opts.ConnectTimeout == 0 {
		opts.ConnectTimeout = 10 * time.Second
	}
	if opts.RetryMin == 0 {
		opts.RetryMin = time.Second
	}
	if opts.RetryMax == 0 {
		opts.RetryMax = 30 * time.Second
	}
	if opts.MinInterval == 0 {
		opts.MinInterval = 100 * time.Millisecond
	}
	if opts.NodesEvery == 0 {
		opts.NodesEvery = 30 * time.Second
	}
	if opts.StallAfter == 0 {
		opts.StallAfter = 2 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	f := &Fleet{opts: opts, namespace: namespace, dirty: make(chan struct{}, 1), done: make(chan struct{})}
	now := opts.Now()
	for _, t := range targets {
		m := &member{f: f, name: t.Context, target: t.Target, state: ClusterConnecting, since: now, nodes: -1, stalls: newStallTracker(opts.StallAfter)}
		if t.Target == nil {
			m.state = ClusterInvalid
			if t.Err != nil {
				m.err = safeLine(t.Err.Error())
			}
		}
		f.members = append(f.members, m)
	}
	return f
}

// Start connects to every cluster at once.
func (f *Fleet) Start(ctx context.Context) {
	ctx, f.cancel = context.WithCancel(ctx)
	for _, m := range f.members {
		if m.target == nil {
			continue
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			m.run(ctx)
		}()
	}
}

// Shutdown stops every watcher and waits for their goroutines.
func (f *Fleet) Shutdown() {
	f.stopOnce.Do(func() { close(f.done) })
	if f.cancel != nil {
		f.cancel()
	}
	f.wg.Wait()
}

// Stop is Shutdown.
func (f *Fleet) Stop() { f.Shutdown() }

func (f *Fleet) poke() {
	select {
	case f.dirty <- struct{}{}:
	default:
	}
}

// Next waits for a change in any cluster and returns a new snapshot, no
// sooner than MinInterval after the previous one.
func (f *Fleet) Next(ctx context.Context) (FleetSnapshot, error) {
	select {
	case <-ctx.Done():
		return FleetSnapshot{}, ctx.Err()
	case <-f.done:
		return FleetSnapshot{}, errors.New("fleet stopped")
	case <-f.dirty:
	}
	f.mu.Lock()
	wait := f.opts.MinInterval - f.opts.Now().Sub(f.lastSnap)
	f.mu.Unlock()
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return FleetSnapshot{}, ctx.Err()
		case <-t.C:
		}
	}
	select {
	case <-f.dirty:
	default:
	}
	return f.Snapshot(), nil
}

// Snapshot is the fleet now. Only clusters whose cache changed rebuild
// their rows.
func (f *Fleet) Snapshot() FleetSnapshot {
	now := f.opts.Now()
	f.mu.Lock()
	f.lastSnap = now
	f.mu.Unlock()
	s := FleetSnapshot{Namespace: f.namespace, Clusters: make([]FleetCluster, 0, len(f.members))}
	for _, m := range f.members {
		s.Clusters = append(s.Clusters, m.snapshot(now))
	}
	return s
}

func (m *member) snapshot(now time.Time) FleetCluster {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.changed && m.lister != nil {
		dss, _ := m.lister.List(labels.Everything())
		rows := DaemonSetRows(dss)
		m.stalls.mark(rows, now)
		sanitizeRows(rows)
		m.rows, m.changed = rows, false
	}
	c := FleetCluster{Context: SanitizeLine(m.name), State: m.state, Err: m.err, Since: m.since, Synced: m.synced, Nodes: m.nodes,
		Limits: m.limits, DaemonSets: m.rows}
	if m.target != nil {
		c.Server = SanitizeLine(m.target.Server)
	}
	return c
}

func (m *member) set(state ClusterState, err error) {
	m.mu.Lock()
	msg := ""
	if err != nil {
		msg = safeLine(errText(err))
	}
	if m.state != state {
		m.since = m.f.opts.Now()
	}
	m.state, m.err = state, msg
	m.mu.Unlock()
	m.f.poke()
}

// run connects with backoff until the cluster answers and lets the user
// list DaemonSets, then runs the informer until ctx ends.
func (m *member) run(ctx context.Context) {
	backoff := m.f.opts.RetryMin
	t := m.target
	for {
		state, err := m.connect(ctx)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			break
		}
		m.set(state, err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, m.f.opts.RetryMax)
	}
	if t.health != nil {
		// The transport sees an outage first: an informer retries a
		// refused watch quietly.
		t.health.follow(func(err error) {
			if err != nil {
				m.set(ClusterUnreachable, err)
				return
			}
			m.mu.Lock()
			st := m.state
			m.mu.Unlock()
			if st == ClusterUnreachable {
				m.set(ClusterOK, nil)
			}
		})
	}
	fac := informers.NewSharedInformerFactoryWithOptions(t.Client, 0,
		informers.WithNamespace(m.f.namespace), informers.WithTransform(stripForFleet))
	dsi := fac.Apps().V1().DaemonSets()
	inf := dsi.Informer()
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { m.touch() },
		UpdateFunc: func(any, any) { m.touch() },
		DeleteFunc: func(any) { m.touch() },
	})
	_ = inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		m.set(classify(err), err)
	})
	m.mu.Lock()
	m.lister, m.inf = dsi.Lister(), inf
	m.mu.Unlock()
	fac.Start(ctx.Done())
	m.f.wg.Add(2)
	go func() {
		defer m.f.wg.Done()
		m.countNodes(ctx)
	}()
	go func() {
		defer m.f.wg.Done()
		m.checkRights(ctx)
	}()
	if cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		m.mu.Lock()
		m.synced, m.changed = true, true
		// The list went through: rights granted since the review are
		// no limit now.
		m.limits = withoutDaemonSetLimit(m.limits)
		if m.state != ClusterOK {
			m.state, m.err, m.since = ClusterOK, "", m.f.opts.Now()
		}
		m.mu.Unlock()
		m.f.poke()
	}
	<-ctx.Done()
	fac.Shutdown()
}

func (m *member) touch() {
	m.mu.Lock()
	m.changed = true
	if m.state != ClusterOK && m.synced {
		// An event means the watch delivers again.
		m.state, m.err, m.since = ClusterOK, "", m.f.opts.Now()
	}
	m.mu.Unlock()
	m.f.poke()
}

// connect asks for the server's version within the connect timeout: it
// tells an unreachable server from rejected credentials from an exec
// plugin that wants a login, and opens the connection the informer then
// reuses.
func (m *member) connect(ctx context.Context) (ClusterState, error) {
	cctx, cancel := context.WithTimeout(ctx, m.f.opts.ConnectTimeout)
	defer cancel()
	if _, err := m.target.Client.Discovery().RESTClient().Get().AbsPath("/version").DoRaw(cctx); err != nil {
		return classify(err), err
	}
	return ClusterOK, nil
}

// checkRights asks whether the user may list and watch DaemonSets, beside
// the informer's first LIST rather than before it (a fleet's first screen
// waits for the slowest cluster's round trips): a user who may not is
// shown forbidden, with the verbs missing.
func (m *member) checkRights(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, m.f.opts.ConnectTimeout)
	defer cancel()
	verbs := []string{"list", "watch"}
	allowed := make([]bool, len(verbs))
	var wg sync.WaitGroup
	for i, verb := range verbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := accessReview(cctx, m.target.Client, verb, "apps", "daemonsets", m.f.namespace)
			// When the question itself fails, the informer will say.
			allowed[i] = err != nil || r.Allowed
		}()
	}
	wg.Wait()
	var denied []string
	for i, ok := range allowed {
		if !ok {
			denied = append(denied, verbs[i])
		}
	}
	if len(denied) == 0 || ctx.Err() != nil {
		return
	}
	where := "cluster-wide"
	if m.f.namespace != "" {
		where = "in namespace " + m.f.namespace
	}
	err := fmt.Errorf("RBAC: no %s on daemonsets %s", strings.Join(denied, "/"), where)
	m.mu.Lock()
	m.limits = append(m.limits, err.Error())
	m.mu.Unlock()
	m.set(ClusterForbidden, err)
}

// countNodes counts nodes now and then with a paged metadata-only LIST:
// a node cache would cost far more than one number is worth.
func (m *member) countNodes(ctx context.Context) {
	mc, err := metadata.NewForConfig(m.target.Config)
	if err != nil {
		return
	}
	res := corev1.SchemeGroupVersion.WithResource("nodes")
	tick := time.NewTicker(m.f.opts.NodesEvery)
	defer tick.Stop()
	for {
		n, err := countPaged(ctx, func(ctx context.Context, opts metav1.ListOptions) (int, string, *int64, error) {
			l, err := mc.Resource(res).List(ctx, opts)
			if err != nil {
				return 0, "", nil, err
			}
			return len(l.Items), l.Continue, l.RemainingItemCount, nil
		}, m.f.opts.ConnectTimeout)
		if ctx.Err() != nil {
			return
		}
		m.mu.Lock()
		switch {
		case err == nil:
			m.nodes = n
			m.limits = withoutNodeLimit(m.limits)
		case apierrors.IsForbidden(err):
			m.nodes = -1
			m.limits = append(withoutNodeLimit(m.limits), nodeLimit)
		}
		m.mu.Unlock()
		m.f.poke()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

const nodeLimit = "RBAC: no list on nodes (node count hidden)"

func withoutDaemonSetLimit(l []string) []string {
	var out []string
	for _, s := range l {
		if !strings.Contains(s, " on daemonsets ") {
			out = append(out, s)
		}
	}
	return out
}

func withoutNodeLimit(l []string) []string {
	var out []string
	for _, s := range l {
		if s != nodeLimit {
			out = append(out, s)
		}
	}
	return out
}

// countPaged counts a list in pages of 500, stopping early when the
// server says how many remain.
func countPaged(ctx context.Context, list func(context.Context, metav1.ListOptions) (int, string, *int64, error), timeout time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	total := 0
	opts := metav1.ListOptions{Limit: 500}
	for {
		n, cont, remaining, err := list(ctx, opts)
		if err != nil {
			return 0, err
		}
		total += n
		if cont == "" {
			return total, nil
		}
		if remaining != nil {
			return total + int(*remaining), nil
		}
		opts.Continue = cont
	}
}

// classify names the failure of a request to a cluster.
func classify(err error) ClusterState {
	msg := err.Error()
	switch {
	case apierrors.IsUnauthorized(err):
		return ClusterUnauthorized
	case apierrors.IsForbidden(err):
		return ClusterForbidden
	case strings.Contains(msg, "getting credentials"), strings.Contains(msg, "exec plugin"),
		strings.Contains(msg, "standard input is unavailable"):
		return ClusterLogin
	}
	return ClusterUnreachable
}

// errText drops the URL wrapper's "Get https://…: " that says the same
// as the cause twice.
func errText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// safeLine is an error's first line, made safe to draw.
func safeLine(s string) string { return SanitizeLine(firstLineOf(s)) }

// stripForFleet keeps of a DaemonSet what the fleet table shows: a fleet
// of fifty clusters must not hold fifty copies of every pod template.
func stripForFleet(obj any) (any, error) {
	ds, ok := obj.(*appsv1.DaemonSet)
	if !ok {
		return obj, nil
	}
	slim := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: ds.Namespace, UID: ds.UID, ResourceVersion: ds.ResourceVersion,
			Generation: ds.Generation, CreationTimestamp: ds.CreationTimestamp, DeletionTimestamp: ds.DeletionTimestamp},
		Status: ds.Status,
	}
	slim.Status.Conditions = nil
	slim.Spec.UpdateStrategy.Type = ds.Spec.UpdateStrategy.Type
	for _, c := range ds.Spec.Template.Spec.Containers {
		slim.Spec.Template.Spec.Containers = append(slim.Spec.Template.Spec.Containers, corev1.Container{Name: c.Name, Image: c.Image})
	}
	return slim, nil
}

// ResolveFleet makes a target per context, each with its own
// kubeconfig entry and the command line's kubeconfig, impersonation and
// timeout (as a context switch does); a context that cannot be used
// becomes a target with its error.
func ResolveFleet(base *genericclioptions.ConfigFlags, contexts []string, readOnly bool) []FleetTarget {
	out := make([]FleetTarget, 0, len(contexts))
	for _, name := range contexts {
		t, err := ResolveWith(flagsFor(base, name, ""), false, readOnly)
		out = append(out, FleetTarget{Context: name, Target: t, Err: err})
	}
	return out
}

// SelectContexts picks contexts from names (the kubeconfig's) by spec:
// "" or "all" for every one, else a comma-separated list of names and
// globs (prod-*, *-eu-?). A name not in the kubeconfig, or a glob that
// matches none, is an error. Globs keep the kubeconfig's (sorted) order;
// the result has no duplicates.
func SelectContexts(names []string, spec string) ([]string, error) {
	spec = strings.TrimSpace(spec)
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	if spec == "" || spec == "all" {
		if len(sorted) == 0 {
			return nil, errors.New("the kubeconfig has no contexts")
		}
		return sorted, nil
	}
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.ContainsAny(item, "*?[") {
			if !have[item] {
				return nil, fmt.Errorf("context %q not found in kubeconfig", item)
			}
			add(item)
			continue
		}
		if _, err := path.Match(item, ""); err != nil {
			return nil, fmt.Errorf("bad context pattern %q: %v", item, err)
		}
		matched := false
		for _, n := range sorted {
			if ok, _ := path.Match(item, n); ok {
				matched = true
				add(n)
			}
		}
		if !matched {
			return nil, fmt.Errorf("no context matches %q", item)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no contexts selected")
	}
	return out, nil
}
