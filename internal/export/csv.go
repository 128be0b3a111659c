package export

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// record builds one CSV line (RFC 4180) in a reused byte slice. Cells are
// appended in column order; end finishes the line with CRLF.
//
// A cell is quoted when it holds a double quote, a comma, a CR or an LF;
// quotes inside are doubled. Line breaks inside a cell are kept as they are
// (a reader like encoding/csv gives a CRLF inside a quoted cell back as LF).
// Invalid UTF-8 is replaced with U+FFFD, so the file is always valid UTF-8.
type record struct {
	buf   []byte
	cells int
}

func (r *record) reset() {
	r.buf = r.buf[:0]
	r.cells = 0
}

func (r *record) sep() {
	if r.cells > 0 {
		r.buf = append(r.buf, ',')
	}
	r.cells++
}

// formulaStarts are the first characters that make a spreadsheet treat a
// cell as a formula (or, for tab and CR, that some spreadsheets strip
// before looking for one). See Neutralise.
const formulaStarts = "=+-@\t\r"

// Neutralise returns s as a cell a spreadsheet shows as text: when s starts
// with =, +, -, @, a tab or a carriage return, an apostrophe is put in
// front of it ("=1+2" becomes "'=1+2"). Excel, LibreOffice and Google
// Sheets display such a cell as text and never evaluate it. Everything else
// is returned unchanged. The exports hold no negative numbers (counts and
// IDs are never negative), so no number is turned into text by this.
func Neutralise(s string) string {
	if s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// What a byte asks of the cell it is in.
const (
	needsQuotes    = 1 << iota // a double quote, comma, CR or LF
	needsUTF8Check             // not ASCII
)

var byteNeeds = func() (t [256]uint8) {
	for _, c := range "\",\r\n" {
		t[c] = needsQuotes
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = needsUTF8Check
	}
	return t
}()

// needs tells what s asks of its cell, in one pass over its bytes.
func needs(s string) uint8 {
	var n uint8
	for i := 0; i < len(s); i++ {
		n |= byteNeeds[s[i]]
	}
	return n
}

// text appends a free-text cell: neutralised, quoted when needed.
func (r *record) text(s string) {
	r.sep()
	n := needs(s)
	if n&needsUTF8Check != 0 && !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD") // the replaced bytes are none of the quoted ones
	}
	neutral := s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0
	if n&needsQuotes == 0 {
		if neutral {
			r.buf = append(r.buf, '\'')
		}
		r.buf = append(r.buf, s...)
		return
	}
	r.buf = append(r.buf, '"')
	if neutral {
		r.buf = append(r.buf, '\'')
	}
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		r.buf = append(r.buf, s[:i+1]...)
		r.buf = append(r.buf, '"')
		s = s[i+1:]
	}
	r.buf = append(r.buf, s...)
	r.buf = append(r.buf, '"')
}

// id appends a Pinterest ID. IDs are digit strings and are written exactly
// as stored, never through a number type, so 18-digit IDs keep every digit.
// Anything unexpected in one is still neutralised and quoted like text.
func (r *record) id(s string) { r.text(s) }

// list appends a list of values (roles, types) joined with ";", as text
// does the joined string. Values that ask nothing of the cell are appended
// one by one, without joining them first.
func (r *record) list(vs []string) {
	var n uint8
	for _, v := range vs {
		n |= needs(v)
	}
	if n != 0 || len(vs) < 2 {
		r.text(strings.Join(vs, ";"))
		return
	}
	r.sep()
	if vs[0] != "" && strings.IndexByte(formulaStarts, vs[0][0]) >= 0 {
		r.buf = append(r.buf, '\'')
	}
	for i, v := range vs {
		if i > 0 {
			r.buf = append(r.buf, ';')
		}
		r.buf = append(r.buf, v...)
	}
}

// integer appends a count.
func (r *record) integer(n int64) {
	r.sep()
	r.buf = strconv.AppendInt(r.buf, n, 10)
}

// number appends a decimal number in its shortest exact form, never in
// scientific notation.
func (r *record) number(f float64) {
	r.sep()
	r.buf = strconv.AppendFloat(r.buf, f, 'f', -1, 64)
}

// boolean appends true or false.
func (r *record) boolean(b bool) {
	r.sep()
	r.buf = strconv.AppendBool(r.buf, b)
}

// TimeLayout is how exports write times: UTC, ISO 8601, to the second.
const TimeLayout = "2006-01-02T15:04:05Z"

// when appends a time in TimeLayout; the zero time (unknown) is an empty
// cell.
func (r *record) when(t time.Time) {
	r.sep()
	if t.IsZero() {
		return
	}
	r.buf = t.UTC().AppendFormat(r.buf, TimeLayout)
}

// end finishes the line.
func (r *record) end() { r.buf = append(r.buf, '\r', '\n') }

// header appends a header line.
func (r *record) header(cols []string) {
	r.reset()
	for _, c := range cols {
		r.text(c)
	}
	r.end()
}
