package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Grantee types of a grant.
const (
	GranteeMember  = "member"
	GranteePartner = "partner"
)

// Member is a member of the business (a user or a system user) in a snapshot.
type Member struct {
	ID            string // Pinterest user ID
	Username      string
	Email         string
	BusinessRoles []string // BIZ_ADMIN, EMPLOYEE
	IsSystemUser  bool
	CreatedTime   int64  // Unix ms when the membership began; 0 if unknown
	CreatedBy     string // Pinterest ID of the member who added this one
}

// Partner is a partner business in a snapshot. INTERNAL partners use our
// assets; EXTERNAL partners share theirs with us.
type Partner struct {
	ID              string
	Username        string
	Email           string
	PartnerType     string // INTERNAL or EXTERNAL
	IsSharedPartner bool
	CreatedTime     int64
	CreatedBy       string
}

// Asset is an ad account, profile, asset group or catalog in a snapshot.
// Fields a call did not return stay empty; writing the same asset again
// fills them in (ad accounts come from two calls).
type Asset struct {
	ID          string
	Type        string // AD_ACCOUNT, PROFILE, ASSET_GROUP, CATALOG
	Name        string
	OwnerID     string // Pinterest ID of the owning business or partner
	OwnerName   string
	Owned       bool // owned by the integration's business
	Currency    string
	Country     string
	Description string
	GroupTypes  []string
	CatalogType string
	CreatedTime int64 // Unix ms
	UpdatedTime int64 // Unix ms
	// Contents lists the assets inside an asset group (Pinterest IDs).
	Contents []string
}

// Grant gives a member or partner permissions on an asset. For an EXTERNAL
// partner it is what our business may do on the partner's asset.
type Grant struct {
	GranteeType string // GranteeMember or GranteePartner
	GranteeID   string
	AssetID     string
	Permissions []string
}

// Pixel is a conversion tag of an ad account in a snapshot.
type Pixel struct {
	ID                  string
	AdAccountID         string
	Name                string
	Status              string
	Version             string
	LastFiredTimeMs     int64 // 0: never fired
	EnhancedMatchStatus string
	AEMEnabled          bool
	MDFrequency         float64
}

// Invite is a pending or expired invitation or request in a snapshot.
type Invite struct {
	ID            string
	Type          string // MEMBER_INVITE, PARTNER_INVITE, PARTNER_REQUEST
	Status        string // PENDING, EXPIRED
	UserID        string
	Username      string
	Email         string
	BusinessRoles []string
	IsReceived    bool
	CreatedBy     string
	SentAt        int64 // Unix ms
	Expiration    int64 // Unix ms
	Assets        []InviteAsset
}

// InviteAsset is an asset an invite offers, with the permissions offered.
type InviteAsset struct {
	AssetID     string
	Permissions []string
}

// SnapshotWriter streams a run's snapshot into the database. Rows are
// buffered and written in batches, each batch in its own short transaction:
// the rows stay invisible until the run is finished and the integration's
// current pointer moves, so a batch at a time is safe and never holds the
// single writer for long. It is safe for concurrent use.
type SnapshotWriter struct {
	s             *Store
	runID         int64
	integrationID int64

	mu      sync.Mutex
	keys    map[entityRef]int64
	roles   map[string]int64 // "kind/name" -> access_roles.id
	pending batch
	err     error
	stmts   stmtCache
}

type entityRef struct{ kind, ext string }

// batch holds rows waiting to be written, already as column values.
type batch struct {
	rows    int
	members [][]any
	partner [][]any
	assets  [][]any
	groups  [][]any
	grants  [][]any
	pixels  [][]any
	invites [][]any
	invAss  [][]any
	newKeys []entityRef
}

// batchRows is how many rows a batch holds before it is written.
const batchRows = 4000

