package pinterest

// The types below mirror the schemas of Pinterest's OpenAPI description
// (components/schemas), keeping only the fields pinaccess reads. IDs are
// digit strings and stay strings. Business-access times are Unix
// milliseconds; AdAccount times are Unix seconds, as Pinterest sends them.

// Account is the authorized user's account (schema Account).
type Account struct {
	ID           string `json:"id"`
	Username     string `json:"username"`
	AccountType  string `json:"account_type"` // PINNER or BUSINESS
	BusinessName string `json:"business_name,omitempty"`
	ProfileImage string `json:"profile_image,omitempty"`
	WebsiteURL   string `json:"website_url,omitempty"`
}

// LinkedBusiness is a business account linked to the user (schema
// LinkedBusiness). Pinterest gives no IDs here, only usernames.
type LinkedBusiness struct {
	Username       string `json:"username"`
	ImageSmallURL  string `json:"image_small_url,omitempty"`
	ImageMediumURL string `json:"image_medium_url,omitempty"`
	ImageLargeURL  string `json:"image_large_url,omitempty"`
	ImageXLargeURL string `json:"image_xlarge_url,omitempty"`
}

// BusinessAccessUserSummary identifies a user or business in business-access
// answers (schema BusinessAccessUserSummary). Any field may be missing.
type BusinessAccessUserSummary struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email"`
}

// AssetPermissions is one asset of an assets summary with the permissions
// held on it (the items of BusinessMemberAssetsSummary's lists).
type AssetPermissions struct {
	ID          string   `json:"id"`
	Permissions []string `json:"permissions"`
}

// BusinessMemberAssetsSummary lists the ad accounts and profiles a member or
// partner can access (schema BusinessMemberAssetsSummary), present only when
// asked for with assets_summary=true.
type BusinessMemberAssetsSummary struct {
	AdAccounts []AssetPermissions `json:"ad_accounts"`
	Profiles   []AssetPermissions `json:"profiles"`
}

// UserBusinessRoleBinding is a member, a partner, or (from the employers
// list) a business the user belongs to (schema UserBusinessRoleBinding).
// For employers, ID is the business ID and BusinessRoles the user's roles
// there.
type UserBusinessRoleBinding struct {
	ID                string                       `json:"id"`
	User              *BusinessAccessUserSummary   `json:"user"`
	BusinessRoles     []string                     `json:"business_roles"`
	IsSharedPartner   bool                         `json:"is_shared_partner"`
	CreatedTime       int64                        `json:"created_time"` // ms; 0 when unknown
	CreatedByUser     *BusinessAccessUserSummary   `json:"created_by_user"`
	CreatedByBusiness *BusinessAccessUserSummary   `json:"created_by_business"`
	AssetsSummary     *BusinessMemberAssetsSummary `json:"assets_summary"`
}

// HasRole reports whether b holds the business role role (such as BIZ_ADMIN).
func (b *UserBusinessRoleBinding) HasRole(role string) bool {
	for _, r := range b.BusinessRoles {
		if r == role {
			return true
		}
	}
	return false
}

// AssetGroupBinding describes an asset group (schema AssetGroupBinding).
type AssetGroupBinding struct {
	ID                    string                     `json:"id"`
	AssetGroupName        string                     `json:"asset_group_name"`
	AssetGroupDescription string                     `json:"asset_group_description"`
	AssetGroupTypes       []string                   `json:"asset_group_types"`
	AdAccountsIDs         []string                   `json:"ad_accounts_ids"`
	ProfilesIDs           []string                   `json:"profiles_ids"`
	CatalogsIDs           []string                   `json:"catalogs_ids"`
	CreatedBy             *BusinessAccessUserSummary `json:"created_by"`
	Owner                 *BusinessAccessUserSummary `json:"owner"`
	CreatedTime           int64                      `json:"created_time"`
	UpdatedTime           int64                      `json:"updated_time"`
}

// CatalogInfo describes a catalog asset (GetBusinessAssetsResponse's
// catalog_info).
type CatalogInfo struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	CatalogType string `json:"catalog_type"`
}

// BusinessAsset is an asset of the business (schema
// GetBusinessAssetsResponse). It carries no permissions: list with the
// OWNER permission filter to tell owned assets from shared ones.
type BusinessAsset struct {
	AssetID        string             `json:"asset_id"`
	AssetType      string             `json:"asset_type"`
	AssetGroupInfo *AssetGroupBinding `json:"asset_group_info"`
	CatalogInfo    *CatalogInfo       `json:"catalog_info"`
}

// AssetIDPermissions is an asset a member can access, with the member's
// permissions on it (schema AssetIdPermissions).
type AssetIDPermissions struct {
	AssetID        string             `json:"asset_id"`
	AssetType      string             `json:"asset_type"`
	Permissions    []string           `json:"permissions"`
	AssetGroupInfo *AssetGroupBinding `json:"asset_group_info"`
}

