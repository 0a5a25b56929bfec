package apptest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// StepTimeout bounds one step (a page load, a click, a query), so a
// selector that never matches fails fast with the step's name.
const StepTimeout = 20 * time.Second

// BrowserTimeout bounds one browser's whole life in a test: a page that
// hangs fails the test instead of the test binary's 10-minute limit.
const BrowserTimeout = 2 * time.Minute

// Chromium binaries in the order tried: the real binary first, because
// Debian's /usr/bin/chromium wrapper adds flags of its own.
var chromiumPaths = []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"}

// Viewport is a screen size a browser test runs at.
type Viewport struct {
	Name          string // used in screenshot file names and subtest names
	Width, Height int64
	Mobile        bool    // mobile emulation: touch, portrait, mobile viewport rules
	Scale         float64 // device pixel ratio
}

// The two sizes every page is checked at (see shared UI.md).
var (
	Phone  = Viewport{Name: "phone", Width: 390, Height: 844, Mobile: true, Scale: 2}
	Laptop = Viewport{Name: "laptop", Width: 1440, Height: 900, Scale: 1}
)

// Browser is one headless Chromium with a fresh profile, driving one tab
// for one test. Every console error, uncaught exception and
// Content-Security-Policy violation of the page fails the test, unless the
// test said it expects it.
type Browser struct {
	Base string // the app's base URL, e.g. http://127.0.0.1:PORT
	View Viewport

	t       testing.TB
	ctx     context.Context
	mu      sync.Mutex
	seen    []string          // problems the page logged
	expect  []string          // substrings of errors the test expects, each once
	flushed map[string]bool   // flush markers the collector has seen
	wake    chan struct{}     // signalled on every flush marker
	files   map[string]string // screenshots written, name -> path
}

// cspListener runs in every document before its own scripts (the protocol
// injects it, so the page's CSP does not apply): it turns each violation
// into a console error, so a violation is caught even if Chromium stopped
// logging some kind of them itself.
const cspListener = `document.addEventListener("securitypolicyviolation", (e) =>
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber));`

const flushPrefix = "apptest-flush-"

// NewBrowser starts Chromium for t at viewport v against the app at base,
// with any extra command-line options (FakeCamera). Without Chromium the
// test fails: browser tests are part of `make test`.
func NewBrowser(t testing.TB, base string, v Viewport, extra ...chromedp.ExecAllocatorOption) *Browser {
	t.Helper()
	exe := chromiumPath()
	if exe == "" {
		t.Fatalf("browser test needs Chromium (looked for %s): run `scripts/setup --test`", strings.Join(chromiumPaths, ", "))
	}
	profile := t.TempDir() // removed after the browser has exited (cleanups run last-in first-out)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.UserDataDir(profile),
		chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(int(v.Width), int(v.Height)),
	)
	opts = append(opts, extra...)
	timeout, stop := context.WithTimeout(context.Background(), BrowserTimeout)
	alloc, cancelAlloc := chromedp.NewExecAllocator(timeout, opts...)
	ctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelTab(); cancelAlloc(); stop() })

	b := &Browser{Base: strings.TrimRight(base, "/"), View: v, t: t, ctx: ctx,
		flushed: map[string]bool{}, wake: make(chan struct{}, 1), files: map[string]string{}}
	// Start the browser with the long-lived context first: the first action
	// binds the browser's life to the context it runs with.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium %s: %v", exe, err)
	}
	go b.collect(chromedp.Console(ctx))
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: cspListener}); err != nil {
		b.fatal("add the CSP listener", err)
	}
	b.must("emulate the viewport", b.emulate())
	t.Cleanup(b.finish)
	return b
}

func chromiumPath() string {
	for _, p := range chromiumPaths {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}

func (b *Browser) emulate() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(b.View.Width, b.View.Height, b.emulateOpts()...)
}

func (b *Browser) emulateOpts() []chromedp.EmulateViewportOption {
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(b.View.Scale)}
	if b.View.Mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	return opts
}

// collect reads the page's console until the browser ends, keeping every
// error, exception and security (CSP) message.
func (b *Browser) collect(msgs iter.Seq2[chromedp.ConsoleMessage, error]) {
	for m, err := range msgs {
		if err != nil {
			return
		}
		b.mu.Lock()
		if strings.HasPrefix(m.Text, flushPrefix) {
			b.flushed[m.Text] = true
			select {
			case b.wake <- struct{}{}:
			default:
			}
		} else if problem(m) && !b.expected(m.Text) {
			where := m.URL
			if where != "" {
				where = fmt.Sprintf(" (%s:%d)", where, m.Line+1)
			}
			b.seen = append(b.seen, m.String()+where)
		}
		b.mu.Unlock()
	}
}

