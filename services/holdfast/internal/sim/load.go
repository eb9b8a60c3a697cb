package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/holdfast/holdfast/pkg/auth"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// LoadConfig sizes a load run: interactions logged at live time (no
// simulated event time) at a steady offered rate, one in SampleEvery
// carrying a private-deal phrase whose alert is waited for, which gives the
// event→alert latency.
type LoadConfig struct {
	Tenant      string
	Employees   int           // salespeople logging the steady traffic
	Rate        float64       // interactions a second to offer
	Duration    time.Duration // how long to offer them
	SampleEvery int           // one interaction in this many is a latency sample
	Concurrency int           // calls in flight at most; a full pipe lowers the achieved rate
}

// LoadResult is what a load run measured. Latency is from just before the
// LogInteraction call to the moment ListAlerts, consistent with the
// interaction's CLIENT position, returns the alert it raised.
type LoadResult struct {
	Offered   float64       `json:"offered_per_second"`
	Achieved  float64       `json:"achieved_per_second"`
	Sent      int           `json:"sent"`
	Failed    int           `json:"failed"`
	Elapsed   time.Duration `json:"elapsed_ns"`
	Samples   int           `json:"latency_samples"`
	Unalerted int           `json:"samples_without_alert"`
	P50       time.Duration `json:"latency_p50_ns"`
	P99       time.Duration `json:"latency_p99_ns"`
	Max       time.Duration `json:"latency_max_ns"`
	Errors    []string      `json:"errors,omitempty"`
}

// loadCustomers is how many customers each steady-traffic salesperson holds.
const loadCustomers = 3

// Check validates the configuration.
func (c LoadConfig) Check() error {
	switch {
	case c.Tenant == "":
		return errors.New("sim: load: tenant is required")
	case c.Employees < 1 || c.Employees > 10_000:
		return fmt.Errorf("sim: load: employees %d: want 1 to 10000", c.Employees)
	case c.Rate <= 0 || c.Rate > 100_000:
		return fmt.Errorf("sim: load: rate %v: want more than 0 and at most 100000 a second", c.Rate)
	case c.Duration <= 0 || c.Duration > 24*time.Hour:
		return fmt.Errorf("sim: load: duration %v: want more than 0 and at most 24h", c.Duration)
	case c.SampleEvery < 1:
		return fmt.Errorf("sim: load: sample every %d: want at least 1", c.SampleEvery)
	}
	return nil
}

// load is one load run's state.
type load struct {
	cfg    LoadConfig
	conns  Conns
	minter Minter
	hr     grpc.CallOption

	mu        sync.Mutex
	tokens    map[string]grpc.CallOption
	customers map[string][]string // employee → customer ids
	res       LoadResult
	latencies []time.Duration
	lastDone  time.Time // when the latest interaction call returned
}

// RunLoad offers cfg.Rate interactions a second for cfg.Duration and
// measures what the services sustained and how soon alerts followed.
// Every latency sample is logged by a salesperson of its own, so each one
// opens a new sensitive_words alert rather than adding to an open one.
func RunLoad(ctx context.Context, conns Conns, minter Minter, cfg LoadConfig) (LoadResult, error) {
	if err := cfg.Check(); err != nil {
		return LoadResult{}, err
	}
	cfg.Concurrency = max(1, cfg.Concurrency)
	l := &load{cfg: cfg, conns: conns, minter: minter, tokens: map[string]grpc.CallOption{}, customers: map[string][]string{}}
	var err error
	if l.hr, err = l.cred("load-hr", auth.RoleHR); err != nil {
		return LoadResult{}, err
	}
	total := int(cfg.Rate * cfg.Duration.Seconds())
	samples := total / cfg.SampleEvery
	if err := l.setup(ctx, samples); err != nil {
		return LoadResult{}, err
	}
	l.res.Offered = cfg.Rate
	slots := make(chan struct{}, cfg.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i := 0; i < total; i++ {
		// Pacing: the i-th call is due i/rate after the start; a call
		// that cannot start on time starts late and lowers the rate.
		due := start.Add(time.Duration(float64(i) / cfg.Rate * float64(time.Second)))
		timer.Reset(time.Until(due))
		select {
		case <-ctx.Done():
			wg.Wait()
			return LoadResult{}, ctx.Err()
		case <-timer.C:
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return LoadResult{}, ctx.Err()
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sample := i%cfg.SampleEvery == cfg.SampleEvery-1 && i/cfg.SampleEvery < samples
			t0 := time.Now()
			seq, employee, err := l.interaction(ctx, i, sample)
			<-slots
			l.mu.Lock()
			l.res.Sent++
			l.lastDone = time.Now()
			if err != nil {
				l.res.Failed++
				if len(l.res.Errors) < maxReportedErrors {
					l.res.Errors = append(l.res.Errors, err.Error())
				}
			}
			l.mu.Unlock()
			if sample && err == nil {
				l.awaitAlert(ctx, employee, seq, t0)
			}
		}(i)
	}
	wg.Wait()
	// The achieved rate counts calls completed over the time until the
	// last of them returned, not the latency samples' waits.
	l.res.Elapsed = l.lastDone.Sub(start)
	l.res.Achieved = float64(l.res.Sent) / l.res.Elapsed.Seconds()
	l.res.Samples = len(l.latencies)
	slices.Sort(l.latencies)
	if n := len(l.latencies); n > 0 {
		ms := make([]float64, n)
		for k, d := range l.latencies {
			ms[k] = float64(d)
		}
		l.res.P50, l.res.P99, l.res.Max = time.Duration(percentile(ms, 0.5)), time.Duration(percentile(ms, 0.99)), l.latencies[n-1]
	}
	return l.res, nil
}

// cred is a bearer token for subject in role, minted once.
func (l *load) cred(subject string, role auth.Role) (grpc.CallOption, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.tokens[subject]; ok {
		return c, nil
	}
	tok, err := l.minter.Issue(auth.Principal{Tenant: l.cfg.Tenant, Subject: subject, Roles: []auth.Role{role}}, 12*time.Hour)
	if err != nil {
		return nil, err
	}
	c := grpc.PerRPCCredentials(auth.BearerToken(tok))
	l.tokens[subject] = c
	return c, nil
}

func steadyEmployee(i int) string { return fmt.Sprintf("load-e%05d", i) }
func sampleEmployee(i int) string { return fmt.Sprintf("load-s%06d", i) }

// setup registers the customers the traffic talks to: loadCustomers for
// each steady salesperson, one for each sample's own salesperson.
func (l *load) setup(ctx context.Context, samples int) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(l.cfg.Concurrency)
	register := func(employee string, first, n int) {
		g.Go(func() error {
			cred, err := l.cred(employee, auth.RoleSales)
			if err != nil {
				return err
			}
			for k := 0; k < n; k++ {
				zh := k%2 == 0
				res, err := clientv1.NewClientServiceClient(l.conns.Client).RegisterCustomer(ctx, &clientv1.RegisterCustomerRequest{
					RequestId: fmt.Sprintf("%s-c%d", employee, k), PersonName: "Load Test " + employee,
					CompanyName: fmt.Sprintf("Load %s %d Ltd", employee, k), Phones: []string{loadPhone(first+k, zh)},
					SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_ASSIGNMENT,
				}, cred)
				if err != nil {
					return fmt.Errorf("sim: load: register a customer for %s: %w", employee, err)
				}
				l.mu.Lock()
				l.customers[employee] = append(l.customers[employee], res.GetCustomer().GetCustomerId())
				l.mu.Unlock()
			}
			return nil
		})
	}
	for i := 0; i < l.cfg.Employees; i++ {
		register(steadyEmployee(i), i*loadCustomers, loadCustomers)
	}
	for i := 0; i < samples; i++ {
		register(sampleEmployee(i), l.cfg.Employees*loadCustomers+i, 1)
	}
	return g.Wait()
}

