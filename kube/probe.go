package kube

import (
	"context"
	"errors"
	"net/url"
	"time"
)

// probe asks the API server's /readyz (open to every user) now and then
// and records the connection state: the status bar shows an outage from
// its start, and its end.
func (w *Watcher) probe(ctx context.Context) {
	t := time.NewTicker(w.opts.ProbeEvery)
	defer t.Stop()
	for first := true; ; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
		pctx, cancel := context.WithTimeout(ctx, w.opts.ProbeEvery)
		_, err := w.client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(pctx)
		cancel()
		// "Get https://…/readyz?timeout=…: dial tcp …: connection refused"
		// says the same twice; keep the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if ctx.Err() != nil {
			return
		}
		w.mu.Lock()
		changed := (err == nil) != (w.conn.Err == nil)
		switch {
		case err != nil && w.conn.Err == nil:
			w.conn = ConnState{Err: err, Since: w.opts.Now()}
		case err != nil:
			w.conn.Err = err
		case w.conn.Err != nil:
			w.conn = ConnState{Since: w.opts.Now()}
		}
		w.mu.Unlock()
		if changed {
			w.poke()
		}
	}
}
