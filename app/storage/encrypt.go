package storage

import (
	"bufio"
	"errors"
	"io"
)

// encrypter reads plaintext from src and yields the stored format: the
// header, then sealed chunks. It reads one byte ahead of each full chunk
// to know whether that chunk is the last.
type encrypter struct {
	src   *bufio.Reader
	seal  *sealer
	plain []byte
	out   []byte // sealed bytes not yet read
	buf   []byte // out's backing array
	next  int64  // index of the next chunk
	n     int64  // plaintext bytes read from src
	done  bool
	err   error // src's error, kept for Put to return
}

func newEncrypter(src io.Reader, s *sealer, h header) *encrypter {
	c := int(h.chunk)
	buf := make([]byte, 0, headerLen+c+tagLen)
	return &encrypter{
		src:   bufio.NewReaderSize(src, c),
		seal:  s,
		plain: make([]byte, c),
		out:   append(buf, h.raw...),
		buf:   buf,
	}
}

func (e *encrypter) Read(p []byte) (int, error) {
	for len(e.out) == 0 {
		if e.done {
			return 0, io.EOF
		}
		if err := e.sealNext(); err != nil {
			return 0, err
		}
	}
	n := copy(p, e.out)
	e.out = e.out[n:]
	return n, nil
}

func (e *encrypter) sealNext() error {
	if e.next >= maxChunks {
		return errors.New("storage: object too large")
	}
	n, err := fill(e.src, e.plain)
	last := false
	switch {
	case err == io.EOF:
		last = true
	case err != nil:
		e.err = err
		return err
	default:
		if _, err := e.src.Peek(1); err == io.EOF {
			last = true
		} else if err != nil {
			e.err = err
			return err
		}
	}
	e.n += int64(n)
	e.out = e.seal.seal(e.buf[:0], e.plain[:n], e.next, last)
	e.next++
	e.done = last
	return nil
}

// fill reads until buf is full or r fails. Unlike io.ReadFull it returns
// io.EOF as the only end: a source failing with io.ErrUnexpectedEOF (a
// request body cut off) is an error, never a shorter object.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
