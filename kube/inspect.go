package kube

import (
	"context"
	"fmt"
	"io"

	corev1 "k8s.io/api/core/v1"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/kubectl/pkg/describe"
)

// Kinds dsx can describe and show as YAML.
const (
	KindDaemonSet = "DaemonSet"
	KindPod       = "Pod"
	KindNode      = "Node"
)

// ObjectRef names one object; UID, when set, is the one object of that
// name an action may change.
type ObjectRef struct {
	Kind, Namespace, Name string
	UID                   types.UID
}

func (r ObjectRef) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// Inspector fetches objects fresh from the server for describe and YAML:
// the informer cache is trimmed, and these views want everything.
type Inspector struct {
	Config *rest.Config
	Client kubernetes.Interface
}

func groupKind(kind string) (schema.GroupKind, error) {
	switch kind {
	case KindDaemonSet:
		return schema.GroupKind{Group: "apps", Kind: kind}, nil
	case KindPod, KindNode:
		return schema.GroupKind{Kind: kind}, nil
	}
	return schema.GroupKind{}, fmt.Errorf("cannot inspect kind %q", kind)
}

// Describe is kubectl describe, from kubectl's own describers: same text,
// events included.
func (in Inspector) Describe(ref ObjectRef) (string, error) {
	gk, err := groupKind(ref.Kind)
	if err != nil {
		return "", err
	}
	d, ok := describe.DescriberFor(gk, in.Config)
	if !ok {
		return "", fmt.Errorf("no describer for %s", ref.Kind)
	}
	return d.Describe(ref.Namespace, ref.Name, describe.DescriberSettings{ShowEvents: true, ChunkSize: 500})
}

// YAML is the object as kubectl get -o yaml shows it, without managedFields.
func (in Inspector) YAML(ctx context.Context, ref ObjectRef) (string, error) {
	var obj runtime.Object
	var err error
	opts := metav1.GetOptions{}
	switch ref.Kind {
	case KindDaemonSet:
		obj, err = in.Client.AppsV1().DaemonSets(ref.Namespace).Get(ctx, ref.Name, opts)
	case KindPod:
		obj, err = in.Client.CoreV1().Pods(ref.Namespace).Get(ctx, ref.Name, opts)
	case KindNode:
		obj, err = in.Client.CoreV1().Nodes().Get(ctx, ref.Name, opts)
	default:
		return "", fmt.Errorf("cannot show kind %q", ref.Kind)
	}
	if err != nil {
		return "", err
	}
	if a, ok := obj.(metav1.Object); ok {
		a.SetManagedFields(nil)
	}
	// Typed clients drop apiVersion and kind; put them back as kubectl does.
	gvks, _, err := scheme.Scheme.ObjectKinds(obj)
	if err == nil && len(gvks) > 0 {
		obj.GetObjectKind().SetGroupVersionKind(gvks[0])
	}
	return displayYAML(obj)
}

// Logs streams a container's logs (the previous instance's with previous),
// the last tail lines first, then new lines while follow holds.
func (in Inspector) Logs(ctx context.Context, namespace, pod, container string, previous, follow bool, tail int64) (io.ReadCloser, error) {
	opts := &corev1.PodLogOptions{Container: container, Previous: previous, Follow: follow && !previous, TailLines: &tail}
	return in.Client.CoreV1().Pods(namespace).GetLogs(pod, opts).Stream(ctx)
}
