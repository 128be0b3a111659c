package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// A bookmark continues a listing after the key of the last item returned.
// It is opaque to clients and signed, so a changed bookmark, one from
// another query or sandbox, or an old one, is refused with a 400 instead of
// being trusted.
//
// Layout before base64: 8 bytes query fingerprint, 8 bytes issue time (Unix
// seconds), the key, then 16 bytes of HMAC-SHA256 over all of it.

const macLen = 16

// fingerprint identifies a listing: the operation's path and every query
// parameter except bookmark, page_size and start_index.
func fingerprint(path string, q url.Values) []byte {
	h := sha256.New()
	h.Write([]byte(path))
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "bookmark" && k != "page_size" && k != "start_index" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		vals := slices.Clone(q[k])
		sort.Strings(vals)
		h.Write([]byte{0})
		h.Write([]byte(k))
		for _, v := range vals {
			h.Write([]byte{1})
			h.Write([]byte(v))
		}
	}
	return h.Sum(nil)[:8]
}

func (s *Sandbox) signBookmark(fp []byte, key string) string {
	b := make([]byte, 0, 16+len(key)+macLen)
	b = append(b, fp...)
	b = binary.BigEndian.AppendUint64(b, uint64(s.clock().Unix()))
	b = append(b, key...)
	m := hmac.New(sha256.New, s.bookmark)
	m.Write(b)
	b = m.Sum(b)[:len(b)+macLen]
	return base64.RawURLEncoding.EncodeToString(b)
}

// openBookmark returns the key a bookmark continues after.
func (s *Sandbox) openBookmark(fp []byte, bm string) (string, *apiError) {
	bad := badRequest("Invalid bookmark: it was changed, belongs to another request, or has expired. Start again without it.")
	b, err := base64.RawURLEncoding.DecodeString(bm)
	if err != nil || len(b) < 16+macLen {
		return "", bad
	}
	body, mac := b[:len(b)-macLen], b[len(b)-macLen:]
	m := hmac.New(sha256.New, s.bookmark)
	m.Write(body)
	if !hmac.Equal(m.Sum(nil)[:macLen], mac) {
		return "", bad
	}
	if !hmac.Equal(body[:8], fp) {
		return "", bad
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(body[8:16])), 0)
	if now := s.clock(); now.Sub(issued) > s.opts.BookmarkTTL || issued.After(now.Add(time.Minute)) {
		return "", bad
	}
	return string(body[16:]), nil
}

// paginate returns up to size items of list (sorted by key) that match,
// after the key `after` (or, on a first page, after skipping start
// matching items), and the key to continue from, "" on the last page.
func paginate[T any](list []T, key func(T) string, match func(T) bool, after string, start, size int) ([]T, string) {
	i := 0
	if after != "" {
		i = sort.Search(len(list), func(i int) bool { return strings.Compare(key(list[i]), after) > 0 })
	}
	out := make([]T, 0, min(size, len(list)-i))
	for ; i < len(list); i++ {
		if match != nil && !match(list[i]) {
			continue
		}
		if start > 0 {
			start--
			continue
		}
		if len(out) == size {
			return out, key(out[len(out)-1])
		}
		out = append(out, list[i])
	}
	return out, ""
}
