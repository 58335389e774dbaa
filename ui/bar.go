package ui

import "strings"

// bar draws done/total as a bar of width cells, e.g. "███████░░░".
// --ascii rewrites the glyphs with the rest of the frame (toASCII).
func bar(done, total, width int) string {
	if width <= 0 {
		return ""
	}
	full, empty := "█", "░"
	n := 0
	if total > 0 {
		n = min(done*width/total, width)
		if done > 0 && n == 0 {
			n = 1
		}
	}
	return strings.Repeat(full, n) + strings.Repeat(empty, width-n)
}
