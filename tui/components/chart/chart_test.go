package chart

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"hotline/tui/cells"
	"hotline/tui/theme"
)

func sp(n int) string { return strings.Repeat(" ", n) }

func TestFill(t *testing.T) {
	for _, tc := range []struct {
		v, top float64
		w      int
		want   string
	}{
		{0, 10, 4, "    "},
		{10, 10, 4, "████"},
		{5, 10, 4, "██  "},
		{3, 10, 4, "█▎  "},    // 3/10 of 32 eighths is 9.6: 10 eighths
		{0.01, 10, 4, "▏   "}, // above zero shows an eighth
		{20, 10, 3, "███"},    // beyond the top fills the field
		{7, 0, 3, "   "},      // nothing to measure against
		{1, 8, 1, "▏"}, {2, 8, 1, "▎"}, {3, 8, 1, "▍"}, {4, 8, 1, "▌"},
		{5, 8, 1, "▋"}, {6, 8, 1, "▊"}, {7, 8, 1, "▉"}, {8, 8, 1, "█"},
		{1, 1, 0, ""},
	} {
		if got := Fill(tc.v, tc.top, tc.w); got != tc.want {
			t.Errorf("Fill(%v, %v, %d) = %q, want %q", tc.v, tc.top, tc.w, got, tc.want)
		}
		if got := cells.Width(Fill(tc.v, tc.top, tc.w)); got != tc.w {
			t.Errorf("Fill(%v, %v, %d) is %d cells", tc.v, tc.top, tc.w, got)
		}
	}
}

// rates is a bar chart of shares with Chinese names, one wider than the
// labels' column, one with a character outside the BMP, one without a
// value and one so small it shows only as an eighth.
var rates = Bars{
	Max:      1,
	Cursor:   1,
	MaxLabel: 12,
	Bars: []Bar{
		{Label: "兴隆台供电分公司", Value: 0.9, Text: "45/50 90.0%"},
		{Label: "营销部客户服务中心𠮷野家", Value: 0.5, Text: "10/20 50.0%"},
		{Label: "计量", None: true, Text: "0/0 —"},
		{Label: "𠮷野家", Value: 0.001, Text: "1/1000 0.1%"},
	},
}

