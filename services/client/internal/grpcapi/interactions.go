package grpcapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/platform"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/app"
	"github.com/holdfast/holdfast/services/client/internal/domain"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// MaxIngestRecords bounds one IngestInteractions call. The response holds
// a result per record, and 5,000 of them stay under the 4 MiB a gRPC
// client receives by default; a longer feed is sent as several calls.
const MaxIngestRecords = 5000

// maxResultMessage bounds the message of one rejected record.
const maxResultMessage = 300

// interactionFromProto converts a LogInteractionRequest, reporting what
// the wire form can get wrong that the domain cannot see.
func interactionFromProto(req *clientv1.LogInteractionRequest) (domain.Interaction, []platform.FieldViolation) {
	in := domain.Interaction{
		CustomerID:   req.GetCustomerId(),
		Counterparty: req.GetCounterpartyContact(),
		Kind:         domain.InteractionKind(req.GetKind()),
		Direction:    domain.Direction(req.GetDirection()),
		Text:         req.GetText(),
		TextConsent:  req.GetTextConsent(),
	}
	var bad []platform.FieldViolation
	if d := req.GetDuration(); d != nil {
		if d.CheckValid() != nil {
			bad = append(bad, platform.FieldViolation{Field: "duration", Description: "not a valid duration"})
		}
		in.Duration = d.AsDuration()
	}
	if t := req.GetOccurredAt(); t != nil {
		if t.CheckValid() != nil {
			bad = append(bad, platform.FieldViolation{Field: "occurred_at", Description: "not a valid timestamp"})
		}
		in.OccurredAt = t.AsTime()
	}
	return in, bad
}

// DeleteInteraction implements clientv1.ClientServiceServer.
func (s *Server) DeleteInteraction(ctx context.Context, req *clientv1.DeleteInteractionRequest) (*clientv1.DeleteInteractionResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	seq, err := s.app.DeleteInteraction(ctx, actor, req.GetRequestId(), req.GetInteractionId(), req.GetReason())
	if err != nil {
		return nil, s.statusAbout(ctx, err, "interaction")
	}
	return &clientv1.DeleteInteractionResponse{Sequence: seq}, nil
}

// ListInteractions implements clientv1.ClientServiceServer.
func (s *Server) ListInteractions(ctx context.Context, req *clientv1.ListInteractionsRequest) (*clientv1.ListInteractionsResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	f := store.InteractionFilter{
		CustomerID: req.GetCustomerId(), EmployeeID: req.GetEmployeeId(), IncludeDeleted: req.GetIncludeDeleted(),
	}
	size, bad := platform.PageSize(req.GetPageSize())
	if f.Before, err = decodeInteractionPageToken(req.GetPageToken()); err != nil {
		bad = append(bad, platform.FieldViolation{Field: "page_token", Description: "not a token this service issued"})
	}
	var ve *domain.ValidationError
	if errors.As(app.CheckInteractionFilter(f), &ve) {
		for _, v := range ve.Violations {
			bad = append(bad, platform.FieldViolation{Field: v.Field, Description: v.Description})
		}
	}
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	// One extra row tells whether another page follows.
	f.Limit = size + 1
	page, err := s.app.ListInteractions(ctx, actor, f, req.GetMinSequence())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	resp := &clientv1.ListInteractionsResponse{}
	page, last := platform.TrimPage(page, size)
	if last != nil {
		resp.NextPageToken = encodeInteractionPageToken(last.Sequence)
	}
	for _, li := range page {
		resp.Interactions = append(resp.Interactions, interactionToProto(li))
	}
	return resp, nil
}