// NewSnapshotWriter starts writing the snapshot of a running run.
func (s *Store) NewSnapshotWriter(ctx context.Context, runID int64) (*SnapshotWriter, error) {
	r, err := s.Run(ctx, runID)
	if err != nil {
		return nil, err
	}
	if r.Status != RunRunning {
		return nil, ErrRunState
	}
	w := &SnapshotWriter{s: s, runID: runID, integrationID: r.IntegrationID,
		keys: map[entityRef]int64{}, roles: map[string]int64{}, stmts: stmtCache{db: s.w}}
	rows, err := s.read.QueryContext(ctx, `SELECT id, kind, ext_id FROM entity_keys WHERE integration_id = ?`, r.IntegrationID)
	if err != nil {
		return nil, fmt.Errorf("store: load entity keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var ref entityRef
		if err := rows.Scan(&id, &ref.kind, &ref.ext); err != nil {
			return nil, fmt.Errorf("store: load entity keys: %w", err)
		}
		w.keys[ref] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: load entity keys: %w", err)
	}
	if err := w.loadRoles(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *SnapshotWriter) loadRoles(ctx context.Context) error {
	rows, err := w.s.read.QueryContext(ctx, `SELECT id, kind, name FROM access_roles`)
	if err != nil {
		return fmt.Errorf("store: load roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind, name string
		if err := rows.Scan(&id, &kind, &name); err != nil {
			return fmt.Errorf("store: load roles: %w", err)
		}
		w.roles[kind+"/"+name] = id
	}
	return rows.Err()
}

// key returns the entity key for a Pinterest ID, or a placeholder
// (negative) resolved when the batch is written.
func (w *SnapshotWriter) key(kind, ext string) int64 {
	ref := entityRef{kind, ext}
	if id, ok := w.keys[ref]; ok {
		return id
	}
	id := -int64(len(w.pending.newKeys) + 1)
	w.keys[ref] = id
	w.pending.newKeys = append(w.pending.newKeys, ref)
	return id
}

func (w *SnapshotWriter) add(ctx context.Context, n int) error {
	w.pending.rows += n
	if w.pending.rows >= batchRows {
		return w.flushLocked(ctx)
	}
	return nil
}

func joinSorted(v []string) string {
	if len(v) == 0 {
		return ""
	}
	c := slices.Clone(v)
	slices.Sort(c)
	return strings.Join(slices.Compact(c), ",")
}

func lower(parts ...string) string { return strings.ToLower(strings.Join(parts, " ")) }

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// AddMembers adds members to the snapshot; a member already added is kept.
func (w *SnapshotWriter) AddMembers(ctx context.Context, ms ...Member) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	for _, m := range ms {
		w.pending.members = append(w.pending.members, []any{w.runID, w.key(GranteeMember, m.ID), m.ID, m.Username, m.Email,
			joinSorted(m.BusinessRoles), b2i(m.IsSystemUser), m.CreatedTime, m.CreatedBy, lower(m.ID, m.Username, m.Email)})
		for _, r := range m.BusinessRoles {
			w.role(ctx, "business_role", r)
		}
	}
	return w.add(ctx, len(ms))
}

// AddPartners adds partners to the snapshot.
func (w *SnapshotWriter) AddPartners(ctx context.Context, ps ...Partner) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	for _, p := range ps {
		w.pending.partner = append(w.pending.partner, []any{w.runID, w.key(GranteePartner, p.ID), p.ID, p.Username, p.Email,
			p.PartnerType, b2i(p.IsSharedPartner), p.CreatedTime, p.CreatedBy, lower(p.ID, p.Username, p.Email)})
	}
	return w.add(ctx, len(ps))
}

// AddAssets adds assets to the snapshot. Adding an asset again fills in the
// fields that were empty (ad accounts get their name from a second call).
func (w *SnapshotWriter) AddAssets(ctx context.Context, as ...Asset) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	n := 0
	for _, a := range as {
		id := w.key("asset", a.ID)
		w.pending.assets = append(w.pending.assets, []any{w.runID, id, a.ID, a.Type, a.Name, a.OwnerID, a.OwnerName,
			b2i(a.Owned), a.Currency, a.Country, a.Description, strings.Join(a.GroupTypes, ","), a.CatalogType,
			a.CreatedTime, a.UpdatedTime, lower(a.ID, a.Name)})
		n++
		for _, c := range a.Contents {
			w.pending.groups = append(w.pending.groups, []any{w.runID, id, w.key("asset", c)})
			n++
		}
	}
	return w.add(ctx, n)
}

