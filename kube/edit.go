package kube

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
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
	// Bound is the cluster (and, for an edit, the object) the edit was
	// opened on; it is sent there or nowhere.
	Bound Bound
	// Text is what the editor opens on: dsx's header (the cluster, the
	// last errors, if any) and the YAML.
	Text []byte
	// head is dsx's header exactly as it starts Text: only it is removed
	// from what the user saves.
	head []byte
	// original is the object the user started from, as JSON (edit:
	// without status and managedFields; create: the template): the
	// user's change is the difference from it.
	original []byte
	// uid and resourceVersion are the object's when it was fetched: the
	// change is sent with both as preconditions.
	uid             types.UID
	resourceVersion string
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

const editHelp = `# This header is dsx's and is ignored. Below it, YAML comments are
# comments and a '#' line inside a block scalar (| or >) is content.
# Only what you change is sent, as a patch, to the cluster named above.
# An empty file or saving without changes cancels. If the server refuses
# the change, this file reopens with the reasons here at the top.
`

// clusterBanner names the cluster in a way that cannot be missed in the
// editor: the edit goes there or nowhere.
func clusterBanner(b Bound) string {
	line := "# " + strings.Repeat("=", 70) + "\n"
	return line + "#   CLUSTER: context " + orNone(b.Context) + "\n#   SERVER:  " + orNone(b.Server) + "\n" + line
}

func (e *Edit) setText(note string, body []byte) {
	var h strings.Builder
	h.WriteString(note)
	h.WriteString(clusterBanner(e.Bound))
	if e.Create {
		h.WriteString("# Create a DaemonSet in namespace " + e.Namespace + ".\n")
	} else {
		h.WriteString("# Edit DaemonSet " + e.Namespace + "/" + e.Name + " (uid " + string(e.uid) + ").\n")
	}
	h.WriteString(editHelp + "#\n")
	e.head = []byte(h.String())
	e.Text = append(append([]byte{}, e.head...), body...)
}

// NewCreate starts a create from a template that validates as it is,
// with the usual knobs as comments, on b's cluster.
func NewCreate(b Bound) Edit {
	if b.Namespace == "" {
		b.Namespace = "default"
	}
	body := fmt.Sprintf(createTemplate, b.Namespace)
	e := Edit{Create: true, Namespace: b.Namespace, Bound: b}
	e.original, _ = yaml.YAMLToJSON([]byte(body))
	e.setText("", []byte(body))
	return e
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

// getJSON fetches a DaemonSet as the server's JSON, not through the
// client's types: fields this client does not know survive the edit.
func getJSON(ctx context.Context, client kubernetes.Interface, namespace, name string) (map[string]any, error) {
	raw, err := client.AppsV1().RESTClient().Get().Namespace(namespace).Resource("daemonsets").Name(name).
		SetHeader("Accept", "application/json").DoRaw(ctx)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("the server's DaemonSet is not JSON: %w", err)
	}
	return obj, nil
}

// BeginEdit fetches the live DaemonSet b names and shows it as kubectl
// edit does, without managedFields and status, which the user cannot
// change.
func BeginEdit(ctx context.Context, client kubernetes.Interface, b Bound) (Edit, error) {
	obj, err := getJSON(ctx, client, b.Namespace, b.Name)
	if err != nil {
		return Edit{}, err
	}
	return editOf(b, obj, "")
}

func editOf(b Bound, obj map[string]any, note string) (Edit, error) {
	obj = trimForEdit(obj)
	md, _ := obj["metadata"].(map[string]any)
	uid, _ := md["uid"].(string)
	rv, _ := md["resourceVersion"].(string)
	if b.UID != "" && types.UID(uid) != b.UID {
		return Edit{}, &ReplacedError{Chosen: b, Now: types.UID(uid)}
	}
	orig, err := json.Marshal(obj)
	if err != nil {
		return Edit{}, err
	}
	body, err := yaml.JSONToYAML(orig)
	if err != nil {
		// The YAML library refuses control characters in strings; JSON
		// (which is YAML) escapes them, so such an object is edited as
		// JSON rather than not at all.
		var indented bytes.Buffer
		if jerr := json.Indent(&indented, orig, "", "  "); jerr != nil {
			return Edit{}, err
		}
		body = append(jsonEscapeControls(indented.Bytes()), '\n')
	}
	e := Edit{Namespace: b.Namespace, Name: b.Name, Bound: b, original: orig, uid: types.UID(uid), resourceVersion: rv}
	if note != "" {
		note = commentLines(note) + "#\n"
	}
	e.setText(note, body)
	return e, nil
}

