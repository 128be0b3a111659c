package main

import (
	"testing"

	"pinaccess/internal/sandbox"
)

func TestMinimumCallsOfASmallBusinessByHand(t *testing.T) {
	biz := "482344901002451200"
	d := &sandbox.Dataset{
		Business: sandbox.Business{ID: biz},
		Users: []sandbox.User{
			{ID: "1", Username: "a", BusinessRoles: []string{"BIZ_ADMIN"}},
			{ID: "2", Username: "b", BusinessRoles: []string{"EMPLOYEE"}},
			{ID: "3", Username: "outsider"},
		},
		Assets: []sandbox.Asset{
			{ID: "10", Type: sandbox.AssetAdAccount, OwnerID: biz},
			{ID: "11", Type: sandbox.AssetAdAccount, OwnerID: biz},
			{ID: "12", Type: sandbox.AssetGroup, OwnerID: biz},
		},
		Grants: []sandbox.Grant{{AssetID: "10", MemberID: "2", Permissions: []string{"ADMIN", "ANALYST"}}},
	}
	f := datasetFacts(d)
	// Lists: 4 asset types + owned groups + owned catalogs + members +
	// system users + 2 partner types + 2 invite kinds + ad_accounts/list =
	// 13 calls, one each since every list fits a page (or is empty);
	// conversion tags: 2 ad accounts; the business's name: 1 (it owns an
	// ad account); group grants of people: min(1 group, 2×2 members) = 1.
	// No system users and no partners: nothing more.
	if f.MinCalls != 13+2+1+1 {
		t.Errorf("minimum %d calls, want 17", f.MinCalls)
	}
	if f.Members != 2 || f.GrantRows != 2 || f.Grants != 1 {
		t.Errorf("facts %+v", f)
	}
}

func TestMinimumCallsGrowWithPages(t *testing.T) {
	small, err := sandbox.Generate("small", 1)
	if err != nil {
		t.Fatal(err)
	}
	medium, err := sandbox.Generate("medium", 1)
	if err != nil {
		t.Fatal(err)
	}
	fs, fm := datasetFacts(small), datasetFacts(medium)
	// Every visible ad account costs a conversion-tag call, so the minimum
	// is at least the ad accounts plus the fixed lists.
	if fs.MinCalls <= 13 || fm.MinCalls <= fs.MinCalls {
		t.Errorf("small %d, medium %d calls: want more than the 13 lists, growing with size", fs.MinCalls, fm.MinCalls)
	}
}
