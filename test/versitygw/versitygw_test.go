package versitygw

import (
	"bytes"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestStartPutGetRestart checks the harness itself: objects written before
// a Stop are served after Restart on the same endpoint, and a stopped
// server refuses connections.
func TestStartPutGetRestart(t *testing.T) {
	srv := Start(t)
	srv.CreateBucket(t, "bkt")
	etag := srv.PutObject(t, "bkt", "dir/k.txt", []byte("hello"))
	if etag == "" {
		t.Fatal("PutObject returned no ETag")
	}
	get := func() ([]byte, error) {
		out, err := srv.Client().GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/k.txt")},
			func(o *s3.Options) { o.RetryMaxAttempts = 1 }) // a refused connection fails at once
		if err != nil {
			return nil, err
		}
		defer out.Body.Close()
		return io.ReadAll(out.Body)
	}
	if b, err := get(); err != nil || !bytes.Equal(b, []byte("hello")) {
		t.Fatalf("get = %q, %v", b, err)
	}
	srv.Stop()
	if _, err := get(); err == nil {
		t.Fatal("get from a stopped server succeeded")
	}
	srv.Restart(t)
	if b, err := get(); err != nil || !bytes.Equal(b, []byte("hello")) {
		t.Fatalf("after restart: get = %q, %v", b, err)
	}
}
