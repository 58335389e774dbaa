package kube

import (
	"context"
	"sync"
	"time"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	appslisters "k8s.io/client-go/listers/apps/v1"
	"k8s.io/client-go/tools/cache"
)

// dsInformer is the DaemonSet informer, in a factory of its own so that
// it can start before the access reviews have answered (the first screen
// then waits one round trip less) and stop alone when they say the user
// may not list DaemonSets.
type dsInformer struct {
	factory informers.SharedInformerFactory
	inf     cache.SharedIndexInformer
	lister  appslisters.DaemonSetLister
	cancel  context.CancelFunc

	// A watch error handler must be set before the informer runs, and the
	// watcher that will show its errors does not exist yet: the handler
	// keeps the last error until a watcher takes over (follow).
	mu      sync.Mutex
	lastErr error
	onErr   func(error)
	stopped bool
}

func newDSInformer(client kubernetes.Interface, namespace string) *dsInformer {
	f := informers.NewSharedInformerFactoryWithOptions(client, 0,
		informers.WithNamespace(namespace),
		informers.WithTransform(toCache))
	dsi := f.Apps().V1().DaemonSets()
	d := &dsInformer{factory: f, inf: dsi.Informer(), lister: dsi.Lister()}
	_ = d.inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		d.mu.Lock()
		on := d.onErr
		if on == nil {
			d.lastErr = err
		}
		d.mu.Unlock()
		if on != nil {
			on(err)
		}
	})
	return d
}

// start runs the informer until stop (or ctx's end); calls after the
// first do nothing.
func (d *dsInformer) start(ctx context.Context) {
	if d.cancel != nil {
		return
	}
	ctx, d.cancel = context.WithCancel(ctx)
	d.factory.Start(ctx.Done())
}

// follow sends the informer's watch errors to on from now on, the last
// one seen before included.
func (d *dsInformer) follow(on func(error)) {
	d.mu.Lock()
	d.onErr = on
	err := d.lastErr
	d.lastErr = nil
	d.mu.Unlock()
	if err != nil {
		on(err)
	}
}

// stop ends the informer and waits for its goroutines (and so for its
// requests) to end.
func (d *dsInformer) stop() {
	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()
	if d.cancel != nil {
		d.cancel()
	}
	d.factory.Shutdown()
}

// isStopped tells whether stop was called.
func (d *dsInformer) isStopped() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stopped
}

// syncedOrAfter returns once the informer has listed (true), or ctx has
// ended or limit has passed (false); a limit of 0 is none.
func (d *dsInformer) syncedOrAfter(ctx context.Context, limit time.Duration) bool {
	// A short poll: the informer offers no notification of its first list,
	// and the shared sync wait polls every 100 ms, which the first screen
	// would pay for.
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	var deadline <-chan time.Time
	if limit > 0 {
		timer := time.NewTimer(limit)
		defer timer.Stop()
		deadline = timer.C
	}
	for !d.inf.HasSynced() {
		select {
		case <-ctx.Done():
			return false
		case <-deadline:
			return false
		case <-t.C:
		}
	}
	return true
}
