package grpcapi

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/app"
	"github.com/holdfast/holdfast/services/risk/internal/store"
)

// ListMySensitiveHits implements riskv1.RiskServiceServer. The request
// names nobody, so the answer is always about the token's own subject.
func (s *Server) ListMySensitiveHits(ctx context.Context, req *riskv1.ListMySensitiveHitsRequest) (*riskv1.ListMySensitiveHitsResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	size, bad := platform.PageSize(req.GetPageSize())
	after, err := decodeHitToken(req.GetPageToken())
	if err != nil {
		bad = append(bad, platform.FieldViolation{Field: "page_token", Description: "not a token this service issued"})
	}
	from, to, periodBad := period("occurred_after", req.GetOccurredAfter(), "occurred_before", req.GetOccurredBefore())
	bad = append(bad, periodBad...)
	positions, positionsBad := sourcePositions(req.GetConsistentWith())
	bad = append(bad, positionsBad...)
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	hits, err := s.app.ListMySensitiveHits(ctx, actor, store.HitFilter{
		OccurredFrom: from, OccurredTo: to, After: after, Limit: size + 1,
	}, positions)
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	resp := &riskv1.ListMySensitiveHitsResponse{}
	hits, last := platform.TrimPage(hits, size)
	if last != nil {
		resp.NextPageToken = encodeHitToken(last.Cursor())
	}
	for _, h := range hits {
		resp.Hits = append(resp.Hits, &riskv1.SensitiveHit{
			EventId:     h.EventID,
			OccurredAt:  timestamppb.New(h.OccurredAt),
			Phrase:      h.Match.Phrase,
			MatchedText: h.Match.MatchedText,
			Quoted:      h.Match.Quoted,
		})
	}
	return resp, nil
}

// sourcePositions reads consistent_with: each a domain stream the engine
// judges and a positive sequence.
func sourcePositions(in []*riskv1.StreamPosition) ([]app.SourcePosition, []platform.FieldViolation) {
	var (
		out []app.SourcePosition
		bad []platform.FieldViolation
	)
	for i, p := range in {
		if !knownSource(p.GetStream()) || p.GetSequence() == 0 {
			bad = append(bad, platform.FieldViolation{
				Field:       "consistent_with[" + strconv.Itoa(i) + "]",
				Description: "stream must be one of CLIENT, ORDER, ATTENDANCE, COMMISSION, TICK and sequence positive",
			})
			continue
		}
		out = append(out, app.SourcePosition{Stream: p.GetStream(), Sequence: p.GetSequence()})
	}
	return out, bad
}

// hitPages prefixes sensitive-hit page tokens: the source sequence, stream
// and match index of the previous page's last hit.
const hitPages = "h1:"

func encodeHitToken(c store.HitCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(hitPages + strconv.FormatUint(c.Sequence, 10) + ":" + c.Stream + ":" + strconv.Itoa(c.Index)))
}

func decodeHitToken(tok string) (*store.HitCursor, error) {
	if tok == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(b), hitPages) {
		return nil, errors.New("bad page token")
	}
	parts := strings.Split(string(b[len(hitPages):]), ":")
	if len(parts) != 3 {
		return nil, errors.New("bad page token")
	}
	seq, err := strconv.ParseUint(parts[0], 10, 63)
	if err != nil || seq == 0 || !eventlog.ValidToken(parts[1]) {
		return nil, errors.New("bad page token")
	}
	// A match index is small: a text holds a bounded number of matches.
	index, err := strconv.Atoi(parts[2])
	if err != nil || index < 0 || index > 1<<20 || strconv.Itoa(index) != parts[2] {
		return nil, errors.New("bad page token")
	}
	return &store.HitCursor{Sequence: seq, Stream: parts[1], Index: index}, nil
}
