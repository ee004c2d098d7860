package media

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

var (
	// ErrNoPlayer is wrapped by FindPlayer when no player can be found.
	ErrNoPlayer = errors.New("no audio player found")
	// ErrEnded is returned by Pause and Resume once the playback is over.
	ErrEnded = errors.New("playback has ended")
)

// Player is a program that plays the audio file given as its last argument.
type Player struct {
	// Command is the program and its leading arguments; Start appends the
	// file's path.
	Command []string
	// Now is the clock Elapsed reads; nil means time.Now.
	Now func() time.Time
}

// players are tried in this order when none is configured: ffplay and mpv
// play WAV and MP3 and every other format, paplay (PulseAudio, PipeWire) and
// aplay (ALSA) only WAV, but are there on nearly every Linux desktop.
var players = [][]string{
	{"ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"},
	{"mpv", "--no-video", "--really-quiet"},
	{"paplay"},
	{"aplay", "-q"},
}

// FindPlayer returns the player to use. configured is the [media] player
// setting of hotline.toml, a command line split into words the way a shell
// splits simple words and quotes (no variables, no globbing, no pipes); when
// it is empty the players ffplay, mpv, paplay and aplay are tried in that
// order. lookPath is exec.LookPath, or a fake in tests; the program's path as
// it returns it becomes Command[0].
//
// It takes no file type: a player that cannot play the recording at hand
// (paplay and aplay with an MP3) is still the only one there, so the caller
// asks Plays and tells the user what to install.
func FindPlayer(configured string, lookPath func(string) (string, error)) (Player, error) {
	if strings.TrimSpace(configured) != "" {
		cmd, err := Command(configured)
		if err != nil {
			return Player{}, fmt.Errorf("[media] player = %q in hotline.toml: %w", configured, err)
		}
		path, err := lookPath(cmd[0])
		if err != nil {
			return Player{}, fmt.Errorf("%w: [media] player = %q in hotline.toml: %v", ErrNoPlayer, configured, err)
		}
		cmd[0] = path
		return Player{Command: cmd}, nil
	}
	var tried []string
	for _, c := range players {
		if path, err := lookPath(c[0]); err == nil {
			cmd := slices.Clone(c)
			cmd[0] = path
			return Player{Command: cmd}, nil
		}
		tried = append(tried, c[0])
	}
	return Player{}, fmt.Errorf(`%w (tried %s): install one of them, or name a player in hotline.toml, e.g. [media] player = "mpv --no-video"`,
		ErrNoPlayer, strings.Join(tried, ", "))
}

// Plays reports whether the player can play a file of the MIME type t:
// paplay and aplay play WAV only; any other player is taken to play any
// audio.
func (p Player) Plays(t string) bool {
	t, _, _ = strings.Cut(t, ";")
	t = strings.ToLower(strings.TrimSpace(t))
	if len(p.Command) == 0 || !strings.HasPrefix(t, "audio/") {
		return false
	}
	switch program(p.Command[0]) {
	case "paplay", "aplay":
		return t == "audio/wav" || t == "audio/x-wav" || t == "audio/wave" || t == "audio/vnd.wave"
	}
	return true
}

// Name is the player's program name, for messages.
func (p Player) Name() string {
	if len(p.Command) == 0 {
		return ""
	}
	return program(p.Command[0])
}

func program(path string) string {
	name := filepath.Base(path)
	if runtime.GOOS == "windows" || strings.HasSuffix(strings.ToLower(name), ".exe") {
		name = strings.TrimSuffix(strings.ToLower(name), ".exe")
	}
	return name
}

// Command splits a command line of hotline.toml into the program and its
// arguments: blanks separate words, '…' and "…" quote, and a backslash
// escapes except on Windows, where it separates directories. There are no
// variables, globbing or pipes.
func Command(line string) ([]string, error) {
	return fields(line, runtime.GOOS != "windows")
}

// fields splits a command line into words: blanks separate words, '…'
// keeps everything inside as it is, "…" keeps blanks, and a backslash
// takes the next character literally (inside "…" only before " and \).
// With escape false, as on Windows where it separates directories, a
// backslash is an ordinary character.
func fields(s string, escape bool) ([]string, error) {
	var (
		words []string
		w     strings.Builder
		word  bool // a word has begun, perhaps an empty "" one
		quote rune
	)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				w.WriteRune(c)
			}
		case quote == '"':
			switch {
			case c == '"':
				quote = 0
			case c == '\\' && escape && i+1 < len(rs) && (rs[i+1] == '"' || rs[i+1] == '\\'):
				i++
				w.WriteRune(rs[i])
			default:
				w.WriteRune(c)
			}
		case c == '\'' || c == '"':
			quote, word = c, true
		case c == '\\' && escape:
			if i+1 == len(rs) {
				return nil, errors.New("command ends with a backslash")
			}
			i++
			w.WriteRune(rs[i])
			word = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if word {
				words = append(words, w.String())
				w.Reset()
				word = false
			}
		default:
			w.WriteRune(c)
			word = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c quote", quote)
	}
	if word {
		words = append(words, w.String())
	}
	if len(words) == 0 || words[0] == "" {
		return nil, errors.New("no program named")
	}
	return words, nil
}

