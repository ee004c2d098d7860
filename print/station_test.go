package print

import (
	"testing"
	"time"
)

func TestJobName(t *testing.T) {
	day := time.Date(2026, 12, 4, 23, 59, 0, 0, time.UTC)
	for _, tt := range []struct {
		numbers []string
		batch   string
		want    string
	}{
		{[]string{"2549"}, "", "记录单-2549"},
		{[]string{"2549", "2551", "2560"}, "", "记录单-2549等3张"},
		{[]string{"2549", "2551"}, "今日办结", "记录单-今日办结-20261204-2张"},
		{[]string{"25\x1b[2J49"}, "", "记录单-2549"},
	} {
		if got := JobName(tt.numbers, tt.batch, day); got != tt.want {
			t.Errorf("JobName(%q, %q) = %q, want %q", tt.numbers, tt.batch, got, tt.want)
		}
	}
}
