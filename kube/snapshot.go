package kube

import (
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
)

// Snapshot is an immutable picture of the cache, the only thing views see.
type Snapshot struct {
	Context string
	// Server is the context's API server: actions chosen on this
	// snapshot's rows are bound to it.
	Server    string
	Namespace string // "" means all namespaces
	Synced    bool
	// DaemonSets are the list's rows, each with its rollout mark and,
	// while a rollout waits on pods that are not ready, what it waits on.
	DaemonSets []DaemonSetRow
	// LastEvent is when the cache last changed.
	LastEvent time.Time
	// Conn describes the connection to the API server.
	Conn ConnState
	// Nodes and Pods count the cached objects, for the status bar.
	Nodes, Pods int
	// Detail is the node view of the focused DaemonSet, nil without focus.
	Detail *NodeView
	// Focus is the key of the focused DaemonSet, also when it is gone.
	Focus string
	// NodeList is the nodes list, nil unless asked for (ListNodes).
	NodeList []NodeItem
	// NodeFocus names the node whose view NodeDetail is, also when the
	// node is gone; NodeDetail is nil without one (FocusNode).
	NodeFocus  string
	NodeDetail *NodeDaemonSets
	// Hidden says what the user's rights keep out of view, and why.
	Hidden []string
	Access Access
	// Rights says which actions the user may take in this scope.
	Rights Rights
}

// ConnState is the health of the watch connections.
type ConnState struct {
	// Err is the last list or watch error, nil when healthy.
	Err error
	// Since is when the current state began.
	Since time.Time
}

