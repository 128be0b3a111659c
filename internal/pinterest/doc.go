// Package pinterest is pinaccess's client for Pinterest API v5, or for the
// sandbox that emulates it: typed calls for the business-access operations,
// OAuth2 tokens that renew themselves, lists that follow bookmarks to the
// end, retries with backoff, pacing under Pinterest's quotas, and a count of
// what every call cost. No token, secret or authorization header ever
// appears in its logs or errors.
//
// # Connecting (the wizard)
//
//	cfg := &pinterest.Config{
//		Endpoint:     pinterest.Production, // or pinterest.SandboxEndpoint(base)
//		ClientID:     appID,
//		ClientSecret: appSecret,
//		RedirectURL:  baseURL + "/oauth/pinterest/callback",
//		Scopes:       pinterest.ImportScopes(),
//	}
//	http.Redirect(w, r, cfg.AuthCodeURL(state), http.StatusFound)
//	// on the callback, after checking state:
//	tok, err := cfg.Exchange(ctx, code)
//	pinterest.TokenScopes(tok) // what the admin granted
//	c, err := cfg.NewClient(tok, saveSealed, pinterest.Options{})
//	acct, err := c.UserAccount(ctx) // is it the service account?
//	for b, err := range c.Employers(ctx, pinterest.PageOptions{}).Items() {
//		// b.ID == businessID && b.HasRole(pinterest.RoleBizAdmin)?
//	}
//	// on disconnect:
//	err = cfg.Revoke(ctx, tok.AccessToken, "access_token")
//
// # Importing
//
// List calls return Pages, which fetch nothing until ranged over. Ranging
// yields one page (at most PageOptions.PageSize items, 250 by default) at a
// time, so an importer holds one page per worker, never a whole business;
// Items yields the items one by one and All collects them. A page is only
// yielded once read and decoded whole: a truncated or malformed answer is an
// error, never a partial page.
//
//	for page, err := range c.Members(ctx, biz, pinterest.MembersOptions{AssetsSummary: true}) {
//		if err != nil {
//			return err
//		}
//		// write page to the snapshot
//	}
//
// A Client is safe for concurrent use: run lists from several goroutines
// and it keeps at most Concurrency requests in flight and each rate-limit
// category under its quota (Limits). Stats tells what the run cost;
// MinDuration tells the least time the pacing allows for such a run.
//
// # Errors
//
// Calls are retried on 429 (waiting Retry-After when Pinterest sends it),
// 5xx and network errors, within RetryPolicy's bounds and the caller's
// context. Other answers become an *APIError with the operationId, status,
// Pinterest's code and message. A 401 renews the token once and retries; if
// Pinterest still refuses, or refuses the refresh token, the error matches
// ErrReconnect: only a new consent will help.
package pinterest
