package versitygw

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const (
	modulePath = "github.com/versity/versitygw"
	// healthPath is an unauthenticated GET endpoint: readiness checks
	// need no signature.
	healthPath   = "/health"
	startTimeout = 20 * time.Second
)

// Server is one running versitygw. Its fields are fixed for its lifetime,
// across Stop and Restart.
type Server struct {
	// Endpoint is the server's URL, http://127.0.0.1:<port>. Use path-style
	// addressing: there is no DNS for virtual-host buckets.
	Endpoint  string
	AccessKey string
	SecretKey string
	Region    string

	bin     string
	addr    string
	dataDir string
	metaDir string
	logPath string
	client  *s3.Client

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has been waited for
}

// Start starts a gateway with an empty posix backend under t.TempDir() and
// stops it when the test ends. It fails the test if the gateway cannot be
// built or does not come up.
func Start(t testing.TB) *Server {
	t.Helper()
	dir := t.TempDir() // before Cleanup(Stop): cleanups run last-in first-out
	s, err := StartIn(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Client returns an S3 client for the server (path style, its keys), for
// operations the helpers below do not cover.
func (s *Server) Client() *s3.Client { return s.client }

// CreateBucket creates a bucket.
func (s *Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	if _, err := s.client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("versitygw: create bucket %s: %v", name, err)
	}
}

// PutObject writes an object (replacing any existing one) and returns its
// ETag without quotes.
func (s *Server) PutObject(t testing.TB, bucket, key string, body []byte) string {
	t.Helper()
	out, err := s.client.PutObject(t.Context(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
	})
	if err != nil {
		t.Fatalf("versitygw: put s3://%s/%s: %v", bucket, key, err)
	}
	return strings.Trim(aws.ToString(out.ETag), `"`)
}

// DeleteObject removes an object.
func (s *Server) DeleteObject(t testing.TB, bucket, key string) {
	t.Helper()
	if _, err := s.client.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
		t.Fatalf("versitygw: delete s3://%s/%s: %v", bucket, key, err)
	}
}

// Env points the default AWS configuration chain at the server's keys and
// region for the rest of the test, and cuts off everything else it could
// read: a developer's ~/.aws files and profile, instance metadata, web
// identity, and endpoint overrides. Like t.Setenv, it cannot be used in
// parallel tests.
func (s *Server) Env(t testing.TB) {
	t.Helper()
	empty := filepath.Join(t.TempDir(), "aws-empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatalf("versitygw: %v", err)
	}
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           s.AccessKey,
		"AWS_SECRET_ACCESS_KEY":       s.SecretKey,
		"AWS_REGION":                  s.Region,
		"AWS_DEFAULT_REGION":          s.Region,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             empty,
		"AWS_SHARED_CREDENTIALS_FILE": empty,
		// Empty is unset for the SDK.
		"AWS_SESSION_TOKEN":                      "",
		"AWS_PROFILE":                            "",
		"AWS_DEFAULT_PROFILE":                    "",
		"AWS_ROLE_ARN":                           "",
		"AWS_WEB_IDENTITY_TOKEN_FILE":            "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_ENDPOINT_URL":                       "",
		"AWS_ENDPOINT_URL_S3":                    "",
		"AWS_CA_BUNDLE":                          "",
		"AWS_MAX_ATTEMPTS":                       "",
		"AWS_RETRY_MODE":                         "",
	} {
		t.Setenv(k, v)
	}
}

// Stop kills the server (as a crash or a lost network would, no graceful
// shutdown) and waits for it to exit. The data stays for Restart. Stop is
// idempotent.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Restart starts the server again on the same address with the same data
// and keys, stopping it first if it runs.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		t.Fatalf("versitygw: restart: %v", err)
	}
}

// start runs the gateway on s.addr and waits until it answers.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close() // the child has its own descriptor
	cmd := exec.Command(s.bin,
		"--access", s.AccessKey,
		"--secret", s.SecretKey,
		"--region", s.Region,
		"--port", s.addr,
		"--health", healthPath,
		"--quiet",
		"posix", "--sidecar", s.metaDir, s.dataDir)
	cmd.Env = gatewayEnv()
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	s.cmd, s.exited = cmd, exited
	if err := s.waitReady(exited); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		s.cmd = nil
		return fmt.Errorf("%w\n--- %s:\n%s", err, s.logPath, tail(s.logPath))
	}
	return nil
}

func (s *Server) waitReady(exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := client.Get(s.Endpoint + healthPath)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("health check: %s", resp.Status)
		}
		select {
		case <-exited:
			return fmt.Errorf("gateway on %s exited during startup", s.addr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gateway on %s not ready after %v: %v", s.addr, startTimeout, err)
		}
	}
}

// gatewayEnv is the test process's environment without the variables
// versitygw reads its own settings from, so a developer's shell cannot
// change the server under test.
func gatewayEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "VGW_") || strings.HasPrefix(kv, "ROOT_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func randomString(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// build is the gateway binary, found or built once per test process.
var build struct {
	once sync.Once
	path string
	err  error
}

func binary() (string, error) {
	build.once.Do(func() { build.path, build.err = findOrBuild() })
	return build.path, build.err
}

// findOrBuild returns the cached gateway binary of the version go.mod pins,
// building it first if it is not cached. Test binaries of several packages
// may race here; each builds into its own temporary file and renames it into
// place, so a reader never sees a half-written binary.
func findOrBuild() (string, error) {
	if bin := os.Getenv("LAKEGATE_VERSITYGW"); bin != "" {
		return bin, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	version, err := goCmd(root, "list", "-m", "-f", "{{.Version}}", modulePath)
	if err != nil {
		return "", fmt.Errorf("finding the pinned version: %w", err)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "lakegate-test", fmt.Sprintf("versitygw-%s-%s_%s", version, runtime.GOOS, runtime.GOARCH))
	bin := filepath.Join(dir, "versitygw")
	if info, err := os.Stat(bin); err == nil && info.Mode().IsRegular() {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, "versitygw-*.tmp")
	if err != nil {
		return "", err
	}
	tmp.Close()
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := goCmd(root, "build", "-o", tmp.Name(), modulePath+"/cmd/versitygw"); err != nil {
		return "", fmt.Errorf("building the gateway: %w", err)
	}
	if err := os.Rename(tmp.Name(), bin); err != nil {
		return "", err
	}
	return bin, nil
}

// moduleRoot is the directory of lakegate's go.mod, found from the test's
// working directory (its package directory).
func moduleRoot() (string, error) {
	gomod, err := goCmd("", "env", "GOMOD")
	if err != nil {
		return "", err
	}
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside a Go module: cannot find the pinned versitygw")
	}
	return filepath.Dir(gomod), nil
}

func goCmd(dir string, args ...string) (string, error) {
	// go test puts its own GOROOT/bin first in PATH, so this is the go
	// command running the tests.
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}
