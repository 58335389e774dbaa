package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/kubectl/pkg/polymorphichelpers"
	"k8s.io/kubectl/pkg/scheme"
)

// The actions act on the cluster they were chosen on (Bound) or not at
// all; each call is one short piece of work the UI runs as a command.

// ReadOnly reports whether the session refuses every change.
func (s *Session) ReadOnly() bool { return s.Target().ReadOnly }

// Denied asks (once per context and namespace) whether the API server
// would refuse a; it returns the reason when it would. Under --readonly
// every action is denied without asking.
func (s *Session) Denied(ctx context.Context, a Action, namespace string) (string, bool) {
	t := s.Target()
	if t.ReadOnly {
		return ErrReadOnly.Error(), true
	}
	return t.rights.get(ctx, namespace).Denied(a)
}

// NewCreate starts a create in b's namespace, bound to b's cluster.
func (s *Session) NewCreate(b Bound) (Edit, error) {
	if _, err := s.bind(b, false); err != nil {
		return Edit{}, err
	}
	return NewCreate(b), nil
}

// BeginEdit fetches the DaemonSet to edit, refusing one that is not the
// object b names.
func (s *Session) BeginEdit(ctx context.Context, b Bound) (Edit, error) {
	t, err := s.bind(b, true)
	if err != nil {
		return Edit{}, err
	}
	e, err := BeginEdit(ctx, t.Client, b)
	if apierrors.IsNotFound(err) {
		return Edit{}, &ReplacedError{Chosen: b}
	}
	return e, err
}

// Submit sends what the user saved in the editor, on the cluster the
// edit was opened on.
func (s *Session) Submit(ctx context.Context, e Edit, saved []byte) EditResult {
	t, err := s.bind(e.Bound, !e.Create)
	if err != nil {
		return kept(saved, err)
	}
	return Submit(ctx, t.Client, e, saved)
}

// Delete deletes a DaemonSet or a pod, only the one b names.
func (s *Session) Delete(ctx context.Context, b Bound, p Propagation) error {
	t, err := s.bind(b, true)
	if err != nil {
		return err
	}
	return explainReplaced(b, Delete(ctx, t.Client, b.ObjectRef, p))
}

// Restart restarts a DaemonSet's rollout.
func (s *Session) Restart(ctx context.Context, b Bound) error {
	t, err := s.bind(b, true)
	if err != nil {
		return err
	}
	return explainReplaced(b, Restart(ctx, t.Client, b.ObjectRef))
}

// History lists a DaemonSet's revisions, from the cluster it was chosen
// on: an undo's diff must describe the rollback it would send.
func (s *Session) History(ctx context.Context, b Bound) ([]HistoryEntry, error) {
	t, err := s.bind(b, false)
	if err != nil {
		return nil, err
	}
	h, err := History(ctx, t.Client, b.Namespace, b.Name)
	sanitizeHistory(h)
	return h, err
}

// Undo rolls a DaemonSet back.
func (s *Session) Undo(ctx context.Context, b Bound, toRevision int64) (string, error) {
	t, err := s.bind(b, true)
	if err != nil {
		return "", err
	}
	msg, err := Undo(ctx, t.Client, b.ObjectRef, toRevision)
	return msg, explainReplaced(b, err)
}

// IsReadOnly reports whether err is --readonly refusing a request.
func IsReadOnly(err error) bool { return errors.Is(err, ErrReadOnly) }

// explainReplaced turns the API server's refusal of a UID precondition
// (a conflict on delete, an immutable-field error on a patch) into what
// happened: the object of that name is another one now.
func explainReplaced(b Bound, err error) error {
	if err == nil || b.UID == "" {
		return err
	}
	if apierrors.IsNotFound(err) {
		return &ReplacedError{Chosen: b}
	}
	msg := err.Error()
	if (apierrors.IsConflict(err) && strings.Contains(msg, "UID")) || (apierrors.IsInvalid(err) && strings.Contains(msg, "metadata.uid")) {
		return &ReplacedError{Chosen: b, Now: "another"}
	}
	return err
}

// Delete deletes a DaemonSet (with propagation) or a pod ("" for the
// server's default). With ref.UID the server refuses to delete another
// object of the same name.
func Delete(ctx context.Context, client kubernetes.Interface, ref ObjectRef, p Propagation) error {
	opts := metav1.DeleteOptions{}
	if ref.UID != "" {
		opts.Preconditions = metav1.NewUIDPreconditions(string(ref.UID))
	}
	if p != "" {
		pp := map[Propagation]metav1.DeletionPropagation{
			Background: metav1.DeletePropagationBackground,
			Foreground: metav1.DeletePropagationForeground,
			Orphan:     metav1.DeletePropagationOrphan,
		}[p]
		opts.PropagationPolicy = &pp
	}
	switch ref.Kind {
	case KindDaemonSet:
		return client.AppsV1().DaemonSets(ref.Namespace).Delete(ctx, ref.Name, opts)
	case KindPod:
		return client.CoreV1().Pods(ref.Namespace).Delete(ctx, ref.Name, opts)
	}
	return fmt.Errorf("cannot delete kind %q", ref.Kind)
}