// loadPhone is a distinct, well-formed phone number per customer number
// n, so no registration looks like a duplicate of another.
func loadPhone(n int, zh bool) string {
	if zh {
		return fmt.Sprintf("139%08d", n)
	}
	return fmt.Sprintf("+44 7%09d", n)
}

// interaction logs the i-th interaction: an ordinary note by a steady
// salesperson, or a sample's private-deal message by its own one.
func (l *load) interaction(ctx context.Context, i int, sample bool) (uint64, string, error) {
	employee, text := steadyEmployee(i%l.cfg.Employees), replaceCo(enNotes[i%len(enNotes)], "the customer")
	if sample {
		employee = sampleEmployee(i / l.cfg.SampleEvery)
		text = frame(zhFrames[i%len(zhFrames):], zhPhrases[i%len(zhPhrases)])
	}
	cred, err := l.cred(employee, auth.RoleSales)
	if err != nil {
		return 0, "", err
	}
	l.mu.Lock()
	custs := l.customers[employee]
	l.mu.Unlock()
	res, err := clientv1.NewClientServiceClient(l.conns.Client).LogInteraction(ctx, &clientv1.LogInteractionRequest{
		RequestId: fmt.Sprintf("load-%08d", i), CustomerId: custs[i%len(custs)], Kind: clientv1.InteractionKind_INTERACTION_KIND_CHAT,
		Direction: clientv1.Direction_DIRECTION_OUTBOUND, Text: text, TextConsent: true,
	}, cred)
	if err != nil {
		return 0, "", fmt.Errorf("sim: load: log interaction %d: %w", i, err)
	}
	return res.GetSequence(), employee, nil
}

// awaitAlert waits until the risk engine has judged the CLIENT position seq
// and records how long after t0 the employee's alert was readable.
func (l *load) awaitAlert(ctx context.Context, employee string, seq uint64, t0 time.Time) {
	res, err := riskv1.NewRiskServiceClient(l.conns.Risk).ListAlerts(ctx, &riskv1.ListAlertsRequest{
		PageSize: 1, EmployeeId: employee, RuleId: "sensitive_words",
		ConsistentWith: []*riskv1.StreamPosition{{Stream: "CLIENT", Sequence: seq}},
	}, l.hr)
	took := time.Since(t0)
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err != nil:
		l.res.Unalerted++
		if len(l.res.Errors) < maxReportedErrors {
			l.res.Errors = append(l.res.Errors, fmt.Sprintf("sim: load: alerts of %s: %v", employee, err))
		}
	case len(res.GetAlerts()) == 0:
		l.res.Unalerted++
	default:
		l.latencies = append(l.latencies, took)
	}
}

// Print writes the load result for a person.
func (r LoadResult) Print(w io.Writer) {
	fmt.Fprintf(w, "load: %d interactions in %.1fs: offered %.0f/s, achieved %.1f/s, %d failed\n",
		r.Sent, r.Elapsed.Seconds(), r.Offered, r.Achieved, r.Failed)
	fmt.Fprintf(w, "event→alert latency over %d private-deal messages (%d without an alert): p50 %v, p99 %v, max %v\n",
		r.Samples, r.Unalerted, r.P50.Round(time.Millisecond), r.P99.Round(time.Millisecond), r.Max.Round(time.Millisecond))
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  error: %s\n", e)
	}
}
