package gateway

// responseCache holds the complete responses of a caching hop, the oldest
// going first when a new one would pass max bytes, so memory stays
// bounded however many URLs the clients ask for.
type responseCache struct {
	max     int
	entries map[string]*cached
	order   []string // keys, oldest first
	size    int
}

// maxCacheEntries bounds the entries whatever their size.
const maxCacheEntries = 4096

// cacheBytes is the cache's bound for a hop whose held responses are
// capped at bufferCap: four such responses.
func cacheBytes(bufferCap int) int { return 4 * bufferCap }

func (c *responseCache) get(key string) *cached { return c.entries[key] }

func (c *responseCache) put(key string, e *cached) {
	if c.entries == nil {
		c.entries = map[string]*cached{}
	}
	if old, ok := c.entries[key]; ok {
		c.size -= len(old.body)
		delete(c.entries, key)
		for i, k := range c.order {
			if k == key {
				c.order = append(c.order[:i], c.order[i+1:]...)
				break
			}
		}
	}
	if len(e.body) > c.max {
		return
	}
	for len(c.order) > 0 && (c.size+len(e.body) > c.max || len(c.order) >= maxCacheEntries) {
		oldest := c.order[0]
		c.order = c.order[1:]
		c.size -= len(c.entries[oldest].body)
		delete(c.entries, oldest)
	}
	c.entries[key] = e
	c.order = append(c.order, key)
	c.size += len(e.body)
}
