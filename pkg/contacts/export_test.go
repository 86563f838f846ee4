package contacts

// SetImportChunk sets how many rows an import writes together until the
// test ends.
func SetImportChunk(t interface{ Cleanup(func()) }, n int) {
	was := importChunk
	importChunk = n
	t.Cleanup(func() { importChunk = was })
}
