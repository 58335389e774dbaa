package kube

import (
	"errors"
	"net/http"
	"testing"
)

type recordingTransport struct{ got []string }

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.got = append(r.got, req.Method+" "+req.URL.Path)
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
}

// Exec and port-forward upgrade with a GET over WebSocket: --readonly
// must refuse them by path, not by method alone.
func TestReadOnlyRefusesStreamsByPath(t *testing.T) {
	for _, c := range []struct {
		method, path string
		sent         bool
	}{
		{"GET", "/api/v1/namespaces/ns/pods/agent-x/exec", false},
		{"GET", "/api/v1/namespaces/ns/pods/agent-x/portforward", false},
		{"GET", "/api/v1/namespaces/ns/pods/agent-x/attach", false},
		{"POST", "/api/v1/namespaces/ns/pods/agent-x/exec", false},
		{"HEAD", "/api/v1/namespaces/ns/pods/agent-x/exec/", false},
		{"GET", "/api/v1/namespaces/ns/pods/agent-x/log", true},
		{"GET", "/api/v1/namespaces/ns/pods/exec", true},
		{"GET", "/api/v1/namespaces/exec/pods", true},
		{"GET", "/apis/apps/v1/namespaces/ns/daemonsets/exec", true},
	} {
		rec := &recordingTransport{}
		req, err := http.NewRequest(c.method, "https://example.invalid"+c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = readOnlyTransport{next: rec}.RoundTrip(req)
		if sent := len(rec.got) == 1; sent != c.sent {
			t.Errorf("%s %s: sent=%v, want %v", c.method, c.path, sent, c.sent)
		}
		if !c.sent && !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s %s: err %v, want ErrReadOnly", c.method, c.path, err)
		}
	}
}
