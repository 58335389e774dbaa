package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func withConfig(t *testing.T, text string) func(string) string {
	t.Helper()
	dir := t.TempDir()
	if text != "" {
		if err := os.MkdirAll(filepath.Join(dir, "dsx"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "dsx", "config.yaml"), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return dir
		}
		return ""
	}
}

// Every field is optional, read and applied; every mistake is named.
func TestConfig(t *testing.T) {
	s, err := loadConfig(withConfig(t, ""))
	if err != nil || s.found || s.refresh != 100*time.Millisecond || s.ASCII != "auto" {
		t.Fatalf("no file: %+v %v", s, err)
	}
	s, err = loadConfig(withConfig(t, "namespace: all\nreadonly: true\nascii: \"true\"\nrefresh: 250ms\nkeys:\n  delete: [ctrl+x]\ntheme:\n  bad: \"#ff5f5f\"\n  warn: \"214\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !s.found || s.Namespace != "all" || !s.ReadOnly || s.ASCII != "true" || s.refresh != 250*time.Millisecond ||
		s.keys.Delete.Keys()[0] != "ctrl+x" || s.Theme.Bad != "#ff5f5f" || s.Theme.Warn != "214" {
		t.Fatalf("loaded: %+v", s)
	}
	var out bytes.Buffer
	if err := printConfig(&out, s); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"(found)", "refresh: 250ms", "- ctrl+x", "bad: '#ff5f5f'", "good: \"2\""} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("dsx config lacks %q:\n%s", want, out.String())
		}
	}
	for text, want := range map[string]string{
		"namespce: x\n":           `unknown field "namespce"`,
		"namespace: Not_OK\n":     "namespace",
		"ascii: maybe\n":          "ascii",
		"refresh: 1ms\n":          "refresh",
		"refresh: soon\n":         "refresh",
		"theme:\n  bad: red\n":    "theme.bad",
		"keys:\n  delete: [q]\n":  `"q" is bound to both`,
		"keys:\n  explode: [x]\n": `unknown action "explode"`,
		"namespace: [1, 2\n":      "config",
	} {
		_, err := loadConfig(withConfig(t, text))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "config.yaml") {
			t.Errorf("%q: %v, want an error naming the file and %q", text, err, want)
		}
	}
}

// stallAfter in the config file sets when a rollout is called stalled;
// --stall-after wins; both are checked.
func TestStallAfter(t *testing.T) {
	s, err := loadConfig(withConfig(t, ""))
	if err != nil || s.stallAfter != 2*time.Minute {
		t.Fatalf("default: %v %v", s.stallAfter, err)
	}
	s, err = loadConfig(withConfig(t, "stallAfter: 5m\n"))
	if err != nil || s.stallAfter != 5*time.Minute {
		t.Fatalf("stallAfter: 5m: %v %v", s.stallAfter, err)
	}
	if d, err := stallAfterOf("", s); err != nil || d != 5*time.Minute {
		t.Errorf("no flag: %v %v, want the file's 5m", d, err)
	}
	if d, err := stallAfterOf("90s", s); err != nil || d != 90*time.Second {
		t.Errorf("--stall-after 90s: %v %v", d, err)
	}
	if _, err := stallAfterOf("1s", s); err == nil || !strings.Contains(err.Error(), "--stall-after") {
		t.Errorf("--stall-after 1s: %v, want an error naming the flag", err)
	}
	for _, bad := range []string{"stallAfter: soon\n", "stallAfter: 1s\n"} {
		if _, err := loadConfig(withConfig(t, bad)); err == nil || !strings.Contains(err.Error(), "stallAfter") {
			t.Errorf("%q: %v, want an error naming stallAfter", bad, err)
		}
	}
	var out bytes.Buffer
	if err := printConfig(&out, s); err != nil || !strings.Contains(out.String(), "stallAfter: 5m0s") {
		t.Errorf("dsx config lacks stallAfter:\n%s", out.String())
	}
	if f := newRootFlags(); f.fs.Lookup("stall-after") == nil || newStatusFlags().fs.Lookup("stall-after") == nil {
		t.Error("no --stall-after flag")
	}
}

// The shell command is a list of arguments; unset, the default; an empty
// one is named as a mistake; dsx config shows the one in effect.
func TestConfigShell(t *testing.T) {
	s, err := loadConfig(withConfig(t, ""))
	if err != nil || strings.Join(s.Shell, " ") != "sh -c command -v bash >/dev/null && exec bash || exec sh" {
		t.Fatalf("default shell: %q %v", s.Shell, err)
	}
	var out bytes.Buffer
	if err := printConfig(&out, s); err != nil || !strings.Contains(out.String(), "shell:\n- sh\n- -c\n- command -v bash") {
		t.Fatalf("dsx config without a file: %v\n%s", err, out.String())
	}
	s, err = loadConfig(withConfig(t, "shell: [/bin/zsh, -l]\n"))
	if err != nil || strings.Join(s.Shell, " ") != "/bin/zsh -l" {
		t.Fatalf("shell from the file: %q %v", s.Shell, err)
	}
	for _, text := range []string{"shell: []\n", "shell: [\"\"]\n", "shell: bash\n"} {
		if _, err := loadConfig(withConfig(t, text)); err == nil || !strings.Contains(err.Error(), "shell") {
			t.Errorf("%q: %v, want an error naming shell", text, err)
		}
	}
}