func problem(m chromedp.ConsoleMessage) bool {
	return m.Type == chromedp.ConsoleError || m.IsException() || m.Source == "security" ||
		strings.Contains(m.Text, "Content Security Policy") || strings.HasPrefix(m.Text, "CSP violation")
}

// expected consumes one expectation that text matches; b.mu is held.
func (b *Browser) expected(text string) bool {
	for i, e := range b.expect {
		if strings.Contains(text, e) {
			b.expect = append(b.expect[:i], b.expect[i+1:]...)
			return true
		}
	}
	return false
}

// ExpectConsoleError lets the next console error containing substr pass,
// once: Chromium logs "Failed to load resource: ... status of 422" when a
// form is shown again with an error, and a test that provokes one says so.
func (b *Browser) ExpectConsoleError(substr string) {
	b.mu.Lock()
	b.expect = append(b.expect, substr)
	b.mu.Unlock()
}

// CheckConsole fails the test for every console error or CSP violation
// logged so far. It first waits until the collector has read every message
// the page logged before now, so nothing slips past by arriving late.
func (b *Browser) CheckConsole() {
	b.t.Helper()
	marker := fmt.Sprintf("%s%d", flushPrefix, time.Now().UnixNano())
	b.must("flush the console", chromedp.Evaluate[chromedp.Void](`console.debug("`+marker+`")`))
	deadline := time.After(10 * time.Second)
	for {
		b.mu.Lock()
		done := b.flushed[marker]
		seen := b.seen
		b.seen = nil
		b.mu.Unlock()
		for _, s := range seen {
			b.t.Errorf("%s: the page at %s logged: %s", b.View.Name, b.Path(), s)
		}
		if done {
			return
		}
		select {
		case <-b.wake:
		case <-deadline:
			b.t.Fatalf("%s: console messages did not arrive within 10 s", b.View.Name)
		}
	}
}

// finish checks the console a last time and reports expectations that
// never happened.
func (b *Browser) finish() {
	if b.ctx.Err() == nil {
		b.CheckConsole()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.expect {
		b.t.Errorf("%s: expected a console error containing %q; none came", b.View.Name, e)
	}
	if len(b.files) > 0 {
		b.t.Logf("%s: %d screenshots in %s", b.View.Name, len(b.files), ScreenshotDir(b.t))
	}
}

// must runs actions or ends the test, naming the step that failed.
func (b *Browser) must(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fatal(step, err)
	}
}

// step is a context for one step, ending after StepTimeout.
func (b *Browser) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, StepTimeout)
}

func (b *Browser) fatal(step string, err error) {
	b.t.Helper()
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("%w (limits: %s a step, %s a browser)", err, StepTimeout, BrowserTimeout)
	}
	b.t.Fatalf("%s: %s: %v", b.View.Name, step, err)
}

// Open loads path (relative to Base) and returns the document's HTTP status.
func (b *Browser) Open(path string) int64 {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.Base+path))
	if err != nil {
		b.fatal("open "+path, err)
	}
	return res.Status
}

