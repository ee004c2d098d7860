package form

import (
	"context"
	"maps"
	"testing"

	"hotline/complaint"
	"hotline/tui/app"
	"hotline/tui/keys"
)

// drafts is a store that keeps drafts only.
type drafts struct {
	app.Store // nil: any other call fails the test by panicking
	saved     map[string]string
}

func (d *drafts) SaveDraft(_ context.Context, ticket, field, text string) error {
	d.saved[ticket+" "+field] = text
	return nil
}

func (d *drafts) DeleteDraft(_ context.Context, ticket, field string) error {
	delete(d.saved, ticket+" "+field)
	return nil
}

// SaveNow writes every text edited since its last save, at once; a save
// of an older text still on its way (its command not run yet) writes
// nothing after it, and later ones save again.
func TestSaveNowHasTheLastWord(t *testing.T) {
	signed := complaint.Ticket{Number: "20200506002", Title: "路灯不亮", Unit: "PJGD", State: complaint.Signed, Version: 2}
	m := newForm(t, keys.FormExtension, signed)
	st := &drafts{saved: map[string]string{}}
	m.ctx.Store = st
	press(m, "1")
	f := m.Field("extension.days")
	// The pause after "1" came: its save is on its way.
	old := m.Update(draftDueMsg{ticket: signed.Number, field: f.Name, seq: f.seq})
	if old == nil {
		t.Fatal("no save after the pause")
	}
	press(m, "2", "tab", "需协调营销系统")
	if err := m.SaveNow(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"20200506002 extension.days": "12", "20200506002 extension_request.text": "需协调营销系统"}
	if !maps.Equal(st.saved, want) {
		t.Fatalf("after SaveNow: %q, want %q", st.saved, want)
	}
	if msg := old(); msg != nil || st.saved["20200506002 extension.days"] != "12" {
		t.Errorf("the older save answered %v and left %q", msg, st.saved["20200506002 extension.days"])
	}
	if f.seq != f.savedSeq {
		t.Errorf("the field is still unsaved: seq %d, saved %d", f.seq, f.savedSeq)
	}
}
