package views

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

// renderDoc renders c with sh in the context and parses the HTML.
func renderDoc(t *testing.T, sh Shell, c templ.Component) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(WithShell(context.Background(), sh), &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestFieldShowsItsErrorAccessibly(t *testing.T) {
	doc := renderDoc(t, Shell{}, Field(Input{Name: "email", Label: "Email", Value: `a"b<c>`, Error: "Enter an email address like name@example.com."}))
	in := doc.Find(`[data-testid="field-email"]`)
	if v, _ := in.Attr("value"); v != `a"b<c>` {
		t.Fatalf("value = %q, want the typed text kept verbatim", v)
	}
	if v, _ := in.Attr("aria-invalid"); v != "true" {
		t.Fatal("input with an error is not aria-invalid")
	}
	desc, _ := in.Attr("aria-describedby")
	if doc.Find("#"+desc).Text() != "Enter an email address like name@example.com." {
		t.Fatalf("aria-describedby %q does not point at the error", desc)
	}
	if forID, _ := doc.Find("label").Attr("for"); forID != "f-email" {
		t.Fatalf("label for=%q", forID)
	}
}

func TestLayoutShowsTheAdminNavigationAndCSRF(t *testing.T) {
	sh := Shell{
		Page:       Page{Title: "Dashboard"},
		AdminEmail: "<b>ada</b>@example.com",
		CSRF:       "tok-123",
		Flashes:    []Flash{{Kind: FlashError, Message: "<script>alert(1)</script>"}},
		Nav:        []NavItem{{Label: "Dashboard", Href: "/", Active: true, TestID: "nav-dashboard"}},
	}
	doc := renderDoc(t, sh, Layout(templ.Raw(`<p data-testid="body">content</p>`)))
	if doc.Find("title").Text() != "Dashboard · pinaccess" {
		t.Fatalf("title %q", doc.Find("title").Text())
	}
	if doc.Find(`[data-testid="current-admin"]`).Text() != "<b>ada</b>@example.com" || doc.Find("b").Length() != 0 {
		t.Fatal("the admin's email is not escaped")
	}
	if doc.Find("script").Length() != 1 || doc.Find(`[data-testid="flash-error"]`).Text() != "<script>alert(1)</script>" {
		t.Fatal("a flash message is not escaped")
	}
	if v, _ := doc.Find(`form[action="/logout"] input[name="_csrf"]`).Attr("value"); v != "tok-123" {
		t.Fatalf("logout form CSRF = %q", v)
	}
	if v, _ := doc.Find("body").Attr("hx-headers"); v != `{"X-CSRF-Token":"tok-123"}` {
		t.Fatalf("hx-headers = %q", v)
	}
	if v, _ := doc.Find(`[data-testid="nav-dashboard"]`).Attr("aria-current"); v != "page" {
		t.Fatal("the current section is not marked aria-current")
	}
	if doc.Find("main#main [data-testid=body]").Length() != 1 {
		t.Fatal("the body is not inside <main>")
	}
}

func TestDashboardEscapesIntegrationNames(t *testing.T) {
	doc := renderDoc(t, Shell{}, DashboardPage(Dashboard{NewHref: "/integrations/new", Integrations: []DashboardIntegration{{Name: `<img src=x onerror=alert(1)>`, Href: "/integrations/1", Status: "connected"}}}))
	if doc.Find("img").Length() != 0 || !strings.Contains(doc.Find(`[data-testid="integration"]`).Text(), "<img") {
		t.Fatal("an integration name is not escaped")
	}
	if doc.Find(`[data-testid="empty-state"]`).Length() != 0 {
		t.Fatal("empty state shown with an integration")
	}
	empty := renderDoc(t, Shell{}, DashboardPage(Dashboard{NewHref: "/integrations/new"}))
	if !strings.Contains(empty.Find(`[data-testid="empty-state"]`).Text(), "No integrations yet") {
		t.Fatal("no empty state without integrations")
	}
}
