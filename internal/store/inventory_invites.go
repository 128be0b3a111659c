package store

import (
	"context"
	"database/sql"
	"slices"
	"time"
)

// InviteQuery selects and orders the invites of the current snapshot. Type
// is MEMBER_INVITE, PARTNER_INVITE or PARTNER_REQUEST; Status PENDING or
// EXPIRED; SentBefore keeps invites sent before that time (zero: any). Sort
// keys: sent (default, newest first), email, type, status, expires.
type InviteQuery struct {
	ListQuery
	Type       string
	Status     string
	SentBefore time.Time
}

// InviteRow is an invite as lists and exports show it.
type InviteRow struct {
	ID            string
	Type          string
	Status        string
	UserID        string
	Username      string
	Email         string
	BusinessRoles []string
	IsReceived    bool
	CreatedBy     string
	SentAt        time.Time
	Expiration    time.Time
	Assets        int // assets the invite offers
}

// InvitePage is one page of invites.
type InvitePage = Page[InviteRow]

var inviteSorts = sortKeys{
	def: "sent", defDir: SortDesc,
	keys: map[string]sortSpec{
		"sent":    {terms: []string{"i.sent_at", "i.id"}},
		"email":   {terms: []string{"i.email COLLATE NOCASE", "i.username COLLATE NOCASE", "i.id"}},
		"type":    {terms: []string{"i.invite_type", "i.sent_at", "i.id"}},
		"status":  {terms: []string{"i.invite_status", "i.sent_at", "i.id"}},
		"expires": {terms: []string{"i.expiration", "i.id"}},
	},
}

func (q InviteQuery) filtered() bool {
	return hasText(q.Q) || q.Type != "" || q.Status != "" || !q.SentBefore.IsZero()
}

func (q InviteQuery) sql(runID int64) (listSQL, string, string) {
	cols := `i.ext_id, i.invite_type, i.invite_status, i.user_id, i.username, i.email, i.business_roles, i.is_received,
		i.created_by, i.sent_at, i.expiration,
		(SELECT count(DISTINCT x.asset_ext_id) FROM snap_invite_assets x WHERE x.run_id = i.run_id AND x.invite_id = i.id)`
	from := `FROM snap_invites i`
	var w where
	w.add("i.run_id = ?", runID)
	if hasText(q.Q) {
		w.add(`i.search LIKE ? ESCAPE '\'`, likePattern(q.Q))
	}
	if q.Type != "" {
		w.add("i.invite_type = ?", q.Type)
	}
	if q.Status != "" {
		w.add("i.invite_status = ?", q.Status)
	}
	if !q.SentBefore.IsZero() {
		w.add("i.sent_at > 0 AND i.sent_at < ?", q.SentBefore.UnixMilli())
	}
	sort, dir, _ := inviteSorts.resolve(q.Sort, q.Dir)
	return simpleList(cols, from, w, inviteSorts, sort, dir), sort, dir
}

func scanInviteRow(r *sql.Rows) (InviteRow, error) {
	var i InviteRow
	var roles string
	var sent, exp int64
	err := r.Scan(&i.ID, &i.Type, &i.Status, &i.UserID, &i.Username, &i.Email, &roles, &i.IsReceived,
		&i.CreatedBy, &sent, &exp, &i.Assets)
	i.BusinessRoles = splitList(roles)
	i.SentAt, i.Expiration = fromMilli(sent), fromMilli(exp)
	return i, err
}

// ListInvites returns one page of the current snapshot's invites.
func (s *Store) ListInvites(ctx context.Context, integrationID int64, q InviteQuery) (InvitePage, error) {
	normPage(&q.ListQuery)
	run, err := s.currentRun(ctx, integrationID)
	if err != nil || run == 0 {
		return InvitePage{Page: q.Page, PerPage: q.PerPage}, err
	}
	l, sort, dir := q.sql(run)
	known := countCached
	switch {
	case !q.filtered():
		known = s.snapshotCount(ctx, run, "invites")
	case !q.SentBefore.IsZero() && !hasText(q.Q) && q.Type == "":
		// The cut-off follows the clock ("pending for 30 days"), so each
		// request asks a new count: it is a search in the snapshot's
		// send times, kept sorted by status.
		known, err = s.invitesSentBefore(ctx, run, q.Status, q.SentBefore)
	case !q.SentBefore.IsZero():
		known = countLive
	}
	if err != nil {
		return InvitePage{}, err
	}
	rows, total, err := listPage(ctx, s, "list invites", l, q.ListQuery, known, scanInviteRow)
	return InvitePage{Rows: rows, Total: total, Page: q.Page, PerPage: q.PerPage, Sort: sort, Dir: dir}, err
}

// EachInvite streams every invite matching q in the list's order.
func (s *Store) EachInvite(ctx context.Context, integrationID int64, q InviteQuery, fn func(InviteRow) error) error {
	run, err := s.currentRun(ctx, integrationID)
	if err != nil || run == 0 {
		return err
	}
	l, _, _ := q.sql(run)
	return eachRow(ctx, s.read, "invites", l, scanInviteRow, fn)
}

// invitesSentBefore counts a snapshot's invites sent (a known time) before
// the given time, of one status or ("") of any, as InviteQuery's Status and
// SentBefore select them. The send times are kept per snapshot, sorted by
// status, so a count is a binary search whatever the time.
func (s *Store) invitesSentBefore(ctx context.Context, runID int64, status string, before time.Time) (int, error) {
	type sent struct {
		status string
		at     int64
	}
	byStatus, err := cached(ctx, s.cache, cacheKey("invite send times", "", []any{runID}), func() (map[string][]int64, error) {
		rows, err := queryAll(ctx, s.read, "invite send times", func(r *sql.Rows) (sent, error) {
			var x sent
			return x, r.Scan(&x.status, &x.at)
		}, `SELECT invite_status, sent_at FROM snap_invites WHERE run_id = ? AND sent_at > 0 ORDER BY invite_status, sent_at`, runID)
		m := map[string][]int64{}
		for _, x := range rows {
			m[x.status] = append(m[x.status], x.at)
		}
		return m, err
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for st, times := range byStatus {
		if status == "" || st == status {
			i, _ := slices.BinarySearch(times, before.UnixMilli())
			n += i
		}
	}
	return n, nil
}
