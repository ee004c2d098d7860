package theme

import (
	"reflect"
	"testing"

	"charm.land/lipgloss/v2"
)

// fields lists every style of s by its field name.
func fields(s Styles) map[string]lipgloss.Style {
	out := map[string]lipgloss.Style{}
	v := reflect.ValueOf(s)
	for i := range v.NumField() {
		out[v.Type().Field(i).Name] = v.Field(i).Interface().(lipgloss.Style)
	}
	return out
}

func coloured(s lipgloss.Style) bool {
	_, fg := s.GetForeground().(lipgloss.NoColor)
	_, bg := s.GetBackground().(lipgloss.NoColor)
	return !fg || !bg
}

// Every style is defined in both palettes, and differs between them
// wherever the dark one has a colour; Plain has no colour. The row under
// the cursor has no mark of its own: it is reverse in every theme, and what
// is bold without colour (new, titles) stays bold with it.
func TestThemeEveryStyleInBothPalettes(t *testing.T) {
	plain, dk, lt := fields(Plain()), fields(palette(dark)), fields(palette(light))
	if len(plain) != 20 {
		t.Fatalf("%d styles, want 20 (a new style needs a look in every palette)", len(plain))
	}
	for name, p := range plain {
		if coloured(p) {
			t.Errorf("Plain().%s has a colour", name)
		}
		if !coloured(dk[name]) && !reflect.DeepEqual(dk[name], p) {
			t.Errorf("dark.%s has no colour but differs from Plain", name)
		}
		if coloured(dk[name]) && reflect.DeepEqual(dk[name].GetForeground(), lt[name].GetForeground()) &&
			reflect.DeepEqual(dk[name].GetBackground(), lt[name].GetBackground()) {
			t.Errorf("%s has the same colours in both palettes", name)
		}
		if coloured(dk[name]) != coloured(lt[name]) {
			t.Errorf("%s coloured in one palette only", name)
		}
	}
	for pal, f := range map[string]map[string]lipgloss.Style{"plain": plain, "dark": dk, "light": lt} {
		if !f["Selected"].GetReverse() {
			t.Errorf("%s.Selected is not reverse", pal)
		}
		if !f["Match"].GetUnderline() {
			t.Errorf("%s.Match is not underlined", pal)
		}
		for _, name := range []string{"New", "Title", "Header", "Section", "Error", "HelpKey"} {
			if !f[name].GetBold() {
				t.Errorf("%s.%s is not bold", pal, name)
			}
		}
	}
}

func TestThemeFor(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	tests := []struct {
		name Name
		dark bool
		want Styles
	}{
		{Dark, true, palette(dark)},
		{Dark, false, palette(dark)},
		{Light, true, palette(light)},
		{Auto, true, palette(dark)},
		{Auto, false, palette(light)},
		{"", false, palette(dark)},
	}
	for _, tt := range tests {
		if got := For(tt.name, tt.dark); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("For(%q, %v) is not the expected palette", tt.name, tt.dark)
		}
	}
	t.Setenv("NO_COLOR", "1")
	for _, n := range []Name{Dark, Light, Auto} {
		if got := For(n, false); !reflect.DeepEqual(got, Plain()) {
			t.Errorf("For(%q) with NO_COLOR is coloured", n)
		}
	}
}

func TestThemeParseName(t *testing.T) {
	for _, s := range []string{"dark", "light", "auto"} {
		if n, err := ParseName(s); err != nil || string(n) != s {
			t.Errorf("ParseName(%q) = %q, %v", s, n, err)
		}
	}
	for s, want := range map[string]string{
		"Dark": `theme "Dark": give "dark", "light" or "auto"`,
		"":     `theme "": give "dark", "light" or "auto"`,
	} {
		if _, err := ParseName(s); err == nil || err.Error() != want {
			t.Errorf("ParseName(%q) error %v, want %s", s, err, want)
		}
	}
}
