package kube

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"k8s.io/client-go/rest"
)

// ErrReadOnly is returned for any mutating request under --readonly.
var ErrReadOnly = errors.New("dsx is in read-only mode (--readonly): no changes are sent to the cluster")

// readOnlyTransport refuses every request that could change the cluster,
// below the UI: whatever a view or action asks for, nothing mutating
// leaves the process. Access reviews are questions, not changes.
type readOnlyTransport struct{ next http.RoundTripper }

func (t readOnlyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		// exec, attach and port-forward over WebSocket are GETs that run
		// commands or open connections in the cluster.
		if streamSubresource(r.URL.Path) {
			break
		}
		return t.next.RoundTrip(r)
	case http.MethodPost:
		// By exact path: a suffix would also let through a POST to any
		// resource (a CRD, a subresource) whose name ends the same way.
		if reviewPaths[strings.TrimSuffix(r.URL.Path, "/")] {
			return t.next.RoundTrip(r)
		}
	}
	return nil, fmt.Errorf("%s %s: %w", r.Method, r.URL.Path, ErrReadOnly)
}

// reviewPaths are the only POSTs --readonly sends: questions about the
// user's own rights, which change nothing.
var reviewPaths = map[string]bool{
	"/apis/authorization.k8s.io/v1/selfsubjectaccessreviews": true,
	"/apis/authorization.k8s.io/v1/selfsubjectrulesreviews":  true,
}

// streamSubresource reports a pod's exec, attach or portforward path.
func streamSubresource(path string) bool {
	parts := strings.Split(strings.TrimSuffix(path, "/"), "/")
	if len(parts) < 3 || parts[len(parts)-3] != "pods" {
		return false
	}
	switch parts[len(parts)-1] {
	case "exec", "attach", "portforward":
		return true
	}
	return false
}

// MakeReadOnly wraps cfg's transport so that no mutating request is sent.
func MakeReadOnly(cfg *rest.Config) {
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return readOnlyTransport{next: rt} })
}
