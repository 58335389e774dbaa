package kube

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
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
	text, err := d.Describe(ref.Namespace, ref.Name, describe.DescriberSettings{ShowEvents: true, ChunkSize: 500})
	if err != nil || ref.Kind != KindPod {
		return text, err
	}
	// kubectl's pod describer lists conditions by type and status only;
	// why a pod is not ready or not scheduled is in their messages.
	pod, err := in.Client.CoreV1().Pods(ref.Namespace).Get(context.Background(), ref.Name, metav1.GetOptions{})
	if err != nil {
		return text, nil
	}
	return text + conditionMessages(pod.Status.Conditions), nil
}

// conditionMessages is the reasons and messages of conditions, one a
// line, under a heading; "" when none has either.
func conditionMessages(cs []corev1.PodCondition) string {
	var b strings.Builder
	for _, c := range cs {
		if c.Reason == "" && c.Message == "" {
			continue
		}
		fmt.Fprintf(&b, "  %s=%s", c.Type, c.Status)
		if c.Reason != "" {
			fmt.Fprintf(&b, " (%s)", c.Reason)
		}
		if c.Message != "" {
			fmt.Fprintf(&b, ": %s", c.Message)
		}
		b.WriteByte('\n')
	}
	if b.Len() == 0 {
		return ""
	}
	return "Condition messages:\n" + b.String()
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

// PodInfo is what explains a pod's state in full: its phase, every
// condition with its reason and message, each container's waiting or
// last terminated state, and its last events, newest last. The node
// view's reason column cuts these short; this is the whole text.
// Cluster text is untrusted: the pager shows it as text.
func (in Inspector) PodInfo(ctx context.Context, namespace, name string) (string, error) {
	pod, err := in.Client.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Pod %s/%s on node %s: %s\n", namespace, name, pod.Spec.NodeName, pod.Status.Phase)
	if pod.Status.Reason != "" || pod.Status.Message != "" {
		fmt.Fprintf(&b, "  %s %s\n", pod.Status.Reason, pod.Status.Message)
	}
	if m := conditionMessages(pod.Status.Conditions); m != "" {
		b.WriteString("\n" + m)
	}
	statuses := append(append([]corev1.ContainerStatus(nil), pod.Status.InitContainerStatuses...), pod.Status.ContainerStatuses...)
	if len(statuses) > 0 {
		b.WriteString("\nContainers:\n")
	}
	for _, s := range statuses {
		fmt.Fprintf(&b, "  %s: ready=%t restarts=%d", s.Name, s.Ready, s.RestartCount)
		switch st := s.State; {
		case st.Waiting != nil:
			fmt.Fprintf(&b, " waiting: %s %s", st.Waiting.Reason, st.Waiting.Message)
		case st.Terminated != nil:
			fmt.Fprintf(&b, " terminated: %s (exit %d) %s", st.Terminated.Reason, st.Terminated.ExitCode, st.Terminated.Message)
		case st.Running != nil:
			b.WriteString(" running")
		}
		if t := s.LastTerminationState.Terminated; t != nil {
			fmt.Fprintf(&b, "; last terminated: %s (exit %d) %s", t.Reason, t.ExitCode, t.Message)
		}
		b.WriteByte('\n')
	}
	evs, err := in.Client.CoreV1().Events(namespace).List(ctx, metav1.ListOptions{
		FieldSelector: fields.AndSelectors(fields.OneTermEqualSelector("involvedObject.name", name), fields.OneTermEqualSelector("involvedObject.uid", string(pod.UID))).String(),
	})
	b.WriteString("\nLast events:\n")
	switch {
	case err != nil:
		fmt.Fprintf(&b, "  (cannot list events: %v)\n", err)
	case len(evs.Items) == 0:
		b.WriteString("  (none)\n")
	default:
		items := evs.Items
		sort.SliceStable(items, func(i, j int) bool { return eventTime(items[i]).Before(eventTime(items[j])) })
		if len(items) > podInfoEvents {
			items = items[len(items)-podInfoEvents:]
		}
		for _, e := range items {
			n := ""
			if e.Count > 1 {
				n = fmt.Sprintf(" (x%d)", e.Count)
			}
			fmt.Fprintf(&b, "  %s %s %s%s: %s\n", eventTime(e).UTC().Format(time.RFC3339), e.Type, e.Reason, n, e.Message)
		}
	}
	return b.String(), nil
}

// podInfoEvents is how many of a pod's events PodInfo shows.
const podInfoEvents = 10

// eventTime is when an event last happened, from whichever field its
// source filled.
func eventTime(e corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.CreationTimestamp.Time
}
