package pinterest_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"pinaccess/internal/pinterest"
	"pinaccess/internal/sandbox"
)

func TestAdAccountOwnerNamesTheOwningBusiness(t *testing.T) {
	e := newSandboxEnv(t, nil)
	ds := e.ds
	c, _ := e.client(e.issue(sandbox.AdminUsername), pinterest.Options{})
	ctx := context.Background()
	partners := map[string]sandbox.Partner{}
	for _, p := range ds.Partners {
		partners[p.ID] = p
	}
	accounts, err := c.AdAccounts(ctx, pinterest.AdAccountsOptions{}).All()
	if err != nil {
		t.Fatal(err)
	}
	var ours, theirs int
	for _, a := range accounts {
		if a.Owner == nil {
			continue
		}
		var wantName, wantUser string
		switch p, ok := partners[a.Owner.ID]; {
		case a.Owner.ID == ds.Business.ID:
			wantName, wantUser = ds.Business.Name, ds.Business.Username
			ours++
		case ok:
			// The dataset knows a partner by its username alone.
			wantName, wantUser = p.Username, p.Username
			theirs++
		default:
			continue
		}
		owner, err := c.AdAccountOwner(ctx, a.ID)
		if err != nil {
			t.Fatalf("owner of %s: %v", a.ID, err)
		}
		if owner.ID != a.Owner.ID || owner.BusinessName != wantName || owner.Username != wantUser || owner.AccountType != "BUSINESS" {
			t.Errorf("owner of %s = %+v, want %s %q (%s)", a.ID, owner, a.Owner.ID, wantName, wantUser)
		}
	}
	if ours == 0 || theirs == 0 {
		t.Fatalf("the dataset has %d ad accounts of the business and %d of partners; want both", ours, theirs)
	}
	if ds.Business.Name == ds.Business.Username {
		t.Fatalf("the business's name %q is its username: the test cannot tell them apart", ds.Business.Name)
	}
	var apiErr *pinterest.APIError
	if _, err := c.AdAccountOwner(ctx, "999999999"); !errors.As(err, &apiErr) || apiErr.Status != http.StatusForbidden {
		t.Errorf("an ad account the user cannot access: %v, want a 403", err)
	}
	for _, bad := range []string{"", "12a", "1234567890123456789"} {
		if _, err := c.AdAccountOwner(ctx, bad); err == nil {
			t.Errorf("ad account ID %q: no error", bad)
		}
	}
}
