package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/BurntSushi/toml"
)

// DecodeFile reads a TOML settings file into v. Errors name the file and,
// where the decoder knows it or the key can be found, the line; a key v has
// no field for is an error, since a misspelt setting silently ignored is a
// setting that does not take effect.
func DecodeFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	md, err := toml.Decode(string(data), v)
	if err != nil {
		if pe, ok := err.(toml.ParseError); ok {
			return fmt.Errorf("%s:%d: %s", path, pe.Position.Line, pe.Message)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0].String()
		if line := keyLine(data, und[0][len(und[0])-1]); line > 0 {
			return fmt.Errorf("%s:%d: unknown setting %q", path, line, k)
		}
		return fmt.Errorf("%s: unknown setting %q", path, k)
	}
	return nil
}

// keyLine is the first line that sets key, or 0.
func keyLine(data []byte, key string) int {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, key); ok && strings.HasPrefix(strings.TrimSpace(rest), "=") {
			return n
		}
	}
	return 0
}
