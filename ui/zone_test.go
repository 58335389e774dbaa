package ui

import "time"

// The status bar's last event is a time of day in the machine's zone;
// the goldens are drawn in UTC wherever they run.
func init() { time.Local = time.UTC }
