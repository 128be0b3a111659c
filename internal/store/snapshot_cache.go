package store

import (
	"container/list"
	"context"
	"sync"
)

// A snapshot never changes once its run has finished, so what is computed
// from it (the overview's aggregates, the number of rows a filter matches)
// holds for as long as the snapshot exists. snapshotCache keeps such results
// in memory, keyed by what was asked (the SQL and its parameters, which
// name the run), so a filtered list counts its matches once per snapshot
// rather than on every page, sort or reload.
//
// Concurrent requests for the same key share one computation. A failed or
// cancelled computation is not kept. The cache holds at most max entries
// and forgets the least recently used first. Run IDs are reused only after
// their rows are deleted, so the store empties the cache whenever it
// deletes runs.
type snapshotCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]*list.Element
	lru     list.List // of *cacheEntry, most recent first
}

type cacheEntry struct {
	key  string
	done chan struct{} // closed when val and err are set
	val  any
	err  error
}

// snapshotCacheSize bounds the entries kept. Most entries are counts (a
// 32-byte key and an int, about 200 bytes with the bookkeeping); a
// snapshot's overview, role list and access facets are a few kilobytes;
// the service account's keys and the send times of pending invites hold
// a number per row. A full cache is a few megabytes.
const snapshotCacheSize = 20_000

func newSnapshotCache(max int) *snapshotCache {
	return &snapshotCache{max: max, entries: map[string]*list.Element{}}
}

// get returns the value cached under key, computing it with compute when it
// is not there yet. Callers that find the computation under way wait for it
// (or for their context).
func (c *snapshotCache) get(ctx context.Context, key string, compute func() (any, error)) (any, error) {
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		c.lru.MoveToFront(el)
		e := el.Value.(*cacheEntry)
		c.mu.Unlock()
		select {
		case <-e.done:
			if e.err == nil {
				return e.val, nil
			}
			// It failed for its caller (perhaps a cancelled request):
			// compute again for this one.
			return compute()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	e := &cacheEntry{key: key, done: make(chan struct{})}
	c.entries[key] = c.lru.PushFront(e)
	for c.lru.Len() > c.max {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.entries, old.Value.(*cacheEntry).key)
	}
	c.mu.Unlock()

	e.val, e.err = compute()
	close(e.done)
	if e.err != nil {
		c.mu.Lock()
		if el, ok := c.entries[key]; ok && el.Value == e {
			c.lru.Remove(el)
			delete(c.entries, key)
		}
		c.mu.Unlock()
	}
	return e.val, e.err
}

// clear forgets every entry; computations under way finish for their
// callers but are not kept.
func (c *snapshotCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = map[string]*list.Element{}
	c.lru.Init()
}

// len is the number of entries kept.
func (c *snapshotCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// cached is snapshotCache.get with the value's type.
func cached[T any](ctx context.Context, c *snapshotCache, key string, compute func() (T, error)) (T, error) {
	v, err := c.get(ctx, key, func() (any, error) { return compute() })
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}
