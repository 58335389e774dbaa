package ui

import (
	"os"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// asciiGlyph stands in for one of dsx's own symbols, one cell for one
// cell so that tables stay aligned. Meaning never rests on the glyph
// alone: every state also has its word.
func asciiGlyph(r rune) (string, bool) {
	switch r {
	case '·', '─', '⌫':
		return "-", true
	case '…', '↻':
		return "~", true
	case '✗', '×':
		return "x", true
	case '✓', '┌', '┐', '└', '┘':
		return "+", true
	case '█', '◆':
		return "#", true
	case '░':
		return ".", true
	case '▒':
		return ":", true
	case '▓':
		return "=", true
	case '●':
		return "*", true
	case '∅':
		return "o", true
	case '│', '┤':
		return "|", true
	case '→', '▶':
		return ">", true
	case '←', '◀':
		return "<", true
	case '↑':
		return "^", true
	case '↓':
		return "v", true
	case '“', '”':
		return "\"", true
	case '⚠':
		return "!", true
	}
	return "", false
}

// toASCII rewrites a rendered frame so that no byte outside ASCII
// reaches the terminal: dsx's glyphs by asciiGlyph, anything else (text
// from the cluster) as one '?' per cell it would have taken.
func toASCII(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		if g, ok := asciiGlyph(r); ok {
			b.WriteString(g)
			continue
		}
		b.WriteString(strings.Repeat("?", max(ansi.StringWidth(string(r)), 1)))
	}
	return b.String()
}

// LocaleIsUTF8 reads the locale as the C library would (LC_ALL, then
// LC_CTYPE, then LANG): an unset locale is "C", which is not UTF-8.
func LocaleIsUTF8(getenv func(string) string) bool {
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, k := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := getenv(k); v != "" {
			v = strings.ToLower(v)
			return strings.Contains(v, "utf-8") || strings.Contains(v, "utf8")
		}
	}
	return false
}
