package ui

import "strings"

// bar draws done/total as a bar of width cells, e.g. "███████░░░".
func bar(done, total, width int, ascii bool) string {
	if width <= 0 {
		return ""
	}
	full, empty := "█", "░"
	if ascii {
		full, empty = "#", "."
	}
	n := 0
	if total > 0 {
		n = min(done*width/total, width)
		if done > 0 && n == 0 {
			n = 1
		}
	}
	return strings.Repeat(full, n) + strings.Repeat(empty, width-n)
}
