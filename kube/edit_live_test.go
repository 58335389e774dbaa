//go:build live

package kube

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dsx-tui/dsx/testenv"
)

const (
	script      = "#!/bin/sh\n# keep going on errors\nset -e\n  # indented comment\necho start\n"
	cloudConfig = "#cloud-config\npackages:\n  - curl\n# a comment inside the payload\nruncmd:\n  - [ sh, -c, \"echo '# not a comment'\" ]\n"
	twoLines    = "line one\n# line two…\n"
)

// editCorpus is DaemonSets whose text is easy to corrupt: scripts and
// payloads with '#' lines in block scalars, unicode, long strings.
func editCorpus(ns string) []*appsv1.DaemonSet {
	long := strings.Repeat("0123456789abcdef", 700)
	mk := func(name string, change func(*appsv1.DaemonSet)) *appsv1.DaemonSet {
		ds := testenv.DaemonSet(ns, name, "agent:1")
		change(ds)
		return ds
	}
	return []*appsv1.DaemonSet{
		mk("shebang", func(ds *appsv1.DaemonSet) {
			c := &ds.Spec.Template.Spec.Containers[0]
			c.Command = []string{"/bin/sh", "-c", script}
		}),
		mk("cloud-config", func(ds *appsv1.DaemonSet) {
			ds.Annotations = map[string]string{"example.com/user-data": cloudConfig, "example.com/note": twoLines}
			ds.Spec.Template.Annotations = map[string]string{"example.com/hash-line": "# only a hash line"}
		}),
		mk("unicode-long", func(ds *appsv1.DaemonSet) {
			c := &ds.Spec.Template.Spec.Containers[0]
			c.Env = []corev1.EnvVar{{Name: "GREETING", Value: "héllo wörld ✓ 日本語 🚀"}, {Name: "LONG", Value: long}, {Name: "HASHES", Value: "#\n##\n# #\n"}}
			ds.Annotations = map[string]string{"example.com/trailing-space": "ends with space \nand tab\t\n"}
		}),
	}
}

