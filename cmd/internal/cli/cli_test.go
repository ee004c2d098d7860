package cli

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestDecodeFile(t *testing.T) {
	type settings struct {
		Platform string `toml:"platform"`
		MTU      int    `toml:"mtu"`
	}
	dir := t.TempDir()
	for _, c := range []struct{ body, want string }{
		{"platform = \"http://10.77.0.1\"\n\n  colour = \"red\"\n", "x.toml:3: unknown setting \"colour\""},
		{"platform = \"http://10.77.0.1\"\nmtu = \"big\"\n", "x.toml: toml: line 2 (last key \"mtu\"): incompatible types: TOML value has type string; destination has type integer"},
		{"platform = http\n", "x.toml:1: expected value but found \"http\" instead"},
	} {
		p := filepath.Join(dir, "x.toml")
		os.WriteFile(p, []byte(c.body), 0o644)
		var s settings
		err := DecodeFile(p, &s)
		if err == nil || err.Error() != filepath.Join(dir, c.want) && err.Error() != dir+"/"+c.want {
			t.Errorf("%q: err = %v\nwant %s", c.body, err, c.want)
		}
	}
}

func TestParseInterspersed(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	j := fs.Bool("json", false, "")
	pos, err := Parse(fs, []string{"2549", "--json", "--", "-x"})
	if err != nil || !*j || !reflect.DeepEqual(pos, []string{"2549", "-x"}) {
		t.Fatalf("Parse = %v %v json=%v", pos, err, *j)
	}
}
