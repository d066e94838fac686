// Package versitygw starts a real S3 server for tests: versitygw, the
// S3 gateway pinned as a Go tool dependency in go.mod, with a posix backend
// in the test's temporary directory, listening on 127.0.0.1.
//
// Tests get real S3 behaviour (signatures, ListObjectsV2 paging, ETags,
// ranges, conditional requests, and a server that can die mid-query)
// without mocks and without a network:
//
//	srv := versitygw.Start(t)
//	srv.CreateBucket(t, "lake")
//	srv.PutObject(t, "lake", "sales/part-0.parquet", data)
//	srv.Env(t) // default AWS credential chain now finds srv's keys
//
// The gateway binary is built once from the module's pinned version and
// kept under the user cache directory (lakegate-test/versitygw-<version>),
// so only the first run on a machine pays for the build. Set
// LAKEGATE_VERSITYGW to a versitygw binary to skip the build altogether.
package versitygw
