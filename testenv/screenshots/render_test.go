package main

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"
)

// What tmux reports is turned into what freeze can draw: reverse video and
// faint become plain colours, every run starts from a reset, lines are
// padded to the terminal's width, and the plain text is kept as dsx drew it.
func TestConvert(t *testing.T) {
	fg, bg := paletteFg.sgr(), paletteBg.sgr()
	captured := "\x1b[1;4mNAME\x1b[0m\n" +
		"\x1b[0;7m\x1b[39m\x1b[49mlog-shipper \x1b[32m↻ rolling\n" +
		"\x1b[0;2m\x1b[39m\x1b[49m q quit\n"
	f := convert(captured, 24, 4)
	if want := "NAME\nlog-shipper ↻ rolling\n q quit\n\n"; f.plain != want {
		t.Errorf("plain text %q, want %q", f.plain, want)
	}
	if !f.isSelected("log-shipper") || f.isSelected("NAME") || len(f.selected) != 1 {
		t.Errorf("selected rows %q, want the reversed one", f.selected)
	}
	lines := strings.Split(f.freeze, "\n")
	for _, c := range []struct {
		line int
		want string
	}{
		// Bold on the default colour is drawn bright white; underline stays.
		{0, "\x1b[0;38;" + basic16[15].sgr() + ";4mNAME"},
		// Reverse: the default colours swapped.
		{1, "\x1b[0;38;" + bg + ";48;" + fg + "mlog-shipper "},
		// Reverse over green: green behind, the background colour in front,
		// and ↻ drawn as the font's stand-in.
		{1, "\x1b[0;38;" + bg + ";48;" + basic16[2].sgr() + "m⎋ rolling"},
		// Faint: the foreground half way to the background.
		{2, "\x1b[0;38;" + paletteFg.mix(paletteBg, 0.45).sgr() + "m q quit"},
		// Padding to 24 columns in the default style.
		{2, "\x1b[0;38;" + fg + "m" + strings.Repeat(" ", 17) + "\x1b[0m"},
		{3, "\x1b[0;38;" + fg + "m" + strings.Repeat(" ", 24) + "\x1b[0m"},
	} {
		if !strings.Contains(lines[c.line], c.want) {
			t.Errorf("line %d is %q, want it to contain %q", c.line, lines[c.line], c.want)
		}
	}
	if n := len(lines); n != 5 || lines[4] != "" {
		t.Errorf("%d lines, want 4 and a final newline: %q", n, f.freeze)
	}
}

// The frame note survives in a PNG that still decodes.
func TestPNGText(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	if got := pngText(buf.Bytes(), frameKey); got != "" {
		t.Errorf("a plain PNG notes %q", got)
	}
	b, err := withText(buf.Bytes(), frameKey, frameHash("frame"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Errorf("the PNG no longer decodes: %v", err)
	}
	if got, want := pngText(b, frameKey), frameHash("frame"); got != want {
		t.Errorf("notes %q, want %q", got, want)
	}
	if _, err := withText([]byte("GIF89a"), frameKey, "x"); err == nil {
		t.Error("a GIF was taken for a PNG")
	}
}
