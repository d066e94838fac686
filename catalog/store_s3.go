package catalog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// S3Config configures access to S3 or an S3-compatible server. Empty fields
// take their defaults from the standard AWS configuration (env, shared
// config/profile).
//
// Credentials are deliberately not configurable here: they come only from
// the default AWS chain (environment, shared config and credentials files,
// SSO, web identity, EC2/ECS instance roles), so a catalog file never holds
// a secret.
type S3Config struct {
	Region    string `yaml:"region"`
	Endpoint  string `yaml:"endpoint"` // e.g. http://127.0.0.1:7070 for MinIO/versitygw
	PathStyle bool   `yaml:"path_style"`
	Profile   string `yaml:"profile"`
}

// errObjectChanged reports that an object is no longer the version the
// file index recorded (its ETag or size differs). The catalog answers it by
// refreshing the table; reading on would mix versions.
var errObjectChanged = errors.New("object changed since it was indexed")

// Bounds on how long a dead or unreachable endpoint can hold a query. A
// refused connection fails within s3MaxAttempts*s3ConnBackoff (under a
// second); a black-holed one in about s3MaxAttempts*s3DialTimeout. The
// caller's context cuts either short. Throttling and server errors back off
// longer, up to s3MaxBackoff, since S3 asks clients to slow down.
const (
	s3MaxAttempts          = 3
	s3MaxBackoff           = 2 * time.Second
	s3ConnBackoff          = 250 * time.Millisecond
	s3DialTimeout          = 5 * time.Second
	s3ResponseHeaderTimout = 30 * time.Second

	// Downloads into the file cache: ranged GETs of s3PartSize, up to
	// s3DownloadConcurrency at a time per object.
	s3PartSize            = 8 << 20
	s3DownloadConcurrency = 4

	// A negative-offset read that does not reach the end of the object is
	// served by one suffix-range GET when that fetches at most this many
	// extra bytes, and by a HEAD plus an exact range otherwise.
	defaultS3SuffixSlack = 1 << 20
)

// s3Store reads objects from S3 or an S3-compatible server through
// aws-sdk-go-v2, and serves local copies through the file cache.
type s3Store struct {
	client     *s3.Client
	downloader *manager.Downloader
	cache      *fileCache
	logger     *slog.Logger
	// endpoint names the server in error messages.
	endpoint string
	// pageSize is ListObjectsV2's MaxKeys; 0 leaves the server's default
	// (1000). Tests lower it to exercise paging cheaply.
	pageSize int32
	// suffixSlack is defaultS3SuffixSlack; tests lower it.
	suffixSlack int64

	requests, errors atomic.Int64
}

// S3Stats counts HTTP requests sent to S3 (each retry counts) and those
// that failed (a transport error or an error status; an expected 404 on
// a stat counts too).
type S3Stats struct {
	Requests int64
	Errors   int64
}

// newS3Store builds an S3 client from cfg and the default AWS
// configuration. It does not contact the server: a wrong endpoint or
// missing credentials show up on the first request, naming the object.
func newS3Store(ctx context.Context, cfg S3Config, cache *fileCache, logger *slog.Logger) (*s3Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "s3")
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("s3 endpoint %q: want a URL such as https://s3.example.com or http://127.0.0.1:7070", cfg.Endpoint)
		}
	}
	httpClient := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = s3DialTimeout }).
		WithTransportOptions(func(t *http.Transport) {
			t.ResponseHeaderTimeout = s3ResponseHeaderTimout
			t.TLSHandshakeTimeout = s3DialTimeout
			// Parallel part downloads of several files at once.
			t.MaxIdleConnsPerHost = 64
		})
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(httpClient),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = s3MaxAttempts
				o.MaxBackoff = s3MaxBackoff
				o.Backoff = connBackoff{retry.NewExponentialJitterBackoff(s3MaxBackoff)}
			})
		}),
		config.WithLogger(logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
			level := slog.LevelDebug
			if c == logging.Warn {
				level = slog.LevelWarn
			}
			logger.Log(context.Background(), level, fmt.Sprintf(format, v...))
		})),
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(cfg.Profile))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		// S3-compatible servers rarely care, but SigV4 needs some region.
		awsCfg.Region = "us-east-1"
	}
	st := &s3Store{cache: cache, logger: logger, endpoint: cfg.Endpoint, suffixSlack: defaultS3SuffixSlack}
	if st.endpoint == "" {
		st.endpoint = "the S3 endpoint of region " + awsCfg.Region
	}
	st.client = s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
		// Ranged GETs carry no whole-object checksum to validate anyway;
		// asking for it only makes S3-compatible servers log warnings.
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		o.DisableLogOutputChecksumValidationSkipped = true
		o.APIOptions = append(o.APIOptions, st.countRequests)
	})
	st.downloader = manager.NewDownloader(st.client, func(d *manager.Downloader) {
		d.PartSize = s3PartSize
		d.Concurrency = s3DownloadConcurrency
	})
	logger.Debug("s3 client ready", "region", awsCfg.Region, "endpoint", cfg.Endpoint, "path_style", cfg.PathStyle)
	return st, nil
}

