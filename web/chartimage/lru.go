package chartimage

import (
	"container/list"
	"sync"
)

// lru is a cache of images bounded by the bytes of their SVGs; the least
// recently used entries go first.
type lru struct {
	mu       sync.Mutex
	maxBytes int
	bytes    int
	order    *list.List // front: most recently used; values are *lruEntry
	byKey    map[string]*list.Element
}

type lruEntry struct {
	key string
	img Image
}

func newLRU(maxBytes int) *lru {
	return &lru{maxBytes: maxBytes, order: list.New(), byKey: map[string]*list.Element{}}
}

func (c *lru) get(key string) (Image, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return Image{}, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruEntry).img, true
}

// put stores img under key; an image larger than the whole cache is not kept.
func (c *lru) put(key string, img Image) {
	size := len(key) + len(img.SVG)
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		old := el.Value.(*lruEntry)
		c.bytes -= len(old.key) + len(old.img.SVG)
		old.img = img
		c.bytes += size
		c.order.MoveToFront(el)
	} else {
		c.byKey[key] = c.order.PushFront(&lruEntry{key: key, img: img})
		c.bytes += size
	}
	for c.bytes > c.maxBytes {
		el := c.order.Back()
		e := el.Value.(*lruEntry)
		c.order.Remove(el)
		delete(c.byKey, e.key)
		c.bytes -= len(e.key) + len(e.img.SVG)
	}
}
