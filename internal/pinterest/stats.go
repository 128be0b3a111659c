package pinterest

import "sync/atomic"

// operation is one Pinterest operation the client calls, with its
// operationId and rate-limit category from the OpenAPI description.
type operation struct {
	id       string
	category Category
	idx      int
}

var operations []*operation

func newOperation(id string, c Category) *operation {
	o := &operation{id: id, category: c, idx: len(operations)}
	operations = append(operations, o)
	return o
}

// The operations the client calls (operationId, x-ratelimit-category).
var (
	opToken            = newOperation("oauth/token", OrgRead)
	opRevoke           = newOperation("token/revoke", OrgWrite)
	opUserAccount      = newOperation("user_account/get", OrgRead)
	opLinkedBusinesses = newOperation("linked_business_accounts/get", OrgRead)
	opEmployers        = newOperation("get/business_employers", AdsRead)
	opMembers          = newOperation("get/business_members", AdsRead)
	opPartners         = newOperation("get/business_partners", AdsRead)
	opAssets           = newOperation("business_assets/get", AdsRead)
	opMemberAssets     = newOperation("business_member_assets/get", AdsRead)
	opPartnerAssets    = newOperation("business_partner_asset_access/get", AdsRead)
	opAssetMembers     = newOperation("business_asset_members/get", AdsRead)
	opAssetPartners    = newOperation("business_asset_partners/get", AdsRead)
	opInvites          = newOperation("get/invites", AdsRead)
	opAdAccounts       = newOperation("ad_accounts/list", AdsRead)
	opAdAccount        = newOperation("ad_accounts/get", AdsRead)
	opConversionTags   = newOperation("conversion_tags/list", AdsRead)
)

// Stats is what a client's calls cost so far.
type Stats struct {
	// Calls counts the HTTP requests sent per operationId, retries
	// included: each one counts against Pinterest's quota.
	Calls map[string]int
	// Retries counts requests repeated after a 429, a 5xx, a network
	// error or a 401 that was answered by refreshing the token.
	Retries int
	// RateLimited counts 429 answers.
	RateLimited int
	// ServerErrors counts 5xx answers.
	ServerErrors int
	// NetworkErrors counts requests that got no complete answer.
	NetworkErrors int
	// Refreshes counts access tokens renewed with the refresh token.
	Refreshes int
}

// Total returns the number of requests sent.
func (s Stats) Total() int {
	n := 0
	for _, c := range s.Calls {
		n += c
	}
	return n
}

// ByCategory returns the requests sent per rate-limit category.
func (s Stats) ByCategory() map[Category]int {
	m := map[Category]int{}
	for _, o := range operations {
		if n := s.Calls[o.id]; n > 0 {
			m[o.category] += n
		}
	}
	return m
}

// counters are the live, lock-free counts behind Stats.
type counters struct {
	calls         []atomic.Int64
	retries       atomic.Int64
	rateLimited   atomic.Int64
	serverErrors  atomic.Int64
	networkErrors atomic.Int64
	refreshes     atomic.Int64
}

func newCounters() *counters {
	return &counters{calls: make([]atomic.Int64, len(operations))}
}

func (c *counters) snapshot() Stats {
	s := Stats{
		Calls:         map[string]int{},
		Retries:       int(c.retries.Load()),
		RateLimited:   int(c.rateLimited.Load()),
		ServerErrors:  int(c.serverErrors.Load()),
		NetworkErrors: int(c.networkErrors.Load()),
		Refreshes:     int(c.refreshes.Load()),
	}
	for _, o := range operations {
		if n := c.calls[o.idx].Load(); n > 0 {
			s.Calls[o.id] = int(n)
		}
	}
	return s
}