// PartnerAsset is an asset shared with or by a partner, with the permissions
// on it (schema GetPartnerAssetsResponse).
type PartnerAsset struct {
	AssetID        string             `json:"asset_id"`
	AssetType      string             `json:"asset_type"`
	Permissions    []string           `json:"permissions"`
	AssetGroupInfo *AssetGroupBinding `json:"asset_group_info"`
}

// UserSingleAssetBinding is a member or partner with access to one asset
// and the permissions it holds there (schema UserSingleAssetBinding).
type UserSingleAssetBinding struct {
	User        *BusinessAccessUserSummary `json:"user"`
	Permissions []string                   `json:"permissions"`
}

// InviteData is the state of an invite (BaseInviteDataResponse's
// invite_data). Times are Unix milliseconds.
type InviteData struct {
	InviteStatus     string `json:"invite_status"` // PENDING or EXPIRED
	InviteType       string `json:"invite_type"`   // MEMBER_INVITE, PARTNER_INVITE or PARTNER_REQUEST
	InviteExpiration int64  `json:"invite_expiration"`
	LastUpdatedTime  int64  `json:"last_updated_time"`
	SentAt           int64  `json:"sent_at"`
}

// Invite is a pending or expired invitation or request (schema
// InviteResponse).
type Invite struct {
	ID                string                       `json:"id"`
	InviteData        *InviteData                  `json:"invite_data"`
	IsReceivedInvite  bool                         `json:"is_received_invite"`
	User              *BusinessAccessUserSummary   `json:"user"`
	BusinessRoles     []string                     `json:"business_roles"`
	AssetsSummary     *BusinessMemberAssetsSummary `json:"assets_summary"`
	CreatedByBusiness *BusinessAccessUserSummary   `json:"created_by_business"`
	CreatedByUser     *BusinessAccessUserSummary   `json:"created_by_user"`
	CreatedTime       int64                        `json:"created_time"`
}

// AdAccountOwner is the owner of an ad account (schema AdAccountOwner).
type AdAccountOwner struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

// AdAccount is an ad account the user can access (schema AdAccount).
// Permissions are the token user's own; times are Unix seconds.
type AdAccount struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Owner       *AdAccountOwner `json:"owner"`
	Country     string          `json:"country"`
	Currency    string          `json:"currency"`
	Permissions []string        `json:"permissions"`
	CreatedTime int64           `json:"created_time"`
	UpdatedTime int64           `json:"updated_time"`
}

// ConversionTagConfigs holds a conversion tag's settings (schema
// ConversionTagConfigs).
type ConversionTagConfigs struct {
	AEMEnabled           *bool    `json:"aem_enabled"`
	AEMDBEnabled         *bool    `json:"aem_db_enabled"`
	AEMExternalIDEnabled *bool    `json:"aem_external_id_enabled"`
	AEMFnLnEnabled       *bool    `json:"aem_fnln_enabled"`
	AEMGeEnabled         *bool    `json:"aem_ge_enabled"`
	AEMLocEnabled        *bool    `json:"aem_loc_enabled"`
	AEMPhEnabled         *bool    `json:"aem_ph_enabled"`
	MDFrequency          *float64 `json:"md_frequency"`
	NoCodeCAPIDomains    []string `json:"no_code_capi_domains"`
}

// ConversionTag is a Pinterest tag, the "pixel" of an ad account (schema
// ConversionTag).
type ConversionTag struct {
	ID                  string                `json:"id"`
	AdAccountID         string                `json:"ad_account_id"`
	Name                string                `json:"name"`
	Status              string                `json:"status"` // ACTIVE, PAUSED, ARCHIVED, DRAFT, DELETED_DRAFT
	Version             string                `json:"version"`
	CodeSnippet         string                `json:"code_snippet"`
	EnhancedMatchStatus string                `json:"enhanced_match_status"`
	LastFiredTimeMs     *float64              `json:"last_fired_time_ms"` // nil: never fired
	Configs             *ConversionTagConfigs `json:"configs"`
}

// Enum values pinaccess passes to Pinterest.
const (
	// Business roles.
	RoleBizAdmin = "BIZ_ADMIN"
	RoleEmployee = "EMPLOYEE"
	RolePartner  = "PARTNER"

	// Partner types: INTERNAL partners use our assets, EXTERNAL partners
	// share theirs with us.
	PartnerInternal = "INTERNAL"
	PartnerExternal = "EXTERNAL"

	// Asset types for the asset_type filter (Pinterest's default is
	// AD_ACCOUNT).
	AssetAdAccount  = "AD_ACCOUNT"
	AssetProfile    = "PROFILE"
	AssetGroup      = "ASSET_GROUP"
	AssetCatalog    = "CATALOG"
	AssetConsumer   = "CONSUMER"
	PermissionOwner = "OWNER"
)

// OAuth scopes pinaccess asks for.
const (
	ScopeBizAccessRead    = "biz_access:read"
	ScopeAdsRead          = "ads:read"
	ScopeUserAccountsRead = "user_accounts:read"
)

// ImportScopes returns the scopes a token needs for a full import.
func ImportScopes() []string {
	return []string{ScopeBizAccessRead, ScopeAdsRead, ScopeUserAccountsRead}
}
