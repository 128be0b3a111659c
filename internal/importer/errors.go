package importer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"pinaccess/internal/pinterest"
)

// operationWords names what each Pinterest operation reads, for messages.
var operationWords = map[string]string{
	"get/business_members":              "the members",
	"get/business_partners":             "the partners",
	"business_assets/get":               "the assets",
	"business_member_assets/get":        "a member's assets",
	"business_partner_asset_access/get": "a partner's assets",
	"business_asset_members/get":        "an asset's members",
	"business_asset_partners/get":       "an asset's partners",
	"get/invites":                       "the invites",
	"ad_accounts/list":                  "the ad accounts",
	"conversion_tags/list":              "an ad account's pixels",
	"oauth/token":                       "a new access token",
}

// describe turns a run's error into a sentence an admin can act on. It
// never includes a token: the client scrubs what Pinterest sends.
func describe(err error) string {
	if err == nil {
		return ""
	}
	if errors.Is(err, pinterest.ErrReconnect) {
		return "Pinterest no longer accepts this integration's authorization (the token was revoked or expired). " +
			"Reconnect the integration, then sync again. The previous snapshot is still current."
	}
	var ae *pinterest.APIError
	if errors.As(err, &ae) {
		what := operationWords[ae.Operation]
		if what == "" {
			what = ae.Operation
		}
		detail := fmt.Sprintf("%d %s", ae.Status, http.StatusText(ae.Status))
		if ae.Message != "" && ae.Message != http.StatusText(ae.Status) {
			detail += ": " + strings.TrimSuffix(ae.Message, ".")
		}
		switch {
		case ae.Status == http.StatusTooManyRequests:
			return fmt.Sprintf("Pinterest kept refusing requests for going over its rate limit while reading %s (%s). "+
				"Try again later. The previous snapshot is still current.", what, detail)
		case ae.Status >= 500:
			return fmt.Sprintf("Pinterest kept answering with a server error while reading %s (%s). "+
				"Try again later. The previous snapshot is still current.", what, detail)
		case ae.Status == http.StatusForbidden:
			return fmt.Sprintf("Pinterest refused access while reading %s (%s). Check that the service account is still "+
				"an admin of the Business Manager. The previous snapshot is still current.", what, detail)
		case ae.Status == http.StatusUnauthorized:
			return fmt.Sprintf("Pinterest did not accept the integration's token while reading %s (%s). "+
				"Reconnect the integration. The previous snapshot is still current.", what, detail)
		}
		return fmt.Sprintf("Pinterest answered an error while reading %s (%s). The previous snapshot is still current.", what, detail)
	}
	var ne net.Error
	if errors.As(err, &ne) || strings.Contains(err.Error(), "connection refused") {
		return "Could not reach Pinterest: " + err.Error() + ". Check the network and try again. The previous snapshot is still current."
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "The sync took too long and was stopped. The previous snapshot is still current."
	}
	return "The sync failed: " + err.Error() + ". The previous snapshot is still current."
}
