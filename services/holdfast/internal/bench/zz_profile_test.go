package bench

import (
	"os"
	"runtime/pprof"
	"strconv"
	"testing"
)

func TestZZProfileReplay(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("HF_PROFILE_EVENTS"))
	if n == 0 {
		t.Skip()
	}
	opts := DefaultOptions()
	opts.RiskEvents = n
	if e, _ := strconv.Atoi(os.Getenv("HF_PROFILE_EMPLOYEES")); e > 0 {
		opts.RiskEmployees = e
	}
	rb := newRiskBench(opts)
	defer rb.close()
	if err := rb.start(t.Context()); err != nil {
		t.Fatal(err)
	}
	pf, _ := os.Create("/tmp/prof/cpu.out")
	_ = pprof.StartCPUProfile(pf)
	f, err := rb.replay(t.Context())
	pprof.StopCPUProfile()
	pf.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", f)
}