// connBackoff shortens the wait before retrying a request that never
// reached a server (connection refused or reset): a quick retry rides over a
// dropped keep-alive connection, and waiting longer for an endpoint that is
// down only delays the error the user needs to see.
type connBackoff struct{ retry.BackoffDelayer }

func (b connBackoff) BackoffDelay(attempt int, err error) (time.Duration, error) {
	d, derr := b.BackoffDelayer.BackoffDelay(attempt, err)
	var sendErr *smithyhttp.RequestSendError
	if errors.As(err, &sendErr) {
		d = min(d, s3ConnBackoff)
	}
	return d, derr
}

// countRequests adds a middleware after the retry loop, so that every
// attempt sent over the wire is counted.
func (s *s3Store) countRequests(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("lakegateCountRequests",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			s.requests.Add(1)
			out, md, err := next.HandleFinalize(ctx, in)
			if err != nil {
				s.errors.Add(1)
			}
			return out, md, err
		}), middleware.After)
}

// Stats returns the request counters.
func (s *s3Store) Stats() S3Stats {
	return S3Stats{Requests: s.requests.Load(), Errors: s.errors.Load()}
}

// parseS3 splits an s3:// location (s3a:// and s3n:// too) into bucket
// and key.
func parseS3(s string) (location, error) {
	loc, err := parseLocation(s, "/")
	if err != nil {
		return location{}, err
	}
	if !loc.isS3() {
		return location{}, fmt.Errorf("%q is not an s3:// location", s)
	}
	return loc, nil
}

