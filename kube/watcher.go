package kube

import (
	"context"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	appslisters "k8s.io/client-go/listers/apps/v1"
	"k8s.io/client-go/tools/cache"
)

// WatcherOptions configure a Watcher.
type WatcherOptions struct {
	Context   string
	Server    string
	Namespace string
	// MinInterval is the least time between two snapshots: bursts of
	// events within it make one snapshot, so the screen is redrawn once.
	MinInterval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// StallAfter is how long a rollout may make no progress before it is
	// called stalled; 0 means 2 minutes.
	StallAfter time.Duration
	// ProbeEvery is how often the API server's health is checked; 0 means
	// 5 seconds. Informers retry a refused watch quietly, so without a
	// probe an outage would look like a quiet cluster.
	ProbeEvery time.Duration
	// Access limits the informers to what the user may list and watch;
	// nil means everything.
	Access *Access
	// Rights are the user's action rights in the scope, for the help
	// screen; nil means unknown.
	Rights Rights
}

// Watcher owns one SharedInformerFactory for one context and namespace
// scope and turns its cache into Snapshots.
type Watcher struct {
	opts       WatcherOptions
	client     kubernetes.Interface
	access     Access
	factory    informers.SharedInformerFactory
	podFactory informers.SharedInformerFactory
	// dsi is the DaemonSet informer, nil without the right to list them;
	// dsInf and ds are its informer and lister.
	dsi     *dsInformer
	dsInf   cache.SharedIndexInformer
	ds      appslisters.DaemonSetLister
	nodeInf cache.SharedIndexInformer
	// nodes holds *Node, pods *Pod (see toCache): typed listers would
	// not do.
	nodes  cache.Indexer
	podInf cache.SharedIndexInformer
	revInf cache.SharedIndexInformer
	revs   appslisters.ControllerRevisionLister

	dirty chan struct{} // capacity 1: a pending "something changed"
	// refocus (capacity 1) wakes a Next that paces a rollout when the
	// focus changes; refocused (under mu) says a snapshot is owed to a
	// focus no snapshot has shown yet.
	refocus chan struct{}
	cancel  context.CancelFunc
	// nodeCount and podCount follow the caches through their event
	// handlers, so the status bar's counts cost no list of the cache.
	nodeCount, podCount atomic.Int64
	// nodeUpdates counts the node updates handled, no-ops included:
	// tests know from it that an event has been through the handler.
	nodeUpdates atomic.Int64
	// paceWaits counts the snapshots Next has held back (pace): tests
	// know from it that a wait is under way.
	paceWaits atomic.Int64

	mu        sync.Mutex
	lastEvent time.Time
	conn      ConnState
	synced    bool
	lastSnap  time.Time
	// shownList is set once a snapshot carried the synced DaemonSet list:
	// until then nothing is held back, so the first full screen comes as
	// soon as the list is in, not an interval later.
	shownList bool
	// listReady is closed once the DaemonSet informer has synced.
	listReady chan struct{}
	focus     string
	// focusNode is the node whose view snapshots carry, listNodes whether
	// they carry the nodes list (see byNode).
	focusNode string
	listNodes bool
	refocused bool
	stalls    *stallTracker
	// rolling is set while some rollout is in progress: snapshots then
	// come periodically too, so a rollout that stops moving is seen to stall.
	rolling bool
	// wakeAt is when the focused node view changes with no event (a pod
	// reaching minReadySeconds); zero for never.
	wakeAt time.Time
	// gen counts changes to what node views are built from: nodes and
	// revisions as a whole, pods per controller UID. A snapshot whose
	// inputs have the same counts reuses the previous view.
	gen struct {
		nodes, revs uint64
		pods        map[types.UID]uint64
	}
	// memo is the last focused node view and what it was built from;
	// blocked the same for the other rollouts' marks.
	memo    viewMemo
	blocked map[string]blockMemo
	// touched names the nodes whose Node or some daemon pod targeting
	// them changed since the last snapshot, for patching the node view
	// and the nodes list; touchedAll stands for every node once too many
	// changed to be worth naming.
	touched    map[string]struct{}
	touchedAll bool
	// list is the last nodes list and what it was built from.
	list listMemo
}

