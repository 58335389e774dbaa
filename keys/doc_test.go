package keys

import (
	"encoding/json"
	"flag"
	"os"
	"reflect"
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

// No key is bound to two actions in the main views.
func TestNoDuplicateKeys(t *testing.T) {
	if err := Default().Conflicts(); err != nil {
		t.Fatal(err)
	}
}

// Every binding has a config name, and remapping checks what it is given.
func TestRemap(t *testing.T) {
	m := Default()
	if len(m.Names()) != reflect.TypeFor[Map]().NumField() {
		t.Fatalf("%d names: a binding was added without a config name", len(m.Names()))
	}
	if err := m.Remap(map[string][]string{"delete": {"ctrl+x"}, "edit": {"E", "f4"}}); err != nil {
		t.Fatal(err)
	}
	if k := m.Delete.Keys(); len(k) != 1 || k[0] != "ctrl+x" || m.Delete.Help().Key != "ctrl+x" || m.Edit.Help().Key != "E/f4" {
		t.Fatalf("after remap: %v %v", k, m.Edit.Help())
	}
	for in, want := range map[string]string{
		`{"dlete": ["x"]}`:  `unknown action "dlete"`,
		`{"delete": []}`:    "no key given",
		`{"delete": ["q"]}`: `"q" is bound to both`,
	} {
		var byName map[string][]string
		if err := json.Unmarshal([]byte(in), &byName); err != nil {
			t.Fatal(err)
		}
		m := Default()
		if err := m.Remap(byName); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}
