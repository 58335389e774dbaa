package kube

import (
	"context"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	appslisters "k8s.io/client-go/listers/apps/v1"
	"k8s.io/client-go/tools/cache"
)

// Snapshot is an immutable picture of the cache, the only thing views see.
type Snapshot struct {
	Context   string
	Namespace string // "" means all namespaces
	// Seq grows with every snapshot; views can tell new data from old.
	Seq        uint64
	Synced     bool
	DaemonSets []DaemonSetRow
	// LastEvent is when the cache last changed.
	LastEvent time.Time
	// Conn describes the connection to the API server.
	Conn  ConnState
	Taken time.Time
}

// ConnState is the health of the watch connections.
type ConnState struct {
	// Err is the last list or watch error, nil when healthy.
	Err error
	// Since is when the current state began.
	Since time.Time
}

// WatcherOptions configure a Watcher.
type WatcherOptions struct {
	Context   string
	Namespace string
	// MinInterval is the least time between two snapshots: bursts of
	// events within it make one snapshot, so the screen is redrawn once.
	MinInterval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Watcher owns one SharedInformerFactory for one context and namespace
// scope and turns its cache into Snapshots.
type Watcher struct {
	opts    WatcherOptions
	factory informers.SharedInformerFactory
	dsInf   cache.SharedIndexInformer
	ds      appslisters.DaemonSetLister

	dirty  chan struct{} // capacity 1: a pending "something changed"
	cancel context.CancelFunc

	mu        sync.Mutex
	seq       uint64
	lastEvent time.Time
	conn      ConnState
	synced    bool
	lastSnap  time.Time
}

// NewWatcher sets up informers; Start runs them.
func NewWatcher(client kubernetes.Interface, opts WatcherOptions) *Watcher {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MinInterval == 0 {
		opts.MinInterval = 100 * time.Millisecond
	}
	f := informers.NewSharedInformerFactoryWithOptions(client, 0,
		informers.WithNamespace(opts.Namespace),
		informers.WithTransform(stripForCache))
	w := &Watcher{opts: opts, factory: f, dirty: make(chan struct{}, 1)}
	dsi := f.Apps().V1().DaemonSets()
	w.dsInf = dsi.Informer()
	w.ds = dsi.Lister()
	w.watch(w.dsInf)
	return w
}

func (w *Watcher) watch(inf cache.SharedIndexInformer) {
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { w.changed() },
		UpdateFunc: func(any, any) { w.changed() },
		DeleteFunc: func(any) { w.changed() },
	})
	_ = inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		w.mu.Lock()
		if w.conn.Err == nil {
			w.conn.Since = w.opts.Now()
		}
		w.conn.Err = err
		w.mu.Unlock()
		w.poke()
	})
}

func (w *Watcher) changed() {
	w.mu.Lock()
	w.lastEvent = w.opts.Now()
	if w.conn.Err != nil {
		// An event means a watch is delivering again.
		w.conn = ConnState{Since: w.lastEvent}
	}
	w.mu.Unlock()
	w.poke()
}

func (w *Watcher) poke() {
	select {
	case w.dirty <- struct{}{}:
	default:
	}
}

// Start runs the informers until ctx ends and marks the watcher synced
// once every cache has listed.
func (w *Watcher) Start(ctx context.Context) {
	ctx, w.cancel = context.WithCancel(ctx)
	w.factory.Start(ctx.Done())
	go func() {
		if !cache.WaitForCacheSync(ctx.Done(), w.dsInf.HasSynced) {
			return
		}
		w.mu.Lock()
		w.synced = true
		w.conn = ConnState{Since: w.opts.Now()}
		w.mu.Unlock()
		w.poke()
	}()
}

// Shutdown stops the informers and waits for their goroutines.
func (w *Watcher) Shutdown() {
	if w.cancel != nil {
		w.cancel()
	}
	w.factory.Shutdown()
}

// Snapshot builds a snapshot of the cache now.
func (w *Watcher) Snapshot() Snapshot {
	dss, _ := w.ds.List(labels.Everything())
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	now := w.opts.Now()
	w.lastSnap = now
	return Snapshot{
		Context:    w.opts.Context,
		Namespace:  w.opts.Namespace,
		Seq:        w.seq,
		Synced:     w.synced,
		DaemonSets: DaemonSetRows(dss),
		LastEvent:  w.lastEvent,
		Conn:       w.conn,
		Taken:      now,
	}
}

// Next blocks until the cache has changed since the last snapshot, then
// returns a new one, never sooner than MinInterval after the previous.
func (w *Watcher) Next(ctx context.Context) (Snapshot, error) {
	select {
	case <-ctx.Done():
		return Snapshot{}, ctx.Err()
	case <-w.dirty:
	}
	w.mu.Lock()
	wait := w.opts.MinInterval - w.opts.Now().Sub(w.lastSnap)
	w.mu.Unlock()
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return Snapshot{}, ctx.Err()
		case <-t.C:
		}
	}
	// Events that came during the wait are in this snapshot; drop their
	// signal so they do not cause an identical one.
	select {
	case <-w.dirty:
	default:
	}
	return w.Snapshot(), nil
}