// snapshot assembles a snapshot of the cache now and advances the
// watcher's state (stall tracking, the first-list flag, the next timed
// wake-up): only Next calls it, so no caller can skip a step.
func (w *Watcher) snapshot() Snapshot {
	var dss []*appsv1.DaemonSet
	if w.ds != nil {
		dss, _ = w.ds.List(labels.Everything())
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.opts.Now()
	w.lastSnap = now
	// This snapshot reads the focus under the same lock: it is shown.
	w.refocused = false
	if w.dsInf != nil && w.dsInf.HasSynced() {
		w.shownList = true
	}
	rows := DaemonSetRows(dss)
	w.rolling = w.stalls.mark(rows, now)
	s := Snapshot{
		Context:    w.opts.Context,
		Server:     w.opts.Server,
		Namespace:  w.opts.Namespace,
		Synced:     w.synced,
		DaemonSets: rows,
		LastEvent:  w.lastEvent,
		Conn:       w.conn,
		Nodes:      int(w.nodeCount.Load()),
		Pods:       int(w.podCount.Load()),
		Focus:      w.focus,
		NodeFocus:  w.focusNode,
		Hidden:     w.access.Hidden(w.opts.Namespace),
		Access:     w.access,
		Rights:     w.opts.Rights,
	}
	w.wakeAt = time.Time{}
	if w.focus != "" && w.ds != nil {
		ns, name, _ := strings.Cut(w.focus, "/")
		if ds, err := w.ds.DaemonSets(ns).Get(name); err == nil {
			s.Detail = w.nodeView(ds, now)
			// A pod reaching minReadySeconds changes the view with no
			// event; Next wakes for it.
			w.wakeAt = s.Detail.NextChange()
		}
	}
	if s.Detail == nil {
		w.memo = viewMemo{}
	}
	w.byNode(&s, dss, now)
	// Both patches above have read what changed since the last snapshot.
	w.touched, w.touchedAll = map[string]struct{}{}, false
	w.markBlocked(s.DaemonSets, dss, s.Detail, now)
	// Cluster text enters the display here, once, after everything that
	// reads names and reasons has run (a reused view already has).
	sanitizeRows(s.DaemonSets)
	// The nodes list and a node's view are sanitized in byNode: the
	// list's items are reused between snapshots.
	return s
}

// nodeView is the focused DaemonSet's node view: the previous one when
// nothing it is built from changed (the DaemonSet object, its pods, the
// revisions, the nodes) and no row waits on the clock, else a new one.
// Reusing the pointer also tells the UI it has nothing to redo. Called
// with w.mu held.
func (w *Watcher) nodeView(ds *appsv1.DaemonSet, now time.Time) *NodeView {
	m := viewMemo{ds: ds, nodes: w.gen.nodes, revs: w.gen.revs, pods: w.gen.pods[ds.UID]}
	if old := w.memo; old.view != nil && old.ds == m.ds && old.nodes == m.nodes && old.revs == m.revs && old.pods == m.pods && old.view.NextChange().IsZero() {
		return old.view
	}
	// The previous view is patched: only the rows of the nodes touched
	// since it was made (and those waiting on the clock) are redone. It
	// is always the last snapshot's, so touched covers every change.
	var prev *NodeView
	if old := w.memo; old.view != nil && !w.touchedAll {
		prev = old.view
	}
	v := UpdateNodeView(prev, ds, w.nodeSource(ds), w.touchedNames(), w.access, now)
	sanitizeNodeView(&v)
	m.view = &v
	w.memo = m
	return &v
}

// nodeSource reads the caches for UpdateNodeView.
// ds is nil for the nodes list, which reads only nodes and pods by node.
func (w *Watcher) nodeSource(ds *appsv1.DaemonSet) NodeSource {
	src := NodeSource{
		Nodes: w.cachedNodes,
		Pods: func() []*Pod {
			if ds == nil {
				return nil
			}
			return w.daemonPods(ds)
		},
		Node: func(name string) *Node {
			if w.nodes == nil {
				return nil
			}
			obj, ok, _ := w.nodes.GetByKey(name)
			if !ok {
				return nil
			}
			n, _ := obj.(*Node)
			return n
		},
		PodsOn: w.podsOnNode,
	}
	if ds != nil {
		src.Revisions = w.revisions(ds.Namespace)
	}
	return src
}

// touchedNames are the nodes touched since the last snapshot.
func (w *Watcher) touchedNames() []string {
	names := make([]string, 0, len(w.touched))
	for n := range w.touched {
		names = append(names, n)
	}
	return names
}

// cachedNodes lists the node cache.
func (w *Watcher) cachedNodes() []*Node {
	if w.nodes == nil {
		return nil
	}
	objs := w.nodes.List()
	nodes := make([]*Node, 0, len(objs))
	for _, o := range objs {
		if n, ok := o.(*Node); ok {
			nodes = append(nodes, n)
		}
	}
	return nodes
}

// markBlocked says, for each rollout not complete, what it waits on. Only
// those rows cost a look at their pods (by index), so a quiet cluster of
// thousands of nodes pays nothing.
func (w *Watcher) markBlocked(rows []DaemonSetRow, dss []*appsv1.DaemonSet, detail *NodeView, now time.Time) {
	if w.podInf == nil {
		return
	}
	byKey := make(map[string]*appsv1.DaemonSet, len(dss))
	for _, ds := range dss {
		byKey[ds.Namespace+"/"+ds.Name] = ds
	}
	for i := range rows {
		r := &rows[i]
		if r.Mark != MarkRolling && r.Mark != MarkStalled {
			continue
		}
		if detail != nil && detail.Namespace == r.Namespace && detail.Name == r.Name {
			r.Blocked = detail.Blocked
			continue
		}
		ds := byKey[r.Key()]
		if ds == nil {
			continue
		}
		m := blockMemo{ds: ds, nodes: w.gen.nodes, revs: w.gen.revs, pods: w.gen.pods[ds.UID]}
		if old, ok := w.blocked[r.Key()]; ok && old.ds == m.ds && old.nodes == m.nodes && old.revs == m.revs && old.pods == m.pods {
			r.Blocked = old.blocked
			continue
		}
		j := newJudge(ds, w.revisions(ds.Namespace), now)
		r.Blocked = rolloutBlock(j, j.podsByNode(w.daemonPods(ds)), w.shouldRun(ds))
		m.blocked = r.Blocked
		w.blocked[r.Key()] = m
	}
	for k, m := range w.blocked {
		if byKey[k] != m.ds {
			delete(w.blocked, k)
		}
	}
	// Pod generations of controllers that are gone (StatefulSets' too):
	// no memo reads them, and DaemonSets come and go for the life of a
	// session.
	if len(w.gen.pods) > 2*len(dss)+64 {
		live := make(map[types.UID]bool, len(dss))
		for _, ds := range dss {
			live[ds.UID] = true
		}
		for uid := range w.gen.pods {
			if !live[uid] {
				delete(w.gen.pods, uid)
			}
		}
	}
}

// daemonPods are the cached pods whose controller is ds.
func (w *Watcher) daemonPods(ds *appsv1.DaemonSet) []*Pod {
	if w.podInf == nil {
		return nil
	}
	objs, _ := w.podInf.GetIndexer().ByIndex(podControllerIndex, string(ds.UID))
	pods := make([]*Pod, 0, len(objs))
	for _, o := range objs {
		if p, ok := o.(*Pod); ok {
			pods = append(pods, p)
		}
	}
	return pods
}

func (w *Watcher) revisions(namespace string) []*appsv1.ControllerRevision {
	if w.revs == nil {
		return nil
	}
	revs, _ := w.revs.ControllerRevisions(namespace).List(labels.Everything())
	return revs
}

// Initial is the snapshot to show before the first Next: who and where,
// no data yet. It reads and advances nothing.
func (w *Watcher) Initial() Snapshot {
	w.mu.Lock()
	defer w.mu.Unlock()
	return Snapshot{Context: w.opts.Context, Server: w.opts.Server, Namespace: w.opts.Namespace, Conn: w.conn, Focus: w.focus, NodeFocus: w.focusNode,
		Hidden: w.access.Hidden(w.opts.Namespace), Access: w.access, Rights: w.opts.Rights}
}

// shouldRun tells whether ds should run a pod on a node, by name, from
// the node cache; without rights on nodes every node counts.
func (w *Watcher) shouldRun(ds *appsv1.DaemonSet) func(string) bool {
	if w.nodes == nil {
		return func(string) bool { return true }
	}
	elig := newEligibility(ds)
	return func(name string) bool {
		obj, exists, _ := w.nodes.GetByKey(name)
		node, ok := obj.(*Node)
		if !exists || !ok {
			return false
		}
		ok, _, _, _ = elig.check(node)
		return ok
	}
}