// comparable is the stored object without what the server maintains.
func comparable(t *testing.T, ds *appsv1.DaemonSet) map[string]any {
	t.Helper()
	d := ds.DeepCopy()
	d.ResourceVersion, d.Generation, d.ManagedFields, d.Status = "", 0, nil, appsv1.DaemonSetStatus{}
	// The server's count of template changes, not the user's.
	delete(d.Annotations, appsv1.DeprecatedTemplateGeneration)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// Through the edit flow (BeginEdit, one field changed in the text, a
// comment of the user's added, Submit) the stored object differs from
// before in that field only: block-scalar lines starting with '#' are
// content, the user's comments are comments.
func TestEditCorpusChangesOnlyTheFieldLive(t *testing.T) {
	const ns = "edit-corpus"
	plane.Namespace(t, ns)
	ctx := context.Background()
	c := plane.Client
	for _, ds := range editCorpus(ns) {
		t.Run(ds.Name, func(t *testing.T) {
			created, err := c.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			before := getDS(t, ns, ds.Name)
			e, err := BeginEdit(ctx, c, Bound{ObjectRef: ObjectRef{Kind: KindDaemonSet, Namespace: ns, Name: ds.Name, UID: created.UID}})
			if err != nil {
				t.Fatal(err)
			}
			text := replaceIn(t, e.Text, "image: agent:1", "image: agent:2  # the user's own comment")
			text = replaceIn(t, text, "\nspec:\n", "\n# a comment line of the user's\nspec:\n")
			r := Submit(ctx, c, e, text)
			if !r.Done {
				t.Fatalf("submit: %+v\n%s", r, r.Next.Text)
			}
			after := getDS(t, ns, ds.Name)
			if got := after.Spec.Template.Spec.Containers[0].Image; got != "agent:2" {
				t.Fatalf("image %q, want agent:2", got)
			}
			want := comparable(t, before)
			after.Spec.Template.Spec.Containers[0].Image = "agent:1"
			got := comparable(t, after)
			if !reflect.DeepEqual(got, want) {
				gb, _ := json.MarshalIndent(got, "", " ")
				wb, _ := json.MarshalIndent(want, "", " ")
				t.Fatalf("the edit changed more than the image:\ngot  %s\nwant %s", gb, wb)
			}
		})
	}
}

// Create: the user's comments are comments, a block scalar's '#' lines
// are content.
func TestCreateKeepsBlockContentLive(t *testing.T) {
	const ns = "edit-corpus-create"
	plane.Namespace(t, ns)
	ctx := context.Background()
	e := NewCreate(Bound{ObjectRef: ObjectRef{Namespace: ns}})
	text := replaceIn(t, e.Text, "name: my-agent\n", "name: scripted\n  # a comment of the user's\n  annotations:\n    example.com/note: |\n      line one\n      # line two…\n")
	text = replaceIn(t, text, "        image: registry.k8s.io/pause:3.10\n",
		"        image: registry.k8s.io/pause:3.10\n        # the script below keeps its comments\n        command:\n        - /bin/sh\n        - -c\n        - |\n          #!/bin/sh\n          # keep going on errors\n          set -e\n            # indented comment\n          echo start\n")
	r := Submit(ctx, plane.Client, e, text)
	if !r.Done {
		t.Fatalf("create: %+v\n%s", r, r.Next.Text)
	}
	ds := getDS(t, ns, "scripted")
	if got := ds.Annotations["example.com/note"]; got != twoLines {
		t.Fatalf("annotation %q, want %q", got, twoLines)
	}
	if got := ds.Spec.Template.Spec.Containers[0].Command; len(got) != 3 || got[2] != script {
		t.Fatalf("command %q, want the script %q", got, script)
	}
	for k := range ds.Annotations {
		if strings.Contains(k, "comment") {
			t.Fatalf("a comment became content: %v", ds.Annotations)
		}
	}
}

// A template with C1 and DEL characters: history, the YAML view and undo
// work, and what they show is escaped.
func TestOddBytesInTemplateLive(t *testing.T) {
	const ns = "odd-bytes"
	plane.Namespace(t, ns)
	ctx := context.Background()
	c := plane.Client
	ds := testenv.DaemonSet(ns, "odd", "agent:1")
	ds.Spec.Template.Annotations = map[string]string{"example.com/odd": "c1\u009b[31m del\x7f nel\u0085 esc\x1b]0;t\x07"}
	ds.Annotations = map[string]string{"kubernetes.io/change-cause": "cause\u009b\x1b[8m"}
	created, err := c.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The controller makes a revision when it syncs: the first template
	// has one only if the update comes after that.
	testenv.WaitT(t, time.Minute, "the first revision", func(context.Context) (bool, error) {
		return revisionCount(t, ns, created) == 1, nil
	})
	updateDS(t, ns, "odd", func(d *appsv1.DaemonSet) { d.Spec.Template.Spec.Containers[0].Image = "agent:2" })
	testenv.WaitT(t, time.Minute, "two revisions", func(context.Context) (bool, error) {
		return revisionCount(t, ns, getDS(t, ns, "odd")) == 2, nil
	})
	h, err := History(ctx, c, ns, "odd")
	if err != nil || len(h) != 2 {
		t.Fatalf("history: %v (%d entries)", err, len(h))
	}
	sanitizeHistory(h)
	all := ""
	for _, e := range h {
		all += e.Template + e.ChangeCause + Diff(h[0], h[1])
	}
	if strings.ContainsAny(all, "\u009b\x7f\x1b\u0085") || !strings.Contains(all, `\x9b[31m`) {
		t.Fatalf("history shows raw controls:\n%q", all)
	}
	y, err := Inspector{Config: plane.Config, Client: c}.YAML(ctx, ObjectRef{Kind: KindDaemonSet, Namespace: ns, Name: "odd"})
	if err != nil {
		t.Fatal(err)
	}
	if s := Sanitize(y); strings.ContainsAny(s, "\u009b\x7f\x1b") || !strings.Contains(s, "example.com/odd") {
		t.Fatalf("YAML view:\n%q", s)
	}
	msg, err := Undo(ctx, c, ObjectRef{Kind: KindDaemonSet, Namespace: ns, Name: "odd", UID: created.UID}, 0)
	if err != nil || msg != "rolled back" {
		t.Fatalf("undo: %q %v", msg, err)
	}
	if img := getDS(t, ns, "odd").Spec.Template.Spec.Containers[0].Image; img != "agent:1" {
		t.Fatalf("image after undo: %s", img)
	}
	// Edit: the text escapes the odd characters and saving keeps them.
	e, err := BeginEdit(ctx, c, Bound{ObjectRef: ObjectRef{Kind: KindDaemonSet, Namespace: ns, Name: "odd", UID: created.UID}})
	if err != nil {
		t.Fatal(err)
	}
	if r := Submit(ctx, c, e, replaceIn(t, e.Text, `"image": "agent:1"`, `"image": "agent:3"`)); !r.Done {
		t.Fatalf("edit: %+v", r.Message)
	}
	after := getDS(t, ns, "odd")
	if after.Spec.Template.Spec.Containers[0].Image != "agent:3" || after.Spec.Template.Annotations["example.com/odd"] != ds.Spec.Template.Annotations["example.com/odd"] {
		t.Fatalf("after the edit: %q %q", after.Spec.Template.Spec.Containers[0].Image, after.Spec.Template.Annotations)
	}
}
