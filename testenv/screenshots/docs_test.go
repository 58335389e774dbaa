package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"

	"github.com/dsx-tui/dsx/keys"
)

// root is the repository, seen from this package's directory.
const root = "../.."

// picRef finds the pictures a Markdown file shows: ![alt](path) and
// <img src="path">.
var picRef = regexp.MustCompile(`(?:!\[[^\]]*\]\(|<img\s[^>]*src=")([^)"\s]+\.(?:png|svg))`)

// Every picture the docs show exists as SVG, PNG and plain text, the SVG
// shows the same text, the PNG notes that text's hash, and its hint bar names the keys and actions keys/
// binds now: a renamed key (or a reworded help) leaves a stale picture,
// and this fails until `make screenshots` is run again.
func TestDocsPictures(t *testing.T) {
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs = append([]string{filepath.Join(root, "README.md")}, docs...)
	pics := map[string][]string{} // picture without extension -> the docs showing it
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range picRef.FindAllStringSubmatch(string(b), -1) {
			p := filepath.Clean(filepath.Join(filepath.Dir(doc), m[1]))
			base := strings.TrimSuffix(p, filepath.Ext(p))
			pics[base] = append(pics[base], filepath.Base(doc))
		}
	}
	// README opens with the node view and each view of the guide has its
	// picture: fewer than that means a reference was lost.
	for _, want := range []string{"list", "nodes", "describe", "history", "diff", "delete", "nodelist", "node", "groups", "rollout", "fleet"} {
		if _, ok := pics[filepath.Join(root, "docs", "img", want)]; !ok {
			t.Errorf("no doc shows docs/img/%s", want)
		}
	}
	m := keys.Default()
	for base, in := range pics {
		name, _ := filepath.Rel(root, base)
		t.Run(filepath.Base(base), func(t *testing.T) {
			if err := checkPicture(base, m); err != nil {
				t.Errorf("%s (shown in %s): %v; run `make screenshots`", name, strings.Join(in, ", "), err)
			}
		})
	}
}

// checkPicture checks one capture's three files against each other and
// its hint bar against the keymap.
func checkPicture(base string, m keys.Map) error {
	txt, err := os.ReadFile(base + ".txt")
	if err != nil {
		return err
	}
	pic, err := os.ReadFile(base + ".png")
	if err != nil {
		return err
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(pic))
	if err != nil {
		return fmt.Errorf("%s.png: %w", filepath.Base(base), err)
	}
	if cfg.Width < 400 || cfg.Height < 100 {
		return fmt.Errorf("%s.png is %dx%d: not a terminal frame", filepath.Base(base), cfg.Width, cfg.Height)
	}
	if got, want := pngText(pic, frameKey), frameHash(string(txt)); got != want {
		return fmt.Errorf("%s.png notes frame %q, %s.txt is %q: not rendered from this text", filepath.Base(base), got, filepath.Base(base), want)
	}
	svg, err := os.Open(base + ".svg")
	if err != nil {
		return err
	}
	defer svg.Close()
	shown, err := svgText(svg)
	if err != nil {
		return fmt.Errorf("%s.svg: %w", filepath.Base(base), err)
	}
	plain := trimLines(string(txt))
	if shown != pictured(plain) {
		return fmt.Errorf("%s.svg does not show the text of %s.txt:\n%s\n---\n%s", filepath.Base(base), filepath.Base(base), shown, plain)
	}
	return checkHints(hintBar(plain), m)
}

// hintBar is a frame's last line: dsx's key hints.
func hintBar(plain string) string {
	lines := strings.Split(plain, "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// checkHints checks every "KEY help" of a hint bar against the keymap.
func checkHints(bar string, m keys.Map) error {
	segs := strings.Split(bar, " · ")
	if len(segs) < 2 {
		return fmt.Errorf("no hint bar in the last line %q", bar)
	}
	var all []key.Binding
	for _, g := range m.Groups() {
		all = append(all, g.Bindings...)
	}
	var errs []error
	for _, s := range segs {
		k, help, _ := strings.Cut(s, " ")
		found := false
		for _, b := range all {
			found = found || (b.Help().Key == k && b.Help().Desc == help)
		}
		if !found {
			errs = append(errs, fmt.Errorf("hint %q: keys/ binds no key %q with help %q", s, k, help))
		}
	}
	return errors.Join(errs...)
}

// svgText is the text an SVG from freeze shows, one line per <text>.
func svgText(r io.Reader) (string, error) {
	d := xml.NewDecoder(r)
	var lines []string
	var cur strings.Builder
	depth := 0 // inside a <text> element when > 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Local == "text" || depth > 0 {
				depth++
			}
		case xml.EndElement:
			if depth > 0 {
				depth--
				if depth == 0 {
					lines = append(lines, cur.String())
					cur.Reset()
				}
			}
		case xml.CharData:
			if depth > 0 {
				cur.Write(e)
			}
		}
	}
	return trimLines(strings.Join(lines, "\n")), nil
}

// trimLines drops trailing blanks of each line and blank lines at the end.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

func TestCheckHints(t *testing.T) {
	renamed := keys.Default()
	renamed.Describe = key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "describe"))
	reworded := keys.Default()
	reworded.Problems = key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "only problems"))
	bar := "esc back / clear · p problems only · d describe · ? help · q quit"
	for _, c := range []struct {
		name string
		m    keys.Map
		bar  string
		bad  string // the hint the error must name; "" for none
	}{
		{"current keymap", keys.Default(), bar, ""},
		{"renamed key", renamed, bar, `"d describe"`},
		{"reworded help", reworded, bar, `"p problems only"`},
		{"a key keys/ does not have", keys.Default(), "z zoom · ? help · q quit", `"z zoom"`},
		{"no hint bar", keys.Default(), " ● connected", "no hint bar"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := checkHints(c.bar, c.m)
			switch {
			case c.bad == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case c.bad != "" && (err == nil || !strings.Contains(err.Error(), c.bad)):
				t.Errorf("error %v, want one naming %s", err, c.bad)
			}
		})
	}
}
