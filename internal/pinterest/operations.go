package pinterest

import (
	"context"
	"fmt"
	"net/url"
)

// UserAccount returns the account the token acts for (user_account/get).
func (c *Client) UserAccount(ctx context.Context) (*Account, error) {
	var a Account
	if err := c.get(ctx, opUserAccount, "/user_account", nil, &a); err != nil {
		return nil, err
	}
	if a.ID == "" && a.Username == "" {
		return nil, fmt.Errorf("pinterest: %s: %w: no account", opUserAccount.id, errMalformed)
	}
	return &a, nil
}

// AdAccountOwner returns the account that owns an ad account the user can
// access (user_account/get with ad_account_id). For a business it carries
// business_name, the name people know the business by: business-access
// answers and ad accounts name an owner by its username only.
func (c *Client) AdAccountOwner(ctx context.Context, adAccountID string) (*Account, error) {
	if err := checkID(opUserAccount, "ad account ID", adAccountID, 18); err != nil {
		return nil, err
	}
	var a Account
	if err := c.get(ctx, opUserAccount, "/user_account", url.Values{"ad_account_id": {adAccountID}}, &a); err != nil {
		return nil, err
	}
	if a.ID == "" && a.Username == "" {
		return nil, fmt.Errorf("pinterest: %s: %w: no account", opUserAccount.id, errMalformed)
	}
	return &a, nil
}

// LinkedBusinesses returns the business accounts linked to the user
// (linked_business_accounts/get): usernames only, no IDs.
func (c *Client) LinkedBusinesses(ctx context.Context) ([]LinkedBusiness, error) {
	var bs []LinkedBusiness
	if err := c.get(ctx, opLinkedBusinesses, "/user_account/businesses", nil, &bs); err != nil {
		return nil, err
	}
	if bs == nil {
		bs = []LinkedBusiness{}
	}
	return bs, nil
}

// PageOptions is the paging of a list call.
type PageOptions struct {
	// PageSize is the number of items per request, 1 to 250; 0 means
	// DefaultPageSize.
	PageSize int
}

// Employers lists the businesses the user belongs to, with the user's
// roles there (get/business_employers); each item's ID is a business ID.
func (c *Client) Employers(ctx context.Context, opts PageOptions) Pages[UserBusinessRoleBinding] {
	return list[UserBusinessRoleBinding](ctx, c, opEmployers, "/businesses/employers", nil, opts.PageSize)
}

// MembersOptions filters the members list.
type MembersOptions struct {
	PageOptions
	// AssetsSummary adds each member's ad accounts and profiles with
	// permissions.
	AssetsSummary bool
	// FetchSystemUsers lists system users instead of people.
	FetchSystemUsers bool
	// BusinessRoles keeps members with one of these roles (EMPLOYEE,
	// BIZ_ADMIN).
	BusinessRoles []string
	// MemberIDs keeps only these members (at most 500 characters joined).
	MemberIDs []string
}

// Members lists the business's members (get/business_members).
func (c *Client) Members(ctx context.Context, businessID string, opts MembersOptions) Pages[UserBusinessRoleBinding] {
	if err := checkID(opMembers, "business ID", businessID, 20); err != nil {
		return failed[UserBusinessRoleBinding](err)
	}
	q := url.Values{}
	setBool(q, "assets_summary", opts.AssetsSummary)
	setBool(q, "fetch_system_users", opts.FetchSystemUsers)
	for _, r := range opts.BusinessRoles {
		q.Add("business_roles", r)
	}
	if len(opts.MemberIDs) > 0 {
		if ids := join(opts.MemberIDs); len(ids) <= 500 {
			q.Set("member_ids", ids)
		} else {
			return failed[UserBusinessRoleBinding](fmt.Errorf("pinterest: %s: member IDs longer than 500 characters", opMembers.id))
		}
	}
	return list[UserBusinessRoleBinding](ctx, c, opMembers, "/businesses/"+businessID+"/members", q, opts.PageSize)
}

// PartnersOptions filters the partners list.
type PartnersOptions struct {
	PageOptions
	// PartnerType is INTERNAL (partners using our assets) or EXTERNAL
	// (partners sharing theirs with us); required, since Pinterest has no
	// default for it.
	PartnerType string
	// AssetsSummary adds each partner's ad accounts and profiles with
	// permissions.
	AssetsSummary bool
	// PartnerIDs keeps only these partners (at most 500 characters joined).
	PartnerIDs []string
}