// Fill types values into the fields of the form matched by form (a CSS
// selector), given as name, value pairs. Fields are cleared first.
func (b *Browser) Fill(form string, nameValues ...string) {
	b.t.Helper()
	if len(nameValues)%2 != 0 {
		b.t.Fatal("Fill: odd number of name/value arguments")
	}
	for i := 0; i < len(nameValues); i += 2 {
		sel := fmt.Sprintf(`%s [name=%q]`, form, nameValues[i])
		// Cleared by script: chromedp.Clear fails on an empty textarea.
		if !Eval[bool](b, fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (el) el.value = ""; return !!el; })()`, sel)) {
			b.t.Fatalf("%s: fill: no field %s", b.View.Name, sel)
		}
		b.must("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), nameValues[i+1]))
	}
}

// Submit clicks the element sel (a submit button or a link), waits for the
// page it leads to and returns that page's HTTP status, after redirects.
func (b *Browser) Submit(sel string) int64 {
	b.t.Helper()
	b.reachable(sel)
	ctx, cancel := b.step()
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.fatal("click "+sel, err)
	}
	return res.Status
}

// Click clicks sel without waiting for a page load.
func (b *Browser) Click(sel string) {
	b.t.Helper()
	b.reachable(sel)
	b.must("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// reachable scrolls sel into view as a browser does for a user (keeping
// the page's scroll-padding clear) and fails the test when something else,
// such as a fixed navigation bar, covers its centre: a person could not
// tap it there, and a synthetic click would hit the cover instead.
func (b *Browser) reachable(sel string) {
	b.t.Helper()
	cover := Eval[string](b, fmt.Sprintf(`(() => {
  const el = document.querySelector(%q);
  if (!el) return "";
  el.scrollIntoView({ block: "nearest", inline: "nearest" });
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  const ok = !hit || el === hit || el.contains(hit) || (el.labels && Array.from(el.labels).includes(hit));
  return ok ? "" : hit.outerHTML.slice(0, 120);
})()`, sel))
	if cover != "" {
		b.t.Fatalf("%s at %s: %s is covered by %s", b.View.Name, b.Path(), sel, cover)
	}
}

// Text returns the visible text of the first element matching sel.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.fatal("read "+sel, err)
	}
	return strings.TrimSpace(s)
}

// Eval evaluates a JavaScript expression in the page and returns its value.
// A promise is awaited.
func Eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fatal("evaluate "+expr, err)
	}
	return v
}

// Path returns the current page's path and query.
func (b *Browser) Path() string {
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	u, err := url.Parse(loc)
	if err != nil {
		return loc
	}
	return u.RequestURI()
}

// Cookies returns the browser's cookies for the app's origin.
func (b *Browser) Cookies() []*network.Cookie {
	b.t.Helper()
	res, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.Base + "/"}})
	if err != nil {
		b.fatal("read cookies", err)
	}
	return res.Cookies
}

// Screenshot checks the console, then saves the whole page as
// var/test-artifacts/screenshots/<Test>-<name>-<viewport>.png.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	b.CheckConsole()
	png := b.capture(name)
	test, _, _ := strings.Cut(b.t.Name(), "/")
	path := filepath.Join(ScreenshotDir(b.t), fileSafe(test+"-"+name+"-"+b.View.Name)+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.mu.Lock()
	b.files[name] = path
	b.mu.Unlock()
	return path
}

// capture takes a PNG of the whole page the way a tall screen would show
// it: the viewport grows to the page's height first, so fixed elements (the
// phone's bottom bar) sit at the end of the page instead of floating in the
// middle of the picture, then the viewport is put back.
func (b *Browser) capture(name string) []byte {
	b.t.Helper()
	h := Eval[float64](b, `Math.ceil(document.documentElement.scrollHeight)`)
	tall := b.emulate()
	if int64(h) > b.View.Height {
		tall = chromedp.EmulateViewport(b.View.Width, int64(h), b.emulateOpts()...)
	}
	ctx, cancel := b.step()
	defer cancel()
	err := chromedp.Do(ctx, tall,
		chromedp.Evaluate[chromedp.Void](`new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fatal("screenshot "+name, err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.fatal("screenshot "+name, err)
	}
	b.must("restore the viewport", b.emulate())
	return png
}

// ScreenshotDir is var/test-artifacts/screenshots in the repository,
// created if missing.
func ScreenshotDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(RepoRoot(t), "var", "test-artifacts", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// RepoRoot is the nearest folder above the test's working directory that
// holds go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", dir)
		}
	}
}

func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '-'
	}, s)
}

// TestData is a file of the shared test data (real photos), which lives in
// ../shared/testdata beside the checkout, or where PROOFSHEET_TESTDATA
// says. A test that needs it and finds it missing skips and says why.
func TestData(t testing.TB, rel string) string {
	t.Helper()
	dir := os.Getenv("PROOFSHEET_TESTDATA")
	if dir == "" {
		dir = filepath.Join(filepath.Dir(RepoRoot(t)), "shared", "testdata")
	}
	p := filepath.Join(dir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("test data missing (%v): put the shared test data in ../shared/testdata beside the checkout or set PROOFSHEET_TESTDATA", err)
	}
	return p
}

// Drag presses the mouse at one point of sel, moves in steps as a hand
// does and releases it at another; the points are fractions of sel's box.
func (b *Browser) Drag(sel string, x0, y0, x1, y1 float64) {
	b.t.Helper()
	b.reachable(sel)
	r := Eval[[]float64](b, fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect();
  return [r.left, r.top, r.width, r.height]; })()`, sel))
	at := func(fx, fy float64) (float64, float64) { return r[0] + fx*r[2], r[1] + fy*r[3] }
	ax, ay := at(x0, y0)
	bx, by := at(x1, y1)
	one := func(p *input.DispatchMouseEventParams) { p.ClickCount = 1 }
	actions := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MousePressed, ax, ay, chromedp.ButtonLeft, one)}
	for i := 1; i <= 5; i++ {
		f := float64(i) / 5
		actions = append(actions, chromedp.MouseEvent(chromedp.MouseMoved, ax+(bx-ax)*f, ay+(by-ay)*f, chromedp.ButtonLeft))
	}
	actions = append(actions, chromedp.MouseEvent(chromedp.MouseReleased, bx, by, chromedp.ButtonLeft, one))
	b.must("drag on "+sel, actions...)
}

// Key presses a key, such as kb.ArrowRight or kb.Escape, in the page.
func (b *Browser) Key(key string) {
	b.t.Helper()
	b.must("press "+key, chromedp.KeyEvent(key))
}