// maxTouched is how many changed nodes a snapshot names before it
// recomputes everything instead.
const maxTouched = 4096

// touch records that node's row may have changed. Called with w.mu held.
func (w *Watcher) touch(node string) {
	if w.touchedAll {
		return
	}
	if len(w.touched) >= maxTouched {
		w.touchedAll, w.touched = true, map[string]struct{}{}
		return
	}
	w.touched[node] = struct{}{}
}

// viewMemo is a node view and the inputs it was computed from.
type viewMemo struct {
	ds                *appsv1.DaemonSet
	nodes, revs, pods uint64
	view              *NodeView
}

type blockMemo struct {
	ds                *appsv1.DaemonSet
	nodes, revs, pods uint64
	blocked           string
}

// NewWatcher sets up informers; Start runs them.
func NewWatcher(client kubernetes.Interface, opts WatcherOptions) *Watcher {
	return newWatcher(client, opts, nil)
}

// newWatcher is NewWatcher with a DaemonSet informer that may already be
// running (Connect starts it before the access reviews); nil makes one.
func newWatcher(client kubernetes.Interface, opts WatcherOptions, dsi *dsInformer) *Watcher {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MinInterval == 0 {
		opts.MinInterval = 100 * time.Millisecond
	}
	if opts.StallAfter == 0 {
		opts.StallAfter = 2 * time.Minute
	}
	if opts.ProbeEvery == 0 {
		opts.ProbeEvery = 5 * time.Second
	}
	f := informers.NewSharedInformerFactoryWithOptions(client, 0,
		informers.WithNamespace(opts.Namespace),
		informers.WithTransform(toCache))
	// Only pods that carry a controller-revision-hash: daemon pods (and
	// StatefulSet pods), not the Deployments' and Jobs' pods that make up
	// most of a big cluster.
	pf := informers.NewSharedInformerFactoryWithOptions(client, 0,
		informers.WithNamespace(opts.Namespace),
		informers.WithTransform(toCache),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.LabelSelector = appsv1.DefaultDaemonSetUniqueLabelKey
		}))
	w := &Watcher{opts: opts, client: client, factory: f, podFactory: pf, dirty: make(chan struct{}, 1), refocus: make(chan struct{}, 1), listReady: make(chan struct{}), stalls: newStallTracker(opts.StallAfter),
		blocked: map[string]blockMemo{}, touched: map[string]struct{}{}}
	w.gen.pods = map[types.UID]uint64{}
	access := AllAccess()
	if opts.Access != nil {
		access = *opts.Access
	}
	w.access = access
	if access.DaemonSets {
		if dsi == nil {
			dsi = newDSInformer(client, opts.Namespace)
		}
		w.dsi, w.dsInf, w.ds = dsi, dsi.inf, dsi.lister
		w.handle(w.dsInf, nil, nil)
		dsi.follow(w.watchError)
	}
	if access.Nodes {
		w.nodeInf = f.Core().V1().Nodes().Informer()
		w.nodes = w.nodeInf.GetIndexer()
		w.watch(w.nodeInf, &w.nodeCount, func(obj any) {
			w.gen.nodes++
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			if n, ok := obj.(*Node); ok {
				w.touch(n.Name)
			} else {
				w.touchedAll = true
			}
		})
	}
	if access.Revisions {
		ri := f.Apps().V1().ControllerRevisions()
		w.revInf, w.revs = ri.Informer(), ri.Lister()
		w.watch(w.revInf, nil, func(_ any) { w.gen.revs++ })
	}
	if access.Pods {
		pi := pf.Core().V1().Pods()
		w.podInf = pi.Informer()
		// The node view needs one DaemonSet's pods; without an index each
		// snapshot would scan every daemon pod of the namespace (50,000 at
		// 5,000 nodes and ten DaemonSets).
		_ = w.podInf.AddIndexers(PodIndexers())
		w.watch(w.podInf, &w.podCount, func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			if p, ok := obj.(*Pod); ok {
				w.gen.pods[p.Owner]++
				w.touch(podTargetNode(p))
			} else {
				w.touchedAll = true
			}
		})
	}
	return w
}