// jsonEscapeControls writes DEL and C1 characters, which encoding/json
// leaves raw and the YAML parser refuses, as JSON escapes. They can only
// occur inside strings.
func jsonEscapeControls(b []byte) []byte {
	var out bytes.Buffer
	for _, r := range string(b) {
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0xfffe || r == 0xffff {
			fmt.Fprintf(&out, `\u%04x`, r)
			continue
		}
		out.WriteRune(r)
	}
	return out.Bytes()
}

// trimForEdit drops what the user does not edit: status is the
// controller's and managedFields the server's bookkeeping.
func trimForEdit(obj map[string]any) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		if k != "status" {
			out[k] = v
		}
	}
	if md, ok := obj["metadata"].(map[string]any); ok {
		m := make(map[string]any, len(md))
		for k, v := range md {
			if k != "managedFields" {
				m[k] = v
			}
		}
		out["metadata"] = m
	}
	return out
}

func commentLines(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("# " + l + "\n")
	}
	return b.String()
}

// userText is what the user saved without dsx's header, recognised
// exactly: every other line, '#' or not, is the user's YAML.
func (e Edit) userText(saved []byte) []byte {
	if len(e.head) > 0 && bytes.HasPrefix(saved, e.head) {
		return saved[len(e.head):]
	}
	return saved
}

// parseObject reads the user's YAML as YAML: comments are comments, block
// scalars keep every line. Duplicate keys are an error, not a silent
// choice of one.
func parseObject(body []byte) (map[string]any, error) {
	j, err := yaml.YAMLToJSONStrict(body)
	if err != nil {
		return nil, fmt.Errorf("invalid YAML: %w", err)
	}
	if bytes.Equal(bytes.TrimSpace(j), []byte("null")) {
		return nil, nil
	}
	var obj map[string]any
	if err := json.Unmarshal(j, &obj); err != nil {
		return nil, fmt.Errorf("invalid YAML: the file must hold one DaemonSet, a mapping (%w)", err)
	}
	if obj["apiVersion"] != "apps/v1" || obj["kind"] != "DaemonSet" {
		return nil, fmt.Errorf("apiVersion must be apps/v1 and kind DaemonSet (got %q, %q)", obj["apiVersion"], obj["kind"])
	}
	return obj, nil
}

func metaString(obj map[string]any, key string) string {
	md, _ := obj["metadata"].(map[string]any)
	s, _ := md[key].(string)
	return s
}

// Submit sends what the user saved. Refusals of any kind (YAML syntax,
// schema, admission, a changed name) reopen the editor with the reasons
// on top; saving unchanged or empty cancels. The user's text is never
// lost: when dsx gives up on it, it is written to a file (0600).
func Submit(ctx context.Context, client kubernetes.Interface, e Edit, saved []byte) EditResult {
	body := e.userText(saved)
	if e.failed && bytes.Equal(body, e.userText(e.Text)) {
		return giveUp(saved)
	}
	obj, err := parseObject(body)
	if err == nil && obj == nil {
		return EditResult{Cancelled: true, Message: "empty file: nothing changed"}
	}
	if err == nil && !e.Create && (metaString(obj, "name") != e.Name || (metaString(obj, "namespace") != "" && metaString(obj, "namespace") != e.Namespace)) {
		err = fmt.Errorf("the name and namespace cannot change in an edit (was %s/%s); create a new DaemonSet instead", e.Namespace, e.Name)
	}
	if err != nil {
		return reopen(e, body, err)
	}
	var orig map[string]any
	if err := json.Unmarshal(e.original, &orig); err == nil && len(mergePatch(withoutServerFields(orig), withoutServerFields(obj))) == 0 {
		if !e.failed {
			return EditResult{Cancelled: true, Message: "no changes: nothing changed"}
		}
		return giveUp(saved)
	}
	if e.Create {
		return submitCreate(ctx, client, e, body, obj)
	}
	return submitUpdate(ctx, client, e, body, orig, obj)
}

// giveUp ends an edit the user saved again unchanged after a refusal, as
// kubectl edit does, keeping the text.
func giveUp(saved []byte) EditResult {
	path, err := keep(saved)
	if err != nil {
		return EditResult{Cancelled: true, Message: "saved again without changes; could not keep a copy: " + err.Error()}
	}
	return EditResult{Cancelled: true, SavedTo: path, Message: "saved again without changes: nothing changed; your text is in " + path}
}

