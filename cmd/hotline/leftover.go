package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"hotline/tui/cells"
)

// sayUnsent tells, once the screen is gone, of files still on their way to
// the platform: the screen ends without asking, and the officer should
// know that they go on only when a terminal runs again.
func (t *terminal) sayUnsent(ctx context.Context, w io.Writer) {
	ups, err := t.store.Unfinished(ctx)
	if err != nil || len(ups) == 0 {
		return
	}
	names := make([]string, 0, 3)
	for i, u := range ups {
		if i == 3 {
			names = append(names, "…")
			break
		}
		names = append(names, cells.Line(u.Name))
	}
	fmt.Fprintf(w, "hotline: %d file(s) not yet on the platform (%s); they go on when hotline starts again, or with hotline attach --resume\n",
		len(ups), strings.Join(names, ", "))
}
