package backup

// BatchSize is batchSize, for the external tests of the restore's reading.
const BatchSize = batchSize