func reopen(e Edit, body []byte, err error) EditResult {
	what := "create"
	if !e.Create {
		what = "edit"
	}
	note := fmt.Sprintf("# The %s was refused; fix the file and save again, or save it unchanged to give up.\n#\n", what)
	note += commentLines(err.Error()) + "#\n"
	if len(body) > 0 && body[len(body)-1] != '\n' {
		body = append(append([]byte{}, body...), '\n')
	}
	e.setText(note, body)
	e.failed = true
	return EditResult{Reopen: true, Next: e, Message: firstLineOf(err.Error())}
}

func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func submitCreate(ctx context.Context, client kubernetes.Interface, e Edit, body []byte, obj map[string]any) EditResult {
	ns := metaString(obj, "namespace")
	if ns == "" {
		ns = e.Namespace
		md, _ := obj["metadata"].(map[string]any)
		if md == nil {
			md = map[string]any{}
			obj["metadata"] = md
		}
		md["namespace"] = ns
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return reopen(e, body, err)
	}
	// The user's object as JSON, not through the client's types: a field
	// the types do not know is the server's to accept or refuse (Strict),
	// not dropped here. A dry run first: admission and validation speak
	// before anything exists, so a refused create leaves nothing half made.
	for _, dry := range []bool{true, false} {
		req := client.AppsV1().RESTClient().Post().Namespace(ns).Resource("daemonsets").
			Param("fieldValidation", "Strict").SetHeader("Content-Type", "application/json").
			SetHeader("Accept", "application/json").Body(raw)
		if dry {
			req = req.Param("dryRun", metav1.DryRunAll)
		}
		if _, err := req.DoRaw(ctx); err != nil {
			return refused(e, body, err)
		}
	}
	return EditResult{Done: true, Message: "created DaemonSet " + ns + "/" + metaString(obj, "name")}
}

// refused reopens on errors the user can fix in the file and gives up,
// keeping the text, on those the file cannot fix.
func refused(e Edit, body []byte, err error) EditResult {
	var rep *ReplacedError
	if errors.Is(err, ErrReadOnly) || apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) || errors.As(err, &rep) {
		return kept(body, err)
	}
	if !e.Create && apierrors.IsNotFound(err) {
		return kept(body, &ReplacedError{Chosen: e.Bound})
	}
	return reopen(e, body, err)
}

// kept gives up on the user's text with err, keeping the text in a file.
func kept(text []byte, err error) EditResult {
	path, kerr := keep(text)
	msg := firstLineOf(err.Error())
	if kerr == nil {
		msg += "; your text is in " + path
	}
	return EditResult{Cancelled: true, SavedTo: path, Message: msg}
}

// serverFields are the server's bookkeeping, never part of anybody's
// change.
var serverFields = []string{"resourceVersion", "generation", "uid", "creationTimestamp", "managedFields", "selfLink"}

func withoutServerFields(obj map[string]any) map[string]any {
	obj = trimForEdit(obj)
	if md, ok := obj["metadata"].(map[string]any); ok {
		for _, k := range serverFields {
			delete(md, k)
		}
	}
	return obj
}

// mergePatch is the JSON merge patch (RFC 7386) that turns from into to:
// what changed, and nothing else. Fields neither side touched are not in
// it, so fields this client's types do not know are never cleared.
func mergePatch(from, to map[string]any) map[string]any {
	p := map[string]any{}
	for k, tv := range to {
		fv, ok := from[k]
		fm, fIsMap := fv.(map[string]any)
		tm, tIsMap := tv.(map[string]any)
		switch {
		case ok && fIsMap && tIsMap:
			if sub := mergePatch(fm, tm); len(sub) > 0 {
				p[k] = sub
			}
		case !ok || !reflect.DeepEqual(fv, tv):
			p[k] = tv
		}
	}
	for k := range from {
		if _, ok := to[k]; !ok {
			p[k] = nil
		}
	}
	return p
}

// withPreconditions adds metadata.uid and metadata.resourceVersion to a
// patch: the server applies it only to the object, and the version, the
// user opened.
func withPreconditions(p map[string]any, uid types.UID, rv string) map[string]any {
	md, _ := p["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
	}
	if uid != "" {
		md["uid"] = string(uid)
	}
	if rv != "" {
		md["resourceVersion"] = rv
	}
	p["metadata"] = md
	return p
}

