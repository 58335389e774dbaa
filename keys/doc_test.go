package keys

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/keys.md")

// docs/keys.md is the keymap, generated: it cannot drift from the code.
func TestKeysDoc(t *testing.T) {
	want := Default().Markdown()
	const path = "../docs/keys.md"
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("docs/keys.md is out of date: run go test ./keys -update")
	}
}

// No key is bound to two actions in the main views; the "In …" groups
// are modes of their own (pager, logs, dialogs) where keys mean other
// things.
func TestNoDuplicateKeys(t *testing.T) {
	seen := map[string]string{}
	for _, g := range Default().Groups() {
		if strings.HasPrefix(g.Title, "In ") {
			continue
		}
		for _, b := range g.Bindings {
			for _, k := range b.Keys() {
				if prev, ok := seen[k]; ok && prev != b.Help().Desc {
					t.Errorf("key %q bound to %q and %q", k, prev, b.Help().Desc)
				}
				seen[k] = b.Help().Desc
			}
		}
	}
}