// Partners lists the business's partners of one type
// (get/business_partners).
func (c *Client) Partners(ctx context.Context, businessID string, opts PartnersOptions) Pages[UserBusinessRoleBinding] {
	if err := checkID(opPartners, "business ID", businessID, 20); err != nil {
		return failed[UserBusinessRoleBinding](err)
	}
	if err := checkPartnerType(opPartners, opts.PartnerType); err != nil {
		return failed[UserBusinessRoleBinding](err)
	}
	q := url.Values{"partner_type": {opts.PartnerType}}
	setBool(q, "assets_summary", opts.AssetsSummary)
	if len(opts.PartnerIDs) > 0 {
		if ids := join(opts.PartnerIDs); len(ids) <= 500 {
			q.Set("partner_ids", ids)
		} else {
			return failed[UserBusinessRoleBinding](fmt.Errorf("pinterest: %s: partner IDs longer than 500 characters", opPartners.id))
		}
	}
	return list[UserBusinessRoleBinding](ctx, c, opPartners, "/businesses/"+businessID+"/partners", q, opts.PageSize)
}

func checkPartnerType(op *operation, t string) error {
	if t != PartnerInternal && t != PartnerExternal {
		return fmt.Errorf("pinterest: %s: partner type %q is not INTERNAL or EXTERNAL", op.id, t)
	}
	return nil
}

func checkAssetType(op *operation, t string) error {
	switch t {
	case "", AssetAdAccount, AssetProfile, AssetGroup, AssetCatalog, AssetConsumer:
		return nil
	}
	return fmt.Errorf("pinterest: %s: unknown asset type %q", op.id, t)
}

// AssetsOptions filters the assets list.
type AssetsOptions struct {
	PageOptions
	// AssetType is the one type listed; Pinterest's default is AD_ACCOUNT,
	// so a full inventory takes one list per type.
	AssetType string
	// Permissions keeps assets the business holds one of these
	// permissions on; OWNER keeps the assets it owns.
	Permissions []string
	// ChildAssetID keeps the asset groups holding this asset.
	ChildAssetID string
	// AssetGroupID keeps the assets of this asset group.
	AssetGroupID string
}

// Assets lists the business's assets of one type (business_assets/get).
func (c *Client) Assets(ctx context.Context, businessID string, opts AssetsOptions) Pages[BusinessAsset] {
	if err := checkID(opAssets, "business ID", businessID, 20); err != nil {
		return failed[BusinessAsset](err)
	}
	if err := checkAssetType(opAssets, opts.AssetType); err != nil {
		return failed[BusinessAsset](err)
	}
	q := url.Values{}
	if opts.AssetType != "" {
		q.Set("asset_type", opts.AssetType)
	}
	for _, p := range opts.Permissions {
		q.Add("permissions", p)
	}
	for name, id := range map[string]string{"child_asset_id": opts.ChildAssetID, "asset_group_id": opts.AssetGroupID} {
		if id == "" {
			continue
		}
		if err := checkID(opAssets, name, id, 20); err != nil {
			return failed[BusinessAsset](err)
		}
		q.Set(name, id)
	}
	return list[BusinessAsset](ctx, c, opAssets, "/businesses/"+businessID+"/assets", q, opts.PageSize)
}

// MemberAssets lists the assets of one type a member can access, with the
// member's permissions (business_member_assets/get). An empty assetType
// means Pinterest's default, AD_ACCOUNT.
func (c *Client) MemberAssets(ctx context.Context, businessID, memberID, assetType string, opts PageOptions) Pages[AssetIDPermissions] {
	if err := firstErr(
		checkID(opMemberAssets, "business ID", businessID, 20),
		checkID(opMemberAssets, "member ID", memberID, 20),
		checkAssetType(opMemberAssets, assetType)); err != nil {
		return failed[AssetIDPermissions](err)
	}
	q := url.Values{}
	if assetType != "" {
		q.Set("asset_type", assetType)
	}
	return list[AssetIDPermissions](ctx, c, opMemberAssets, "/businesses/"+businessID+"/members/"+memberID+"/assets", q, opts.PageSize)
}

// PartnerAssets lists the assets of one type shared with an INTERNAL
// partner, or shared with us by an EXTERNAL one, with the permissions
// (business_partner_asset_access/get).
func (c *Client) PartnerAssets(ctx context.Context, businessID, partnerID, partnerType, assetType string, opts PageOptions) Pages[PartnerAsset] {
	if err := firstErr(
		checkID(opPartnerAssets, "business ID", businessID, 20),
		checkID(opPartnerAssets, "partner ID", partnerID, 20),
		checkPartnerType(opPartnerAssets, partnerType),
		checkAssetType(opPartnerAssets, assetType)); err != nil {
		return failed[PartnerAsset](err)
	}
	q := url.Values{"partner_type": {partnerType}}
	if assetType != "" {
		q.Set("asset_type", assetType)
	}
	return list[PartnerAsset](ctx, c, opPartnerAssets, "/businesses/"+businessID+"/partners/"+partnerID+"/assets", q, opts.PageSize)
}

