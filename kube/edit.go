package kube

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"
)

// Edit is one create or edit of a DaemonSet going through the editor:
// what to show the user next and what the user started from. It is a
// value: Submit returns the next one.
type Edit struct {
	Create          bool
	Namespace, Name string
	// Text is what the editor opens on: a comment header (with the last
	// errors, if any) and the YAML.
	Text []byte
	// original is the object the user started from (edit only): the base
	// of the user's change when the server's copy moved meanwhile.
	original []byte
	// failed is set once an attempt was refused: saving it unchanged then
	// gives up, as kubectl edit does.
	failed bool
}

// EditResult is what became of one save in the editor.
type EditResult struct {
	// Done: the change is on the server; Message says what happened.
	Done bool
	// Reopen: the editor must open again on Next.Text (errors at the top).
	Reopen bool
	Next   Edit
	// Cancelled: nothing was changed on the server; Message says why.
	Cancelled bool
	Message   string
	// SavedTo is where the user's text was kept when dsx gave up on it.
	SavedTo string
}

const editHelp = `# Lines beginning with '#' are ignored; an empty file or saving without
# changes cancels. If the server refuses the change, this file reopens
# with the reasons here at the top.
`

// NewCreate starts a create from a template that validates as it is,
// with the usual knobs as comments.
func NewCreate(namespace string) Edit {
	if namespace == "" {
		namespace = "default"
	}
	text := "# Create a DaemonSet in namespace " + namespace + ".\n" + editHelp + "#\n" + fmt.Sprintf(createTemplate, namespace)
	return Edit{Create: true, Namespace: namespace, Text: []byte(text)}
}

const createTemplate = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: my-agent
  namespace: %s
  labels:
    app: my-agent
spec:
  # The selector must match the template's labels and cannot change later.
  selector:
    matchLabels:
      app: my-agent
  # updateStrategy:
  #   type: RollingUpdate          # or OnDelete: pods change only when deleted
  #   rollingUpdate:
  #     maxUnavailable: 1          # or a percentage, e.g. 10%%
  #     maxSurge: 0
  template:
    metadata:
      labels:
        app: my-agent
    spec:
      # nodeSelector:              # only nodes with these labels
      #   kubernetes.io/os: linux
      # tolerations:               # run on tainted nodes too
      # - operator: Exists         # every taint: typical for CNI and log agents
      # - key: node-role.kubernetes.io/control-plane
      #   operator: Exists
      #   effect: NoSchedule
      containers:
      - name: agent
        image: registry.k8s.io/pause:3.10
        resources:
          requests:
            cpu: 10m
            memory: 16Mi
