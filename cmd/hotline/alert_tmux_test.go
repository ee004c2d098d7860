package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"testing"
)

// TestAlertInTmux: in the real demo the center dispatches a ticket every
// few seconds; the duty officer's status bar tells of it and counts the
// alerts not seen, and the 提醒 page lists it on top and marks them seen.
func TestAlertInTmux(t *testing.T) {
	hotline, _ := binaries(t)
	dir := t.TempDir()
	s := newTmux(t, tmuxOptions{width: 120, height: 40, lang: "zh_CN.UTF-8"},
		fmt.Sprintf("%s demo --every 4s --tickets 20 --dir %s 2>%s", hotline, filepath.Join(dir, "demo"), filepath.Join(dir, "stderr")))
	s.waitFor("1 待办 5", statusMark)
	// The seed's tickets end at 20; the first the center dispatches after
	// is 21 of its day.
	fresh := regexp.MustCompile(`提醒：【12345】工单(\d{8}0000(2\d))「`)
	count := regexp.MustCompile(`提醒 \d+ │`)
	sc := s.waitUntil(func(sc string) error {
		if fresh.FindStringSubmatch(sc) == nil || !count.MatchString(sc) {
			return fmt.Errorf("no alert of a newly dispatched ticket in the status bar, or no count")
		}
		return nil
	})
	number := fresh.FindStringSubmatch(sc)[1]
	s.keys("!")
	sc = s.waitFor("1 提醒", "2 通知发送记录", "（标 ●，现已读）", "工单"+number+"「")
	rows := screenLines(sc)
	// The content column leaves out the 【12345】 tag and the ticket's own
	// number; the pane under the table, waited for above, shows them.
	if !regexp.MustCompile(`^● \d\d-\d\d \d\d:\d\d ` + number + `\s+「`).MatchString(rows[3]) {
		t.Errorf("the first row is not the new ticket's alert:\n%s", sc)
	}
	s.keys("Escape")
	s.waitFor("1 待办")
	s.keys("q")
	s.waitExit()
}
