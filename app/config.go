package app

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/proofsheet/proofsheet/faces"
)

// Config is every setting of the process, loaded once from PROOFSHEET_* and
// flags (a flag wins over its variable), validated, then passed down.
type Config struct {
	Addr        string // listen address
	BaseURL     string // public URL used in e-mailed links
	DatabaseURL string // empty: run a private cluster in DataDir/postgres
	DataDir     string // local state: private cluster, blobs, test artifacts
	TLSCert     string
	TLSKey      string
	LogLevel    string
	LogFormat   string // text or json

	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	RequireOwner2FA bool
	Argon2Memory    int // KiB per password hash
	Argon2Time      int // passes per password hash

	LoginIPLimit      int           // failed logins per IP per window
	LoginAccountLimit int           // failed logins per account per window
	LoginWindow       time.Duration // rate-limit window
	BodyLimit         int           // bytes
	UploadLimit       int           // bytes of one upload request (one file and its form fields)

	Storage       string // object storage: local or s3
	BlobDir       string // local object store; empty: DataDir/blobs
	S3Endpoint    string // empty: AWS
	S3Bucket      string
	S3Region      string
	S3AccessKey   string
	S3SecretKey   string
	MasterKey     string // base64 of 32 bytes, normally from PROOFSHEET_MASTER_KEY; wins over MasterKeyFile
	MasterKeyFile string // empty: DataDir/master.key, created on first run

	SMTPHost string // empty: e-mail goes only to the outbox table and the log
	SMTPPort int
	SMTPUser string
	SMTPPass string
	SMTPFrom string

	ShutdownTimeout time.Duration
	Workers         int // River workers in this process; 0 disables them in serve

	ZipPrepareOver int // bytes: a guest's zip larger than this is prepared in the background, not streamed

	ONNXRuntimeLibrary string  // libonnxruntime.so.1; empty: DataDir/onnxruntime/libonnxruntime.so.1
	ModelDir           string  // the face models; empty: DataDir/models
	FaceThreshold      float64 // cosine similarity from which a face matches a selfie
	FaceSearchLimit    int     // selfie searches per guest registration per hour
	FaceSearchIPLimit  int     // selfie searches per client address per hour

	StripeSecretKey     string // empty: billing is off
	StripeWebhookSecret string // the /webhooks/stripe endpoint's signing secret
	StripeAPIURL        string // empty: Stripe itself; stripe-mock in tests
}

// Defaults are the embedded defaults `make run` starts with.
func Defaults() Config {
	return Config{
		Addr:              "127.0.0.1:8080",
		DataDir:           "var",
		LogLevel:          "info",
		LogFormat:         "text",
		SessionIdle:       2 * time.Hour,
		SessionAbsolute:   14 * 24 * time.Hour,
		Argon2Memory:      64 * 1024,
		Argon2Time:        2,
		LoginIPLimit:      30,
		LoginAccountLimit: 5,
		LoginWindow:       15 * time.Minute,
		BodyLimit:         1 << 20,
		UploadLimit:       2<<30 + 1<<20, // the gallery's largest file (a 2 GB video) and the multipart framing
		Storage:           "local",
		S3Region:          "us-east-1",
		SMTPPort:          587,
		SMTPFrom:          "Proofsheet <no-reply@localhost>",
		ShutdownTimeout:   20 * time.Second,
		Workers:           10,
		ZipPrepareOver:    2 << 30,
		FaceThreshold:     faces.DefaultThreshold,
		FaceSearchLimit:   faces.DefaultLimits.PerRegistration,
		FaceSearchIPLimit: faces.DefaultLimits.PerClient,
	}
}

// setting describes one configurable value: its flag, its variable and help.
type setting struct {
	name string
	help string
	bind func(fs *flag.FlagSet, name, help string)
}

