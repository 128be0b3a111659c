package web

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"pinaccess/internal/export"
	"pinaccess/internal/store"
	"pinaccess/views"
)

var changeKinds = []string{
	store.ChangeMemberAdded, "Member added", store.ChangeMemberRemoved, "Member removed",
	store.ChangeRoleChanged, "Business role changed",
	store.ChangePartnerAdded, "Partner added", store.ChangePartnerRemoved, "Partner removed",
	store.ChangeAssetAdded, "Asset added", store.ChangeAssetRemoved, "Asset removed",
	store.ChangeGrantAdded, "Access granted", store.ChangeGrantRemoved, "Access removed", store.ChangeGrantChanged, "Access changed",
	store.ChangePixelAdded, "Pixel added", store.ChangePixelRemoved, "Pixel removed",
}

// changeLabel says a change kind in words.
func changeLabel(kind string) string {
	for i := 0; i+1 < len(changeKinds); i += 2 {
		if changeKinds[i] == kind {
			return changeKinds[i+1]
		}
	}
	return label(kind)
}

// changeSubjectHref links what a change is about, when the page exists.
func changeSubjectHref(base string, c store.Change) string {
	switch c.SubjectType {
	case "member":
		return memberPath(base, c.SubjectID)
	case "partner":
		return partnerPath(base, c.SubjectID)
	case "asset":
		return assetPath(base, c.SubjectID)
	}
	return ""
}

// beforeAfter shows what a change changed.
func beforeAfter(c store.Change) string {
	switch {
	case c.Before != "" && c.After != "":
		return c.Before + " → " + c.After
	case c.After != "":
		return c.After
	}
	return c.Before
}

// changeRow is one change as a table row.
func changeRow(base string, c store.ChangeRow) views.Row {
	asset := views.Cell{Text: c.AssetName, Sub: label(c.AssetType)}
	if c.AssetID != "" && c.SubjectType != "asset" {
		asset.Href = assetPath(base, c.AssetID)
		asset.Text = orDash(c.AssetName)
	}
	return views.Row{TestID: "change-row", Cells: []views.Cell{
		{Text: "#" + strconv.FormatInt(c.RunID, 10), Sub: fmtDateTime(c.RunFinishedAt), Href: base + "/syncs/" + strconv.FormatInt(c.RunID, 10)},
		{Text: changeLabel(c.Kind), TestID: "change-kind"},
		{Text: orDash(c.SubjectName), Href: changeSubjectHref(base, c.Change), Sub: c.SubjectID, TestID: "change-subject"},
		asset,
		{Text: beforeAfter(c.Change)},
	}}
}

// changesList is GET /integrations/{id}/changes: the changes recorded by
// any range of sync runs (from, to).
func (h *inventoryHandler) changesList(c echo.Context) error {
	in, hd, err := h.scope(c, "changes")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	q, canon := changeQuery(c.QueryParams())
	p, err := readPage(&q.ListQuery, canon, func() (store.ChangePage, error) { return h.store.ListChanges(ctx, in.ID, q) })
	if err != nil {
		return err
	}
	r := listAt(c, store.ChangeSorting, canon)
	runs, err := h.store.Runs(ctx, in.ID, 200)
	if err != nil {
		return err
	}
	var runOpts []string
	for _, run := range runs {
		if run.Status == store.RunSucceeded {
			runOpts = append(runOpts, strconv.FormatInt(run.ID, 10), "#"+strconv.FormatInt(run.ID, 10)+" · "+fmtDateTime(run.StartedAt))
		}
	}
	v := r.listView(hd, []col{{"Sync", "run", false}, {"Change", "kind", false}, {"Who or what", "subject", false},
		{"Asset", "asset", false}, {"Before → after", "", false}},
		p.Total, p.Page, p.PerPage, p.Sort, p.Dir)
	v.Title, v.Noun, v.Caption = "Changes", "changes", "Changes between syncs"
	v.Intro = "What changed from one sync to the next: people and partners added or removed, roles and access changed. Pick a range of syncs to see what changed over it."
	v.SearchLabel, v.SearchPlaceholder = "Search changes", "Name, email or ID"
	v.Filters = []views.Filter{
		{Name: "from", Label: "From sync", Options: options(canon.Get("from"), "The first", runOpts...)},
		{Name: "to", Label: "To sync", Options: options(canon.Get("to"), "The latest", runOpts...)},
		{Name: "kind", Label: "Change", Options: options(q.Kind, "Any change", changeKinds...)},
		{Name: "subject_type", Label: "About", Options: options(q.SubjectType, "Anything", "member", "Members", "partner", "Partners", "asset", "Assets", "pixel", "Pixels")},
	}
	if q.Involving != "" {
		v.Hidden = append(v.Hidden, views.Param{Name: "involving", Value: q.Involving})
	}
	v.CSVHref = exportPath(in.ID, export.Changes, canon)
	for _, x := range p.Rows {
		v.Rows = append(v.Rows, changeRow(hd.Base, x))
	}
	v.Empty = emptyFor(hd, v, "changes", "Changes appear from the second sync on: each sync is compared with the one before it.")
	return showList(c, "Changes · "+in.Name, r, v)
}
