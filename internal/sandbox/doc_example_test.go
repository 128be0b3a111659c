package sandbox_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"pinaccess/internal/sandbox"
)

// A test serves the sandbox with httptest and skips the consent page with
// IssueToken.
func ExampleNew() {
	sb, err := sandbox.New(sandbox.Options{Dataset: sandbox.DefaultDataset()})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(sb)
	defer srv.Close()

	access, _, err := sb.IssueToken(sandbox.AdminUsername, []string{"user_accounts:read"})
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/v5/user_account", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Println(res.StatusCode, len(body) > 0, sb.Stats().Calls["user_account/get"])
	// Output: 200 true 1
}