func TestBarsExact(t *testing.T) {
	// Labels 12 cells (a cut label is 11 and a blank), values 11, bars
	// 50-2-12-1-1-11 = 23 cells, 184
	// eighths: 0.9 of them is 165.6, so 166 = 20 blocks and 6 eighths;
	// 0.5 is 92 = 11 blocks and 4 eighths.
	want := []string{
		"  兴隆台供电…  ████████████████████▊   45/50 90.0%",
		"▸ 营销部客户…  ███████████▌            10/20 50.0%",
		"  计量         " + sp(23) + "       0/0 —",
		"  𠮷野家       ▏" + sp(22) + " 1/1000 0.1%",
		sp(50),
	}
	got := rates.View(50, 5, 0, Styles{})
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("bars:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// From the third bar on, the rest blank.
	got = rates.View(50, 3, 2, Styles{})
	if got[0] != want[2] || got[1] != want[3] || got[2] != sp(50) {
		t.Fatalf("bars from the third:\n%s", strings.Join(got, "\n"))
	}
}

func TestBarsLabelsAsWideAsTheWidest(t *testing.T) {
	// Without a cap, the labels' column is a third of the width at most;
	// here the widest label fits, so it is that wide and nothing is cut.
	b := Bars{Cursor: -1, Bars: []Bar{{Label: "𠮷野家", Value: 2, Text: "2"}, {Label: "城东", Value: 1, Text: "1"}}}
	want := []string{
		"  𠮷野家 ██████████ 2",
		"  城东   █████      1",
	}
	got := b.View(21, 2, 0, Styles{})
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("bars:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestBarsHostileLabel(t *testing.T) {
	b := Bars{Cursor: -1, Bars: []Bar{{Label: "A\x1b[2J\u202eB", Value: 1, Text: "1\x07"}}}
	got := b.View(20, 1, 0, Styles{})[0]
	if want := "  A␛[2JB ████████ 1␇"; got != want {
		t.Fatalf("hostile label drawn as %q, want %q", got, want)
	}
}

// sample is five days received, with misses overlaid: the third and fourth
// days peak at 4, the fourth's misses meet its point.
var sample = Line{
	Name: "受理", OverName: "超时", Unit: "天",
	Labels: []string{"5/1", "5/2", "5/3", "5/4", "5/5"},
	Values: []int{2, 0, 4, 4, 1},
	Over:   []int{0, 1, 0, 4, 0},
}

func TestLineExact(t *testing.T) {
	// 44 cells: the scale "4" and its axis take 2, leaving 42 for five
	// points of 8 cells each, each point in the 4th cell of its 8. Five
	// rows of plot: a level per count.
	want := []string{
		"● 受理 11  ✕ 超时 5  ⊗ 重合  最高 4（5/3）  ",
		"4┤" + sp(19) + "●───────⊗───────┐" + sp(6),
		" │" + sp(19) + "│" + sp(15) + "│" + sp(6),
		" │" + sp(3) + "●───────┐" + sp(7) + "│" + sp(15) + "│" + sp(6),
		" │" + sp(11) + "✕" + sp(7) + "│" + sp(15) + "●" + sp(6),
		"0┤" + sp(11) + "●───────┘" + sp(22),
		" └" + strings.Repeat("─", 42),
		sp(2) + sp(3) + "5/1" + sp(5) + "5/2" + sp(5) + "5/3" + sp(5) + "5/4" + sp(5) + "5/5" + sp(4),
	}
	got := sample.View(44, 8, Styles{})
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("line:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLineAddsUpPointsThatDoNotFit(t *testing.T) {
	l := Line{Name: "受理", Unit: "天"}
	for i := 1; i <= 10; i++ {
		l.Labels = append(l.Labels, fmt.Sprint(i))
		l.Values = append(l.Values, i)
	}
	// 7 cells: a scale of two digits and its axis leave 4 columns; three
	// points a column make 6, 15, 24 and 10.
	values, over, labels, per := l.buckets(7)
	if fmt.Sprint(values, over, labels, per) != "[6 15 24 10] [0 0 0 0] [1 4 7 10] 3" {
		t.Fatalf("buckets = %v %v %v %d", values, over, labels, per)
	}
	// 60 cells hold the ten points a column each: nothing added up.
	got := l.View(60, 6, Styles{})
	if strings.Contains(got[0], "每格") || !strings.HasPrefix(got[1], "10┤") {
		t.Fatalf("60 cells:\n%s", strings.Join(got, "\n"))
	}
	// In 7, three rows of plot: 6, 15 and 10 on the middle one, 24 on top.
	got = l.View(7, 6, Styles{})
	want := []string{"● 受理…", "24┤  ●┐", "  │●●┘●", " 0┤    ", "  └────", "   1   "}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("7 cells:\n%q\nwant\n%q", got, want)
	}
	if got := l.View(40, 6, Styles{})[0]; strings.Contains(got, "每格") {
		t.Fatalf("40 cells add up points: %q", got)
	}
}

func TestLineTooLow(t *testing.T) {
	got := sample.View(20, 3, Styles{})
	want := []string{"● 受理 11  ✕ 超时 5…", sp(20), sp(20)}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("line in 3 rows:\n%q", got)
	}
}

var colourSGR = regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:[;m])`)

// Without colour the charts are the same glyphs: styles never change the
// layout, and NO_COLOR's styles bring no colour.
func TestStylesKeepTheGlyphs(t *testing.T) {
	plain := append(rates.View(50, 5, 0, Styles{}), sample.View(44, 8, Styles{})...)
	t.Setenv("NO_COLOR", "1")
	noColour := NewStyles(theme.For(theme.Dark, true))
	coloured := NewStyles(theme.New(false))
	for name, st := range map[string]Styles{"NO_COLOR": noColour, "dark": coloured} {
		got := append(rates.View(50, 5, 0, st), sample.View(44, 8, st)...)
		for i := range got {
			if s := ansi.Strip(got[i]); s != plain[i] {
				t.Errorf("%s line %d: %q, plain %q", name, i, s, plain[i])
			}
			if name == "NO_COLOR" && colourSGR.MatchString(got[i]) {
				t.Errorf("NO_COLOR line %d has colour: %q", i, got[i])
			}
		}
		if name == "dark" && !colourSGR.MatchString(strings.Join(got, "")) {
			t.Errorf("the dark theme draws no colour")
		}
	}
}

// Every size draws every line exactly its width and exactly its height.
func TestEverySizeExact(t *testing.T) {
	long := Line{Name: "受理", OverName: "超时", Unit: "天"}
	for i := range 366 {
		long.Labels = append(long.Labels, fmt.Sprintf("%d/%d", i/31+1, i%31+1))
		long.Values = append(long.Values, (i*37)%101)
		long.Over = append(long.Over, (i*13)%7)
	}
	// The year so far: its days to come are on the axis, not on the line.
	soFar := long
	soFar.Values, soFar.Over = long.Values[:126], long.Over[:126]
	st := NewStyles(theme.New(false))
	for w := 1; w <= 90; w++ {
		for h := 0; h <= 12; h++ {
			for _, l := range []Line{sample, long, soFar, {Name: "受理"}} {
				got := l.View(w, h, st)
				if len(got) != h {
					t.Fatalf("line %dx%d: %d lines", w, h, len(got))
				}
				for i, s := range got {
					if cells.Width(ansi.Strip(s)) != w {
						t.Fatalf("line %dx%d row %d is %d cells: %q", w, h, i, cells.Width(ansi.Strip(s)), ansi.Strip(s))
					}
				}
			}
			got := rates.View(w, h, 0, st)
			if len(got) != h {
				t.Fatalf("bars %dx%d: %d lines", w, h, len(got))
			}
			for i, s := range got {
				if cells.Width(ansi.Strip(s)) != w {
					t.Fatalf("bars %dx%d row %d is %d cells: %q", w, h, i, cells.Width(ansi.Strip(s)), ansi.Strip(s))
				}
			}
		}
	}
}

// A period that runs past now: the time axis has a label for every day,
// the line stops at the last value and the legend says where.
func TestLineStopsAtTheLastValue(t *testing.T) {
	l := Line{Name: "受理", OverName: "超时", Unit: "天",
		Labels: []string{"5/1", "5/2", "5/3", "5/4", "5/5"}, Values: []int{2, 0, 4}, Over: []int{0, 1, 0}}
	// 52 cells: the scale and its axis take 2, five points of 10 cells
	// each, each point in the 5th cell of its 10; nothing right of 5/3's.
	want := []string{
		"● 受理 6  ✕ 超时 1  ⊗ 重合  至 5/3  最高 4（5/3）   ",
		"4┤" + sp(24) + "●" + sp(25),
		" │" + sp(24) + "│" + sp(25),
		" │" + sp(4) + "●─────────┐" + sp(9) + "│" + sp(25),
		" │" + sp(14) + "✕" + sp(9) + "│" + sp(25),
		"0┤" + sp(14) + "●─────────┘" + sp(25),
		" └" + strings.Repeat("─", 50),
		sp(2) + sp(4) + "5/1" + sp(7) + "5/2" + sp(7) + "5/3" + sp(7) + "5/4" + sp(7) + "5/5" + sp(3),
	}
	got := l.View(52, 8, Styles{})
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("line:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Added up two days a column: the last column holds day 5 alone, and
	// the axis goes on to day 10.
	half := Line{Name: "受理"}
	for i := 1; i <= 10; i++ {
		half.Labels = append(half.Labels, fmt.Sprint(i))
		if i <= 5 {
			half.Values = append(half.Values, i)
		}
	}
	values, over, labels, per := half.buckets(7)
	if fmt.Sprint(values, over, labels, per) != "[3 7 5] [0 0 0] [1 3 5 7 9] 2" {
		t.Fatalf("buckets = %v %v %v %d", values, over, labels, per)
	}
	got = half.View(7, 6, Styles{})
	want = []string{"● 受理…", "7┤ ●┐  ", " │●┘●  ", "0┤     ", " └─────", "  1 5 9"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("7 cells:\n%q\nwant\n%q", got, want)
	}
	// As many labels as values: nothing to say.
	if got := sample.View(60, 8, Styles{})[0]; strings.Contains(got, "至") {
		t.Fatalf("a whole period's legend: %q", got)
	}
}

// A period without a ticket has no busiest day: the legend names none.
func TestLineNothingReceived(t *testing.T) {
	l := Line{Name: "受理", OverName: "超时", Unit: "天", Labels: []string{"12/19", "12/20", "12/21"}, Values: []int{0, 0, 0}, Over: []int{0, 0, 0}}
	if got, want := l.View(40, 6, Styles{})[0], cells.Pad("● 受理 0  ✕ 超时 0  ⊗ 重合", 40); got != want {
		t.Fatalf("legend %q, want %q", got, want)
	}
	// One ticket is a peak.
	l.Values[1] = 1
	if got, want := l.View(48, 6, Styles{})[0], cells.Pad("● 受理 1  ✕ 超时 0  ⊗ 重合  最高 1（12/20）", 48); got != want {
		t.Fatalf("legend %q, want %q", got, want)
	}
}
