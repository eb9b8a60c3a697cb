package platform

import (
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// FieldViolation is one bad request field and what is wrong with it.
type FieldViolation struct {
	Field       string
	Description string
}

// InvalidArgument is a codes.InvalidArgument status listing every bad field
// as google.rpc.BadRequest field violations, the form gRPC clients of every
// language know how to read.
func InvalidArgument(violations []FieldViolation) error {
	parts := make([]string, 0, len(violations))
	br := &errdetails.BadRequest{}
	for _, v := range violations {
		parts = append(parts, v.Field+": "+v.Description)
		br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Description})
	}
	st := status.New(codes.InvalidArgument, "invalid request: "+strings.Join(parts, "; "))
	if withDetails, err := st.WithDetails(br); err == nil {
		st = withDetails
	}
	return st.Err()
}

// Violations reads the field violations back from a status error (for
// clients and tests); nil if there are none.
func Violations(err error) []FieldViolation {
	var out []FieldViolation
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				out = append(out, FieldViolation{Field: v.GetField(), Description: v.GetDescription()})
			}
		}
	}
	return out
}
