package app

import (
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/proofsheet/proofsheet/faces"
)

func loadWith(args []string, env map[string]string) (Config, error) {
	return Load(flag.NewFlagSet("t", flag.ContinueOnError), args, func(k string) string { return env[k] })
}

func TestConfigDefaultsEnvAndFlags(t *testing.T) {
	c, err := loadWith(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.BaseURL != "http://127.0.0.1:8080" || c.DatabaseURL != "" {
		t.Fatalf("defaults: addr %q base %q db %q", c.Addr, c.BaseURL, c.DatabaseURL)
	}
	c, err = loadWith([]string{"--session-idle", "5m"}, map[string]string{
		"PROOFSHEET_ADDR": "0.0.0.0:9000", "PROOFSHEET_SESSION_IDLE": "1h", "PROOFSHEET_REQUIRE_OWNER_2FA": "true",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:9000" || !c.RequireOwner2FA {
		t.Fatalf("env not applied: %+v", c)
	}
	if c.SessionIdle != 5*time.Minute {
		t.Fatalf("flag should beat env: session idle %s", c.SessionIdle)
	}
}

func TestConfigRejectsBadValues(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unparsable env", nil, map[string]string{"PROOFSHEET_SESSION_IDLE": "soon"}, "PROOFSHEET_SESSION_IDLE"},
		{"cert without key", []string{"--tls-cert", "c.pem"}, nil, "tls-cert and tls-key"},
		{"bad base url", []string{"--base-url", "ftp://x"}, nil, "base-url"},
		{"zero limit", []string{"--login-account-limit", "0"}, nil, "login limits"},
		{"bad log level", []string{"--log-level", "loud"}, nil, "log-level"},
		{"tiny argon2", []string{"--argon2-memory", "8"}, nil, "argon2-memory"},
		{"unknown storage", []string{"--storage", "ftp"}, nil, `storage "ftp" is not local or s3`},
		{"s3 without a bucket", []string{"--storage", "s3", "--s3-access-key", "k", "--s3-secret-key", "s"}, nil, "s3-bucket is required"},
		{"s3 without keys", []string{"--storage", "s3", "--s3-bucket", "b"}, nil, "s3-access-key and s3-secret-key"},
		{"bad s3 endpoint", []string{"--storage", "s3", "--s3-bucket", "b", "--s3-access-key", "k", "--s3-secret-key", "s", "--s3-endpoint", "minio:9000"}, nil, "s3-endpoint"},
		{"short master key", nil, map[string]string{"PROOFSHEET_MASTER_KEY": "c2l4dGVlbiBieXRlcyEhIQ=="}, "PROOFSHEET_MASTER_KEY: the master key is 16 bytes"},
		{"no place for the key file", []string{"--data-dir", "", "--blob-dir", "/srv/blobs"}, nil, "master-key-file is required"},
		{"face threshold of 1", []string{"--face-threshold", "1"}, nil, "face-threshold 1 must be between 0 and 1"},
		{"negative face threshold", nil, map[string]string{"PROOFSHEET_FACE_THRESHOLD": "-0.2"}, "face-threshold -0.2"},
		{"unparsable face threshold", nil, map[string]string{"PROOFSHEET_FACE_THRESHOLD": "high"}, "PROOFSHEET_FACE_THRESHOLD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadWith(tc.args, tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestEveryConfigFieldHasASetting(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	if _, err := Load(fs, nil, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	// Config has one setting per field; a new field without a flag would be
	// impossible to set and missing from --help.
	fields := reflect.TypeOf(Config{}).NumField()
	if n != fields {
		t.Fatalf("%d flags for %d Config fields", n, fields)
	}
}

// Storage paths default to the data folder, and --help lists every
// storage setting with its variable.
func TestConfigStorageDefaultsAndHelp(t *testing.T) {
	c, err := loadWith(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Storage != "local" || c.LocalBlobDir() != "var/blobs" || c.MasterKeyPath() != "var/master.key" {
		t.Fatalf("defaults: storage %q, blobs %q, key %q", c.Storage, c.LocalBlobDir(), c.MasterKeyPath())
	}
	c, err = loadWith([]string{"--data-dir", "/srv/ps"}, nil)
	if err != nil || c.LocalBlobDir() != "/srv/ps/blobs" || c.MasterKeyPath() != "/srv/ps/master.key" {
		t.Fatalf("with a data dir: %q %q %v", c.LocalBlobDir(), c.MasterKeyPath(), err)
	}
	var help strings.Builder
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(&help)
	if _, err := Load(fs, []string{"--help"}, func(string) string { return "" }); err != flag.ErrHelp {
		t.Fatalf("--help: %v", err)
	}
	for _, want := range []string{"-storage", "-blob-dir", "-s3-endpoint", "-s3-bucket", "-s3-region", "-s3-access-key",
		"-s3-secret-key", "-master-key ", "-master-key-file", "PROOFSHEET_MASTER_KEY", "PROOFSHEET_S3_BUCKET"} {
		if !strings.Contains(help.String(), want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

// Face settings default to the files scripts/setup puts in the data folder
// and to the measured threshold; flags and variables override them.
func TestConfigFaceDefaults(t *testing.T) {
	c, err := loadWith(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fc := c.Faces()
	if fc.LibraryPath != "var/onnxruntime/libonnxruntime.so.1" || fc.ModelDir != "var/models" || c.FaceThreshold != faces.DefaultThreshold {
		t.Fatalf("defaults: library %q, models %q, threshold %v", fc.LibraryPath, fc.ModelDir, c.FaceThreshold)
	}
	c, err = loadWith([]string{"--data-dir", "/srv/ps", "--face-threshold", "0.5"},
		map[string]string{"PROOFSHEET_MODEL_DIR": "/opt/models"})
	if err != nil {
		t.Fatal(err)
	}
	fc = c.Faces()
	if fc.LibraryPath != "/srv/ps/onnxruntime/libonnxruntime.so.1" || fc.ModelDir != "/opt/models" || c.FaceThreshold != 0.5 {
		t.Fatalf("overridden: library %q, models %q, threshold %v", fc.LibraryPath, fc.ModelDir, c.FaceThreshold)
	}
}
