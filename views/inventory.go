package views

import (
	"strconv"
	"strings"
)

// InventoryHeader is the top of every inventory page: the integration, the
// inventory's tabs and how old the data is.
type InventoryHeader struct {
	Name       string
	BusinessID string
	// Base is the integration's path, /integrations/{id}.
	Base string
	// Active is the tab shown: overview, members, partners, assets, access,
	// roles, pixels, invites, changes or syncs.
	Active string
	// Age says when the current snapshot was imported ("imported 3 h ago");
	// ImportedAt is the exact time for its tooltip.
	Age        string
	ImportedAt string
	// HasSnapshot is false until a first sync succeeded.
	HasSnapshot bool
}

// InventoryTab is one tab of the inventory navigation.
type InventoryTab struct {
	Key, Label, Href string
}

// Tabs lists the inventory's tabs for h.
func (h InventoryHeader) Tabs() []InventoryTab {
	tabs := []InventoryTab{{"overview", "Overview", ""}, {"members", "Members", "/members"}, {"partners", "Partners", "/partners"},
		{"assets", "Assets", "/assets"}, {"access", "Access", "/access"}, {"roles", "Roles", "/roles"},
		{"pixels", "Pixels", "/pixels"}, {"invites", "Invites", "/invites"}, {"changes", "Changes", "/changes"},
		{"syncs", "Syncs", "/syncs"}}
	for i := range tabs {
		tabs[i].Href = h.Base + tabs[i].Href
	}
	return tabs
}

// Column is a column of a list table. SortHref is set for sortable
// columns; Sorted is "asc" or "desc" on the column the list is sorted by.
type Column struct {
	Label    string
	SortHref string
	Sorted   string
	Numeric  bool
}

// AriaSort is the aria-sort value of a sorted column header.
func (c Column) AriaSort() string {
	if c.Sorted == "desc" {
		return "descending"
	}
	return "ascending"
}

// Cell is one cell of a list table: text, optionally a link, a second line
// and small badges. Everything is shown as text.
type Cell struct {
	Text    string
	Href    string
	Sub     string
	Badges  []string
	Mono    bool
	Numeric bool
	TestID  string
}

// Row is one row of a list table.
type Row struct {
	Cells  []Cell
	TestID string
}

// SelectOption is one choice of a filter's select.
type SelectOption struct {
	Value, Label string
	Selected     bool
}

// Filter is a select of a list's filter form.
type Filter struct {
	Name, Label string
	Options     []SelectOption
}

// Param is a name and value carried by a form as a hidden field.
type Param struct{ Name, Value string }

// EmptyState says why a list is empty and what to do next.
type EmptyState struct {
	Title     string
	Body      string
	LinkLabel string
	LinkHref  string
}

// ListView is one inventory list: its filter form and its results. The
// same shape serves every list (members, partners, assets, access, roles,
// pixels, invites, changes, syncs).
type ListView struct {
	Header InventoryHeader
	Title  string
	Intro  string
	// Action is the list's path; the filter form submits to it.
	Action            string
	Q                 string
	SearchLabel       string
	SearchPlaceholder string
	Filters           []Filter
	Hidden            []Param
	// PerPage is the page size; PerPageOptions the choices (none: no choice).
	PerPage        int
	PerPageOptions []int

	Caption string
	Columns []Column
	Rows    []Row
	Total   int
	// Noun is what the rows are, plural ("members").
	Noun     string
	Page     int
	Pages    int
	PrevHref string
	NextHref string
	// FirstRow and LastRow number the rows shown (1-based).
	FirstRow, LastRow int
	// CSVHref downloads the same rows as CSV ("" when the list has none).
	CSVHref string
	// Filtered is true when a search or filter narrows the list.
	Filtered  bool
	ClearHref string
	Empty     EmptyState
}

// TestID is the data-testid prefix of the list, such as "members".
func (v ListView) TestID() string { return v.Header.Active }

// resultText says how many rows the list has and which are shown.
func (v ListView) resultText() string {
	if v.Total == 0 {
		return "No " + v.Noun
	}
	if v.Pages <= 1 {
		return formatInt(v.Total) + " " + v.Noun
	}
	return "Showing " + formatInt(v.FirstRow) + "–" + formatInt(v.LastRow) + " of " + formatInt(v.Total) + " " + v.Noun
}

// formatInt writes n with thousands separators.
func formatInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// FormatInt writes n with thousands separators, for handlers building cells.
func FormatInt(n int) string { return formatInt(n) }

// hxTrigger is the filter form's htmx trigger: typing in the search box
// (debounced), changing a select, or submitting.
const hxTrigger = "submit, input changed delay:300ms from:find input[name='q'], change from:find select"

// Fact is a labelled value of a detail page.
type Fact struct {
	Label  string
	Value  string
	Href   string
	Mono   bool
	TestID string
}

// DetailSection is a titled table of a detail page.
type DetailSection struct {
	Title   string
	Intro   string
	Caption string
	Columns []Column
	Rows    []Row
	Empty   string
	TestID  string
	// MoreHref links to the full list behind the section.
	MoreHref  string
	MoreLabel string
}

// DetailView is a member's, partner's or asset's page.
type DetailView struct {
	Header   InventoryHeader
	Kind     string // Member, Partner, Asset
	Title    string
	Subtitle string
	Badges   []string
	Facts    []Fact
	Sections []DetailSection
	TestID   string
}

// Bar is one bar of a chart.
type Bar struct {
	Label string
	Value int
	Href  string
}

// Chart is a small bar chart drawn as SVG on the server.
type Chart struct {
	Title  string
	Bars   []Bar
	TestID string
	// Columns draws vertical bars in order (a series over time) instead of
	// horizontal bars.
	Columns bool
}

// Finding is one thing an admin should look at, with the list behind it.
type Finding struct {
	Title  string
	Body   string
	Count  int
	Href   string
	TestID string
}

// Stat is a headline number of the overview.
type Stat struct {
	Label  string
	Value  int
	Href   string
	TestID string
}

// ChangeLine is one recent change on the overview.
type ChangeLine struct {
	When string
	Text string
	Href string
}

// InventoryOverview is the inventory part of an integration's page.
type InventoryOverview struct {
	Header   InventoryHeader
	Stats    []Stat
	Findings []Finding
	Charts   []Chart
	Changes  []ChangeLine
	// ChangesHref lists every change.
	ChangesHref string
}
