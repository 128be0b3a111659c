package views

import "encoding/json"

// htmxConfig is htmx's configuration, read from a meta tag:
//   - no injected indicator <style> (the CSP forbids inline styles; the
//     indicator rules are in app.css), no eval, no inline scripts;
//   - 422 responses are swapped like 200s, so a form posted by htmx shows
//     its per-field errors; other 4xx/5xx are not swapped.
const htmxConfig = `{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,` +
	`"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},` +
	`{"code":"422","swap":true},{"code":"[45]..","swap":false,"error":true},{"code":"...","swap":false}]}`

// csrfHeaders is the hx-headers value that makes htmx send the CSRF token
// with every request it makes (JSON, never evaluated as script).
func csrfHeaders(token string) string {
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": token})
	return string(b)
}

func flashClass(k FlashKind) string {
	switch k {
	case FlashSuccess:
		return "border-green-200 bg-green-50 text-green-800"
	case FlashError:
		return "border-red-200 bg-red-50 text-red-800"
	default:
		return "border-blue-200 bg-blue-50 text-blue-800"
	}
}

func flashRole(k FlashKind) string {
	if k == FlashError {
		return "alert"
	}
	return "status"
}