func submitUpdate(ctx context.Context, client kubernetes.Interface, e Edit, body []byte, orig, mine map[string]any) EditResult {
	api := client.AppsV1().DaemonSets(e.Namespace)
	change := mergePatch(withoutServerFields(orig), withoutServerFields(mine))
	raw, err := json.Marshal(withPreconditions(change, e.uid, e.resourceVersion))
	if err != nil {
		return reopen(e, body, err)
	}
	dry := metav1.PatchOptions{FieldValidation: "Strict", DryRun: []string{metav1.DryRunAll}}
	_, err = api.Patch(ctx, e.Name, types.MergePatchType, raw, dry)
	if err == nil {
		_, err = api.Patch(ctx, e.Name, types.MergePatchType, raw, metav1.PatchOptions{FieldValidation: "Strict"})
	}
	if err == nil {
		return EditResult{Done: true, Message: "updated DaemonSet " + e.Namespace + "/" + e.Name}
	}
	if err = explainReplaced(e.Bound, err); !apierrors.IsConflict(err) {
		return refused(e, body, err)
	}
	return mergeOnLatest(ctx, client, e, body, orig, mine)
}

// mergeOnLatest handles an edit conflict: someone changed the object
// since the editor opened. The user's change (original → saved) is sent
// as a patch onto the latest version when it does not touch what the
// other writer changed; otherwise the editor reopens on the latest
// version and the user's text is kept in a file.
func mergeOnLatest(ctx context.Context, client kubernetes.Interface, e Edit, body []byte, orig, mine map[string]any) EditResult {
	var latest map[string]any
	var err error
	// The controller writes status all the time: a version that moved
	// between the Get and the Patch is fetched again, a few times.
	overlap := false
	for range 5 {
		if latest, err = getJSON(ctx, client, e.Namespace, e.Name); err != nil {
			return refused(e, body, err)
		}
		if uid := types.UID(metaString(latest, "uid")); uid != e.uid {
			return kept(body, &ReplacedError{Chosen: e.Bound, Now: uid})
		}
		overlap, err = mergeConflicts(orig, mine, latest)
		if err != nil || overlap {
			break
		}
		minePatch, perr := strategicpatch.CreateTwoWayMergeMapPatch(withoutServerFields(orig), withoutServerFields(mine), appsv1.DaemonSet{})
		if perr != nil {
			err = perr
			break
		}
		raw, _ := json.Marshal(withPreconditions(minePatch, e.uid, metaString(latest, "resourceVersion")))
		_, err = client.AppsV1().DaemonSets(e.Namespace).Patch(ctx, e.Name, types.StrategicMergePatchType, raw, metav1.PatchOptions{FieldValidation: "Strict"})
		if err == nil {
			return EditResult{Done: true, Message: "updated DaemonSet " + e.Namespace + "/" + e.Name + " (it changed meanwhile; your change was merged onto the newer version)"}
		}
		if !apierrors.IsConflict(err) {
			return refused(e, body, explainReplaced(e.Bound, err))
		}
		err = nil
	}
	path, kerr := keep(body)
	note := "The DaemonSet changed on the server while you edited it, and your change touches the same fields."
	if !overlap {
		note = "The DaemonSet kept changing on the server (its status, as pods come and go) while dsx merged your change."
	}
	if err != nil {
		note = "The DaemonSet changed on the server while you edited it: " + err.Error()
	}
	note += "\nThis is the newer version; make your change again."
	if kerr == nil {
		note += "\nYour version is kept in " + path
	}
	next, eerr := editOf(e.Bound, latest, note)
	if eerr != nil {
		return EditResult{Cancelled: true, SavedTo: path, Message: eerr.Error()}
	}
	next.failed = true
	return EditResult{Reopen: true, Next: next, SavedTo: path, Message: "conflict: the DaemonSet changed meanwhile; reopened on the newer version"}
}

// mergeConflicts reports whether the user's change (orig → mine) and the
// server's (orig → latest) touch the same fields.
func mergeConflicts(orig, mine, latest map[string]any) (bool, error) {
	a, err := strategicpatch.CreateTwoWayMergeMapPatch(withoutServerFields(orig), withoutServerFields(mine), appsv1.DaemonSet{})
	if err != nil {
		return false, err
	}
	b, err := strategicpatch.CreateTwoWayMergeMapPatch(withoutServerFields(orig), withoutServerFields(latest), appsv1.DaemonSet{})
	if err != nil {
		return false, err
	}
	return conflicting(a, b)
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
