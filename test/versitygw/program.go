package versitygw

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// StartIn starts a gateway with an empty posix backend under dir, which
// the caller owns and removes, running until Stop: Start for programs that
// are not tests, such as the benchmark command. The binary is found or
// built from the module of the current directory.
func StartIn(dir string) (*Server, error) {
	bin, err := binary()
	if err != nil {
		return nil, fmt.Errorf("versitygw: %w", err)
	}
	s := &Server{
		AccessKey: "LG" + randomString(18),
		SecretKey: randomString(40),
		Region:    "us-east-1",
		bin:       bin,
		dataDir:   filepath.Join(dir, "data"),
		// Metadata (ETags, content types) goes to a sidecar directory, not
		// extended attributes, which tmpfs and some container filesystems
		// lack.
		metaDir: filepath.Join(dir, "meta"),
		logPath: filepath.Join(dir, "versitygw.log"),
	}
	for _, d := range []string{s.dataDir, s.metaDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("versitygw: %w", err)
		}
	}
	// The free port is found by binding and closing it, so another process
	// can take it before the gateway binds; try a few.
	for attempt := 1; ; attempt++ {
		s.addr, err = freeAddr()
		if err == nil {
			s.Endpoint = "http://" + s.addr
			err = s.start()
		}
		if err == nil {
			break
		}
		if attempt == 3 {
			return nil, fmt.Errorf("versitygw: %w", err)
		}
	}
	s.client = s3.New(s3.Options{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.SecretKey, Source: "versitygw server"}, nil
		}),
	})
	return s, nil
}

// Setenv is Env for programs that are not tests: it points the default
// AWS configuration chain at the server for the rest of the process, with
// os.Setenv. dir receives the empty file that stands in for ~/.aws/config
// and ~/.aws/credentials.
func (s *Server) Setenv(dir string) error {
	empty := filepath.Join(dir, "aws-empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		return err
	}
	set := map[string]string{
		"AWS_ACCESS_KEY_ID":           s.AccessKey,
		"AWS_SECRET_ACCESS_KEY":       s.SecretKey,
		"AWS_REGION":                  s.Region,
		"AWS_DEFAULT_REGION":          s.Region,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             empty,
		"AWS_SHARED_CREDENTIALS_FILE": empty,
	}
	for k, v := range set {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	for _, k := range []string{
		"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
		"AWS_CA_BUNDLE", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
	} {
		if err := os.Unsetenv(k); err != nil {
			return err
		}
	}
	return nil
}
