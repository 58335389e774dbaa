//go:build unix

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestDebugDirRefusesSharedDirs(t *testing.T) {
	private := t.TempDir()
	shared := t.TempDir()
	if err := os.Chmod(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(private, "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(private, "link")
	if err := os.Symlink(private, link); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dir  string
		want string // "" for accepted
	}{
		{private, ""},
		{shared, "writable by others"},
		{file, "not a directory"},
		{link, "not a directory"},
		{filepath.Join(private, "missing"), "no such file"},
	} {
		err := checkDebugDir(c.dir)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.dir, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want an error with %q", c.dir, err, c.want)
		}
	}
}

func TestDebugDumpOffWithoutVariable(t *testing.T) {
	stop, err := startDebugDumps(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if _, err := startDebugDumps(func(string) string { return filepath.Join(t.TempDir(), "missing") }); err == nil {
		t.Error("a missing DSX_DEBUG_DIR was accepted")
	}
}

func TestDebugDumpWritesPrivateFiles(t *testing.T) {
	dir := t.TempDir()
	if err := writeDebugDump(dir, 1); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"heap-1.pb.gz", "goroutine-1.txt", "stats-1.json"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 || fi.Size() == 0 {
			t.Errorf("%s: mode %v, %d bytes; want 0600 and content", name, fi.Mode().Perm(), fi.Size())
		}
	}
	var st debugStats
	b, _ := os.ReadFile(filepath.Join(dir, "stats-1.json"))
	if err := json.Unmarshal(b, &st); err != nil || st.Seq != 1 || st.Goroutines < 1 || st.HeapAlloc == 0 {
		t.Errorf("stats %s: %+v, %v", b, st, err)
	}
	if runtime.GOOS == "linux" && st.RSSAnon < st.HeapInuse/2 {
		t.Errorf("scavenged anon RSS %d bytes with %d bytes of heap in use", st.RSSAnon, st.HeapInuse)
	}
	// A second dump with the same number must not overwrite (nor follow
	// a planted link).
	if err := writeDebugDump(dir, 1); err == nil {
		t.Error("dump 1 written twice")
	}
}

func TestStatusKB(t *testing.T) {
	status := "Name:\tdsx\nVmRSS:\t   90000 kB\nRssAnon:\t   20480 kB\nRssFile:\t   69520 kB\nThreads:\t10\n"
	for _, c := range []struct {
		field string
		want  uint64
		ok    bool
	}{
		{"RssAnon:", 20480 << 10, true},
		{"RssFile:", 69520 << 10, true},
		{"Threads:", 0, false}, // a count, not kB
		{"RssShmem:", 0, false},
	} {
		got, ok := statusKB(status, c.field)
		if got != c.want || ok != c.ok {
			t.Errorf("statusKB(%q) = %d, %v; want %d, %v", c.field, got, ok, c.want, c.ok)
		}
	}
}
