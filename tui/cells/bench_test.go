package cells

import (
	"strings"
	"testing"
)

// BenchmarkWrapLongReply wraps a reply as long as the longest in the real
// data (about 7,800 characters) to a 120-column screen.
func BenchmarkWrapLongReply(b *testing.B) {
	s := strings.Repeat("经调查了解，针对来信所反映的“小区停车收费问题”，业委会于2019年4月10日召开了业主大会。", 180)
	for b.Loop() {
		Wrap(s, 118)
	}
}
