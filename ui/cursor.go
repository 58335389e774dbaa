package ui

// cursor is a selection over rows that stays on the same object (by key)
// when rows move, and the scroll offset that keeps it visible.
type cursor struct {
	pos    int
	selKey string
	offset int
}

// sync puts the cursor back on the remembered key after rows changed.
func (c *cursor) sync(keys []string) {
	if c.selKey != "" {
		for i, k := range keys {
			if k == c.selKey {
				c.pos = i
				return
			}
		}
	}
	c.pos = min(c.pos, max(len(keys)-1, 0))
	if c.pos < len(keys) {
		c.selKey = keys[c.pos]
	}
}

func (c *cursor) move(d int, keys []string) {
	if len(keys) == 0 {
		return
	}
	c.pos = min(max(c.pos+d, 0), len(keys)-1)
	c.selKey = keys[c.pos]
}

// window returns the visible range [start, end) for height rows.
func (c *cursor) window(n, height int) (int, int) {
	height = max(height, 1)
	if c.pos < c.offset {
		c.offset = c.pos
	}
	if c.pos >= c.offset+height {
		c.offset = c.pos - height + 1
	}
	c.offset = max(min(c.offset, n-height), 0)
	return c.offset, min(c.offset+height, n)
}