// AddGrants adds grants to the snapshot, one row per permission. A grant
// seen twice (for example through two calls) is stored once.
func (w *SnapshotWriter) AddGrants(ctx context.Context, gs ...Grant) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	n := 0
	for _, g := range gs {
		if g.GranteeType != GranteeMember && g.GranteeType != GranteePartner {
			return fmt.Errorf("store: grant on %s: grantee type %q is not member or partner", g.AssetID, g.GranteeType)
		}
		who := w.key(g.GranteeType, g.GranteeID)
		asset := w.key("asset", g.AssetID)
		for _, p := range g.Permissions {
			w.pending.grants = append(w.pending.grants, []any{w.runID, who, asset, w.role(ctx, "permission", p)})
			n++
		}
	}
	return w.add(ctx, n)
}

// AddPixels adds conversion tags to the snapshot.
func (w *SnapshotWriter) AddPixels(ctx context.Context, ps ...Pixel) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	for _, p := range ps {
		w.pending.pixels = append(w.pending.pixels, []any{w.runID, w.key("pixel", p.ID), p.ID, w.key("asset", p.AdAccountID),
			p.AdAccountID, p.Name, p.Status, p.Version, p.LastFiredTimeMs, p.EnhancedMatchStatus, b2i(p.AEMEnabled),
			p.MDFrequency, lower(p.ID, p.Name, p.AdAccountID)})
	}
	return w.add(ctx, len(ps))
}

// AddInvites adds invites to the snapshot.
func (w *SnapshotWriter) AddInvites(ctx context.Context, is ...Invite) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	n := 0
	for _, inv := range is {
		id := w.key("invite", inv.ID)
		w.pending.invites = append(w.pending.invites, []any{w.runID, id, inv.ID, inv.Type, inv.Status, inv.UserID,
			inv.Username, inv.Email, joinSorted(inv.BusinessRoles), b2i(inv.IsReceived), inv.CreatedBy, inv.SentAt,
			inv.Expiration, lower(inv.ID, inv.Username, inv.Email)})
		n++
		for _, a := range inv.Assets {
			for _, p := range a.Permissions {
				w.pending.invAss = append(w.pending.invAss, []any{w.runID, id, a.AssetID, w.role(ctx, "permission", p)})
				n++
			}
		}
		for _, r := range inv.BusinessRoles {
			w.role(ctx, "business_role", r)
		}
	}
	return w.add(ctx, n)
}

// role returns the access_roles id of a role or permission, adding an
// unknown one with a generic description (Pinterest may add new ones).
func (w *SnapshotWriter) role(ctx context.Context, kind, name string) int64 {
	if id, ok := w.roles[kind+"/"+name]; ok {
		return id
	}
	var id int64
	err := w.s.w.QueryRowContext(ctx, `INSERT INTO access_roles (kind, name, description) VALUES (?, ?, ?)
		ON CONFLICT (kind, name) DO UPDATE SET name = excluded.name RETURNING id`,
		kind, name, "A "+strings.ReplaceAll(kind, "_", " ")+" Pinterest reported that pinaccess has no description for yet.").Scan(&id)
	if err != nil {
		w.err = fmt.Errorf("store: record role %s: %w", name, err)
		return 0
	}
	w.roles[kind+"/"+name] = id
	return id
}

// Complete ends the snapshot's writing: it flushes, drops assets that were
// only mentioned (never listed as the business's, so no type), and settles
// ownership: an asset with no owner recorded belongs to the business; owner
// names come from the partners list when the API gave none.
func (w *SnapshotWriter) Complete(ctx context.Context, businessID, businessName string) error {
	if err := w.Flush(ctx); err != nil {
		return err
	}
	err := w.s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM snap_assets WHERE run_id = ? AND asset_type = ''`, w.runID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE snap_assets SET
			owner_id = iif(owner_id = '', ?2, owner_id),
			owned = (owner_id = '' OR owner_id = ?2),
			owner_name = CASE WHEN owner_name <> '' THEN owner_name
				WHEN owner_id = '' OR owner_id = ?2 THEN ?3
				ELSE coalesce((SELECT p.username FROM snap_partners p WHERE p.run_id = ?1 AND p.ext_id = snap_assets.owner_id), '') END
			WHERE run_id = ?1`, w.runID, businessID, businessName)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: complete snapshot of run %d: %w", w.runID, err)
	}
	return nil
}

// Close releases the writer's prepared statements; buffered rows not yet
// flushed are dropped. Call it when the run ends, however it ends.
func (w *SnapshotWriter) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stmts.close()
	w.pending = batch{}
	if w.err == nil {
		w.err = ErrRunState
	}
}