// Access is what the watcher's informers may read.
func (w *Watcher) Access() Access { return w.access }

// Focus selects the DaemonSet whose node view snapshots carry ("" for
// none); computing it for every DaemonSet on every event would not scale.
func (w *Watcher) Focus(namespace, name string) {
	key := ""
	if name != "" {
		key = namespace + "/" + name
	}
	w.mu.Lock()
	changed := w.focus != key
	w.focus = key
	w.refocused = w.refocused || changed
	w.mu.Unlock()
	w.wake(changed)
}

// wake asks for a snapshot; at once, unpaced, when the focus changed: a
// view has opened with nothing in it yet.
func (w *Watcher) wake(refocused bool) {
	if refocused {
		select {
		case w.refocus <- struct{}{}:
		default:
		}
	}
	w.poke()
}

// watch turns inf's events into snapshots and its watch errors into the
// connection state.
func (w *Watcher) watch(inf cache.SharedIndexInformer, count *atomic.Int64, bump func(obj any)) {
	w.handle(inf, count, bump)
	_ = inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) { w.watchError(err) })
}

// handle turns inf's events into snapshots. bump, called under w.mu
// with each changed object (old and new of an update), advances the
// generation of what the object is an input to.
func (w *Watcher) handle(inf cache.SharedIndexInformer, count *atomic.Int64, bump func(obj any)) {
	add := func(d int64) {
		if count != nil {
			count.Add(d)
		}
	}
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { add(1); w.changed(bump, obj) },
		UpdateFunc: func(old, cur any) {
			// A heartbeat, a lease-like annotation or a status timestamp
			// changes nothing the compact types keep: no snapshot.
			if !unchanged(old, cur) {
				w.changed(bump, old, cur)
			}
			if _, ok := cur.(*Node); ok {
				w.nodeUpdates.Add(1)
			}
		},
		DeleteFunc: func(obj any) { add(-1); w.changed(bump, obj) },
	})
}

// watchError records a failing list or watch as the connection state.
func (w *Watcher) watchError(err error) {
	w.mu.Lock()
	if w.conn.Err == nil {
		w.conn.Since = w.opts.Now()
	}
	w.conn.Err = err
	w.mu.Unlock()
	w.poke()
}

func (w *Watcher) changed(bump func(any), objs ...any) {
	w.mu.Lock()
	if bump != nil {
		for _, o := range objs {
			bump(o)
		}
	}
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
	go w.probe(ctx)
	if w.dsi == nil {
		w.startRest(ctx)
	} else {
		w.dsi.start(ctx)
		go func() {
			// The nodes, pods and revisions wait for the DaemonSet list
			// (a second at most): on a big cluster their LISTs are
			// thousands of times larger and would share the server's and
			// this process's CPU with the list the first screen shows.
			listed := w.dsi.syncedOrAfter(ctx, time.Second)
			w.startRest(ctx)
			if !listed && !w.dsi.syncedOrAfter(ctx, 0) {
				return
			}
			close(w.listReady)
			w.poke()
		}()
	}
	go func() {
		var synced []cache.InformerSynced
		for _, inf := range []cache.SharedIndexInformer{w.dsInf, w.nodeInf, w.revInf, w.podInf} {
			if inf != nil {
				synced = append(synced, inf.HasSynced)
			}
		}
		if !cache.WaitForCacheSync(ctx.Done(), synced...) {
			return
		}
		w.mu.Lock()
		w.synced = true
		w.conn = ConnState{Since: w.opts.Now()}
		w.mu.Unlock()
		// The initial LISTs' buffers are garbage now; hand their pages
		// back to the system instead of keeping them as idle RSS (tens of
		// MB on a big cluster).
		debug.FreeOSMemory()
		w.poke()
	}()
}

// startRest starts every informer but the DaemonSets'; after Shutdown it
// starts nothing.
func (w *Watcher) startRest(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	w.factory.Start(ctx.Done())
	w.podFactory.Start(ctx.Done())
}

