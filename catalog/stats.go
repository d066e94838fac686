package catalog

// S3Stats sums the request counters of the catalog's S3 clients (zero
// without S3 tables): every HTTP request sent to S3 since Open, indexing,
// refreshes and file cache downloads alike.
func (c *Catalog) S3Stats() S3Stats {
	var sum S3Stats
	for _, s := range c.s3 {
		st := s.Stats()
		sum.Requests += st.Requests
		sum.Errors += st.Errors
	}
	return sum
}
