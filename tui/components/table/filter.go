package table

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"hotline/tui/cells"
)

// Filter is what a table shows of its rows: those holding every term in
// the text shown in the column titled Column, or in any column when Column
// is "". A title the table lacks matches no row. Terms match whatever the
// case of Latin letters.
type Filter struct {
	Terms  []string
	Column string
}

// Filtered reports whether a filter hides the rows that do not match.
func (m Model) Filtered() bool { return len(m.terms) > 0 }

// Filter is the filter set.
func (m Model) Filter() Filter { return m.filter }

// SetFilter filters the rows with f. A filter that only narrows the one
// before (a character typed on) looks at the rows shown only. The cursor
// stays on its row when that is still shown, else goes to the first.
func (m *Model) SetFilter(f Filter) {
	var terms []string
	for _, t := range f.Terms {
		if t = fold(cells.Line(t)); t != "" {
			terms = append(terms, t)
		}
	}
	from := m.order
	if m.narrows(f.Column, terms) {
		from = m.shown
	}
	sel := m.selectedKey()
	m.filter = Filter{Terms: slices.Clone(f.Terms), Column: f.Column}
	m.terms = terms
	m.shown = m.pick(from)
	if !m.follow(sel) {
		m.cursor, m.offset = 0, 0
		m.clamp()
	}
}

// narrows reports whether every row that the filter of terms on column
// keeps is shown now: each term shown now is part of a new one.
func (m Model) narrows(column string, terms []string) bool {
	if len(m.terms) == 0 || column != m.filter.Column {
		return false
	}
	for _, old := range m.terms {
		if !slices.ContainsFunc(terms, func(t string) bool { return strings.Contains(t, old) }) {
			return false
		}
	}
	return true
}

// pick returns the rows of from, in their order, that the filter keeps:
// from itself when there is no filter.
func (m *Model) pick(from []int) []int {
	if len(m.terms) == 0 {
		return from
	}
	x := m.searchIndex()
	col := m.filterColumn()
	out := make([]int, 0, len(from)/4)
	if col == -2 {
		return out
	}
	if len(from) < len(m.rows)/8 {
		for _, i := range from {
			if x.matches(i, col, m.terms) {
				out = append(out, i)
			}
		}
		return out
	}
	keep := x.holding(m.terms[0], col, nil)
	for _, t := range m.terms[1:] {
		keep = x.holding(t, col, keep)
	}
	for _, i := range from {
		if keep[i] {
			out = append(out, i)
		}
	}
	return out
}

// refilter settles the changed rows in or out of the rows shown, in their
// place in the order; many changes filter everything again.
func (m *Model) refilter(changed []int) {
	if len(changed) > len(m.rows)/16 {
		m.shown = m.pick(m.order)
		return
	}
	x := m.searchIndex()
	col := m.filterColumn()
	for _, i := range changed {
		at, found := slices.BinarySearchFunc(m.shown, m.pos[i], func(r, p int) int { return cmp.Compare(m.pos[r], p) })
		switch ok := x.matches(i, col, m.terms); {
		case ok && !found:
			m.shown = slices.Insert(m.shown, at, i)
		case !ok && found:
			m.shown = slices.Delete(m.shown, at, at+1)
		}
	}
}

// column is the index of the column titled title (spaces around it
// aside), or -1.
func (m Model) column(title string) int {
	return slices.IndexFunc(m.cols, func(c Column) bool { return strings.TrimSpace(c.Title) == title })
}

// filterColumn is the column the filter looks in: -1 any, -2 none there is.
func (m Model) filterColumn() int {
	if m.filter.Column == "" {
		return -1
	}
	if c := m.column(m.filter.Column); c >= 0 {
		return c
	}
	return -2
}

// fold is s as the filter compares it: Latin letters (and any other with
// a case) in lower case, rune for rune, so that the n-th rune of the folded
// text is the n-th of the text.
func fold(s string) string {
	for _, r := range s {
		if lower(r) != r {
			return strings.Map(lower, s)
		}
	}
	return s
}

// lower is unicode.ToLower without its table search for ASCII and for the
// Chinese, Japanese and Korean blocks, which have no case: most of what a
// list holds.
func lower(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case r >= 0x2e80 && r <= 0xa4cf, r >= 0xac00 && r <= 0xd7a3, r >= 0x20000 && r <= 0x3ffff:
		return r
	}
	return unicode.ToLower(r)
}