// Shutdown stops the informers and waits for their goroutines.
func (w *Watcher) Shutdown() {
	if w.cancel != nil {
		w.cancel()
	}
	if w.dsi != nil {
		w.dsi.stop()
	}
	w.factory.Shutdown()
	w.podFactory.Shutdown()
}

// RolloutInterval is the least time between two snapshots while a
// rollout moves. Then nearly every visible row changes between snapshots,
// and each frame costs its bytes on the user's link: at the 250 ms this
// was first, a 1,000-node rollout wrote 5× what k9s writes repainting
// every 2 s; at 1 s, 0.6–0.8×. Every 2 s, k9s's own refresh, a node
// that goes from terminating to missing to progressing within the
// interval is drawn once, not three times. Keys are never held back by
// it, nor is a new focus (see pace).
const RolloutInterval = 2 * time.Second

// pace is how long Next waits, once something changed, before building a
// snapshot: the rest of the interval since the last one (since ago), which
// is minInterval, or RolloutInterval while a rollout moves. Nothing waits
// when the user asked for something new (refocus: another DaemonSet, node
// or the nodes list), whose first snapshot must come at once.
func pace(minInterval, since time.Duration, rolling, refocus bool) time.Duration {
	if refocus {
		return 0
	}
	interval := minInterval
	if rolling {
		interval = max(interval, RolloutInterval)
	}
	return max(interval-since, 0)
}

// Next blocks until the cache has changed since the last snapshot (or,
// while a rollout is in progress, a quarter of StallAfter has passed), then
// returns a new one, paced by pace.
func (w *Watcher) Next(ctx context.Context) (Snapshot, error) {
	w.mu.Lock()
	rolling, wakeAt := w.rolling, w.wakeAt
	w.mu.Unlock()
	var recheck time.Duration
	if rolling {
		recheck = w.opts.StallAfter / 4
	}
	if !wakeAt.IsZero() {
		// Availability is "Ready for longer than minReadySeconds": look a
		// moment after the instant.
		if d := wakeAt.Sub(w.opts.Now()) + 10*time.Millisecond; recheck == 0 || d < recheck {
			recheck = max(d, 0)
		}
	}
	var recheckC <-chan time.Time
	if recheck > 0 || !wakeAt.IsZero() {
		t := time.NewTimer(recheck)
		defer t.Stop()
		recheckC = t.C
	}
	select {
	case <-ctx.Done():
		return Snapshot{}, ctx.Err()
	case <-w.dirty:
	case <-recheckC:
	}
	w.mu.Lock()
	wait := pace(w.opts.MinInterval, w.opts.Now().Sub(w.lastSnap), rolling, w.refocused)
	var listReady chan struct{}
	if !w.shownList && w.dsInf != nil {
		if w.dsInf.HasSynced() {
			wait = 0
		}
		listReady = w.listReady
	}
	w.mu.Unlock()
	if wait > 0 {
		w.paceWaits.Add(1)
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return Snapshot{}, ctx.Err()
		case <-t.C:
		case <-listReady:
		case <-w.refocus:
			// Enter during a rollout's second: the new view comes now.
		}
	}
	// Events that came during the wait are in this snapshot; drop their
	// signal so they do not cause an identical one. A focus set from here
	// on is read by snapshot, or signals again after it.
	select {
	case <-w.dirty:
	default:
	}
	select {
	case <-w.refocus:
	default:
	}
	return w.snapshot(), nil
}

const podControllerIndex = "controller-uid"

// PodIndexers are the pod cache's indexes, for the benchmarks that build
// a cache as the watcher does.
func PodIndexers() cache.Indexers {
	return cache.Indexers{podControllerIndex: podController, podNodeIndex: podNode}
}

// podController indexes pods by the UID of their controller.
func podController(obj any) ([]string, error) {
	p, ok := obj.(*Pod)
	if !ok || p.Owner == "" {
		return nil, nil
	}
	return []string{string(p.Owner)}, nil
}
