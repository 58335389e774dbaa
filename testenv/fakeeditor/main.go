// Command fakeeditor plays the user's $EDITOR in end-to-end tests. Each
// run n (1, 2, …) records what it was given in $DSX_FAKE_EDITOR_DIR
// (seen-n.yaml, mode-n, path-n), waits for release-n when hold-n exists
// (so a test can change the object while "the user edits"), then applies
// the replacements in step-n.json ([{"old": …, "new": …}]) to the file.
// Without a step file it saves the file unchanged.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

type replacement struct{ Old, New string }

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fakeeditor:", err)
		os.Exit(1)
	}
}

func run() error {
	dir := os.Getenv("DSX_FAKE_EDITOR_DIR")
	if dir == "" || len(os.Args) != 2 {
		return fmt.Errorf("usage: DSX_FAKE_EDITOR_DIR=dir fakeeditor FILE")
	}
	path := os.Args[1]
	n := 1
	for ; ; n++ {
		if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("seen-%d.yaml", n))); os.IsNotExist(err) {
			break
		}
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	write := func(name, s string) error {
		return os.WriteFile(filepath.Join(dir, fmt.Sprintf(name, n)), []byte(s), 0o600)
	}
	if err := write("mode-%d", fmt.Sprintf("%o", fi.Mode().Perm())); err != nil {
		return err
	}
	if err := write("path-%d", path); err != nil {
		return err
	}
	// seen-n last: tests wait for it, and then the others are there.
	if err := write("seen-%d.yaml", string(text)); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("hold-%d", n))); err == nil {
		deadline := time.Now().Add(2 * time.Minute)
		for {
			if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("release-%d", n))); err == nil {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("release-%d never came", n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("step-%d.json", n)))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var steps []replacement
	if err := json.Unmarshal(b, &steps); err != nil {
		return err
	}
	s := string(text)
	for _, r := range steps {
		if !strings.Contains(s, r.Old) {
			return fmt.Errorf("step %d: %q not in the file", n, r.Old)
		}
		s = strings.Replace(s, r.Old, r.New, 1)
	}
	return os.WriteFile(path, []byte(s), fi.Mode().Perm())
}