// index is the text of every row as the filter sees it: each row's cells
// as shown, folded, joined by NUL (which no shown text holds). A filter
// on a few rows searches them one by one; on many, it searches all, the
// rows joined in one string, once per term: one pass of the fast search
// over the lot instead of a call for each row.
type index struct {
	rows []string
	// all is rows joined by rowSep, starts[i] where row i begins in it.
	// The rows changed since it was made are stale there: they are looked
	// at one by one until there are enough of them to make it again.
	all    string
	starts []int
	stale  []bool
	nstale []int
	// freq counts the bytes of a sample of all, to lead the search for a
	// term with its rarest byte (see find).
	freq [256]int
	// set is two sets of rows for holding, used in turn, so that typing
	// allocates none.
	set  [2][]bool
	turn int
}

const (
	cellSep = 0
	rowSep  = 1
)

func (m *Model) searchIndex() *index {
	if m.index == nil {
		x := &index{rows: make([]string, len(m.rows)), stale: make([]bool, len(m.rows))}
		x.set = [2][]bool{make([]bool, len(m.rows)), make([]bool, len(m.rows))}
		for i, r := range m.rows {
			x.rows[i] = rowText(r, m.cols)
		}
		m.index = x
	}
	return m.index
}

func rowText(r Row, cols []Column) string {
	var b strings.Builder
	n := len(cols)
	for _, v := range r.Cells {
		n += len(v)
	}
	b.Grow(n)
	for c := range cols {
		if c > 0 {
			b.WriteByte(cellSep)
		}
		if c < len(r.Cells) {
			b.WriteString(fold(cells.Line(r.Cells[c])))
		}
	}
	return b.String()
}

// update takes row i's new text.
func (x *index) update(i int, r Row, cols []Column) {
	x.rows[i] = rowText(r, cols)
	if x.all != "" && !x.stale[i] {
		x.stale[i] = true
		x.nstale = append(x.nstale, i)
	}
}

// join makes all from the rows.
func (x *index) join() {
	n := len(x.rows)
	for _, r := range x.rows {
		n += len(r)
	}
	var b strings.Builder
	b.Grow(n)
	x.starts = make([]int, len(x.rows))
	for i, r := range x.rows {
		x.starts[i] = b.Len()
		b.WriteString(r)
		b.WriteByte(rowSep)
	}
	x.all = b.String()
	x.freq = [256]int{}
	for _, c := range []byte(x.all[:min(len(x.all), 1<<20)]) {
		x.freq[c]++
	}
	for _, i := range x.nstale {
		x.stale[i] = false
	}
	x.nstale = x.nstale[:0]
}

// cell is column c of row i, folded.
func (x *index) cell(i, c int) string {
	s := x.rows[i]
	for ; c > 0; c-- {
		j := strings.IndexByte(s, cellSep)
		if j < 0 {
			return ""
		}
		s = s[j+1:]
	}
	if j := strings.IndexByte(s, cellSep); j >= 0 {
		s = s[:j]
	}
	return s
}

// matches reports whether row i holds every term, in column col (-1 any,
// -2 none).
func (x *index) matches(i, col int, terms []string) bool {
	var s string
	switch {
	case col == -2:
		return false
	case col == -1:
		s = x.rows[i]
	default:
		s = x.cell(i, col)
	}
	for _, t := range terms {
		if !strings.Contains(s, t) {
			return false
		}
	}
	return true
}

// holding is the rows that hold term in column col (-1 any), as a set;
// of those in within, when it is not nil. The set is the index's own,
// good until the next call.
func (x *index) holding(term string, col int, within []bool) []bool {
	if x.all == "" || len(x.nstale) > len(x.rows)/16 {
		x.join()
	}
	out := x.set[x.turn]
	x.turn = 1 - x.turn
	clear(out)
	lead := x.rarest(term)
	r := 0
	for at := 0; ; {
		j := find(x.all, term, at, lead)
		if j < 0 {
			break
		}
		// Matches come in order: the row moves on, never back.
		for r+1 < len(x.starts) && x.starts[r+1] <= j {
			r++
		}
		end := len(x.all)
		if r+1 < len(x.starts) {
			end = x.starts[r+1]
		}
		if col >= 0 && strings.Count(x.all[x.starts[r]:j], string(rune(cellSep))) != col {
			// Found in another column: look on in this row.
			at = j + 1
			continue
		}
		out[r] = within == nil || within[r]
		at = end
	}
	for _, i := range x.nstale {
		out[i] = (within == nil || within[i]) && x.matches(i, col, []string{term})
	}
	return out
}

