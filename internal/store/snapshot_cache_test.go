package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSnapshotCacheComputesOnceForConcurrentCallers(t *testing.T) {
	c := newSnapshotCache(10)
	release := make(chan struct{})
	var calls atomic.Int32
	var wg sync.WaitGroup
	results := make([]int, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := cached(context.Background(), c, "k", func() (int, error) {
				calls.Add(1)
				<-release
				return 42, nil
			})
			if err != nil {
				t.Error(err)
			}
			results[i] = v
		}()
	}
	// Let every goroutine reach the cache before the computation ends:
	// whoever came first computes, the others wait for it.
	for c.len() == 0 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	for i, v := range results {
		if v != 42 {
			t.Errorf("caller %d got %d, want 42", i, v)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("computed %d times, want once", n)
	}
	// Once done, the value is served without computing.
	v, _ := cached(context.Background(), c, "k", func() (int, error) {
		t.Fatal("computed a kept value again")
		return 0, nil
	})
	if v != 42 {
		t.Fatalf("got %d", v)
	}
}

func TestSnapshotCacheDoesNotKeepFailures(t *testing.T) {
	c := newSnapshotCache(10)
	boom := errors.New("boom")
	if _, err := cached(context.Background(), c, "k", func() (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	v, err := cached(context.Background(), c, "k", func() (int, error) { return 7, nil })
	if err != nil || v != 7 {
		t.Fatalf("after a failure: %d, %v; want a new computation", v, err)
	}
}

func TestSnapshotCacheForgetsTheLeastRecentlyUsed(t *testing.T) {
	c := newSnapshotCache(3)
	computed := map[string]int{}
	get := func(k string) {
		cached(context.Background(), c, k, func() (string, error) {
			computed[k]++
			return k, nil
		})
	}
	get("a")
	get("b")
	get("c")
	get("a") // a is now the most recent; b the least
	get("d") // evicts b
	if c.len() != 3 {
		t.Fatalf("%d entries, want 3", c.len())
	}
	get("a")
	get("c")
	get("d")
	get("b")
	want := map[string]int{"a": 1, "b": 2, "c": 1, "d": 1}
	if fmt.Sprint(computed) != fmt.Sprint(want) {
		t.Fatalf("computations %v, want %v", computed, want)
	}
	c.clear()
	get("a")
	if computed["a"] != 2 || c.len() != 1 {
		t.Fatalf("after clear: computations %v, %d entries", computed, c.len())
	}
}

func TestCacheKeysTellParametersApart(t *testing.T) {
	pairs := [][2][]any{
		{{"a b"}, {"a", "b"}},
		{{int64(1)}, {"1"}},
		{{"x\x00y"}, {"x", "y"}},
		{{int64(1), int64(23)}, {int64(12), int64(3)}},
	}
	for _, p := range pairs {
		if cacheKey("count", "q", p[0]) == cacheKey("count", "q", p[1]) {
			t.Errorf("%#v and %#v give the same key", p[0], p[1])
		}
	}
	if cacheKey("count", "q", []any{"a"}) != cacheKey("count", "q", []any{"a"}) {
		t.Error("the same query gives different keys")
	}
}

// WarmInventory computes what the overview, the roles page and the access
// list's filter counts need (after it, those pages compute nothing more)
// and the seek points of the members list, the list indexes and the access
// index; deleting the integration forgets them all.
func TestWarmInventoryPreparesWhatThePagesKeep(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	id := newIntegration(t, s, 0, 2)
	if err := s.WarmInventory(ctx, id); err != nil || s.cache.len() != 0 {
		t.Fatalf("nothing imported yet: %v, %d kept", err, s.cache.len())
	}
	syncBusiness(t, s, id, sampleBusiness(20))
	if err := s.WarmInventory(ctx, id); err != nil {
		t.Fatal(err)
	}
	kept := s.cache.len()
	if kept == 0 {
		t.Fatal("warming kept nothing")
	}
	o, err := s.InventoryOverview(ctx, id)
	if err != nil || o.Counts.Members != 20 {
		t.Fatalf("overview: %d members, %v", o.Counts.Members, err)
	}
	roles, err := s.ListRoles(ctx, id, RoleQuery{})
	if err != nil || len(roles.Rows) == 0 {
		t.Fatalf("roles: %v", err)
	}
	p, err := s.ListAccess(ctx, id, AccessQuery{Permission: "ADMIN", PrincipalType: GranteeMember})
	if err != nil || p.Total != 10 {
		t.Fatalf("members with ADMIN: %d grants, %v; want 10", p.Total, err)
	}
	if _, err := s.StaleInvites(ctx, id, time.Now()); err != nil {
		t.Fatal(err)
	}
	if s.cache.len() != kept {
		t.Fatalf("the pages computed %d more results after warming", s.cache.len()-kept)
	}
	// The members list's seek points, which go with the integration's
	// runs.
	if n := s.anchors.len(); n != 1 {
		t.Fatalf("%d lists' anchors kept, want 1", n)
	}
	if n := s.lists.len(); n != 4 {
		t.Fatalf("%d list indexes kept, want 4 (members, assets, tags, grants by permission)", n)
	}
	// The assets and the members that match it.
	if _, err := s.ListAccess(ctx, id, AccessQuery{ListQuery: ListQuery{Q: "user1"}}); err != nil || s.searches.len() != 2 {
		t.Fatalf("a search of the access list kept %d searches (%v), want 2", s.searches.len(), err)
	}
	if err := s.DeleteIntegration(ctx, id); err != nil {
		t.Fatal(err)
	}
	if s.cache.len() != 0 || s.anchors.len() != 0 || s.lists.len() != 0 || s.searches.len() != 0 {
		t.Fatalf("after deleting the integration: %d results, %d lists' anchors and %d list indexes kept",
			s.cache.len(), s.anchors.len(), s.lists.len())
	}
}
