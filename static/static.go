// Package static holds the built CSS and htmx, embedded into the binary and
// served under content-hashed names so browsers may cache them forever.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
	"sync"
)

//go:embed *.css *.js
var files embed.FS

// Asset is one embedded file.
type Asset struct {
	Name        string // as embedded: "app.css"
	HashedName  string // as served: "app.3f2a9c1b0d4e.css"
	Content     []byte
	ContentType string
}

var (
	once   sync.Once
	byName map[string]*Asset
	byHash map[string]*Asset
)

func load() {
	byName, byHash = map[string]*Asset{}, map[string]*Asset{}
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic("static: " + err.Error()) // embedded at build time; cannot fail
	}
	for _, e := range entries {
		b, err := files.ReadFile(e.Name())
		if err != nil {
			panic("static: " + err.Error())
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(e.Name())
		// htmx.min.js → htmx.min.<hash>.js
		hashed := strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:6]) + ext
		a := &Asset{Name: e.Name(), HashedName: hashed, Content: b, ContentType: contentType(ext)}
		byName[a.Name], byHash[a.HashedName] = a, a
	}
}

func contentType(ext string) string {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	default:
		return "application/octet-stream"
	}
}

// URL returns the content-hashed URL of an embedded file, such as
// "/static/app.3f2a9c1b0d4e.css". It panics for a name that is not embedded,
// which a test of every page catches.
func URL(name string) string {
	once.Do(load)
	a, ok := byName[name]
	if !ok {
		panic("static: no embedded file " + name)
	}
	return "/static/" + a.HashedName
}

// Lookup returns the asset served under a hashed name, if any.
func Lookup(hashedName string) (*Asset, bool) {
	once.Do(load)
	a, ok := byHash[hashedName]
	return a, ok
}