// rarest is the offset in term of its byte least often in the text.
func (x *index) rarest(term string) int {
	k := 0
	for i := range len(term) {
		if x.freq[term[i]] < x.freq[term[k]] {
			k = i
		}
	}
	return k
}

// find is the index of term in s at or after at, or -1, searching for its
// byte at offset lead first. strings.Index leads with the first byte,
// which in Chinese text is one of a few shared by thousands of characters
// (most start with 0xE4 to 0xE9): it stops at nearly every character. A
// rarer byte stops far less often.
func find(s, term string, at, lead int) int {
	for at+lead < len(s) {
		i := strings.IndexByte(s[at+lead:], term[lead])
		if i < 0 {
			return -1
		}
		start := at + i
		if start+len(term) <= len(s) && s[start:start+len(term)] == term {
			return start
		}
		at = start + 1
	}
	return -1
}

// span is a run of characters of a cell, as rune indexes, to exclusive.
type span struct{ from, to int }

// Mark highlights every occurrence of the terms in the column titled
// column ("" every column) without hiding a row: what a search chose the
// rows by, perhaps in text the table does not show. A filter's terms, when
// set, are highlighted instead.
func (m *Model) Mark(terms []string, column string) {
	m.marks = nil
	for _, t := range terms {
		if t = fold(cells.Line(t)); t != "" {
			m.marks = append(m.marks, t)
		}
	}
	m.markCol = column
}

// hits is where the filter's terms (else the marked ones) are found in
// column c of row i: every occurrence of each term, as runes of the text
// shown.
func (m *Model) hits(i, c int) []span {
	terms, col := m.terms, m.filterColumn()
	if len(terms) == 0 {
		terms, col = m.marks, -1
		if m.markCol != "" {
			if col = m.column(m.markCol); col < 0 {
				return nil
			}
		}
	}
	if col != -1 && col != c {
		return nil
	}
	s := m.searchIndex().cell(i, c)
	var out []span
	for _, t := range terms {
		n := utf8.RuneCountInString(t)
		for at, runes := 0, 0; ; {
			j := strings.Index(s[at:], t)
			if j < 0 {
				break
			}
			runes += utf8.RuneCountInString(s[at : at+j])
			out = append(out, span{runes, runes + n})
			at += j + len(t)
			runes += n
		}
	}
	return out
}

// SortBy sorts the rows by the column titled title, descending when desc,
// or leaves them in the order given for "" or a title the table lacks.
// Rows with nothing in the column come last either way; rows alike keep
// the order given. A column without Compare sorts by the text shown in
// the order of Chinese dictionaries (pinyin, then strokes), numbers in the
// text by their value, so that "9号楼" comes before "10号楼". The cursor
// stays on its row.
func (m *Model) SortBy(title string, desc bool) {
	sel := m.selectedKey()
	m.sorted, m.desc = title, desc
	m.sort()
	m.shown = m.pick(m.order)
	if !m.follow(sel) {
		m.clamp()
	}
}

// SortedBy is the title of the column the rows are sorted by ("" none) and
// whether descending.
func (m Model) SortedBy() (title string, desc bool) { return m.sorted, m.desc }

func (m Model) sortColumn() int {
	if m.sorted == "" {
		return -1
	}
	return m.column(m.sorted)
}

