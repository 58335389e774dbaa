package kube

import (
	"context"
	"fmt"
	"strings"
	"sync"

	authzv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Access says which resources the user may list and watch in the scope.
// Informers for the others are never started: a forbidden informer would
// retry forever and its cache would never sync.
type Access struct {
	DaemonSets, Nodes, Pods, Revisions bool
}

// AllAccess assumes every right, for callers that know them.
func AllAccess() Access { return Access{true, true, true, true} }

// Hidden lists, for the status bar, what the user cannot see and why.
func (a Access) Hidden(namespace string) []string {
	where := "cluster-wide"
	if namespace != "" {
		where = "in namespace " + namespace
	}
	var h []string
	if !a.DaemonSets {
		h = append(h, "DaemonSets (no list/watch "+where+")")
	}
	if !a.Nodes {
		h = append(h, "nodes (no list/watch on nodes: node view built from pods only)")
	}
	if !a.Pods {
		h = append(h, "pods (no list/watch "+where+": pod states unknown)")
	}
	if !a.Revisions {
		h = append(h, "revision numbers (no list/watch on controllerrevisions "+where+")")
	}
	return h
}

// CheckAccess asks the API server (SelfSubjectAccessReview, which every
// authenticated user may create) whether list and watch are allowed. When
// the question itself fails, access is assumed: the informers will say.
func CheckAccess(ctx context.Context, client kubernetes.Interface, namespace string) Access {
	can := func(group, resource, ns string) bool {
		for _, verb := range []string{"list", "watch"} {
			r, err := accessReview(ctx, client, verb, group, resource, ns)
			if err != nil {
				return true
			}
			if !r.Allowed {
				return false
			}
		}
		return true
	}
	// Asked together: over a slow link, eight round trips in a row would
	// delay the first screen.
	var a Access
	var wg sync.WaitGroup
	for _, q := range []struct {
		dst             *bool
		group, resource string
		ns              string
	}{
		{&a.DaemonSets, "apps", "daemonsets", namespace},
		{&a.Nodes, "", "nodes", ""},
		{&a.Pods, "", "pods", namespace},
		{&a.Revisions, "apps", "controllerrevisions", namespace},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			*q.dst = can(q.group, q.resource, q.ns)
		}()
	}
	wg.Wait()
	return a
}

func (a Access) String() string {
	return fmt.Sprintf("daemonsets=%v nodes=%v pods=%v controllerrevisions=%v", a.DaemonSets, a.Nodes, a.Pods, a.Revisions)
}

// accessReview asks the API server whether the user may do verb on the
// resource ("pods/exec" names a subresource); every authenticated user
// may ask.
func accessReview(ctx context.Context, client kubernetes.Interface, verb, group, resource, namespace string) (authzv1.SubjectAccessReviewStatus, error) {
	resource, sub, _ := strings.Cut(resource, "/")
	r, err := client.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authzv1.SelfSubjectAccessReview{
		Spec: authzv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authzv1.ResourceAttributes{
			Group: group, Resource: resource, Subresource: sub, Namespace: namespace, Verb: verb,
		}},
	}, metav1.CreateOptions{})
	if err != nil {
		return authzv1.SubjectAccessReviewStatus{}, err
	}
	return r.Status, nil
}
