package engine

import (
	"bytes"
	"encoding/gob"
)

func encodeForTest(s snapshot) ([]byte, error) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(s)
	return buf.Bytes(), err
}
