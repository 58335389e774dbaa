package kube

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// Every class of terminal control that cluster text could carry comes out
// visible and inert.
func TestSanitize(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"plain", "kube-proxy: running", "kube-proxy: running"},
		{"unicode kept", "héllo ✓ 日本語", "héllo ✓ 日本語"},
		{"CSI colour", "\x1b[31mred\x1b[0m", "^[[31mred^[[0m"},
		{"unterminated conceal", "a\x1b[8mhidden", "a^[[8mhidden"},
		{"OSC 0 title", "\x1b]0;pwned\x07x", "^[]0;pwned^Gx"},
		{"OSC 2 title ST", "\x1b]2;pwned\x1b\\x", "^[]2;pwned^[\\x"},
		{"OSC 52 clipboard", "\x1b]52;c;Y3VybCBldmlsfHNo\x07", "^[]52;c;Y3VybCBldmlsfHNo^G"},
		{"OSC 8 hyperlink", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "^[]8;;https://evil.example^[\\click^[]8;;^[\\"},
		{"DCS sixel", "\x1bPq#0;2;0;0;0#1!6~\x1b\\", "^[Pq#0;2;0;0;0#1!6~^[\\"},
		{"DCS XTGETTCAP", "\x1bP+q544e\x1b\\", "^[P+q544e^[\\"},
		{"APC kitty graphics", "\x1b_Gf=100;AAAA\x1b\\", "^[_Gf=100;AAAA^[\\"},
		{"SOS and PM", "\x1bXsos\x1b\\\x1b^pm\x1b\\", "^[Xsos^[\\^[^pm^[\\"},
		{"8-bit CSI (UTF-8 U+009B)", "\u009b31mred", `\x9b31mred`},
		{"8-bit OSC and ST", "\u009d0;t\u009c", `\x9d0;t\x9c`},
		{"raw C1 byte, not UTF-8", "a\x9bb", `a\x9bb`},
		{"bidi override", "abc\u202edcb", `abc\u202edcb`},
		{"bidi isolate", "\u2066x\u2069", `\u2066x\u2069`},
		{"zero width", "ku\u200bbe\u200d\ufeff", `ku\u200bbe\u200d\ufeff`},
		{"C0 and DEL", "a\x00b\x08c\x7fd\re", "a^@b^Hc^?d^Me"},
		{"tab and newline kept", "a\tb\nc", "a\tb\nc"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Sanitize(c.in)
			if got != c.want {
				t.Fatalf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
			}
			for _, r := range got {
				if r == 0x1b || (r < 0x20 && r != '\t' && r != '\n') || (r >= 0x7f && r <= 0x9f) || invisible(r) {
					t.Fatalf("control %U left in %q", r, got)
				}
			}
			if !utf8.ValidString(got) {
				t.Fatalf("not UTF-8: %q", got)
			}
			if b, err := json.Marshal(got); err != nil || !json.Valid(b) {
				t.Fatalf("JSON of %q: %v", got, err)
			}
		})
	}
}

func TestSanitizeLine(t *testing.T) {
	for in, want := range map[string]string{
		"one\ntwo":      "one^Jtwo",
		"a\tb":          "a b",
		"ok":            "ok",
		"\x1b]0;t\x07z": "^[]0;t^Gz",
		"日本\n語":         "日本^J語",
	} {
		if got := SanitizeLine(in); got != want {
			t.Errorf("SanitizeLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// A node view's summary lines are built from its rows before they are
// sanitized: they are made safe to draw too.
func TestSanitizeNodeViewLines(t *testing.T) {
	v := NodeView{Blocked: "blocked on \x1b[2Jp", Budget: "maxUnavailable 1 · 1 unavailable (n\x1b]0;x\x07 progressing)", BudgetBrief: "maxUnavailable 1 · 1 unavailable (n\x1b]0;x\x07 progressing)"}
	sanitizeNodeView(&v)
	for _, s := range []string{v.Blocked, v.Budget, v.BudgetBrief} {
		if strings.ContainsAny(s, "\x1b\x07") {
			t.Errorf("not sanitized: %q", s)
		}
	}
}

// A line longer than the limit is cut with a marker and the stream goes
// on; 200,000 lines stream through; memory stays bounded by the limit,
// not by the stream.
func TestReadLogLinesBounded(t *testing.T) {
	huge := strings.Repeat("x", 10<<20)
	in := "first\n" + huge + "\n\x1b]52;c;cGF5bG9hZA==\x07after\n"
	var got []string
	if err := ReadLogLines(strings.NewReader(in), MaxLogLine, func(l string) bool { got = append(got, l); return true }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != "first" || got[2] != "^[]52;c;cGF5bG9hZA==^Gafter" {
		t.Fatalf("lines: %d, %q / %q", len(got), got[0], got[len(got)-1])
	}
	if want := fmt.Sprintf(" … [line cut: %d more bytes]", 10<<20-MaxLogLine); !strings.HasSuffix(got[1], want) || len(got[1]) != MaxLogLine+len(want) {
		t.Fatalf("cut line ends %q (len %d)", got[1][len(got[1])-60:], len(got[1]))
	}

	pr, pw := io.Pipe()
	go func() {
		line := strings.Repeat("y", 200) + "\n"
		for range 200_000 {
			if _, err := io.WriteString(pw, line); err != nil {
				return
			}
		}
		pw.Close()
	}()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := 0
	if err := ReadLogLines(pr, MaxLogLine, func(string) bool { n++; return true }); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if n != 200_000 {
		t.Fatalf("%d lines, want 200000", n)
	}
	t.Logf("200,000 lines: heap in use %d KiB before, %d KiB after", before.HeapInuse>>10, after.HeapInuse>>10)
}
