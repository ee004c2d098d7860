package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"hotline/complaint"
	"hotline/internal/testenv"
	"hotline/print"
)

// withFont gives the harness the font the machine has, or skips.
func withFont(h *harness) {
	h.t.Helper()
	f, err := print.FindFont("")
	if err != nil {
		testenv.Missing(h.t, "a CJK font (apt-get install fonts-wqy-microhei)")
	}
	h.m.ctx.Font = func() (*print.Font, error) { return f, nil }
}

// localCUPS is the machine's CUPS with the cups-pdf printer PDF that
// scripts/test.sh sets up, as the terminal prints through it.
func localCUPS(t testing.TB) print.Station {
	t.Helper()
	st := print.Station{CUPS: print.NewClient(""), Dir: t.TempDir(), Poll: 50 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ps, err := st.Printers(ctx)
	if err != nil && !errors.Is(err, print.ErrUnreachable) {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(ps, func(p print.Printer) bool { return p.Name == "PDF" }) {
		testenv.Missing(t, "CUPS with a PDF printer (bash scripts/test.sh sets it up)")
	}
	return st
}

// Space picks tickets across the lists, the tab line counts them, x drops
// them all; p with none picked takes the ticket under the cursor.
func TestPickTickets(t *testing.T) {
	h := newHarness(t, 120, 40, fixtures())
	first, second := h.m.list.Selected(), ""
	h.press("space")
	second = h.m.list.Selected()
	if first == second {
		t.Fatalf("space left the cursor on %s", first)
	}
	h.press("space")
	if got := h.m.list.Picked(); !slices.Equal(got, []string{first, second}) {
		t.Fatalf("picked %v, want %v", got, []string{first, second})
	}
	screen := h.view()
	if !strings.Contains(h.line(0), "已选 2 张 · ") {
		t.Errorf("tab line does not count the picks: %q", h.line(0))
	}
	if n := strings.Count(screen, "✓"); n != 2 {
		t.Errorf("%d rows drawn checked, want 2:\n%s", n, screen)
	}
	// Picks stay over another list and back, and a second space drops one.
	h.press("2", "1", "home", "down", "space")
	if got := h.m.list.Picked(); !slices.Equal(got, []string{first}) {
		t.Fatalf("after dropping %s: picked %v", second, got)
	}
	h.press("x")
	if got := h.m.list.Picked(); len(got) != 0 || strings.Contains(h.line(0), "已选") {
		t.Fatalf("x left %v picked, tab line %q", got, h.line(0))
	}
	withFont(h)
	h.press("home", "p")
	if h.m.screen != screenPrint || h.m.printing.Name() != "记录单-"+first {
		t.Fatalf("p with nothing picked: screen %d", h.m.screen)
	}
}

// The preview draws the record sheet as it will print, says how many pages
// the PDF has, and scrolls.
func TestPrintPreview(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {100, 30}, {120, 40}} {
		h := newHarness(t, size[0], size[1], fixtures())
		withFont(h)
		h.open("20200506002")
		h.press("p")
		if h.m.screen != screenPrint {
			t.Fatalf("p on a ticket's page opened screen %d", h.m.screen)
		}
		screen := h.view()
		lines := strings.Split(screen, "\n")
		if want := " 打印预览 · 工单 20200506002"; !strings.HasPrefix(lines[0], want) {
			t.Errorf("title %q, want it to start %q", lines[0], want)
		}
		if got := strings.TrimRight(lines[1], " "); got != " 1 张记录单 · PDF 共 1 页（A4）" {
			t.Errorf("count line %q", got)
		}
		body := ansi.Strip(strings.Join(h.m.printing.Lines(), "\n"))
		for _, want := range []string{"市民投诉电话记录单", "20200506002", "𠮷野家门前“停电”……——①② 路灯不亮", "门前路灯“停电”已一周……——①②号杆均不亮。"} {
			if !strings.Contains(strings.ReplaceAll(body, " ", ""), strings.ReplaceAll(want, " ", "")) {
				t.Errorf("%dx%d: preview lacks %q:\n%s", size[0], size[1], want, body)
			}
		}
		golden(t, fmt.Sprintf("print-preview-%dx%d.golden", size[0], size[1]), screen)
		last := lines[size[1]-3]
		h.press("pgdown")
		if h.line(size[1]-3) == last {
			t.Errorf("%dx%d: pgdown did not scroll the preview", size[0], size[1])
		}
		h.press("esc")
		if h.m.screen != screenDetail || h.m.printing != nil {
			t.Errorf("esc from the preview went to screen %d", h.m.screen)
		}
	}
}

// Two picked tickets print as one job on the real CUPS queue, two copies;
// the job is followed to its end and the status bar tells it; the picks
// are dropped once printed.
func TestPrintToCUPS(t *testing.T) {
	h := newHarness(t, 120, 40, fixtures())
	withFont(h)
	h.m.ctx.Printer = localCUPS(t)
	h.press("space", "space")
	picked := slices.Clone(h.m.list.Picked())
	h.press("p")
	if h.m.screen != screenPrint {
		t.Fatalf("p opened screen %d", h.m.screen)
	}
	pages := h.m.printing.Output().Pages
	if pages < 2 {
		t.Fatalf("two sheets made a PDF of %d pages", pages)
	}
	h.press("enter")
	if !h.m.printing.Choosing() {
		t.Fatal("enter did not open the printer chooser")
	}
	screen := h.view()
	if want := fmt.Sprintf(" 选择打印机 · 2 张记录单 · PDF 共 %d 页（A4）", pages); strings.TrimRight(h.line(0), " ") != want {
		t.Errorf("chooser title %q, want %q", h.line(0), want)
	}
	if !regexp.MustCompile(`(?m)^ ▶ PDF +默认  空闲`).MatchString(screen) {
		t.Fatalf("the chooser does not start on the default printer PDF:\n%s", screen)
	}
	h.press("+", "+", "-")
	if !strings.Contains(h.view(), " 份数  2") {
		t.Fatalf("copies not 2:\n%s", h.view())
	}
	h.press("enter")
	want := regexp.MustCompile(`^已打印 (\d+) 页（2 张记录单，打印机 PDF）$`)
	if !want.MatchString(h.notice()) {
		t.Fatalf("notice after the job %q, want %s", h.notice(), want)
	}
	if !strings.Contains(h.view(), want.FindString(h.notice())) {
		t.Errorf("the chooser does not show the job's end:\n%s", h.view())
	}
	if got := h.m.list.Picked(); len(got) != 0 {
		t.Errorf("%v still picked after printing %v", got, picked)
	}
	// The job went on after the screen: leaving it keeps the notice.
	h.press("esc", "esc")
	if h.m.screen != screenList {
		t.Errorf("esc esc went to screen %d", h.m.screen)
	}
}

// With no CUPS to reach (Windows, a desktop without a print server) the
// chooser says so, and s saves the PDF where the terminal keeps it.
func TestPrintWithoutCUPS(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	withFont(h)
	dir := t.TempDir()
	h.m.ctx.Printer = print.Station{CUPS: print.NewClient("http://127.0.0.1:1"), Dir: dir}
	h.press("p", "enter")
	screen := h.view()
	if !strings.Contains(screen, " ○ 未找到打印服务（CUPS）") {
		t.Fatalf("chooser without CUPS:\n%s", screen)
	}
	h.press("enter")
	if h.notice() != "未找到打印服务（CUPS）：按 s 保存 PDF 并用系统的查看器打开" {
		t.Errorf("enter without CUPS: notice %q", h.notice())
	}
	t.Setenv("PATH", t.TempDir()) // no viewer to open it with
	h.press("s")
	files, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	if len(files) != 1 {
		t.Fatalf("saved %v in %s", files, dir)
	}
	data, err := os.ReadFile(files[0])
	if err != nil || !strings.HasPrefix(string(data), "%PDF-") {
		t.Fatalf("saved file %s: %v %.8q", files[0], err, data)
	}
	if !strings.HasPrefix(h.notice(), "PDF 已保存到 "+files[0]+"，但未能打开：") {
		t.Errorf("notice after s: %q", h.notice())
	}
}

// P prints every ticket closed today, in the order closed; a day with none
// says so and opens nothing.
func TestPrintClosedToday(t *testing.T) {
	h := newHarness(t, 80, 24, fixtures())
	h.press("P")
	if h.m.screen != screenList || h.notice() != "今天（05-06）没有办结的工单" {
		t.Fatalf("P with none closed today: screen %d, notice %q", h.m.screen, h.notice())
	}

	closed := func(number string, ago time.Duration) complaint.Ticket {
		return complaint.Ticket{Number: number, Title: "今日办结" + number, Unit: unitCode, State: complaint.Closed,
			ReceivedAt: at(72 * time.Hour), Version: 3, UpdatedAt: at(ago),
			Events: []complaint.Event{ev(complaint.KindClose, "center01", at(ago), complaint.FedBack, complaint.Closed, "")}}
	}
	tickets := append(fixtures(), closed("20200506091", time.Hour), closed("20200506090", 3*time.Hour),
		closed("20200505099", 16*time.Hour)) // yesterday, 23:04
	h = newHarness(t, 80, 24, tickets)
	withFont(h)
	h.press("P")
	if h.m.screen != screenPrint {
		t.Fatalf("P opened screen %d, notice %q", h.m.screen, h.notice())
	}
	if got, want := h.m.printing.Name(), "记录单-今日办结-20200506-2张"; got != want {
		t.Errorf("job name %q, want %q", got, want)
	}
	var heads []string
	for _, l := range h.m.printing.Lines() {
		if l = ansi.Strip(l); strings.HasPrefix(l, "── 工单 ") {
			heads = append(heads, strings.TrimRight(strings.TrimRight(l, " "), "─"))
		}
	}
	want := []string{"── 工单 20200506090 · 第 1/2 张 ", "── 工单 20200506091 · 第 2/2 张 "}
	if !slices.Equal(heads, want) {
		t.Errorf("sheets %q, want %q", heads, want)
	}
}