// IngestInteractions implements clientv1.ClientServiceServer. Each record
// is logged as LogInteraction logs it, on its own: a bad record is
// reported and the feed goes on, and a retried feed finds its records by
// their request ids and writes nothing new.
func (s *Server) IngestInteractions(stream grpc.ClientStreamingServer[clientv1.IngestInteractionsRequest, clientv1.IngestInteractionsResponse]) error {
	ctx := stream.Context()
	actor, err := actorFrom(ctx)
	if err != nil {
		return err
	}
	resp := &clientv1.IngestInteractionsResponse{}
	for index := 0; ; index++ {
		rec, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(resp)
		}
		if err != nil {
			return err // the client went away or cancelled
		}
		if index >= MaxIngestRecords {
			return status.Errorf(codes.ResourceExhausted,
				"a call takes at most %d records; the first %d were processed: send the rest in another call (records already logged are found by their request ids)",
				MaxIngestRecords, MaxIngestRecords)
		}
		res := s.ingestRecord(ctx, actor, index, rec)
		if ctx.Err() != nil {
			// Cancelled mid-record: nobody is left to read the results.
			return platform.UnexpectedStatus(ctx, s.logger, ctx.Err())
		}
		if res.GetAccepted() {
			resp.Accepted++
		} else {
			resp.Rejected++
		}
		resp.Results = append(resp.Results, res)
	}
}

// ingestRecord logs one record of a feed and says how it went.
func (s *Server) ingestRecord(ctx context.Context, actor domain.Actor, index int, rec *clientv1.IngestInteractionsRequest) *clientv1.IngestResult {
	req := rec.GetInteraction()
	res := &clientv1.IngestResult{Index: int32(index), RequestId: req.GetRequestId()} //nolint:gosec // index < MaxIngestRecords
	var err error
	if req == nil {
		err = platform.InvalidArgument([]platform.FieldViolation{{Field: "interaction", Description: "required"}})
	} else if in, bad := interactionFromProto(req); len(bad) > 0 {
		err = platform.InvalidArgument(bad)
	} else {
		var id string
		var seq uint64
		if id, seq, err = s.app.LogInteractionFor(ctx, actor, rec.GetEmployeeId(), req.GetRequestId(), in); err == nil {
			res.Accepted, res.InteractionId, res.Sequence = true, id, seq
			return res
		}
		err = s.toStatus(ctx, err)
	}
	st := status.Convert(err)
	res.Code, res.Message = codeName(st.Code()), truncate(st.Message(), maxResultMessage)
	return res
}

func interactionToProto(li domain.LoggedInteraction) *clientv1.Interaction {
	out := &clientv1.Interaction{
		InteractionId: li.ID,
		CustomerId:    li.CustomerID,
		EmployeeId:    li.EmployeeID,
		Kind:          clientv1.InteractionKind(li.Kind),
		Direction:     clientv1.Direction(li.Direction),
		Text:          li.Text,
		OccurredAt:    timestamppb.New(li.OccurredAt),
		Deleted:       li.Deleted,
		TextWithheld:  li.TextWithheld,
		Sequence:      li.Sequence,
	}
	if li.Counterparty != "" {
		out.MaskedCounterparty = domain.MaskCounterparty(li.Counterparty)
	}
	if li.Duration > 0 {
		out.Duration = durationpb.New(li.Duration)
	}
	return out
}

// interactionPagePrefix versions the page token, which carries the
// sequence of the last interaction listed.
const interactionPagePrefix = "i1:"

func encodeInteractionPageToken(lastSeq uint64) string {
	return encodeSequencePageToken(interactionPagePrefix, lastSeq)
}

func decodeInteractionPageToken(tok string) (uint64, error) {
	return decodeSequencePageToken(interactionPagePrefix, tok)
}

// encodeSequencePageToken is a page token carrying the CLIENT sequence a
// list stopped at, behind a prefix naming the list and its version.
func encodeSequencePageToken(prefix string, lastSeq uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(prefix + strconv.FormatUint(lastSeq, 10)))
}

// decodeSequencePageToken reads a token of encodeSequencePageToken ("" is
// the first page: 0).
func decodeSequencePageToken(prefix, tok string) (uint64, error) {
	if tok == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, fmt.Errorf("bad page token: %w", err)
	}
	rest, ok := strings.CutPrefix(string(b), prefix)
	seq, err := strconv.ParseUint(rest, 10, 64)
	if !ok || err != nil || seq == 0 {
		return 0, errors.New("bad page token")
	}
	return seq, nil
}

// codeName is a code's name as the proto enum google.rpc.Code spells it:
// InvalidArgument → INVALID_ARGUMENT.
func codeName(c codes.Code) string {
	var b strings.Builder
	prev := rune(0)
	for _, r := range c.String() {
		if unicode.IsUpper(r) && unicode.IsLower(prev) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
		prev = r
	}
	return b.String()
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
