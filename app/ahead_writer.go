package app

import "io"

// aheadWriter hands what is written to it to a goroutine that writes it
// to w, so a zip's next objects are read and decrypted on one core while
// the last megabyte goes to the network on the other: done in turn on one
// goroutine, streaming a zip ran at 0.4 of the speed of reading its
// objects.
type aheadWriter struct {
	w      io.Writer
	cur    []byte
	full   chan []byte
	free   chan []byte
	done   chan struct{}
	failed chan struct{} // closed at the first failed write, err set before
	err    error
}

const (
	aheadPiece  = 1 << 20
	aheadPieces = 3
)

func newAheadWriter(w io.Writer) *aheadWriter {
	a := &aheadWriter{w: w, full: make(chan []byte, aheadPieces), free: make(chan []byte, aheadPieces),
		done: make(chan struct{}), failed: make(chan struct{})}
	for range aheadPieces {
		a.free <- make([]byte, 0, aheadPiece)
	}
	go a.drain()
	return a
}

func (a *aheadWriter) drain() {
	defer close(a.done)
	for p := range a.full {
		if a.err == nil {
			if _, err := a.w.Write(p); err != nil {
				a.err = err
				close(a.failed)
			}
		}
		a.free <- p[:0]
	}
}

// Write copies p into pieces; a failure of the writer behind (a client
// gone) comes back from the next Write, so no more is read for nobody.
func (a *aheadWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		select {
		case <-a.failed:
			return n, a.err
		default:
		}
		if a.cur == nil {
			a.cur = <-a.free
		}
		k := copy(a.cur[len(a.cur):cap(a.cur)], p)
		a.cur, p, n = a.cur[:len(a.cur)+k], p[k:], n+k
		if len(a.cur) == cap(a.cur) {
			a.full <- a.cur
			a.cur = nil
		}
	}
	return n, nil
}

// Close writes what is left and waits for the writer behind.
func (a *aheadWriter) Close() error {
	if len(a.cur) > 0 {
		a.full <- a.cur
	}
	close(a.full)
	<-a.done
	return a.err
}
