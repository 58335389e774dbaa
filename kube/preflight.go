package kube

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Preflight asks the server for its version once before the UI starts.
// Credentials the server rejects end dsx with one clear line; an
// unreachable server does not: the UI starts, says so and keeps retrying.
func Preflight(ctx context.Context, t *Target, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := t.Client.Discovery().RESTClient().Get().AbsPath("/version").DoRaw(ctx)
	if apierrors.IsUnauthorized(err) {
		return fmt.Errorf("the API server at %s rejected the credentials of context %q (401 Unauthorized): the token or certificate is invalid or expired", t.Server, t.Context)
	}
	return nil
}
