package kube

import (
	"errors"
	"net/http"
	"net/url"
	"sync"
)

// connHealth follows the outcome of every request of one target's
// clients. An informer whose watch is refused (the API server is down)
// retries quietly and never reaches its watch error handler, so the
// transport is where an outage shows first: a reflector retries within a
// second. The first success after a failure (a relist or watch that goes
// through) ends the outage.
type connHealth struct {
	mu       sync.Mutex
	failing  bool
	onChange func(err error)
}

// follow makes f hear of every change between failing and healthy.
func (h *connHealth) follow(f func(err error)) {
	h.mu.Lock()
	h.onChange = f
	h.mu.Unlock()
}

func (h *connHealth) report(err error) {
	h.mu.Lock()
	if h.failing == (err != nil) || h.onChange == nil {
		h.failing = err != nil
		h.mu.Unlock()
		return
	}
	h.failing = err != nil
	f := h.onChange
	h.mu.Unlock()
	f(err)
}

type healthTransport struct {
	next http.RoundTripper
	h    *connHealth
}

func (t healthTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	switch {
	case r.Context().Err() != nil, errors.Is(err, ErrReadOnly):
		// Cancelled by dsx, or refused by dsx: says nothing of the server.
	case err != nil:
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		t.h.report(err)
	case resp.StatusCode < http.StatusInternalServerError:
		t.h.report(nil)
	}
	return resp, err
}

// connection records what the transport saw, as the probe does.
func (w *Watcher) connection(err error) {
	w.mu.Lock()
	switch {
	case err != nil && w.conn.Err == nil:
		w.conn = ConnState{Err: err, Since: w.opts.Now()}
	case err == nil && w.conn.Err != nil:
		w.conn = ConnState{Since: w.opts.Now()}
	default:
		w.mu.Unlock()
		return
	}
	w.mu.Unlock()
	w.poke()
}
