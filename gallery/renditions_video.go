package gallery

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ffmpegBin is the ffmpeg the worker runs (Debian package ffmpeg).
const ffmpegBin = "ffmpeg"

// posterFrame returns a frame of a stored video, a second in (or the first
// frame of a shorter one), as PNG.
//
// ffmpeg reads the video decrypted over HTTP from a loopback listener that
// lives only as long as this call, at a path with 128 random bits, with
// Range requests served from the seekable blob. Measured on this machine:
// piping the file to ffmpeg's stdin fails for MP4 and MOV files whose moov
// box is at the end (most phone videos: ffmpeg must seek back), and a
// decrypted temporary file would put the plaintext on disk and cost a full
// copy of up to 2 GB; over HTTP ffmpeg fetches the header, seeks to the
// moov box and reads only the bytes of the frame (about 4 MB of a 46 MB
// MOV, 75 ms). The plaintext never touches the disk.
func (s *Service) posterFrame(ctx context.Context, studio uuid.UUID, key string) ([]byte, error) {
	url, stop, err := s.serveBlob(ctx, studio, key)
	if err != nil {
		return nil, err
	}
	defer stop()
	frame, err := runFFmpeg(ctx, url, "1")
	if err == nil && len(frame) == 0 {
		frame, err = runFFmpeg(ctx, url, "0") // shorter than a second
	}
	if err == nil && len(frame) == 0 {
		err = &badFile{msg: "The video has no picture to show."}
	}
	return frame, err
}

// serveBlob serves one object to loopback clients that know the returned
// URL, until stop is called.
func (s *Service) serveBlob(ctx context.Context, studio uuid.UUID, key string) (string, func(), error) {
	var secret [16]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return "", nil, err
	}
	path := "/" + hex.EncodeToString(secret[:])
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("gallery: poster frame: %w", err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			http.NotFound(w, r)
			return
		}
		obj, err := s.Blobs.Open(ctx, studio, key)
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		defer obj.Close()
		w.Header().Set("Content-Type", "application/octet-stream") // no sniffing read
		http.ServeContent(w, r, "", time.Time{}, obj)
	})}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String() + path, func() { _ = srv.Close() }, nil
}

// runFFmpeg decodes one frame at offset seconds. Only the mov/mp4 demuxer
// and only HTTP are allowed: a crafted file cannot make ffmpeg open other
// files or formats (playlists, concat lists).
func runFFmpeg(ctx context.Context, url, offset string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, ffmpegBin, "-nostdin", "-hide_banner", "-loglevel", "error",
		"-protocol_whitelist", "http,tcp", "-f", "mov", "-ss", offset, "-i", url,
		"-map", "0:v:0", "-frames:v", "1", "-an", "-sn", "-dn",
		"-f", "image2pipe", "-c:v", "png", "-compression_level", "1", "pipe:1")
	var out bytes.Buffer
	var stderr tail
	cmd.Stdout, cmd.Stderr = &out, &stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return nil, fmt.Errorf("gallery: poster frame: ffmpeg is not installed: %w", err)
	case ctx.Err() != nil:
		return nil, fmt.Errorf("gallery: poster frame: %w", ctx.Err())
	case errors.As(err, &exit):
		msg := "The video could not be read; it may be damaged or incomplete."
		if detail := stderr.lastLine(); detail != "" {
			msg = fmt.Sprintf("The video could not be read; it may be damaged or incomplete (%s).", detail)
		}
		return nil, &badFile{msg: msg}
	case err != nil:
		return nil, fmt.Errorf("gallery: poster frame: %w", err)
	}
	return out.Bytes(), nil
}

var loopbackURL = regexp.MustCompile(`http://[0-9.]+:[0-9]+/[0-9a-f]+`)

// tail keeps the end of ffmpeg's error output, for the failure message.
type tail struct{ b []byte }

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = t.b[len(t.b)-4096:]
	}
	return len(p), nil
}

func (t *tail) lastLine() string {
	lines := strings.Split(strings.TrimSpace(string(t.b)), "\n")
	l := strings.TrimSpace(lines[len(lines)-1])
	// ffmpeg names the input by its URL, which holds the secret path.
	l = loopbackURL.ReplaceAllString(l, "video")
	if len(l) > 200 {
		l = l[:200]
	}
	return l
}
