package print

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// ErrNoFont is wrapped by FindFont's error when no usable font is
// installed. Its message says what to install.
var ErrNoFont = errors.New("no Chinese TrueType font found: install one (apt-get install fonts-wqy-microhei) or set the font file in the settings")

// FindFont returns the font for sheets: the file named in the settings when
// there is one (an error if it cannot be used, rather than silently another
// font), else the first usable of the common system fonts with TrueType
// outlines: WenQuanYi Micro Hei and Zen Hei and AR PL UMing on Debian, UOS
// and Kylin; SimSun, Microsoft YaHei and SimHei on Windows; STHeiti, Hiragino
// Sans GB and Arial Unicode on macOS. Fonts without Latin letters and digits
// (Droid Sans Fallback) and fonts with CFF outlines (Noto Sans CJK) are
// passed over. The font is read once and kept for later calls.
//
// The setting may also list fonts separated by commas, the main font first
// and then its fallbacks, looked in in that order for the characters the
// main font lacks: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc,
// /usr/local/share/fonts/simsunb.ttf". An empty first entry stands for the
// system font found as above. A fallback need only be a TrueType font that
// allows embedding; the error for a font that cannot be used names its
// file. A setting naming an existing file with a comma in its name is that
// one file.
func FindFont(setting string) (*Font, error) {
	if !strings.Contains(setting, ",") {
		return findMain(setting)
	}
	if _, err := os.Stat(setting); err == nil {
		return LoadFont(setting)
	}
	paths := strings.Split(setting, ",")
	f, err := findMain(strings.TrimSpace(paths[0]))
	if err != nil {
		return nil, err
	}
	for _, p := range paths[1:] {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		fallback, err := readFont(p)
		if err != nil {
			return nil, fmt.Errorf("fallback %w", err)
		}
		f = f.WithFallback(fallback)
	}
	return f, nil
}

// findMain is the font of a setting naming one file, or of an empty one.
func findMain(setting string) (*Font, error) {
	if setting != "" {
		return LoadFont(setting)
	}
	var tried []string
	for _, p := range fontCandidates() {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		f, err := LoadFont(p)
		if err == nil {
			return f, nil
		}
		tried = append(tried, err.Error())
	}
	if len(tried) > 0 {
		return nil, fmt.Errorf("%w (unusable: %s)", ErrNoFont, strings.Join(tried, "; "))
	}
	return nil, ErrNoFont
}

// fontCandidates lists where the common fonts live, best first, for the
// system the program runs on.
func fontCandidates() []string {
	switch runtime.GOOS {
	case "windows":
		dir := os.Getenv("WINDIR")
		if dir == "" {
			dir = `C:\Windows`
		}
		var out []string
		for _, name := range []string{"simsun.ttc", "msyh.ttc", "msyh.ttf", "simhei.ttf"} {
			out = append(out, filepath.Join(dir, "Fonts", name))
		}
		if local := os.Getenv("LOCALAPPDATA"); local != "" {
			out = append(out, filepath.Join(local, "Microsoft", "Windows", "Fonts", "simsun.ttc"))
		}
		return out
	case "darwin":
		return []string{
			"/System/Library/Fonts/STHeiti Medium.ttc",
			"/System/Library/Fonts/STHeiti Light.ttc",
			"/System/Library/Fonts/Hiragino Sans GB.ttc",
			"/Library/Fonts/Arial Unicode.ttf",
			"/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
			"/System/Library/Fonts/Supplemental/Songti.ttc",
		}
	}
	var out []string
	for _, dir := range fontDirs() {
		for _, name := range []string{
			"truetype/wqy/wqy-microhei.ttc",
			"wqy-microhei/wqy-microhei.ttc",
			"truetype/wqy/wqy-zenhei.ttc",
			"wqy-zenhei/wqy-zenhei.ttc",
			"truetype/arphic/uming.ttc",
			"truetype/arphic-uming/uming.ttc",
			"truetype/arphic/ukai.ttc",
		} {
			out = append(out, filepath.Join(dir, name))
		}
	}
	return out
}

// fontDirs are the font directories of a Unix desktop, the user's first.
func fontDirs() []string {
	var dirs []string
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		dirs = append(dirs, filepath.Join(d, "fonts"))
	} else if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".local/share/fonts"))
	}
	return append(dirs, "/usr/share/fonts", "/usr/local/share/fonts")
}
