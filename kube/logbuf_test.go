package kube

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/klog/v2"
)

// klog's messages land in the buffer, not on stderr; the buffer keeps
// the newest lines only, each bounded and safe to draw.
func TestLogBufferCapturesKlog(t *testing.T) {
	var b LogBuffer
	restore := CaptureLogs(&b)
	klog.Warningf("watch ended with error: \x1b]0;t\x07%s", "x")
	klog.Flush()
	restore()
	l := b.Lines()
	if len(l) != 1 || !strings.Contains(l[0], "watch ended with error: ^[]0;t^Gx") {
		t.Fatalf("captured %q", l)
	}
	for i := range 1200 {
		fmt.Fprintf(&b, "line %d %s\n", i, strings.Repeat("y", 3000))
	}
	l = b.Lines()
	if len(l) != maxLogBufferLines || b.Count() != 1201 || !strings.HasPrefix(l[len(l)-1], "line 1199 ") || len(l[0]) > maxLogBufferLine {
		t.Fatalf("%d lines kept of %d; last %.20q", len(l), b.Count(), l[len(l)-1])
	}
}