func (c *Config) settings() []setting {
	str := func(p *string) func(*flag.FlagSet, string, string) {
		return func(fs *flag.FlagSet, n, h string) { fs.StringVar(p, n, *p, h) }
	}
	dur := func(p *time.Duration) func(*flag.FlagSet, string, string) {
		return func(fs *flag.FlagSet, n, h string) { fs.DurationVar(p, n, *p, h) }
	}
	num := func(p *int) func(*flag.FlagSet, string, string) {
		return func(fs *flag.FlagSet, n, h string) { fs.IntVar(p, n, *p, h) }
	}
	boolean := func(p *bool) func(*flag.FlagSet, string, string) {
		return func(fs *flag.FlagSet, n, h string) { fs.BoolVar(p, n, *p, h) }
	}
	float := func(p *float64) func(*flag.FlagSet, string, string) {
		return func(fs *flag.FlagSet, n, h string) { fs.Float64Var(p, n, *p, h) }
	}
	return []setting{
		{"addr", "listen address", str(&c.Addr)},
		{"base-url", "public URL for links in e-mails (default http://ADDR)", str(&c.BaseURL)},
		{"database-url", "PostgreSQL URL; empty runs a private cluster in DATA-DIR/postgres", str(&c.DatabaseURL)},
		{"data-dir", "folder for local state", str(&c.DataDir)},
		{"tls-cert", "TLS certificate file; with tls-key serves TLS 1.3", str(&c.TLSCert)},
		{"tls-key", "TLS private key file", str(&c.TLSKey)},
		{"log-level", "debug, info, warn or error", str(&c.LogLevel)},
		{"log-format", "text or json", str(&c.LogFormat)},
		{"session-idle", "sign out after this long without a request", dur(&c.SessionIdle)},
		{"session-absolute", "sign out this long after login, active or not", dur(&c.SessionAbsolute)},
		{"require-owner-2fa", "studio owners must enrol two-factor authentication", boolean(&c.RequireOwner2FA)},
		{"argon2-memory", "KiB of memory per password hash (argon2id)", num(&c.Argon2Memory)},
		{"argon2-time", "passes per password hash (argon2id)", num(&c.Argon2Time)},
		{"login-ip-limit", "failed logins allowed per IP address per window", num(&c.LoginIPLimit)},
		{"login-account-limit", "failed logins allowed per account per window", num(&c.LoginAccountLimit)},
		{"login-window", "rate-limit window for failed logins", dur(&c.LoginWindow)},
		{"body-limit", "largest request body in bytes (uploads excepted)", num(&c.BodyLimit)},
		{"upload-limit", "largest upload request body in bytes (one file each)", num(&c.UploadLimit)},
		{"storage", "object storage: local (encrypted files in blob-dir) or s3 (a bucket, encrypted likewise)", str(&c.Storage)},
		{"blob-dir", "folder of the local object store (default DATA-DIR/blobs)", str(&c.BlobDir)},
		{"s3-endpoint", "S3 endpoint URL for S3-compatible servers (path-style); empty uses AWS", str(&c.S3Endpoint)},
		{"s3-bucket", "S3 bucket for objects, with storage s3", str(&c.S3Bucket)},
		{"s3-region", "S3 region", str(&c.S3Region)},
		{"s3-access-key", "S3 access key ID", str(&c.S3AccessKey)},
		{"s3-secret-key", "S3 secret access key", str(&c.S3SecretKey)},
		{"master-key", "master key wrapping the studios' data keys, base64 of 32 bytes; set it in the environment rather than as a flag", str(&c.MasterKey)},
		{"master-key-file", "master key file used when master-key is unset, created (mode 0600) on first run; back it up (default DATA-DIR/master.key)", str(&c.MasterKeyFile)},
		{"smtp-host", "SMTP relay; empty keeps e-mail in the outbox table and the log", str(&c.SMTPHost)},
		{"smtp-port", "SMTP port (STARTTLS when offered)", num(&c.SMTPPort)},
		{"smtp-user", "SMTP user name", str(&c.SMTPUser)},
		{"smtp-pass", "SMTP password", str(&c.SMTPPass)},
		{"smtp-from", "sender address", str(&c.SMTPFrom)},
		{"shutdown-timeout", "how long in-flight requests may finish on shutdown", dur(&c.ShutdownTimeout)},
		{"workers", "background job workers in this process (0: none)", num(&c.Workers)},
		{"zip-prepare-over", "guest zips larger than this many bytes are prepared in the background (resumable) instead of streamed", num(&c.ZipPrepareOver)},
		{"onnxruntime-library", "ONNX Runtime shared library for face search (default DATA-DIR/onnxruntime/libonnxruntime.so.1, fetched by scripts/setup)", str(&c.ONNXRuntimeLibrary)},
		{"model-dir", "folder of the face models fr_detect, fr_landmark and fr_feature .onnx (default DATA-DIR/models, fetched by scripts/setup)", str(&c.ModelDir)},
		{"face-threshold", "cosine similarity (0..1) from which a face counts as the selfie's person", float(&c.FaceThreshold)},
		{"face-search-limit", "selfie searches a guest's face registration may make per hour", num(&c.FaceSearchLimit)},
		{"face-search-ip-limit", "selfie searches one client address may make per hour, across all invites", num(&c.FaceSearchIPLimit)},
		{"stripe-secret-key", "Stripe secret key (sk_live_..., sk_test_... or a restricted rk_...); empty turns billing off; set it in the environment rather than as a flag", str(&c.StripeSecretKey)},
		{"stripe-webhook-secret", "signing secret (whsec_...) of the Stripe webhook endpoint BASE-URL/webhooks/stripe; required with stripe-secret-key", str(&c.StripeWebhookSecret)},
		{"stripe-api-url", "Stripe API URL; empty uses Stripe itself (tests point it at stripe-mock)", str(&c.StripeAPIURL)},
	}
}