// Flush writes every buffered row.
func (w *SnapshotWriter) Flush(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushLocked(ctx)
}

func (w *SnapshotWriter) flushLocked(ctx context.Context) error {
	if w.err != nil {
		return w.err
	}
	b := w.pending
	w.pending = batch{}
	if b.rows == 0 && len(b.newKeys) == 0 {
		return nil
	}
	tables := []insertSpec{
		{b.members, `INSERT INTO snap_members (run_id, id, ext_id, username, email, business_roles, is_system_user,
			created_time, created_by, search) VALUES `, ` ON CONFLICT DO NOTHING`},
		{b.partner, `INSERT INTO snap_partners (run_id, id, ext_id, username, email, partner_type, is_shared_partner,
			created_time, created_by, search) VALUES `, ` ON CONFLICT DO NOTHING`},
		{b.assets, `INSERT INTO snap_assets (run_id, id, ext_id, asset_type, name, owner_id, owner_name, owned,
			currency, country, description, group_types, catalog_type, created_time, updated_time, search) VALUES `,
			` ON CONFLICT (run_id, id) DO UPDATE SET
			asset_type = iif(excluded.asset_type <> '', excluded.asset_type, asset_type),
			name = iif(excluded.name <> '', excluded.name, name),
			search = iif(excluded.name <> '', excluded.search, search),
			owner_id = iif(excluded.owner_id <> '', excluded.owner_id, owner_id),
			owner_name = iif(excluded.owner_name <> '', excluded.owner_name, owner_name),
			owned = max(owned, excluded.owned),
			currency = iif(excluded.currency <> '', excluded.currency, currency),
			country = iif(excluded.country <> '', excluded.country, country),
			description = iif(excluded.description <> '', excluded.description, description),
			group_types = iif(excluded.group_types <> '', excluded.group_types, group_types),
			catalog_type = iif(excluded.catalog_type <> '', excluded.catalog_type, catalog_type),
			created_time = iif(excluded.created_time <> 0, excluded.created_time, created_time),
			updated_time = iif(excluded.updated_time <> 0, excluded.updated_time, updated_time)`},
		{b.groups, `INSERT INTO snap_group_contents (run_id, group_id, asset_id) VALUES `, ` ON CONFLICT DO NOTHING`},
		{b.grants, `INSERT INTO snap_grants (run_id, grantee_id, asset_id, permission_id) VALUES `, ` ON CONFLICT DO NOTHING`},
		{b.pixels, `INSERT INTO snap_pixels (run_id, id, ext_id, ad_account_id, ad_account_ext_id, name, status, version,
			last_fired_time_ms, enhanced_match_status, aem_enabled, md_frequency, search) VALUES `, ` ON CONFLICT DO NOTHING`},
		{b.invites, `INSERT INTO snap_invites (run_id, id, ext_id, invite_type, invite_status, user_id, username, email,
			business_roles, is_received, created_by, sent_at, expiration, search) VALUES `, ` ON CONFLICT DO NOTHING`},
		{b.invAss, `INSERT INTO snap_invite_assets (run_id, invite_id, asset_ext_id, permission_id) VALUES `, ` ON CONFLICT DO NOTHING`},
	}
	// Prepare the statements before the transaction takes the single
	// writer connection: preparing inside it would wait for itself.
	for _, t := range tables {
		if err := w.stmts.prepare(ctx, t); err != nil {
			w.err = fmt.Errorf("store: write snapshot of run %d: %w", w.runID, err)
			return w.err
		}
	}
	resolved := make([]int64, len(b.newKeys))
	err := w.s.inTx(ctx, func(tx *sql.Tx) error {
		// Resolve the placeholders of new entity keys first.
		if err := insertKeys(ctx, tx, w.integrationID, b.newKeys, resolved); err != nil {
			return fmt.Errorf("entity keys: %w", err)
		}
		fix := func(rows [][]any, cols ...int) {
			for _, r := range rows {
				for _, c := range cols {
					if v := r[c].(int64); v < 0 {
						r[c] = resolved[-v-1]
					}
				}
			}
		}
		fix(b.members, 1)
		fix(b.partner, 1)
		fix(b.assets, 1)
		fix(b.groups, 1, 2)
		fix(b.grants, 1, 2)
		fix(b.pixels, 1, 3)
		fix(b.invites, 1)
		fix(b.invAss, 1)
		for _, t := range tables {
			if err := insertRowsCached(ctx, tx, &w.stmts, t.insert, t.tail, t.rows); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		w.err = fmt.Errorf("store: write snapshot of run %d: %w", w.runID, err)
		return w.err
	}
	for i, ref := range b.newKeys {
		w.keys[ref] = resolved[i]
	}
	return nil
}

// insertKeys gives each ref its entity key (creating the missing ones) and
// stores it in keys at the ref's index, with multi-row INSERT … RETURNING.
func insertKeys(ctx context.Context, tx *sql.Tx, integrationID int64, refs []entityRef, keys []int64) error {
	index := make(map[entityRef]int, len(refs))
	for i, r := range refs {
		index[r] = i
	}
	const per = 1000
	for start := 0; start < len(refs); start += per {
		chunk := refs[start:min(start+per, len(refs))]
		args := make([]any, 0, 3*len(chunk))
		for _, r := range chunk {
			args = append(args, integrationID, r.kind, r.ext)
		}
		rows, err := tx.QueryContext(ctx, `INSERT INTO entity_keys (integration_id, kind, ext_id) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?),", len(chunk)), ",")+
			` ON CONFLICT (integration_id, kind, ext_id) DO UPDATE SET ext_id = excluded.ext_id RETURNING id, kind, ext_id`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var r entityRef
			if err := rows.Scan(&id, &r.kind, &r.ext); err != nil {
				rows.Close()
				return err
			}
			if i, ok := index[r]; ok {
				keys[i] = id
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	for i, k := range keys {
		if k == 0 {
			return fmt.Errorf("no key returned for %s %s", refs[i].kind, refs[i].ext)
		}
	}
	return nil
}

// maxParams bounds the parameters of one statement (SQLite allows 32766).
const maxParams = 30000

// insertChunk is the most rows one INSERT statement carries.
const insertChunk = 256

// insertRows writes rows with multi-row INSERTs: full chunks of
// insertChunk rows, then the rest in power-of-two statements, so only a
// handful of statement shapes exist.
func insertRows(ctx context.Context, tx *sql.Tx, head, tail string, rows [][]any) error {
	return insertRowsCached(ctx, tx, nil, head, tail, rows)
}

// insertRowsCached is insertRows using the statements stmts prepared
// beforehand (see stmtCache.prepare); the writer pool has a single
// connection, so tx.StmtContext reuses them without preparing again.
// stmts may be nil.
func insertRowsCached(ctx context.Context, tx *sql.Tx, stmts *stmtCache, head, tail string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	cols := len(rows[0])
	args := make([]any, 0, min(len(rows), insertChunk)*cols)
	for _, n := range chunks(len(rows)) {
		q := chunkQuery(head, tail, cols, n)
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		var err error
		if st := stmts.lookup(q); st != nil {
			_, err = tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, q, args...)
		}
		if err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// insertSpec is a table's pending rows and its INSERT statement's head
// (up to VALUES) and tail (the conflict clause).
type insertSpec struct {
	rows   [][]any
	insert string
	tail   string
}

// chunks returns the row counts insertRowsCached uses for n rows.
func chunks(n int) []int {
	var out []int
	for n > 0 {
		c := insertChunk
		for c > n {
			c /= 2
		}
		out = append(out, c)
		n -= c
	}
	return out
}

func chunkQuery(head, tail string, cols, n int) string {
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return head + strings.TrimSuffix(strings.Repeat(tuple+",", n), ",") + tail
}

// prepare makes sure every statement t will need is prepared.
func (c *stmtCache) prepare(ctx context.Context, t insertSpec) error {
	if len(t.rows) == 0 {
		return nil
	}
	for _, n := range chunks(len(t.rows)) {
		if _, err := c.get(ctx, chunkQuery(t.insert, t.tail, len(t.rows[0]), n)); err != nil {
			return err
		}
	}
	return nil
}

// stmtCache holds statements prepared on the writer pool, by query text.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (c *stmtCache) get(ctx context.Context, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[q] = st
	return st, nil
}

// lookup returns a prepared statement, or nil (c may be nil).
func (c *stmtCache) lookup(q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[q]
}

// close releases the cached statements.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}
