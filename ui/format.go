package ui

import (
	"time"

	"k8s.io/apimachinery/pkg/util/duration"
)

// age formats like kubectl's AGE column.
func age(now, t time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	d := now.Sub(t)
	if d < 0 {
		d = 0
	}
	return duration.HumanDuration(d)
}