`

// BeginEdit fetches the live DaemonSet and shows it as kubectl edit does,
// without managedFields and status, which the user cannot change.
func BeginEdit(ctx context.Context, client kubernetes.Interface, namespace, name string) (Edit, error) {
	ds, err := client.AppsV1().DaemonSets(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return Edit{}, err
	}
	return editOf(ds, "")
}

func editOf(ds *appsv1.DaemonSet, note string) (Edit, error) {
	ds = ds.DeepCopy()
	ds.ManagedFields = nil
	ds.Status = appsv1.DaemonSetStatus{}
	ds.APIVersion, ds.Kind = "apps/v1", "DaemonSet"
	orig, err := json.Marshal(ds)
	if err != nil {
		return Edit{}, err
	}
	// Status is the controller's, not the user's: leave it out entirely
	// rather than show zeros the user might think they can set.
	var shown map[string]any
	if err := json.Unmarshal(orig, &shown); err != nil {
		return Edit{}, err
	}
	delete(shown, "status")
	body, err := yaml.Marshal(shown)
	if err != nil {
		return Edit{}, err
	}
	head := "# Edit DaemonSet " + ds.Namespace + "/" + ds.Name + ".\n" + editHelp
	if note != "" {
		head += "#\n" + commentLines(note)
	}
	return Edit{Namespace: ds.Namespace, Name: ds.Name, Text: append([]byte(head+"#\n"), body...), original: orig}, nil
}

func commentLines(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("# " + l + "\n")
	}
	return b.String()
}

// stripComments drops the lines the user is told are ignored.
func stripComments(b []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if bytes.HasPrefix(bytes.TrimSpace(l), []byte("#")) {
			continue
		}
		out = append(out, l)
	}
	return bytes.TrimSpace(bytes.Join(out, []byte("\n")))
}

// Submit sends what the user saved. Refusals of any kind (YAML syntax,
// schema, admission, a changed name) reopen the editor with the reasons
// on top; saving unchanged or empty cancels. The user's text is never
// lost: when dsx gives up on it, it is written to a file (0600).
func Submit(ctx context.Context, client kubernetes.Interface, e Edit, saved []byte) EditResult {
	body := stripComments(saved)
	if len(body) == 0 {
		return EditResult{Cancelled: true, Message: "empty file: nothing changed"}
	}
	if bytes.Equal(body, stripComments(e.Text)) {
		if !e.failed {
			return EditResult{Cancelled: true, Message: "no changes: nothing changed"}
		}
		path, err := keep(saved)
		if err != nil {
			return EditResult{Cancelled: true, Message: "saved again without changes; could not keep a copy: " + err.Error()}
		}
		return EditResult{Cancelled: true, SavedTo: path, Message: "saved again without changes: nothing changed; your text is in " + path}
	}
	ds, err := decodeDaemonSet(body)
	if err == nil && !e.Create && (ds.Name != e.Name || (ds.Namespace != "" && ds.Namespace != e.Namespace)) {
		err = fmt.Errorf("the name and namespace cannot change in an edit (was %s/%s); create a new DaemonSet instead", e.Namespace, e.Name)
	}
	if err != nil {
		return reopen(e, body, err)
	}
	if e.Create {
		return submitCreate(ctx, client, e, body, ds)
	}
	return submitUpdate(ctx, client, e, body, ds)
}

func reopen(e Edit, body []byte, err error) EditResult {
	what := "create"
	if !e.Create {
		what = "edit"
	}
	head := fmt.Sprintf("# The %s was refused; fix the file and save again, or save it unchanged to give up.\n#\n", what)
	head += commentLines(err.Error()) + "#\n" + editHelp + "#\n"
	e.Text = append([]byte(head), body...)
	e.Text = append(e.Text, '\n')
	e.failed = true
	return EditResult{Reopen: true, Next: e, Message: firstLineOf(err.Error())}
}

func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// decodeDaemonSet is strict: a misspelt field is an error, not silently
// dropped.
func decodeDaemonSet(body []byte) (*appsv1.DaemonSet, error) {
	var ds appsv1.DaemonSet
	if err := yaml.UnmarshalStrict(body, &ds); err != nil {
		return nil, fmt.Errorf("invalid YAML: %w", err)
	}
	if ds.Kind != "DaemonSet" || (ds.APIVersion != "apps/v1") {
		return nil, fmt.Errorf("apiVersion must be apps/v1 and kind DaemonSet (got %q, %q)", ds.APIVersion, ds.Kind)
	}
	return &ds, nil
}

func submitCreate(ctx context.Context, client kubernetes.Interface, e Edit, body []byte, ds *appsv1.DaemonSet) EditResult {
	if ds.Namespace == "" {
		ds.Namespace = e.Namespace
	}
	api := client.AppsV1().DaemonSets(ds.Namespace)
	// A dry run first: admission and validation speak before anything
	// exists, so a refused create leaves nothing half made.
	if _, err := api.Create(ctx, ds, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"}); err != nil {
		return refused(e, body, err)
	}
	if _, err := api.Create(ctx, ds, metav1.CreateOptions{FieldValidation: "Strict"}); err != nil {
		return refused(e, body, err)
	}
	return EditResult{Done: true, Message: "created DaemonSet " + ds.Namespace + "/" + ds.Name}
}

// refused reopens on errors the user can fix in the file and gives up,
// keeping the text, on those the file cannot fix.
func refused(e Edit, body []byte, err error) EditResult {
	if errors.Is(err, ErrReadOnly) || apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) {
		path, kerr := keep(body)
		msg := firstLineOf(err.Error())
		if kerr == nil {
			msg += "; your text is in " + path
		}
		return EditResult{Cancelled: true, SavedTo: path, Message: msg}
	}
	if !e.Create && apierrors.IsNotFound(err) {
		path, _ := keep(body)
		return EditResult{Cancelled: true, SavedTo: path, Message: "the DaemonSet was deleted while you edited it; your text is in " + path}
	}
	return reopen(e, body, err)
}

func submitUpdate(ctx context.Context, client kubernetes.Interface, e Edit, body []byte, ds *appsv1.DaemonSet) EditResult {
	api := client.AppsV1().DaemonSets(e.Namespace)
	ds.Namespace = e.Namespace
	opts := metav1.UpdateOptions{FieldValidation: "Strict"}
	dry := opts
	dry.DryRun = []string{metav1.DryRunAll}
	_, err := api.Update(ctx, ds, dry)
	if err == nil {
		_, err = api.Update(ctx, ds, opts)
	}
	if err == nil {
		return EditResult{Done: true, Message: "updated DaemonSet " + e.Namespace + "/" + e.Name}
	}
	if !apierrors.IsConflict(err) {
		return refused(e, body, err)
	}
	return mergeOnLatest(ctx, client, e, body, ds)
}

// mergeOnLatest handles an edit conflict: someone changed the object
// since the editor opened. The user's change (original → saved) is sent
// as a patch onto the latest version when it does not touch what the
// other writer changed; otherwise the editor reopens on the latest
// version and the user's text is kept in a file.
func mergeOnLatest(ctx context.Context, client kubernetes.Interface, e Edit, body []byte, mine *appsv1.DaemonSet) EditResult {
	api := client.AppsV1().DaemonSets(e.Namespace)
	latest, err := api.Get(ctx, e.Name, metav1.GetOptions{})
	if err != nil {
		return refused(e, body, err)
	}
	mine.ResourceVersion = ""
	minePatch, theirsPatch, err := patchesSince(e.original, mine, latest)
	if err == nil {
		var conflict bool
		conflict, err = conflicting(minePatch, theirsPatch)
		if err == nil && !conflict {
			raw, _ := json.Marshal(minePatch)
			_, err = api.Patch(ctx, e.Name, types.StrategicMergePatchType, raw, metav1.PatchOptions{FieldValidation: "Strict"})
			if err == nil {
				return EditResult{Done: true, Message: "updated DaemonSet " + e.Namespace + "/" + e.Name + " (it changed meanwhile; your change was merged onto the newer version)"}
			}
			return refused(e, body, err)
		}
	}
	path, kerr := keep(body)
	note := "The DaemonSet changed on the server while you edited it, and your change touches the same fields."
	if err != nil {
		note = "The DaemonSet changed on the server while you edited it: " + err.Error()
	}
	note += "\nThis is the newer version; make your change again."
	if kerr == nil {
		note += "\nYour version is kept in " + path
	}
	next, eerr := editOf(latest, note)
	if eerr != nil {
		return EditResult{Cancelled: true, SavedTo: path, Message: eerr.Error()}
	}
	next.failed = true
	return EditResult{Reopen: true, Next: next, SavedTo: path, Message: "conflict: the DaemonSet changed meanwhile; reopened on the newer version"}
}

// patchesSince returns the user's change and the server's change, both
// relative to the version the user started from.
func patchesSince(original []byte, mine, latest *appsv1.DaemonSet) (map[string]any, map[string]any, error) {
	mineJSON, err := json.Marshal(mine)
	if err != nil {
		return nil, nil, err
	}
	l := latest.DeepCopy()
	l.ManagedFields, l.Status = nil, appsv1.DaemonSetStatus{}
	l.APIVersion, l.Kind = "apps/v1", "DaemonSet"
	latestJSON, err := json.Marshal(l)
	if err != nil {
		return nil, nil, err
	}
	var origMap, mineMap, latestMap map[string]any
	for _, x := range []struct {
		b   []byte
		dst *map[string]any
	}{{original, &origMap}, {mineJSON, &mineMap}, {latestJSON, &latestMap}} {
		if err := json.Unmarshal(x.b, x.dst); err != nil {
			return nil, nil, err
		}
	}
	// Server-maintained fields are not part of anybody's change.
	for _, m := range []map[string]any{origMap, mineMap, latestMap} {
		if md, ok := m["metadata"].(map[string]any); ok {
			for _, k := range []string{"resourceVersion", "generation", "uid", "creationTimestamp"} {
				delete(md, k)
			}
		}
	}
	a, err := strategicpatch.CreateTwoWayMergeMapPatch(origMap, mineMap, appsv1.DaemonSet{})
	if err != nil {
		return nil, nil, err
	}
	b, err := strategicpatch.CreateTwoWayMergeMapPatch(origMap, latestMap, appsv1.DaemonSet{})
	if err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

func conflicting(a, b map[string]any) (bool, error) {
	meta, err := strategicpatch.NewPatchMetaFromStruct(appsv1.DaemonSet{})
	if err != nil {
		return false, err
	}
	return strategicpatch.MergingMapsHaveConflicts(a, b, meta)
}

// keep writes text where the user can find it again, readable by the
// user only: it may hold secrets pasted into an env var.
func keep(text []byte) (string, error) {
	f, err := os.CreateTemp("", "dsx-edit-*.yaml")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Write(text); err != nil {
		return "", err
	}
	return f.Name(), f.Close()
}
