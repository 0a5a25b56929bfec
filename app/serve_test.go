package app_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serve runs a.Serve until the returned stop is called; stop returns Serve's error.
func serve(t *testing.T, a *apptest.TestApp) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx) }()
	waitListening(t, a.Config.Addr)
	return func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return errors.New("Serve did not return")
		}
	}
}

func waitListening(t *testing.T, addr string) {
	for range 200 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("nothing listening on %s", addr)
}

func selfSigned(t *testing.T) (certFile, keyFile string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:   time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestServeTLS13WithHSTS(t *testing.T) {
	cert, key := selfSigned(t)
	addr := freeAddr(t)
	ta := apptest.New(t, func(c *app.Config) { c.Addr, c.TLSCert, c.TLSKey, c.BaseURL = addr, cert, key, "" })
	stop := serve(t, ta)
	defer stop()

	pool := x509.NewCertPool()
	pemBytes, _ := os.ReadFile(cert)
	pool.AppendCertsFromPEM(pemBytes)
	client := func(max uint16) *http.Client {
		return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: max}}}
	}
	res, err := client(tls.VersionTLS13).Get("https://" + addr + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.TLS.Version != tls.VersionTLS13 {
		t.Fatalf("negotiated TLS %x, want 1.3", res.TLS.Version)
	}
	if hsts := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
		t.Fatalf("HSTS %q under TLS", hsts)
	}
	if !strings.HasPrefix(ta.Config.BaseURL, "https://") {
		t.Fatalf("base URL %q under TLS", ta.Config.BaseURL)
	}
	if _, err := client(tls.VersionTLS12).Get("https://" + addr + "/login"); err == nil {
		t.Fatal("a TLS 1.2 client was served")
	}
}

// Shutdown lets a request that is already running finish.
func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	addr := freeAddr(t)
	// Costly hashing makes a login take long enough to be in flight.
	ta := apptest.New(t, func(c *app.Config) {
		c.Addr, c.BaseURL, c.Argon2Memory, c.Argon2Time = addr, "", 256*1024, 12
	})
	stop := serve(t, ta)
	csrf := "k8Jr3pYq0nCkLr1G7p2wz1xk4fHq6JrA5nP0sD2cV9e" // any 43-character token
	form := url.Values{"_csrf": {csrf}, "email": {"nobody@example.com"}, "password": {"Wrong-password-99"}}
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "__Host-csrf="+csrf)

	type result struct {
		status       int
		body         string
		err          error
		afterStopped bool
	}
	var stopping atomic.Bool
	got := make(chan result, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got <- result{status: res.StatusCode, body: string(b), afterStopped: stopping.Load()}
	}()
	time.Sleep(300 * time.Millisecond) // let the request reach the handler
	stopping.Store(true)
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	r := <-got
	if r.err != nil {
		t.Fatalf("in-flight request was cut off: %v", r.err)
	}
	if !r.afterStopped {
		t.Fatal("the request finished before shutdown began; it proves nothing")
	}
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "The e-mail or password is not right.") {
		t.Fatalf("in-flight request got %d %.200s", r.status, r.body)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("still listening after shutdown")
	}
}