// getBound fetches the DaemonSet ref names and refuses another one of
// the same name.
func getBound(ctx context.Context, client kubernetes.Interface, ref ObjectRef) (*appsv1.DaemonSet, error) {
	ds, err := client.AppsV1().DaemonSets(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	if ref.UID != "" && ds.UID != ref.UID {
		return nil, &ReplacedError{Chosen: Bound{ObjectRef: ref}, Now: ds.UID}
	}
	return ds, nil
}

// withUID adds metadata.uid to a patch: the server then refuses to apply
// it to another object of the same name (the UID is immutable), closing
// the gap between the Get the patch was computed from and the Patch.
func withUID(patch []byte, uid types.UID) ([]byte, error) {
	if uid == "" {
		return patch, nil
	}
	var m map[string]any
	if err := json.Unmarshal(patch, &m); err != nil {
		return nil, err
	}
	md, _ := m["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
	}
	md["uid"] = string(uid)
	m["metadata"] = md
	return json.Marshal(m)
}

// Restart is kubectl rollout restart: kubectl's own restarter sets
// kubectl.kubernetes.io/restartedAt on the pod template, sent as the same
// strategic merge patch kubectl computes, plus the UID precondition.
func Restart(ctx context.Context, client kubernetes.Interface, ref ObjectRef) error {
	ds, err := getBound(ctx, client, ref)
	if err != nil {
		return err
	}
	codec := scheme.Codecs.LegacyCodec(appsv1.SchemeGroupVersion)
	before, err := runtime.Encode(codec, ds)
	if err != nil {
		return err
	}
	after, err := polymorphichelpers.ObjectRestarterFn(ds.DeepCopy())
	if err != nil {
		return err
	}
	patch, err := strategicpatch.CreateTwoWayMergePatch(before, after, ds)
	if err != nil {
		return err
	}
	if patch, err = withUID(patch, ref.UID); err != nil {
		return err
	}
	_, err = client.AppsV1().DaemonSets(ref.Namespace).Patch(ctx, ref.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{FieldManager: "kubectl-rollout"})
	return err
}

// Undo is kubectl rollout undo --to-revision (0: the previous one): the
// revision's data, a strategic merge patch that replaces the pod
// template, sent with the UID precondition. It returns what was done.
func Undo(ctx context.Context, client kubernetes.Interface, ref ObjectRef, toRevision int64) (string, error) {
	ds, err := getBound(ctx, client, ref)
	if err != nil {
		return "", err
	}
	sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		return "", err
	}
	l, err := client.AppsV1().ControllerRevisions(ref.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return "", err
	}
	var revs []appsv1.ControllerRevision
	for _, cr := range l.Items {
		if metav1.IsControlledBy(&cr, ds) {
			revs = append(revs, cr)
		}
	}
	sort.Slice(revs, func(i, j int) bool { return revs[i].Revision < revs[j].Revision })
	var to *appsv1.ControllerRevision
	switch {
	case toRevision == 0 && len(revs) < 2:
		return "", fmt.Errorf("%s has no earlier revision to roll back to", ref)
	case toRevision == 0:
		to = &revs[len(revs)-2]
	default:
		for i := range revs {
			if revs[i].Revision == toRevision {
				to = &revs[i]
			}
		}
		if to == nil {
			return "", fmt.Errorf("%s has no revision %d", ref, toRevision)
		}
	}
	var data struct {
		Spec struct {
			Template corev1.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(to.Data.Raw, &data); err != nil {
		return "", fmt.Errorf("revision %d of %s: %w", to.Revision, ref, err)
	}
	if apiequality.Semantic.DeepEqual(data.Spec.Template, ds.Spec.Template) {
		return fmt.Sprintf("skipped rollback (the current template already matches revision %d)", to.Revision), nil
	}
	patch, err := withUID(to.Data.Raw, ref.UID)
	if err != nil {
		return "", err
	}
	if _, err := client.AppsV1().DaemonSets(ref.Namespace).Patch(ctx, ref.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{FieldManager: "kubectl-rollout"}); err != nil {
		return "", err
	}
	return "rolled back", nil
}
