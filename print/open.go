package print

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Show is the way to print where no CUPS answers (Windows, or a desktop
// without a print server): it saves the PDF in dir (the system's temporary
// folder when empty) as name.pdf, with a number added when that file
// exists, and opens it with the system's PDF viewer, from which the user
// prints. It returns the file's path, also when only the opening failed.
func Show(pdf []byte, dir, name string) (string, error) {
	path, err := Save(pdf, dir, name)
	if err != nil {
		return "", err
	}
	return path, Open(path)
}

// Save writes the PDF to dir as name.pdf without overwriting a file, and
// returns its path. Characters that cannot be in a file name become "_".
func Save(pdf []byte, dir, name string) (string, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`<>:"/\|?*`, r) {
			return '_'
		}
		return r
	}, strings.TrimSuffix(name, ".pdf"))
	if strings.Trim(name, ". ") == "" {
		name = "sheet"
	}
	for i := 1; ; i++ {
		p := filepath.Join(dir, name+".pdf")
		if i > 1 {
			p = filepath.Join(dir, fmt.Sprintf("%s-%d.pdf", name, i))
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if os.IsExist(err) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("save PDF: %w", err)
		}
		if _, err := f.Write(pdf); err != nil {
			f.Close()
			return "", fmt.Errorf("save PDF %s: %w", p, err)
		}
		if err := f.Close(); err != nil {
			return "", fmt.Errorf("save PDF %s: %w", p, err)
		}
		return p, nil
	}
}

// Open opens a file with the program the desktop uses for it, without
// waiting for that program to close.
func Open(path string) error {
	name, args := Opener(runtime.GOOS, path)
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s with %s: %w (open the file yourself to print it)", path, name, err)
	}
	// Reap the opener; its exit status says nothing about the file.
	go func() { _ = cmd.Wait() }()
	return nil
}

// Opener is the command that opens path with the desktop's program for it
// on an operating system. On Windows, rundll32 hands the file to its
// associated program without a shell: "cmd /c start" would need the path
// quoted for cmd, which a name with & or ^ defeats.
func Opener(goos, path string) (string, []string) {
	switch goos {
	case "windows":
		return "rundll32", []string{"url.dll,FileProtocolHandler", path}
	case "darwin":
		return "open", []string{path}
	}
	return "xdg-open", []string{path}
}
