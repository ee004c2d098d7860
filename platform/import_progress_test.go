package platform

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"hotline/platform/intake"
)

// An import reports the rows it reads, then the tickets it writes, each of
// its total; a second import of the same file writes nothing new and says
// so the same way.
func TestImportProgress(t *testing.T) {
	db := openFixture(t)
	path := filepath.Join(t.TempDir(), "three.csv")
	csv := "留言编号,留言主题,留言时间,留言详情\n1001,路灯不亮,2019/4/25 9:32:09,振兴街道路灯不亮\n" +
		"1002,停电,2019/4/25 10:00:00,小区停电\n1003,噪音,2019/4/26 8:00:00,变压器噪音\n"
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	type report struct {
		step        string
		done, total int
	}
	for _, added := range []int{3, 0} {
		var got []report
		opts := ImportOptions{Unit: "U1",
			Options: intake.Options{Progress: func(d, n int) { got = append(got, report{"read", d, n}) }},
			Saving:  func(d, n int) { got = append(got, report{"saved", d, n}) },
		}
		sum, err := db.Import(context.Background(), path, opts)
		if err != nil {
			t.Fatal(err)
		}
		want := []report{{"read", 1, 3}, {"read", 2, 3}, {"read", 3, 3}, {"saved", 0, 3}, {"saved", 1, 3}, {"saved", 2, 3}, {"saved", 3, 3}}
		if !reflect.DeepEqual(got, want) || sum.Added != added {
			t.Errorf("reports %v, %d added; want %v, %d", got, sum.Added, want, added)
		}
	}
}
