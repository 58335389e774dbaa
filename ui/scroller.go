package ui

import "slices"

// scroller is a selection over n rows of which height show at a time:
// pos is the selected row, offset the first one shown. Both change only
// in Update and SetSize (move, setLen, setHeight), so a frame draws
// what the last key left; drawing reads window and changes nothing.
type scroller struct {
	pos, offset int
	n, height   int
}

// move goes d rows down (up when negative), within the rows, scrolling
// only as far as it takes to keep pos in view.
func (s *scroller) move(d int) {
	s.pos += d
	s.clamp()
}

// setLen tells the scroller how many rows there now are.
func (s *scroller) setLen(n int) {
	s.n = n
	s.clamp()
}

// setHeight tells the scroller how many rows show.
func (s *scroller) setHeight(h int) {
	s.height = max(h, 1)
	s.clamp()
}

// setPos selects row i, as when the selected object moved.
func (s *scroller) setPos(i int) {
	s.pos = i
	s.clamp()
}

func (s *scroller) clamp() {
	s.height = max(s.height, 1)
	s.pos = min(max(s.pos, 0), max(s.n-1, 0))
	if s.pos < s.offset {
		s.offset = s.pos
	}
	if s.pos >= s.offset+s.height {
		s.offset = s.pos - s.height + 1
	}
	s.offset = max(min(s.offset, s.n-s.height), 0)
}

// window is the visible range [start, end).
func (s scroller) window() (int, int) {
	return s.offset, min(s.offset+s.height, s.n)
}

// cursor is a scroller that stays on the same object (by key) when rows
// move.
type cursor struct {
	scroller
	selKey string
}

// sync puts the cursor back on the remembered key after rows changed.
func (c *cursor) sync(keys []string) {
	c.setLen(len(keys))
	if c.selKey != "" {
		for i, k := range keys {
			if k == c.selKey {
				c.setPos(i)
				return
			}
		}
	}
	if c.pos < len(keys) {
		c.selKey = keys[c.pos]
	}
}

func (c *cursor) moveBy(d int, keys []string) {
	if len(keys) == 0 {
		return
	}
	c.move(d)
	c.selKey = keys[c.pos]
}

// selectKey selects the row whose key is k, if there is one: as the
// filter's best match after a keystroke.
func (c *cursor) selectKey(k string, keys []string) {
	if i := slices.Index(keys, k); k != "" && i >= 0 {
		c.setPos(i)
		c.selKey = k
	}
}
