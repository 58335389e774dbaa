package kube

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"sigs.k8s.io/yaml"
)

// Cluster text (names, images, reasons, messages, annotations, logs,
// describe and YAML output, server errors) is untrusted: whoever can set
// a pod's status message or write to its log could otherwise drive the
// operator's terminal (set its title, write its clipboard with OSC 52,
// hide lines with an unterminated SGR conceal, draw images, plant a
// hyperlink, reorder text with bidi overrides). Sanitize and SanitizeLine
// are the one place that text is made safe to draw, at the point it
// enters dsx's display data; kubectl fixed the same class in
// CVE-2021-25743.

// Sanitize keeps newlines and tabs and shows every other control
// character visibly: C0 and DEL in caret notation (ESC is ^[), C1 as
// \x9b, bidi controls and zero-width characters as \u202e, bytes that
// are not UTF-8 as \xff. Text without any of them is returned as it is.
func Sanitize(s string) string { return sanitize(s, false) }

// SanitizeLine is Sanitize for text drawn on one line (a table cell, the
// status bar): newlines, carriage returns and tabs are shown or spaced
// too.
func SanitizeLine(s string) string { return sanitize(s, true) }

func sanitize(s string, line bool) string {
	if clean(s, line) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t' && line:
			b.WriteByte(' ')
		case r == '\n' && !line, r == '\t':
			b.WriteRune(r)
		case r < 0x20:
			b.WriteByte('^')
			b.WriteByte(byte(r) + '@')
		case r == 0x7f:
			b.WriteString("^?")
		case r >= 0x80 && r <= 0x9f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case invisible(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// clean is the fast path: most cluster text is plain ASCII.
func clean(s string, line bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return cleanUTF8(s[i:])
		}
		if c == 0x7f || (c < 0x20 && (c != '\t' || line) && (c != '\n' || line)) {
			return false
		}
	}
	return true
}

func cleanUTF8(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		// Tabs and newlines after non-ASCII text take the slow path too,
		// which keeps them where they belong.
		if (r == utf8.RuneError && size <= 1) || r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || invisible(r) {
			return false
		}
		i += size
	}
	return true
}

// invisible reports the characters that change how text around them is
// shown without being seen: bidi embeddings, overrides, isolates and
// marks, zero-width spaces and joiners, the word joiner and the BOM.
func invisible(r rune) bool {
	switch {
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	case r >= 0x200b && r <= 0x200d, r == 0x2060, r == 0xfeff, r == 0x180e:
		return true
	}
	return false
}

// sanitizeRows makes a snapshot's list rows safe to draw.
func sanitizeRows(rows []DaemonSetRow) {
	for i := range rows {
		r := &rows[i]
		r.Namespace, r.Name, r.Strategy, r.Blocked = SanitizeLine(r.Namespace), SanitizeLine(r.Name), SanitizeLine(r.Strategy), SanitizeLine(r.Blocked)
		sanitizeLines(r.Images)
	}
}

// sanitizeLines applies SanitizeLine to each string of a slice the
// caller owns.
func sanitizeLines(ss []string) {
	for i, s := range ss {
		ss[i] = SanitizeLine(s)
	}
}

// sanitizeNodeView makes a node view's rows safe to draw.
func sanitizeNodeView(v *NodeView) {
	// Blocked and Budget name nodes and pods, and are built from the rows
	// before they are sanitized.
	v.Blocked, v.Budget, v.BudgetBrief = SanitizeLine(v.Blocked), SanitizeLine(v.Budget), SanitizeLine(v.BudgetBrief)
	if changed, ok := v.ChangedSince(&NodeView{inc: v.inc, serial: v.from}); ok {
		// Patched: the other rows are the previous view's, sanitized and
		// never to be changed again; the redone ones are new, this view's.
		for _, i := range changed {
			sanitizeRow(v.Rows[i])
		}
		return
	}
	for _, r := range v.Rows {
		sanitizeRow(r)
	}
}

func sanitizeRow(r *NodeRow) {
	r.Node, r.Pod, r.Reason, r.RevisionHash = SanitizeLine(r.Node), SanitizeLine(r.Pod), SanitizeLine(r.Reason), SanitizeLine(r.RevisionHash)
	sanitizeLines(r.Containers)
	r.Labels = sanitizeLabels(r.Labels)
}

// sanitizeLabels returns m itself when every key and value is clean (the
// API server's label syntax makes that the rule), else a cleaned copy:
// m is the cache's and is never changed.
func sanitizeLabels(m map[string]string) map[string]string {
	for k, v := range m {
		if !clean(k, true) || !clean(v, true) {
			out := make(map[string]string, len(m))
			for k, v := range m {
				out[SanitizeLine(k)] = SanitizeLine(v)
			}
			return out
		}
	}
	return m
}

// sanitizeHistory makes revisions safe to draw: change causes are free
// text anyone who may annotate can write.
func sanitizeHistory(h []HistoryEntry) {
	for i := range h {
		e := &h[i]
		e.ChangeCause, e.Hash, e.Template = SanitizeLine(e.ChangeCause), SanitizeLine(e.Hash), Sanitize(e.Template)
		sanitizeLines(e.Images)
	}
}

// displayYAML is YAML for reading (history, diffs, the YAML view). The
// YAML library refuses strings with control characters outright; those
// objects are shown with their strings escaped instead of not at all.
func displayYAML(v any) (string, error) {
	if b, err := yaml.Marshal(v); err == nil {
		return string(b), nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	var generic any
	if err := json.Unmarshal(j, &generic); err != nil {
		return "", err
	}
	b, err := yaml.Marshal(escapeStrings(generic))
	return string(b), err
}

func escapeStrings(v any) any {
	switch x := v.(type) {
	case string:
		return Sanitize(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[Sanitize(k)] = escapeStrings(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = escapeStrings(e)
		}
		return out
	}
	return v
}