// AssetMembers lists the members (or, with fetchSystemUsers, the system
// users) with access to an asset (business_asset_members/get).
func (c *Client) AssetMembers(ctx context.Context, businessID, assetID string, fetchSystemUsers bool, opts PageOptions) Pages[UserSingleAssetBinding] {
	if err := firstErr(
		checkID(opAssetMembers, "business ID", businessID, 20),
		checkID(opAssetMembers, "asset ID", assetID, 20)); err != nil {
		return failed[UserSingleAssetBinding](err)
	}
	q := url.Values{}
	setBool(q, "fetch_system_users", fetchSystemUsers)
	return list[UserSingleAssetBinding](ctx, c, opAssetMembers, "/businesses/"+businessID+"/assets/"+assetID+"/members", q, opts.PageSize)
}

// AssetPartners lists the partners with access to one of our assets
// (business_asset_partners/get); it is empty for assets shared with us.
func (c *Client) AssetPartners(ctx context.Context, businessID, assetID string, opts PageOptions) Pages[UserSingleAssetBinding] {
	if err := firstErr(
		checkID(opAssetPartners, "business ID", businessID, 20),
		checkID(opAssetPartners, "asset ID", assetID, 20)); err != nil {
		return failed[UserSingleAssetBinding](err)
	}
	return list[UserSingleAssetBinding](ctx, c, opAssetPartners, "/businesses/"+businessID+"/assets/"+assetID+"/partners", nil, opts.PageSize)
}

// InvitesOptions filters the invites list.
type InvitesOptions struct {
	PageOptions
	// IsMember picks member invites (true, Pinterest's default when nil)
	// or partner invites and requests (false).
	IsMember *bool
	// InviteStatus keeps invites in these states (PENDING, EXPIRED).
	InviteStatus []string
	// InviteType keeps one type (MEMBER_INVITE, PARTNER_INVITE,
	// PARTNER_REQUEST).
	InviteType string
}

// Invites lists the business's invites and requests (get/invites).
func (c *Client) Invites(ctx context.Context, businessID string, opts InvitesOptions) Pages[Invite] {
	if err := checkID(opInvites, "business ID", businessID, 20); err != nil {
		return failed[Invite](err)
	}
	q := url.Values{}
	if opts.IsMember != nil {
		q.Set("is_member", fmt.Sprint(*opts.IsMember))
	}
	for _, s := range opts.InviteStatus {
		q.Add("invite_status", s)
	}
	if opts.InviteType != "" {
		q.Set("invite_type", opts.InviteType)
	}
	return list[Invite](ctx, c, opInvites, "/businesses/"+businessID+"/invites", q, opts.PageSize)
}

// AdAccountsOptions filters the ad accounts list.
type AdAccountsOptions struct {
	PageOptions
	// ExcludeShared leaves out ad accounts shared with the user (Pinterest
	// includes them by default).
	ExcludeShared bool
}

// AdAccounts lists the ad accounts the user can access, with the user's
// own permissions (ad_accounts/list).
func (c *Client) AdAccounts(ctx context.Context, opts AdAccountsOptions) Pages[AdAccount] {
	q := url.Values{}
	if opts.ExcludeShared {
		q.Set("include_shared_accounts", "false")
	}
	return list[AdAccount](ctx, c, opAdAccounts, "/ad_accounts", q, opts.PageSize)
}

// AdAccount returns one ad account (ad_accounts/get).
func (c *Client) AdAccount(ctx context.Context, adAccountID string) (*AdAccount, error) {
	if err := checkID(opAdAccount, "ad account ID", adAccountID, 18); err != nil {
		return nil, err
	}
	var a AdAccount
	if err := c.get(ctx, opAdAccount, "/ad_accounts/"+adAccountID, nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// ConversionTags returns the conversion tags (pixels) of an ad account
// (conversion_tags/list; not paginated). With filterDeleted, deleted tags
// are left out.
func (c *Client) ConversionTags(ctx context.Context, adAccountID string, filterDeleted bool) ([]ConversionTag, error) {
	if err := checkID(opConversionTags, "ad account ID", adAccountID, 18); err != nil {
		return nil, err
	}
	q := url.Values{}
	setBool(q, "filter_deleted", filterDeleted)
	var p page[ConversionTag]
	if err := c.get(ctx, opConversionTags, "/ad_accounts/"+adAccountID+"/conversion_tags", q, &p); err != nil {
		return nil, err
	}
	if p.Items == nil {
		return nil, fmt.Errorf("pinterest: %s: %w: no items", opConversionTags.id, errMalformed)
	}
	return *p.Items, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