// EnvName is the variable that sets a flag: base-url -> PROOFSHEET_BASE_URL.
func EnvName(flagName string) string {
	return "PROOFSHEET_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Load reads variables from env, then flags from args, and validates.
func Load(fs *flag.FlagSet, args []string, env func(string) string) (Config, error) {
	c := Defaults()
	for _, s := range c.settings() {
		s.bind(fs, s.name, fmt.Sprintf("%s (env %s)", s.help, EnvName(s.name)))
	}
	// Variables first, so flags parsed afterwards override them.
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v := env(EnvName(f.Name)); v != "" {
			if err := f.Value.Set(v); err != nil {
				envErr = errors.Join(envErr, fmt.Errorf("%s: %w", EnvName(f.Name), err))
			}
		}
	})
	if envErr != nil {
		return c, envErr
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, c.Finish()
}

// Finish derives the settings left empty from the others, then validates.
func (c *Config) Finish() error {
	if c.BaseURL == "" {
		scheme := "http"
		if c.TLS() {
			scheme = "https"
		}
		c.BaseURL = scheme + "://" + c.Addr
	}
	return c.Validate()
}

// LoadEnv is Load with the process environment and a throwaway flag set.
func LoadEnv() (Config, error) {
	return Load(flag.NewFlagSet("proofsheet", flag.ContinueOnError), nil, os.Getenv)
}

// TLS reports whether the server terminates TLS itself.
func (c Config) TLS() bool { return c.TLSCert != "" && c.TLSKey != "" }

// Validate reports every invalid setting at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("tls-cert and tls-key must be set together")
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("base-url %q is not an http(s) URL", c.BaseURL)
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		bad("data-dir is required when database-url is empty")
	}
	for name, d := range map[string]time.Duration{"session-idle": c.SessionIdle, "session-absolute": c.SessionAbsolute, "login-window": c.LoginWindow} {
		if d <= 0 {
			bad("%s must be positive", name)
		}
	}
	if c.LoginIPLimit < 1 || c.LoginAccountLimit < 1 {
		bad("login limits must be at least 1")
	}
	if c.Argon2Memory < 64 || c.Argon2Memory > 4<<20 || c.Argon2Time < 1 || c.Argon2Time > 16 {
		bad("argon2-memory must be 64..4194304 KiB and argon2-time 1..16")
	}
	if c.BodyLimit < 1024 {
		bad("body-limit must be at least 1024 bytes")
	}
	if c.UploadLimit < c.BodyLimit {
		bad("upload-limit must be at least body-limit")
	}
	if c.ZipPrepareOver < 1 {
		bad("zip-prepare-over must be at least 1 byte")
	}
	errs = append(errs, c.validateFaces()...)
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log-level %q is not debug, info, warn or error", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("log-format %q is not text or json", c.LogFormat)
	}
	errs = append(errs, c.validateStorage()...)
	errs = append(errs, c.validateBilling()...)
	if c.SMTPHost != "" && (c.SMTPPort < 1 || c.SMTPPort > 65535) {
		bad("smtp-port %s is out of range", strconv.Itoa(c.SMTPPort))
	}
	return errors.Join(errs...)
}

// Faces is the face pipeline's configuration, with the paths left empty
// taken from the data folder where scripts/setup puts them.
func (c Config) Faces() faces.Config {
	fc := faces.Config{LibraryPath: c.ONNXRuntimeLibrary, ModelDir: c.ModelDir}
	if fc.LibraryPath == "" {
		fc.LibraryPath = filepath.Join(c.DataDir, "onnxruntime", "libonnxruntime.so.1")
	}
	if fc.ModelDir == "" {
		fc.ModelDir = filepath.Join(c.DataDir, "models")
	}
	return fc
}

// validateFaces checks the settings, not that the files exist: only the
// processes that index faces or take selfies load them, and faces.Open
// says which file is missing and how to fetch it.
func (c Config) validateFaces() []error {
	// NaN fails both comparisons, so it is rejected too.
	if !(c.FaceThreshold > 0 && c.FaceThreshold < 1) {
		return []error{fmt.Errorf("face-threshold %v must be between 0 and 1 (default %v)", c.FaceThreshold, faces.DefaultThreshold)}
	}
	if c.FaceSearchLimit < 1 || c.FaceSearchIPLimit < 1 {
		return []error{errors.New("face-search-limit and face-search-ip-limit must be at least 1")}
	}
	return nil
}
