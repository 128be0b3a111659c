package sandbox

import (
	"os"
	"strings"
	"testing"
)

func loadExample(t *testing.T) *Dataset {
	t.Helper()
	f, err := os.Open("testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := LoadDataset(f)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestTheDocumentedExampleIsTheTestedOne(t *testing.T) {
	doc, err := os.ReadFile("../../docs/sandbox.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "```json\n")
	block, _, ok2 := strings.Cut(after, "```")
	if !ok || !ok2 || strings.TrimSpace(block) != strings.TrimSpace(string(example)) {
		t.Error("docs/sandbox.md's JSON example differs from testdata/example.json")
	}
}

func TestTheExampleDatasetServesWhatItSays(t *testing.T) {
	h := newHarness(t, loadExample(t), nil)
	admin := h.token(AdminUsername)
	biz := "/v5/businesses/482344901002451200"
	for _, c := range []struct{ path, want, not string }{
		{biz + "/members", `"username":"sandbox-employee"`, "sys-reporting-0"},
		{biz + "/members?fetch_system_users=true", "sys-reporting-0", "sandbox-employee"},
		{biz + "/members?assets_summary=true&member_ids=700000000000000002", `"profiles":[{"id":"630433785246000001","permissions":["PROFILE_PUBLISHER"]}]`, ""},
		{biz + "/assets", `"asset_id":"549755000002"`, ""},
		{biz + "/assets?permissions=OWNER", `"asset_id":"549755000001"`, "549755000002"},
		{biz + "/assets?permissions=ANALYST", `"asset_id":"549755000002"`, "549755000001"},
		{biz + "/assets?child_asset_id=483685904000001", `"catalogs_ids":["483685904000001"]`, ""},
		{biz + "/assets?asset_group_id=7078106104001&asset_type=PROFILE", `"asset_id":"630433785246000001"`, "549755000001"},
		{biz + "/partners/644245094400000002/assets?partner_type=EXTERNAL", `"permissions":["ANALYST"]`, ""},
		{biz + "/partners/644245094400000002/assets?partner_type=INTERNAL", `"items":[]`, ""},
		{biz + "/assets/549755000001/partners", "brightmedia", ""},
		{biz + "/assets/549755000002/partners", `"items":[]`, ""},
		{biz + "/assets/7078106104001/members?fetch_system_users=true", "sys-reporting-0", ""},
		{biz + "/invites", "new.hire@northwind-outfitters.com", "kite-labs"},
		{biz + "/invites?is_member=false&invite_status=EXPIRED", "kite-labs", ""},
		{biz + "/invites?is_member=false&invite_status=PENDING", `"items":[]`, ""},
		{"/v5/ad_accounts/549755000002", `"owner":{"id":"644245094400000002","username":"søren-café-group"},"permissions":["ANALYST"]`, ""},
		{"/v5/ad_accounts/549755000001", `"permissions":["ADMIN"]`, ""},
		{"/v5/user_account", `"business_name":"Zoë Ødegård"`, ""},
		{"/v5/ad_accounts/549755000001/conversion_tags", `"last_fired_time_ms":1764000000000`, ""},
	} {
		a := h.get(admin, c.path)
		body := string(a.body)
		if a.status != 200 || !strings.Contains(body, c.want) || c.not != "" && strings.Contains(body, c.not) {
			t.Errorf("GET %s: %d %s\nwant %s, not %q", c.path, a.status, body, c.want, c.not)
		}
	}
	emp := h.token(EmployeeUsername)
	if a := h.get(emp, "/v5/ad_accounts"); !strings.Contains(string(a.body), `"permissions":["CAMPAIGN_MANAGER","ANALYST"]`) {
		t.Errorf("employee's ad accounts: %s", a.body)
	}
}
