package export

import (
	"encoding/csv"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// parseOne parses one CSV line with encoding/csv, failing on anything but
// exactly one record.
func parseOne(t *testing.T, line []byte) []string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(string(line)))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parse %q: %v", line, err)
	}
	if len(recs) != 1 {
		t.Fatalf("parse %q: %d records, want 1", line, len(recs))
	}
	return recs[0]
}

func TestHostileTextSurvivesCSVRoundTrip(t *testing.T) {
	long := strings.Repeat("Ünïcødé, \"quoted\"\n日本語 ", 500) // over 10 kB
	if len(long) < 10_000 {
		t.Fatalf("long value is %d bytes", len(long))
	}
	cases := []struct {
		name, in, want string
	}{
		{"plain", "Acme Ads", "Acme Ads"},
		{"empty", "", ""},
		{"comma", "Smith, Jane", "Smith, Jane"},
		{"quotes", `the "best" account`, `the "best" account`},
		{"only a quote", `"`, `"`},
		{"newline", "line one\nline two", "line one\nline two"},
		{"crlf inside", "line one\r\nline two", "line one\nline two"}, // a parser gives CRLF in a cell back as LF
		{"non-ASCII", "Café Ünïcødé 日本語 🚀", "Café Ünïcødé 日本語 🚀"},
		{"leading space", " padded ", " padded "},
		{"10 kB", long, strings.ReplaceAll(long, "\r\n", "\n")},
		{"formula", "=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"},
		{"plus", "+1-555-0100", "'+1-555-0100"},
		{"minus", "-2+3", "'-2+3"},
		{"at", "@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"tab", "\t=1+1", "'\t=1+1"},
		{"carriage return", "\r=1+1", "'\r=1+1"},
		{"formula with comma", "=1,2", "'=1,2"},
		{"formula in the middle", "a=1+1", "a=1+1"},
		{"invalid UTF-8", "bad \xff byte", "bad \uFFFD byte"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r record
			r.text("before")
			r.text(tc.in)
			r.text("after")
			r.end()
			got := parseOne(t, r.buf)
			want := []string{"before", tc.want, "after"}
			if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
				t.Errorf("round trip of %q:\n got %q\nwant %q", tc.in, got, want)
			}
		})
	}
}

func TestNeutraliseOnlyFormulaStarts(t *testing.T) {
	for _, s := range []string{"=", "+", "-", "@", "\t", "\r", "=A1", "-1"} {
		if got := Neutralise(s); got != "'"+s {
			t.Errorf("Neutralise(%q) = %q, want a leading apostrophe", s, got)
		}
	}
	for _, s := range []string{"", "a", "1", "'=already", " =A1", "\n=A1", "482344901002451200", "ＡＢＣ"} {
		if got := Neutralise(s); got != s {
			t.Errorf("Neutralise(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestCellsOtherThanText(t *testing.T) {
	var r record
	r.id("482344901002451200")
	r.integer(1234567890123)
	r.number(0.000001)
	r.number(1e21)
	r.boolean(true)
	r.boolean(false)
	r.when(time.Date(2024, 2, 29, 23, 59, 58, 999e6, time.FixedZone("CET", 3600)))
	r.when(time.Time{})
	r.list([]string{"BIZ_ADMIN", "EMPLOYEE"})
	r.list(nil)
	r.end()
	if !strings.HasSuffix(string(r.buf), "\r\n") || strings.Count(string(r.buf), "\n") != 1 {
		t.Fatalf("line %q does not end in exactly one CRLF", r.buf)
	}
	got := parseOne(t, r.buf)
	want := []string{"482344901002451200", "1234567890123", "0.000001", "1000000000000000000000", "true", "false",
		"2024-02-29T22:59:58Z", "", "BIZ_ADMIN;EMPLOYEE", ""}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("cells:\n got %q\nwant %q", got, want)
	}
}

func TestFileName(t *testing.T) {
	at := time.Date(2026, 11, 26, 23, 5, 9, 0, time.FixedZone("X", -5*3600))
	cases := []struct{ business, kind, want string }{
		{"482344901002451200", "access", "pinaccess-482344901002451200-access-20261127T040509Z.csv"},
		{"", "members", "pinaccess-unknown-members-20261127T040509Z.csv"},
		{"12\"; filename=evil.exe", "../x", "pinaccess-12filenameevilexe-x-20261127T040509Z.csv"},
	}
	for _, tc := range cases {
		if got := FileName(tc.business, tc.kind, at); got != tc.want {
			t.Errorf("FileName(%q, %q) = %q, want %q", tc.business, tc.kind, got, tc.want)
		}
	}
}

// quotedCell is a cell as RFC 4180 and Neutralise have it, written the
// plainest way: the output text and list must keep, byte for byte.
func quotedCell(s string) string {
	s = Neutralise(strings.ToValidUTF8(s, "\uFFFD"))
	if !strings.ContainsAny(s, "\",\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func TestTextAndListCellsAreExactlyTheirQuotedValue(t *testing.T) {
	values := []string{"", "a", "Acme Ads", "Smith, Jane", `"`, `say "hi"`, "\r", "\n", "a\r\nb", "=1", "+", "-x", "@",
		"\t", "\r=1", "'", ";", "a;b", "Café", "日本語", "\xff", "bad \xff\xfe byte", "\xe2\x82", "=\xff,\"", "\x00", "~"}
	// And random strings over the bytes that matter.
	alphabet := []string{"a", "Z", "0", ",", `"`, "\r", "\n", "=", "+", "-", "@", "\t", ";", " ", "é", "\xff", "\x80", "\xe2\x82\xac"}
	rng := rand.New(rand.NewPCG(8, 8))
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		values = append(values, b.String())
	}
	for i, v := range values {
		var r record
		r.text(v)
		if got, want := string(r.buf), quotedCell(v); got != want {
			t.Fatalf("text(%q) = %q, want %q", v, got, want)
		}
		lists := [][]string{{v}, {v, values[(i+1)%len(values)]}, {"", v}, {v, "", values[(i*7)%len(values)], "EMPLOYEE"}}
		for _, l := range lists {
			r.reset()
			r.list(l)
			if got, want := string(r.buf), quotedCell(strings.Join(l, ";")); got != want {
				t.Fatalf("list(%q) = %q, want %q", l, got, want)
			}
		}
	}
}
