package kube

import (
	"errors"
	"net/http"
	"testing"
)

type okTransport struct{ sent []string }

func (o *okTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	o.sent = append(o.sent, r.Method+" "+r.URL.Path)
	return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
}

// --readonly lets through exactly GET, HEAD, OPTIONS and POSTs to the two
// self-review endpoints; a path that only ends like them is refused.
func TestReadOnlyExactPaths(t *testing.T) {
	for _, c := range []struct {
		method, path string
		allowed      bool
	}{
		{http.MethodGet, "/apis/apps/v1/daemonsets", true},
		{http.MethodHead, "/readyz", true},
		{http.MethodOptions, "/api", true},
		{http.MethodPost, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", true},
		{http.MethodPost, "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", true},
		{http.MethodPost, "/apis/evil.example/v1/namespaces/default/selfsubjectaccessreviews", false},
		{http.MethodPost, "/api/v1/namespaces/default/pods/x/selfsubjectrulesreviews", false},
		{http.MethodPost, "/apis/authorization.k8s.io/v1/subjectaccessreviews", false},
		{http.MethodPost, "/apis/apps/v1/namespaces/default/daemonsets", false},
		{http.MethodPut, "/apis/apps/v1/namespaces/default/daemonsets/x", false},
		{http.MethodPatch, "/apis/apps/v1/namespaces/default/daemonsets/x", false},
		{http.MethodDelete, "/api/v1/namespaces/default/pods/x", false},
		{"CONNECT", "/api/v1/namespaces/default/pods/x/exec", false},
	} {
		next := &okTransport{}
		req, _ := http.NewRequest(c.method, "https://example.invalid"+c.path, nil)
		_, err := readOnlyTransport{next: next}.RoundTrip(req)
		if c.allowed != (err == nil) || c.allowed != (len(next.sent) == 1) {
			t.Errorf("%s %s: err %v, sent %v; allowed should be %v", c.method, c.path, err, next.sent, c.allowed)
		}
		if !c.allowed && !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s %s: %v, want ErrReadOnly", c.method, c.path, err)
		}
	}
}
