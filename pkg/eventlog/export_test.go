package eventlog

// ReadAheadRecords is how many records a follower decodes ahead of its
// handler at most, for the tests that hold a handler back.
const ReadAheadRecords = readAheadRecords
