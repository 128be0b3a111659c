// Package openapi holds Pinterest's OpenAPI description of the API v5
// operations pinaccess uses (a subset of pinterest/api-description, MIT
// licensed by Pinterest; see LICENSE-pinterest-openapi.txt) and a validator
// that checks HTTP exchanges against it.
//
// Both sides of pinaccess's Pinterest contract use it in tests: the sandbox
// proves its answers are what Pinterest describes, and the client proves the
// requests it sends are ones Pinterest accepts.
package openapi

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed openapi-business-access.json
var specJSON []byte

// Spec returns the raw JSON of the embedded OpenAPI description.
func Spec() []byte {
	return append([]byte(nil), specJSON...)
}

// Load parses and validates the embedded OpenAPI description. Each call
// returns a new document, so callers may modify theirs (for example its
// Servers) without affecting others.
func Load() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(specJSON)
	if err != nil {
		return nil, fmt.Errorf("openapi: load: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("openapi: validate description: %w", err)
	}
	return doc, nil
}

var (
	opsOnce sync.Once
	ops     []Operation
	opsErr  error
)

// Operation is one operation of the description, with the facts servers and
// clients need about it.
type Operation struct {
	ID       string // operationId, e.g. "get/business_members"
	Method   string // HTTP method, upper case
	Path     string // path template relative to /v5, e.g. "/businesses/{business_id}/members"
	Category string // x-ratelimit-category, e.g. "ads_read"
	// Scopes lists, per accepted security scheme, the scopes a token needs;
	// any one entry suffices. The "basic" scheme has no scopes.
	Scopes map[string][]string
}

// Operations lists every operation of the embedded description.
func Operations() ([]Operation, error) {
	opsOnce.Do(func() {
		doc, err := Load()
		if err != nil {
			opsErr = err
			return
		}
		for path, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				o := Operation{ID: op.OperationID, Method: method, Path: path, Scopes: map[string][]string{}}
				if c, ok := op.Extensions["x-ratelimit-category"].(string); ok {
					o.Category = c
				}
				if op.Security != nil {
					for _, req := range *op.Security {
						for scheme, scopes := range req {
							o.Scopes[scheme] = scopes
						}
					}
				}
				ops = append(ops, o)
			}
		}
	})
	return append([]Operation(nil), ops...), opsErr
}
