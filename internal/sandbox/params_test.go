package sandbox

import (
	"net/url"
	"strings"
	"testing"

	"pinaccess/internal/openapi"
)

// TestSandboxAndDescriptionAgreeOnQueryParameters sends odd values for
// every path and query parameter of every GET operation and checks that
// the sandbox refuses (400) exactly the requests the OpenAPI description
// calls invalid.
func TestSandboxAndDescriptionAgreeOnParameters(t *testing.T) {
	d := loadExample(t)
	h := newHarness(t, d, func(o *Options) { o.Limits = Limits{} })
	tok := h.token(AdminUsername)
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{
		"business_id": DefaultBusinessID, "member_id": "700000000000000002", "partner_id": "644245094400000001",
		"asset_id": "549755000001", "ad_account_id": "549755000001", "conversion_tag_id": "2617998000001",
	}
	values := []string{"", "0", "1", "-1", "25", "250", "251", "abc", "true", "false", "TRUE", "1.5",
		"AD_ACCOUNT", "PROFILE", "CATALOG", "INTERNAL", "EXTERNAL", "EMPLOYEE", "BIZ_ADMIN", "OWNER", "ADMIN",
		"PENDING", "EXPIRED", "MEMBER_INVITE", "549755000001", "1,2", strings.Repeat("9", 21), strings.Repeat("1,", 260)}
	checked := 0
	for _, id := range Implemented() {
		var op *openapi.Operation
		ops, _ := openapi.Operations()
		for i := range ops {
			if ops[i].ID == id {
				op = &ops[i]
			}
		}
		if op.Method != "GET" {
			continue
		}
		path := "/v5" + op.Path
		for name, v := range paths {
			path = strings.ReplaceAll(path, "{"+name+"}", v)
		}
		// Path parameters: each in turn gets odd values, the others stay good.
		for name := range paths {
			if !strings.Contains(op.Path, "{"+name+"}") {
				continue
			}
			for _, v := range []string{"abc", "0", "-1", "1.5", strings.Repeat("9", 18), strings.Repeat("9", 19), strings.Repeat("9", 20), strings.Repeat("9", 21), "%20", "1%2C2"} {
				p := "/v5" + op.Path
				p = strings.ReplaceAll(p, "{"+name+"}", v)
				for other, good := range paths {
					p = strings.ReplaceAll(p, "{"+other+"}", good)
				}
				h.v.Reset()
				a := h.get(tok, p)
				invalid := false
				for _, f := range h.v.Failures() {
					invalid = invalid || f.Request
				}
				checked++
				if invalid != (a.status == 400) {
					t.Errorf("%s %s=%q: description says invalid=%v, the sandbox answered %d", id, name, v, invalid, a.status)
				}
			}
		}
		item := doc.Paths.Find(op.Path)
		for _, pr := range item.GetOperation(op.Method).Parameters {
			p := pr.Value
			if p.In != "query" || p.Name == "bookmark" {
				continue
			}
			for _, v := range values {
				h.v.Reset()
				a := h.get(tok, path+"?"+url.Values{p.Name: {v}}.Encode())
				invalid := false
				for _, f := range h.v.Failures() {
					invalid = invalid || f.Request
				}
				checked++
				switch {
				case invalid && a.status != 400:
					t.Errorf("%s %s=%q: the description refuses it, the sandbox answered %d", id, p.Name, v, a.status)
				case !invalid && a.status == 400:
					t.Errorf("%s %s=%q: the description allows it, the sandbox answered 400: %s", id, p.Name, v, a.body)
				}
			}
		}
	}
	if checked < 500 {
		t.Errorf("only %d requests checked", checked)
	}
}