// Start plays the file at path in a child process. The player gets neither
// the terminal nor its input — the TUI owns them — and runs in a process
// group of its own, so that pausing and stopping reach any helper process it
// starts too.
func (p Player) Start(path string) (*Playback, error) {
	if len(p.Command) == 0 {
		return nil, errors.New("media: player has no command")
	}
	// an absolute path cannot be read as an option, as "-录音.wav" would
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	args := append(slices.Clone(p.Command[1:]), abs)
	cmd := exec.Command(p.Command[0], args...)
	// Stdin and Stdout stay nil: the null device.
	pb := &Playback{cmd: cmd, now: p.Now, done: make(chan struct{})}
	cmd.Stderr = &pb.stderr
	// a helper that outlives the player must not hold Wait (and Done) open
	cmd.WaitDelay = time.Second
	ownGroup(cmd)
	if pb.now == nil {
		pb.now = time.Now
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start player %s: %w", p.Name(), err)
	}
	pb.started = pb.now()
	go pb.wait(p.Name())
	return pb, nil
}

// Playback is a player at work on one file.
type Playback struct {
	cmd    *exec.Cmd
	now    func() time.Time
	done   chan struct{}
	stderr tail

	mu        sync.Mutex
	started   time.Time
	pausedAt  time.Time     // when paused
	pausedFor time.Duration // all pauses that have ended
	end       time.Time     // when it ended, once it has
	paused    bool
	stopped   bool // by Stop: the exit it causes is no error
	exited    bool
	err       error
}

func (pb *Playback) wait(name string) {
	err := pb.cmd.Wait()
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil
	}
	pb.mu.Lock()
	if err != nil && !pb.stopped {
		if msg := pb.stderr.last(); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		pb.err = fmt.Errorf("player %s: %w", name, err)
	}
	pb.halt()
	pb.exited = true
	pb.mu.Unlock()
	close(pb.done)
}

// halt fixes the end time once; called with mu held.
func (pb *Playback) halt() {
	if !pb.end.IsZero() {
		return
	}
	if pb.paused {
		pb.end = pb.pausedAt
	} else {
		pb.end = pb.now()
	}
	pb.paused = false
}

// Pause stops the player where it is (SIGSTOP to its group). It is not
// supported on Windows.
func (pb *Playback) Pause() error {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	switch {
	case pb.exited || pb.stopped:
		return ErrEnded
	case pb.paused:
		return nil
	}
	if err := pause(pb.cmd.Process); err != nil {
		return ended(err)
	}
	pb.paused, pb.pausedAt = true, pb.now()
	return nil
}

// Resume lets a paused player go on (SIGCONT).
func (pb *Playback) Resume() error {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	switch {
	case pb.exited || pb.stopped:
		return ErrEnded
	case !pb.paused:
		return nil
	}
	if err := resume(pb.cmd.Process); err != nil {
		return ended(err)
	}
	pb.pausedFor += pb.now().Sub(pb.pausedAt)
	pb.paused = false
	return nil
}

// Stop ends the player, paused or not, and waits until it has: SIGTERM,
// then SIGKILL if it is still there after two seconds. Stopping a playback
// that has ended does nothing.
func (pb *Playback) Stop() error {
	pb.mu.Lock()
	if pb.exited || pb.stopped {
		pb.mu.Unlock()
		<-pb.done
		return nil
	}
	pb.stopped = true
	pb.halt()
	err := terminate(pb.cmd.Process)
	pb.mu.Unlock()
	if err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-pb.done:
	case <-time.After(2 * time.Second):
		if err := kill(pb.cmd.Process); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return err
		}
		<-pb.done
	}
	return nil
}

// ended says ErrEnded for a player that exited a moment ago.
func ended(err error) error {
	if errors.Is(err, os.ErrProcessDone) {
		return ErrEnded
	}
	return err
}

// Paused reports whether the player is paused.
func (pb *Playback) Paused() bool {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	return pb.paused
}

// Done is closed when the player has ended, by itself or by Stop.
func (pb *Playback) Done() <-chan struct{} { return pb.done }

// Err is why the player failed, once Done is closed; nil when it played to
// the end or was stopped.
func (pb *Playback) Err() error {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	return pb.err
}

// Elapsed is how long the file has been playing, pauses left out. It stops
// growing when the player ends.
func (pb *Playback) Elapsed() time.Duration {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	t := pb.end
	switch {
	case !t.IsZero():
	case pb.paused:
		t = pb.pausedAt
	default:
		t = pb.now()
	}
	return t.Sub(pb.started) - pb.pausedFor
}

// tail keeps the last bytes a player wrote to its error output, to say why
// it failed.
type tail struct {
	mu sync.Mutex
	b  []byte
}

const tailSize = 2 << 10

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > tailSize {
		t.b = t.b[len(t.b)-tailSize:]
	}
	return len(p), nil
}

// last is the last non-empty line.
func (t *tail) last() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := bytes.TrimSpace(t.b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[i+1:]
	}
	return string(bytes.TrimSpace(b))
}
