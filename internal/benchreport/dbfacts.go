package main

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"pinaccess/internal/sandbox"
	"pinaccess/internal/store"
)

// generatedFacts generates the dataset the sandbox serves for size and
// seed, to know its sizes and the import's minimum number of calls.
func generatedFacts(size string, seed int) (DatasetFacts, error) {
	d, err := sandbox.Generate(size, int64(seed))
	if err != nil {
		return DatasetFacts{}, err
	}
	return datasetFacts(d), nil
}

// readRunRecord fills r from the newest sync run of the integration, as
// the importer recorded it.
func readRunRecord(ctx context.Context, db string, integrationID int64, r *ImportResult) error {
	st, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	runs, err := st.Runs(ctx, integrationID, 1)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		return fmt.Errorf("no sync run recorded for integration %d", integrationID)
	}
	run := runs[0]
	r.Status = run.Status
	r.APICalls = run.APICallsTotal
	r.Retries = run.Retries
	r.Strategy = run.Strategy
	c := run.Counts
	r.GrantRows = c.Grants
	r.Rows = c.Members + c.Partners + c.Assets + c.Grants + c.Pixels + c.Invites
	if run.Status != store.RunSucceeded {
		return fmt.Errorf("sync run %d ended %s: %s", run.ID, run.Status, run.Error)
	}
	return nil
}

// pageSet is one kind of page and the URLs of it that are loaded in turn.
type pageSet struct {
	Name  string
	Paths []string
}

// browsePages picks real members and assets of the imported snapshot and
// returns the pages to load: the overview, a members search, an access
// list with a filter and with a search, member details and asset details.
func browsePages(ctx context.Context, imp *imported) ([]pageSet, error) {
	st, err := store.Open(ctx, imp.DB)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	root := "/integrations/" + strconv.FormatInt(imp.IntegrationID, 10)

	// Members and ad accounts from the middle of their lists, not just
	// the first page, spread over up to 40 of each.
	mpage, err := middlePage(func(page, per int) (store.MemberPage, error) {
		return st.ListMembers(ctx, imp.IntegrationID, store.MemberQuery{ListQuery: store.ListQuery{Page: page, PerPage: per}})
	})
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	apage, err := middlePage(func(page, per int) (store.AssetPage, error) {
		return st.ListAssets(ctx, imp.IntegrationID, store.AssetQuery{Type: sandbox.AssetAdAccount,
			ListQuery: store.ListQuery{Page: page, PerPage: per}})
	})
	if err != nil {
		return nil, fmt.Errorf("assets: %w", err)
	}
	if len(mpage.Rows) == 0 || len(apage.Rows) == 0 {
		return nil, fmt.Errorf("the imported snapshot has no members or ad accounts to show")
	}
	var memberPaths, assetPaths []string
	for i := 0; i < len(mpage.Rows) && len(memberPaths) < 40; i += max(1, len(mpage.Rows)/40) {
		memberPaths = append(memberPaths, root+"/members/"+url.PathEscape(mpage.Rows[i].ID))
	}
	for i := 0; i < len(apage.Rows) && len(assetPaths) < 40; i += max(1, len(apage.Rows)/40) {
		assetPaths = append(assetPaths, root+"/assets/"+url.PathEscape(apage.Rows[i].ID))
	}
	var searches []string
	for _, q := range []string{"garcia", "patel", "kim", "rossi", "tanaka", "silva", "novak", "walker"} {
		searches = append(searches, root+"/members?q="+q)
	}
	var access, accessSearches []string
	for _, perm := range []string{"ADMIN", "FINANCE_MANAGER", "ANALYST", "CAMPAIGN_MANAGER"} {
		access = append(access, root+"/access?permission="+perm)
	}
	for _, q := range []string{"garcia", "patel", "kim", "rossi"} {
		accessSearches = append(accessSearches, root+"/access?q="+q)
	}
	// List pages of the members and of the grants: the first and the last
	// (in their default order and another), and the middle one, the
	// farthest from either end.
	memberPages := (mpage.Total + store.DefaultPerPage - 1) / store.DefaultPerPage
	grants, err := st.ListAccess(ctx, imp.IntegrationID, store.AccessQuery{ListQuery: store.ListQuery{PerPage: 1}})
	if err != nil {
		return nil, fmt.Errorf("access: %w", err)
	}
	grantPages := (grants.Total + store.DefaultPerPage - 1) / store.DefaultPerPage
	lists := []string{
		root + "/members", root + "/members?page=" + strconv.Itoa(memberPages), root + "/members?sort=email&dir=desc",
		root + "/access", root + "/access?page=" + strconv.Itoa(grantPages), root + "/access?sort=asset",
	}
	middle := []string{
		root + "/members?page=" + strconv.Itoa((memberPages+1)/2), root + "/access?page=" + strconv.Itoa((grantPages+1)/2),
	}
	return []pageSet{
		{Name: "overview", Paths: []string{root}},
		{Name: "member and access lists, first and last pages", Paths: lists},
		{Name: "member and access lists, middle page", Paths: middle},
		{Name: "members, search", Paths: searches},
		{Name: "access, permission filter", Paths: access},
		{Name: "access, search", Paths: accessSearches},
		{Name: "member detail", Paths: memberPaths},
		{Name: "asset detail", Paths: assetPaths},
	}, nil
}

// middlePage returns the middle page of a list, at the largest page size.
func middlePage[T any](list func(page, per int) (store.Page[T], error)) (store.Page[T], error) {
	first, err := list(1, 1)
	if err != nil {
		return first, err
	}
	pages := (first.Total + store.MaxPerPage - 1) / store.MaxPerPage
	return list(max(1, (pages+1)/2), store.MaxPerPage)
}

// accessExportQuery returns SQL that yields the access export's rows for
// the current snapshot, unfiltered, in the export's default order (by
// principal name, case-insensitively), with the run ID written in; the
// same without ORDER BY (the rows as they come, the cheapest form); and
// the number of grant rows.
func accessExportQuery(ctx context.Context, db string, integrationID int64) (ordered, unordered string, rows int64, err error) {
	st, err := store.Open(ctx, db)
	if err != nil {
		return "", "", 0, err
	}
	defer st.Close()
	run, err := st.CurrentRunID(ctx, integrationID)
	if err != nil {
		return "", "", 0, err
	}
	r, err := st.Run(ctx, run)
	if err != nil {
		return "", "", 0, err
	}
	unordered = fmt.Sprintf(`SELECT k.kind, k.ext_id, coalesce(m.username, p.username, ''), coalesce(m.email, p.email, ''),
 coalesce(m.business_roles, ''), coalesce(p.partner_type, ''), a.asset_type, a.ext_id, a.name, a.owned, r.name
FROM snap_grants g
 JOIN entity_keys k ON k.id = g.grantee_id
 LEFT JOIN snap_members m ON k.kind = 'member' AND m.run_id = g.run_id AND m.id = g.grantee_id
 LEFT JOIN snap_partners p ON k.kind = 'partner' AND p.run_id = g.run_id AND p.id = g.grantee_id
 JOIN snap_assets a ON a.run_id = g.run_id AND a.id = g.asset_id
 JOIN access_roles r ON r.id = g.permission_id
WHERE g.run_id = %d`, run)
	ordered = unordered + "\nORDER BY coalesce(m.username, p.username) COLLATE NOCASE, k.kind, k.ext_id, a.ext_id, r.name;"
	return ordered, unordered + ";", r.Counts.Grants, nil
}
