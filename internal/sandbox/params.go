package sandbox

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// params reads query and path parameters the way the OpenAPI description
// defines them; the first problem becomes a 400 with Pinterest's body.
type params struct {
	r   *http.Request
	q   url.Values
	err *apiError
}

func newParams(r *http.Request) *params { return &params{r: r, q: r.URL.Query()} }

func (p *params) fail(format string, args ...any) {
	if p.err == nil {
		p.err = badRequest(format, args...)
	}
}

// path returns a path parameter of digits, at most max long.
func (p *params) path(name string, max int) string {
	v := p.r.PathValue(name)
	if !isDigits(v, max) {
		p.fail("Invalid parameter %s: %q is not an ID of 1 to %d digits.", name, v, max)
	}
	return v
}

func (p *params) single(name string) (string, bool) {
	vals, ok := p.q[name]
	if !ok {
		return "", false
	}
	if len(vals) > 1 {
		p.fail("Invalid parameter %s: give it once.", name)
	}
	return vals[0], true
}

// boolean accepts what the description's validators accept: true/false,
// 1/0, t/f in any case.
func (p *params) boolean(name string, def bool) bool {
	v, ok := p.single(name)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail("Invalid parameter %s: %q is not true or false.", name, v)
		return def
	}
	return b
}

func (p *params) integer(name string, def, min, max int) int {
	v, ok := p.single(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		if max == int(^uint(0)>>1) {
			p.fail("Invalid parameter %s: %q is not an integer of at least %d.", name, v, min)
		} else {
			p.fail("Invalid parameter %s: %q is not an integer from %d to %d.", name, v, min, max)
		}
		return def
	}
	return n
}

func (p *params) enum(name, def string, allowed ...string) string {
	v, ok := p.single(name)
	if !ok {
		return def
	}
	if !slices.Contains(allowed, v) {
		p.fail("Invalid parameter %s: %q is not one of %s.", name, v, strings.Join(allowed, ", "))
		return def
	}
	return v
}

// enums reads an array parameter (the name repeated, ?x=a&x=b).
func (p *params) enums(name string, allowed ...string) []string {
	vals := p.q[name]
	for _, v := range vals {
		if !slices.Contains(allowed, v) {
			p.fail("Invalid parameter %s: %q is not one of %s.", name, v, strings.Join(allowed, ", "))
			return nil
		}
	}
	return vals
}

// id reads an optional query parameter holding one ID.
func (p *params) id(name string, max int) string {
	v, ok := p.single(name)
	if ok && !isDigits(v, max) {
		p.fail("Invalid parameter %s: %q is not an ID of 1 to %d digits.", name, v, max)
		return ""
	}
	return v
}

// idList reads a comma-separated list of IDs, at most 500 characters
// (the description's only rule). Parts that are not IDs match nothing; an
// empty list is no filter.
func (p *params) idList(name string) ([]string, bool) {
	v, ok := p.single(name)
	if !ok || strings.TrimSpace(v) == "" {
		return nil, false
	}
	if len(v) > 500 {
		p.fail("Invalid parameter %s: longer than 500 characters.", name)
		return nil, true
	}
	ids := []string{}
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if isDigits(part, 20) && !slices.Contains(ids, part) {
			ids = append(ids, part)
		}
	}
	return ids, true
}

// paging reads page_size, start_index (if the operation has it) and
// bookmark; the bookmark is checked against this request's fingerprint.
type paging struct {
	size  int
	start int
	after string
	fp    []byte
}

func (s *Sandbox) paging(p *params, withStart bool) paging {
	pg := paging{size: p.integer("page_size", 25, 1, 250)}
	if withStart {
		pg.start = p.integer("start_index", 0, 0, int(^uint(0)>>1))
	}
	pg.fp = fingerprint(p.r.URL.Path, p.q)
	if bm, ok := p.single("bookmark"); ok && bm != "" && p.err == nil {
		after, err := s.openBookmark(pg.fp, bm)
		if err != nil {
			p.err = err
		}
		pg.after = after
		pg.start = 0 // the bookmark already says where to go on
	}
	return pg
}

// page is a paginated answer: {"items": [...], "bookmark": "…" | null}.
type page struct {
	Items    any     `json:"items"`
	Bookmark *string `json:"bookmark"`
}

func (s *Sandbox) pageOf(items any, pg paging, next string) page {
	pp := page{Items: items}
	if next != "" {
		b := s.signBookmark(pg.fp, next)
		pp.Bookmark = &b
	}
	return pp
}
