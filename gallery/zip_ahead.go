package gallery

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Read-ahead holds at most aheadPieces pieces of aheadPiece bytes per zip
// being sent. A piece is a multiple of the store's 64 KiB chunks, which it
// decrypts straight into a buffer that takes whole chunks.
const (
	aheadReaders = 2
	aheadPiece   = 1 << 20
	aheadPieces  = 3
)

// ahead is the goroutine reading a zip's blobs in order, in pieces that
// never span two blobs; each blob yields exactly its entry's Size bytes,
// or an error.
type ahead struct {
	full    chan []byte
	free    chan []byte
	err     error // set before full is closed
	quit    chan struct{}
	stopped chan struct{}
}

func readAhead(ctx context.Context, entries []ZipEntry, open Opener) *ahead {
	a := &ahead{full: make(chan []byte, aheadPieces), free: make(chan []byte, aheadPieces),
		quit: make(chan struct{}), stopped: make(chan struct{})}
	for range aheadPieces {
		a.free <- make([]byte, aheadPiece)
	}
	go func() {
		defer close(a.stopped)
		for _, e := range entries {
			if err := a.read(ctx, e, open); err != nil {
				a.err = err // the writer is at this entry when it reads the error
				break
			}
		}
		close(a.full)
	}()
	return a
}

var errStopped = errors.New("gallery: zip stopped")

func (a *ahead) read(ctx context.Context, e ZipEntry, open Opener) error {
	r, err := open(ctx, e.Key)
	if err != nil {
		return err
	}
	defer r.Close()
	if e.Size == 0 {
		return longer(r, e)
	}
	for left := e.Size; left > 0; {
		var p []byte
		select {
		case p = <-a.free:
		case <-a.quit:
			return errStopped
		}
		n, err := io.ReadFull(r, p[:min(left, int64(len(p)))])
		if err != nil {
			return fmt.Errorf("blob has %d bytes, expected %d: %w", e.Size-left+int64(n), e.Size, err)
		}
		left -= int64(n)
		if left == 0 { // before the last piece goes: the writer is still at e
			if err := longer(r, e); err != nil {
				return err
			}
		}
		a.full <- p[:n] // never blocks: there are as many slots as pieces
	}
	return nil
}

// longer fails when r, read to e's size, has another byte.
func longer(r io.Reader, e ZipEntry) error {
	if n, _ := r.Read(make([]byte, 1)); n > 0 {
		return fmt.Errorf("blob has more than the %d bytes expected", e.Size)
	}
	return nil
}

// next is the next piece, or the error that stopped the reading.
func (a *ahead) next() ([]byte, error) {
	p, ok := <-a.full
	if !ok {
		if a.err != nil {
			return nil, a.err
		}
		return nil, io.ErrUnexpectedEOF
	}
	return p, nil
}

// done gives a piece back once it has been written.
func (a *ahead) done(p []byte) { a.free <- p[:cap(p)] }

// stop ends the reading (the zip is written, or its writer failed) and
// waits for the goroutine, so no blob stays open behind the response.
func (a *ahead) stop() {
	close(a.quit)
	<-a.stopped
}
