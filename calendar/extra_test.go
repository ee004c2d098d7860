package calendar_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"hotline/calendar"
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "calendar.txt")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadExtra(t *testing.T) {
	p := writeFile(t, "\uFEFF# 单位日历\r\n\r\n2026-05-06 off 单位调休\r\n  2026-05-16   ON  补班 （上午）\r\n2026-06-01 off\r\n")
	got, err := calendar.LoadExtra(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []calendar.Day{
		{Date: "2026-05-06", Work: false, Name: "单位调休"},
		{Date: "2026-05-16", Work: true, Name: "补班 （上午）"},
		{Date: "2026-06-01", Work: false, Name: ""},
	}
	if !slices.Equal(got, want) {
		t.Errorf("LoadExtra = %+v, want %+v", got, want)
	}
	if _, err := calendar.New(calendar.Options{Extra: got}); err != nil {
		t.Errorf("New with loaded days: %v", err)
	}
}

func TestLoadExtraErrors(t *testing.T) {
	for _, tc := range []struct {
		text, want string
	}{
		{"2026-13-01 off", `line 1: field 1 (date) "2026-13-01": no such date`},
		{"# 注释\n2026/05/06 off", `line 2: field 1 (date) "2026/05/06": want YYYY-MM-DD`},
		{"2026-05-06 off\n2026-05-07", "line 2: field 2 (off or on) missing"},
		{"2026-05-06 休 单位调休", `line 1: field 2 "休": want off or on`},
		{"2026-05-06 off\n\n2026-05-06 on", "line 3: field 1 (date) 2026-05-06: already given on line 1"},
		{"2026-05-06 off \xb5\xa5\xce\xbb", "line 1: not UTF-8 text; save the file as UTF-8"}, // GBK 单位
	} {
		p := writeFile(t, tc.text)
		_, err := calendar.LoadExtra(p)
		if err == nil || err.Error() != p+" "+tc.want {
			t.Errorf("LoadExtra(%q) error = %v, want %s %s", tc.text, err, p, tc.want)
		}
	}
	if _, err := calendar.LoadExtra(filepath.Join(t.TempDir(), "none.txt")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadExtra(missing file) = %v, want fs.ErrNotExist", err)
	}
}
