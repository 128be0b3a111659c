package pinterest

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
)

// Pages is a paginated list: ranging over it yields one page of items at a
// time, following Pinterest's bookmarks to the last page. A page is yielded
// only once it has been read and decoded whole; on the first error the
// iteration yields (nil, err) and ends. Nothing is fetched until the range
// starts, and breaking out of the range stops fetching.
type Pages[T any] func(yield func([]T, error) bool)

// Items yields the items of every page one by one, then ends; on an error
// it yields (zero value, err) and ends.
func (p Pages[T]) Items() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for page, err := range p {
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range page {
				if !yield(it, nil) {
					return
				}
			}
		}
	}
}

// All reads every page and returns all items, or the first error and no
// items.
func (p Pages[T]) All() ([]T, error) {
	var all []T
	for page, err := range p {
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
	}
	return all, nil
}

// page is Pinterest's Paginated schema: items are required.
type page[T any] struct {
	Items    *[]T    `json:"items"`
	Bookmark *string `json:"bookmark"`
}

// failed returns a list that yields only err.
func failed[T any](err error) Pages[T] {
	return func(yield func([]T, error) bool) { yield(nil, err) }
}

// list pages through a list operation.
func list[T any](ctx context.Context, c *Client, op *operation, path string, q url.Values, pageSize int) Pages[T] {
	if pageSize == 0 {
		pageSize = c.pageSize
	}
	if pageSize < 1 || pageSize > 250 {
		return failed[T](fmt.Errorf("pinterest: %s: page size %d is not between 1 and 250", op.id, pageSize))
	}
	return func(yield func([]T, error) bool) {
		q := cloneValues(q)
		q.Set("page_size", strconv.Itoa(pageSize))
		seen := map[string]bool{}
		for {
			var p page[T]
			err := c.get(ctx, op, path, q, &p)
			if err == nil && p.Items == nil {
				err = fmt.Errorf("pinterest: %s: %w: no items", op.id, errMalformed)
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(*p.Items, nil) {
				return
			}
			// A null, missing or empty bookmark marks the last page.
			if p.Bookmark == nil || *p.Bookmark == "" {
				return
			}
			next := *p.Bookmark
			if seen[next] {
				yield(nil, fmt.Errorf("pinterest: %s: %w: bookmark repeats an earlier page", op.id, errMalformed))
				return
			}
			seen[next] = true
			q.Set("bookmark", next)
		}
	}
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v)+2)
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// checkID refuses an ID Pinterest would not accept in a path, so bad input
// is a clear error rather than a request.
func checkID(op *operation, name, id string, maxLen int) error {
	if id == "" || len(id) > maxLen || strings.Trim(id, "0123456789") != "" {
		return fmt.Errorf("pinterest: %s: %s %q is not 1 to %d digits", op.id, name, id, maxLen)
	}
	return nil
}

func setBool(q url.Values, name string, v bool) {
	if v {
		q.Set(name, "true")
	}
}

func join(ids []string) string { return strings.Join(ids, ",") }