// list streams the objects under the key prefix page by page. Keys ending
// in "/" (folder markers written by consoles) are skipped, as are keys with
// a path segment after the prefix that starts with "." or "_", the same
// rule as for local directories (see hiddenName).
func (s *s3Store) list(ctx context.Context, prefix string, fn func(ObjectInfo) error) error {
	loc, err := parseS3(prefix)
	if err != nil {
		return err
	}
	in := &s3.ListObjectsV2Input{Bucket: aws.String(loc.bucket), Prefix: aws.String(loc.path)}
	if s.pageSize > 0 {
		in.MaxKeys = aws.Int32(s.pageSize)
	}
	// Segments are judged from the one the prefix ends in, so a prefix
	// such as "data/part-" still sees whole names.
	from := strings.LastIndexByte(loc.path, '/') + 1
	pages := s3.NewListObjectsV2Paginator(s.client, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return s.fail("listing", loc.String(), err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if strings.HasSuffix(key, "/") || len(key) < from || hiddenKey(key[from:]) {
				continue
			}
			err := fn(ObjectInfo{
				Location: "s3://" + loc.bucket + "/" + key,
				Size:     aws.ToInt64(o.Size),
				ETag:     unquoteETag(aws.ToString(o.ETag)),
				ModTime:  aws.ToTime(o.LastModified),
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func hiddenKey(rel string) bool {
	for seg := range strings.SplitSeq(rel, "/") {
		if hiddenName(seg) {
			return true
		}
	}
	return false
}

func (s *s3Store) stat(ctx context.Context, location string) (ObjectInfo, error) {
	loc, err := parseS3(location)
	if err != nil {
		return ObjectInfo{}, err
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(loc.bucket), Key: aws.String(loc.path)})
	if err != nil {
		return ObjectInfo{}, s.fail("", loc.String(), err)
	}
	return ObjectInfo{
		Location: loc.String(),
		Size:     aws.ToInt64(out.ContentLength),
		ETag:     unquoteETag(aws.ToString(out.ETag)),
		ModTime:  aws.ToTime(out.LastModified),
	}, nil
}

// readRange reads n bytes at off with one ranged GET (a suffix range for a
// negative off). Like a local read it returns fewer than n bytes only when
// the object ends first.
func (s *s3Store) readRange(ctx context.Context, location string, off, n int64) ([]byte, error) {
	loc, err := parseS3(location)
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, fmt.Errorf("%s: negative read length %d", loc, n)
	}
	if n == 0 {
		return []byte{}, nil
	}
	var rng string
	keep := n
	switch {
	case off >= 0:
		rng = fmt.Sprintf("bytes=%d-%d", off, off+n-1)
	case -off <= n || -off-n <= s.suffixSlack:
		// The last -off bytes, of which the first n are wanted.
		rng = fmt.Sprintf("bytes=-%d", -off)
	default:
		obj, err := s.stat(ctx, location)
		if err != nil {
			return nil, err
		}
		start := max(obj.Size+off, 0)
		rng = fmt.Sprintf("bytes=%d-%d", start, start+n-1)
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(loc.bucket), Key: aws.String(loc.path), Range: aws.String(rng),
	})
	if err != nil {
		return nil, s.fail("reading "+rng+" of", loc.String(), err)
	}
	defer out.Body.Close()
	// ContentLength bounds the allocation by what the server sends, not
	// by what the caller asked for.
	size := aws.ToInt64(out.ContentLength)
	if size < 0 || size > keep {
		size = keep
	}
	buf := make([]byte, size)
	m, err := io.ReadFull(out.Body, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, s.fail("reading "+rng+" of", loc.String(), err)
	}
	return buf[:m], nil
}

// localPath returns the file cache's copy of exactly the version obj,
// downloading it with parallel ranged GETs if needed. Every GET carries
// If-Match with the indexed ETag, so an object replaced since indexing
// (or during the download) fails with errObjectChanged instead of
// yielding a file that mixes two versions.
func (s *s3Store) localPath(ctx context.Context, obj ObjectInfo) (string, func(), error) {
	loc, err := parseS3(obj.Location)
	if err != nil {
		return "", nil, err
	}
	if s.cache == nil {
		return "", nil, fmt.Errorf("%s: no file cache configured to hold S3 objects", loc)
	}
	obj.Location = loc.String() // one cache entry for s3://, s3a:// and s3n://
	return s.cache.get(ctx, obj, func(ctx context.Context, w io.WriterAt) error {
		if obj.Size == 0 {
			return nil // nothing to fetch, and a range of an empty object is invalid
		}
		_, err := s.downloader.Download(ctx, w, &s3.GetObjectInput{
			Bucket:  aws.String(loc.bucket),
			Key:     aws.String(loc.path),
			IfMatch: aws.String(quoteETag(obj.ETag)),
		})
		if err != nil {
			return s.fail("downloading", loc.String(), err)
		}
		return nil
	})
}

// unquoteETag strips the quotes S3 puts around ETags, so indexes and logs
// hold the bare value.
func unquoteETag(etag string) string {
	if len(etag) >= 2 && etag[0] == '"' && etag[len(etag)-1] == '"' {
		return etag[1 : len(etag)-1]
	}
	return etag
}

func quoteETag(etag string) string {
	if strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") {
		return etag
	}
	return `"` + etag + `"`
}

// s3Error is an S3 failure told in a sentence naming the object, with the
// SDK's error (long: operation, attempts, request ids) kept for errors.Is
// and errors.As.
type s3Error struct {
	msg  string
	kind error // fs.ErrNotExist, errObjectChanged or nil
	err  error
}

func (e *s3Error) Error() string { return e.msg }

func (e *s3Error) Unwrap() []error {
	if e.kind != nil {
		return []error{e.kind, e.err}
	}
	return []error{e.err}
}

// fail turns an SDK error into an s3Error for location; action (may be
// empty) says what was being done.
func (s *s3Store) fail(action, location string, err error) error {
	what := location
	if action != "" {
		what = action + " " + location
	}
	e := &s3Error{err: err}
	var (
		apiErr   smithy.APIError
		respErr  *smithyhttp.ResponseError
		sendErr  *smithyhttp.RequestSendError
		attempts *retry.MaxAttemptsError
	)
	status := 0
	if errors.As(err, &respErr) {
		status = respErr.HTTPStatusCode()
	}
	code := ""
	if errors.As(err, &apiErr) {
		code = apiErr.ErrorCode()
	}
	switch {
	case errors.Is(err, context.Canceled):
		e.msg = fmt.Sprintf("%s: %v", what, context.Canceled)
	case errors.Is(err, context.DeadlineExceeded):
		e.msg = fmt.Sprintf("%s: %v", what, context.DeadlineExceeded)
	case code == "PreconditionFailed" || status == http.StatusPreconditionFailed:
		e.kind = errObjectChanged
		e.msg = fmt.Sprintf("object %s changed since it was indexed; the table will be refreshed", location)
	case code == "NoSuchBucket":
		e.kind = fs.ErrNotExist
		e.msg = fmt.Sprintf("%s: bucket does not exist", what)
	case code == "NoSuchKey" || code == "NotFound" || status == http.StatusNotFound:
		e.kind = fs.ErrNotExist
		e.msg = fmt.Sprintf("%s: object not found", what)
	case status == http.StatusForbidden || code == "AccessDenied" || code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch":
		e.msg = fmt.Sprintf("%s: access denied (%s); check the credentials of the default AWS chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, instance role)", what, apiMessage(apiErr, status))
	case code == "InvalidRange" || status == http.StatusRequestedRangeNotSatisfiable:
		e.msg = fmt.Sprintf("%s: range not satisfiable (past the end of the object?)", what)
	case errors.As(err, &sendErr):
		// The SDK's text repeats the URL and request ids; the innermost
		// network error says what happened ("connection refused").
		cause := sendErr.Err
		var opErr *net.OpError
		if errors.As(cause, &opErr) {
			cause = opErr
		}
		e.msg = fmt.Sprintf("%s: %v (is the endpoint %s reachable?)", what, cause, s.endpoint)
	case apiErr != nil:
		e.msg = fmt.Sprintf("%s: %s", what, apiMessage(apiErr, status))
	default:
		// Mostly credentials ("get identity: get credentials: ..."): the
		// chain's own words, without the SDK's operation prefix.
		cause := err
		var opErr *smithy.OperationError
		if errors.As(err, &opErr) {
			cause = opErr.Err
		}
		e.msg = fmt.Sprintf("%s: %v", what, cause)
	}
	if errors.As(err, &attempts) && !errors.Is(err, context.Canceled) {
		e.msg += fmt.Sprintf(" (gave up after %d attempts)", attempts.Attempt)
	}
	return e
}

// apiMessage describes an S3 error response: its code and message, or
// just the HTTP status for bodiless (HEAD) responses, for which the SDK
// uses the status text as the code.
func apiMessage(apiErr smithy.APIError, status int) string {
	var code, msg string
	if apiErr != nil {
		code, msg = apiErr.ErrorCode(), apiErr.ErrorMessage()
	}
	if msg == code {
		msg = ""
	}
	if code == strings.ReplaceAll(http.StatusText(status), " ", "") {
		code = ""
	}
	switch {
	case code == "" && msg == "":
		return fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
	case code == "":
		code = msg
	case msg != "":
		code += ": " + msg
	}
	if status != 0 {
		code += fmt.Sprintf(" (HTTP %d)", status)
	}
	return code
}