// sort puts the rows in order, and notes each row's place in it.
func (m *Model) sort() {
	order := make([]int, len(m.rows))
	for i := range order {
		order[i] = i
	}
	if c := m.sortColumn(); c >= 0 {
		blank := make([]bool, len(m.rows))
		for i, r := range m.rows {
			blank[i] = c >= len(r.Cells) || strings.TrimSpace(r.Cells[c]) == ""
		}
		compare := m.cols[c].Compare
		if compare == nil {
			compare = m.byText(c)
		}
		slices.SortStableFunc(order, func(a, b int) int {
			switch {
			case blank[a] || blank[b]:
				return cmpBool(blank[a], blank[b])
			case m.desc:
				return compare(b, a)
			}
			return compare(a, b)
		})
	}
	m.order = order
	m.pos = make([]int, len(order))
	for p, i := range order {
		m.pos[i] = p
	}
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// byText compares rows by the text of column c as shown, by collation
// keys made once for the sort: comparing with the collator itself would
// redo the work for each of the n log n comparisons.
func (m Model) byText(c int) func(a, b int) int {
	coll := collate.New(language.Chinese, collate.Numeric)
	var buf collate.Buffer
	keys := make([][]byte, len(m.rows))
	for i, r := range m.rows {
		if c < len(r.Cells) {
			// Keys point into buf, which only grows until the sort is done.
			keys[i] = coll.KeyFromString(&buf, cells.Line(r.Cells[c]))
		}
	}
	return func(a, b int) int { return bytes.Compare(keys[a], keys[b]) }
}

// marked is a line being laid out, with the byte ranges of its text that
// are highlighted. The ranges always fall between grapheme clusters: they
// are made of whole ones.
type marked struct {
	text  []byte
	width int
	hl    [][2]int
}

func (b *marked) add(s string, hl bool) {
	if s == "" {
		return
	}
	start := len(b.text)
	b.text = append(b.text, s...)
	b.width += cells.Width(s)
	if !hl {
		return
	}
	if n := len(b.hl); n > 0 && b.hl[n-1][1] == start {
		b.hl[n-1][1] = len(b.text)
		return
	}
	b.hl = append(b.hl, [2]int{start, len(b.text)})
}

// fit adds v in exactly w cells, as cells.Fit does (or padded on the left
// when right), with the characters of hits highlighted as far as they are
// shown, and the ellipsis highlighted when it hides (part of) a hit.
func (b *marked) fit(v string, w int, right bool, hits []span) {
	if w <= 0 {
		return
	}
	shown, tail := v, ""
	if cells.Width(v) > w {
		tail = cells.Ellipsis
		if cells.Width(tail) > w {
			tail = ""
		}
		shown = cells.Cut(v, w-cells.Width(tail), "")
	}
	pad := strings.Repeat(" ", max(w-cells.Width(shown)-cells.Width(tail), 0))
	if right {
		b.add(pad, false)
	}
	runes := b.addHits(shown, hits)
	hidden := slices.ContainsFunc(hits, func(h span) bool { return h.to > runes })
	b.add(tail, hidden)
	if !right {
		b.add(pad, false)
	}
}

// addHits adds s grapheme by grapheme, each highlighted when a hit covers
// any of its runes, and returns the number of runes of s.
func (b *marked) addHits(s string, hits []span) int {
	if len(hits) == 0 {
		b.add(s, false)
		return utf8.RuneCountInString(s)
	}
	at := 0
	cells.Each(s, func(g string, _ int) bool {
		n := utf8.RuneCountInString(g)
		b.add(g, slices.ContainsFunc(hits, func(h span) bool { return h.from < at+n && at < h.to }))
		at += n
		return true
	})
	return at
}

// fitted is the line made exactly w cells: padded, or cut with an
// ellipsis (highlighted when it hides highlighted text).
func (b marked) fitted(w int) marked {
	if b.width <= w {
		b.add(strings.Repeat(" ", w-b.width), false)
		return b
	}
	var out marked
	tail := cells.Ellipsis
	if cells.Width(tail) > w {
		tail = ""
	}
	limit := w - cells.Width(tail)
	text := string(b.text)
	at, used := 0, 0
	cells.Each(text, func(g string, gw int) bool {
		if used+gw > limit {
			return false
		}
		out.add(g, b.highlighted(at))
		at += len(g)
		used += gw
		return true
	})
	out.add(tail, slices.ContainsFunc(b.hl, func(r [2]int) bool { return r[1] > at }))
	out.add(strings.Repeat(" ", max(w-out.width, 0)), false)
	return out
}

// highlighted reports whether the byte at of the text is highlighted.
func (b marked) highlighted(at int) bool {
	return slices.ContainsFunc(b.hl, func(r [2]int) bool { return r[0] <= at && at < r[1] })
}

// render draws the line in style (nil: none), its highlighted ranges in
// match over that style, so that a highlight shows on the row under the
// cursor and on a coloured row alike.
func (b marked) render(style *lipgloss.Style, match lipgloss.Style) string {
	text := string(b.text)
	plain := func(s string) string {
		if style == nil || s == "" {
			return s
		}
		return style.Render(s)
	}
	if len(b.hl) == 0 {
		return plain(text)
	}
	if style != nil {
		match = match.Inherit(*style)
	}
	var out strings.Builder
	at := 0
	for _, r := range b.hl {
		out.WriteString(plain(text[at:r[0]]))
		out.WriteString(match.Render(text[r[0]:r[1]]))
		at = r[1]
	}
	out.WriteString(plain(text[at:]))
	return out.String()
}
